"""Family base views: each fixes its family's errors, credentials, permissions, rate limits.

Concrete views declare only what differs (required role, ``scoped_queryset``, a list's
``cursor_salt``); pagination is the family's (config/api/pagination.py). Every base
inherits ``WorkspaceScopedMixin``: a subclass that overrides ``get_queryset`` fails at import
(PH's ``__init_subclass__`` guard), so no view can forget the tenant filter and a row in
another workspace is always a 404.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any, ClassVar

from django.db.models import QuerySet
from rest_framework.authentication import BaseAuthentication
from rest_framework.exceptions import NotAuthenticated
from rest_framework.generics import GenericAPIView
from rest_framework.permissions import BasePermission, OperandHolder, SingleOperandHolder
from rest_framework.request import Request

from accounts.authentication import (
    CsrfSessionAuthentication,
    GreatfeedbackTokenAuthentication,
    MinolithKeyAuthentication,
    RejectUnrecognisedBearer,
    WritebackKeyAuthentication,
)
from accounts.caller import Caller, resolve_caller
from accounts.models import Workspace
from accounts.permissions import MinRole
from config.api import idempotency
from config.api.client_ip import client_ip
from config.api.errors import ApiError, ErrorCode, not_found
from config.api.pagination import GreatfeedbackPagination, MinolithPagination, WritebackPagination
from config.api.parsers import check_text
from config.api.ratelimit import Bucket, enforce
from config.api.shapes import FLUISTER, GREATFEEDBACK, MINOLITH, WRITEBACK, Family

# APIView's declared types. The family bases annotate their lists with them: a bare list
# would be inferred narrower and clash with APIView's under multiple inheritance.
AuthenticationClasses = Sequence[type[BaseAuthentication]]
PermissionClasses = Sequence[type[BasePermission] | OperandHolder | SingleOperandHolder]


class WorkspaceScopedMixin:
    caller: Caller  # resolved by FamilyMixin.check_permissions before any query

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if "get_queryset" in cls.__dict__:
            raise TypeError(
                f"{cls.__name__} overrides get_queryset; implement scoped_queryset(workspace) "
                "so the workspace filter cannot be bypassed."
            )

    def get_queryset(self) -> QuerySet:
        return self.scoped_queryset(self.caller.workspace)

    def scoped_queryset(self, workspace: Workspace) -> QuerySet:
        raise NotImplementedError(f"{type(self).__name__} must implement scoped_queryset()")


class IdempotentResponseMixin:
    """Stores the response of a request whose Idempotency-Key was claimed (``begin`` sets
    ``_idempotency_claim``), so a retry replays it; a view without a claim is unaffected."""

    _idempotency_claim: idempotency.Claim | None = None

    def finalize_response(self, request: Request, response: Any, *args: Any, **kwargs: Any) -> Any:
        # Mixin: APIView supplies finalize_response.
        response = super().finalize_response(request, response, *args, **kwargs)  # type: ignore[misc]
        claim = self._idempotency_claim
        if claim is not None:
            idempotency.finish(
                claim, status=response.status_code, body=getattr(response, "data", None)
            )
            self._idempotency_claim = None
        return response


class FamilyMixin(IdempotentResponseMixin, WorkspaceScopedMixin):
    """Shared request handling: caller resolution, rate limits, idempotent POSTs, and guards
    against NUL characters in query strings (400) and path ids (404), which PostgreSQL
    cannot compare."""

    family: ClassVar[Family]
    rate_limit_fail_open: ClassVar[bool] = True
    idempotent_methods: ClassVar[frozenset[str]] = frozenset({"POST"})
    workspace_url_kwarg: ClassVar[str | None] = None
    permission_classes: PermissionClasses = [MinRole]

    def initial(self, request: Request, *args: Any, **kwargs: Any) -> None:
        self._idempotency_claim = None
        for value in kwargs.values():
            # An id in the path holding NUL (%00) or a lone surrogate names nothing; PostgreSQL
            # would raise comparing it, so answer 404 before any query runs.
            try:
                check_text(str(value), "A path segment")
            except Exception as exc:
                raise not_found() from exc
        for key, values in request.query_params.lists():
            for value in [key, *values]:
                try:
                    check_text(value, f"Query parameter {key!r}")
                except Exception as exc:
                    raise ApiError(
                        ErrorCode.BAD_REQUEST, str(getattr(exc, "detail", exc)), 400
                    ) from exc
        super().initial(request, *args, **kwargs)  # type: ignore[misc]  # mixin: APIView has it
        if request.method in self.idempotent_methods:
            idempotency_key = request.headers.get(idempotency.HEADER)
            if idempotency_key:
                body = json.dumps(request.data, sort_keys=True, default=str).encode()
                self._idempotency_claim = idempotency.begin(
                    scope=f"{self.family.name}:{self.caller.actor.actor_id}",
                    key=idempotency_key,
                    method=request.method,
                    path=request.path,
                    body=body,
                )

    def check_permissions(self, request: Request) -> None:
        workspace_id = kwargs_get(self, self.workspace_url_kwarg)
        self.caller = self.resolve_caller(request, workspace_id)
        enforce(request, self.rate_buckets(request), fail_open=self.rate_limit_fail_open)
        super().check_permissions(request)  # type: ignore[misc]  # mixin: APIView has it

    def resolve_caller(self, request: Request, workspace_id: str | None) -> Caller:
        return resolve_caller(request, workspace_id=workspace_id)

    def rate_buckets(self, request: Request) -> list[Bucket]:
        return []


def kwargs_get(view: Any, name: str | None) -> str | None:
    if not name:
        return None
    return view.kwargs.get(name)


def credential_bucket(
    caller: Caller,
    *,
    group: str,
    rate_setting: str,
    reason: str,
    code: str = ErrorCode.RATE_LIMITED,
) -> Bucket:
    value = f"token:{caller.token.pk}" if caller.token else caller.actor.actor_id
    return Bucket(group=group, value=value, rate_setting=rate_setting, reason=reason, code=code)


# --- greatfeedback ------------------------------------------------------------------------
class GreatfeedbackAPIView(FamilyMixin, GenericAPIView):
    """A greatfeedback endpoint: Bearer gfat_ token, or a session with X-GF-Workspace."""

    family = GREATFEEDBACK
    # RejectUnrecognisedBearer before the session: an explicit Bearer credential that is not
    # a gfat_ token is a 401 even when the browser also carries a session cookie.
    authentication_classes: AuthenticationClasses = [
        GreatfeedbackTokenAuthentication,
        RejectUnrecognisedBearer,
        CsrfSessionAuthentication,
    ]
    pagination_class = GreatfeedbackPagination

    def rate_buckets(self, request: Request) -> list[Bucket]:
        # The document: per token 600/60 s and per IP 30/60 s; both must allow.
        return [
            credential_bucket(
                self.caller,
                group="gf:token",
                rate_setting="RATE_GREATFEEDBACK_PER_TOKEN",
                reason="Rate limit exceeded: {rate} per token.",
            ),
            Bucket(
                group="gf:ip",
                value=f"ip:{client_ip(request)}",
                rate_setting="RATE_GREATFEEDBACK_PER_IP",
                reason="Rate limit exceeded: {rate} per IP address.",
            ),
        ]


class KeyOnlyAPIView(FamilyMixin, GenericAPIView):
    """Families whose callers are always a bearer key, never a session: a request without a
    key is a 401, and one bucket per key limits the rate (declared by the subclass)."""

    rate_group: ClassVar[str]
    rate_setting: ClassVar[str]
    rate_reason: ClassVar[str] = "Rate limit exceeded: {rate} per API key."

    def resolve_caller(self, request: Request, workspace_id: str | None) -> Caller:
        if request.auth is None:
            raise NotAuthenticated()
        return super().resolve_caller(request, workspace_id)

    def rate_buckets(self, request: Request) -> list[Bucket]:
        return [
            credential_bucket(
                self.caller,
                group=self.rate_group,
                rate_setting=self.rate_setting,
                reason=self.rate_reason,
            )
        ]


class WritebackAPIView(KeyOnlyAPIView):
    """A Writeback read endpoint: Bearer wk_sk_ API key. Ingest authenticates by the body's
    ingest key and is a public endpoint of its own (reports app)."""

    family = WRITEBACK
    authentication_classes: AuthenticationClasses = [
        WritebackKeyAuthentication,
        RejectUnrecognisedBearer,
    ]
    pagination_class: type[WritebackPagination] | None = WritebackPagination
    rate_group = "wb:read"
    rate_setting = "RATE_WRITEBACK_READ_PER_KEY"
    rate_reason = "Rate limit exceeded for this API key."


class MinolithAPIView(KeyOnlyAPIView):
    """A Minolith endpoint: Bearer mlth_ project key."""

    family = MINOLITH
    authentication_classes: AuthenticationClasses = [
        MinolithKeyAuthentication,
        RejectUnrecognisedBearer,
    ]
    pagination_class = MinolithPagination
    rate_group = "mlth:key"
    rate_setting = "RATE_MINOLITH_PER_KEY"
    rate_reason = "Rate limit exceeded."  # the catalogue's message for rate_limit_exceeded


class FluisterAPIView(KeyOnlyAPIView):
    """``POST /v1/feedback``: the project's mlth_ key, or a gfat_ token of the workspace."""

    family = FLUISTER
    authentication_classes: AuthenticationClasses = [
        MinolithKeyAuthentication,
        GreatfeedbackTokenAuthentication,
        RejectUnrecognisedBearer,
    ]
    rate_group = "fl:key"
    rate_setting = "RATE_FLUISTER_PER_KEY"
