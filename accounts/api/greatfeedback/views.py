"""greatfeedback ``/api/workspaces/{ws}/api-tokens``: session-only token management.

OWNER mints; OWNER sees and revokes every token, MEMBER only their own; GUEST neither
mints nor lists others'. A token can never reach these endpoints.
"""

from __future__ import annotations

from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema
from rest_framework.mixins import ListModelMixin
from rest_framework.request import Request
from rest_framework.response import Response

from accounts import services
from accounts.api.greatfeedback.serializers import (
    ApiTokenCreated,
    ApiTokenCreateInput,
    ApiTokenOutput,
)
from accounts.models import ApiToken, Role, TokenFamily, Workspace
from accounts.permissions import MinRole, SessionOnly
from accounts.selectors import api_token_list
from config.api.errors import not_found
from config.api.families import GreatfeedbackAPIView
from config.http import no_store


class TokenViewBase(GreatfeedbackAPIView):
    permission_classes = [SessionOnly, MinRole]
    workspace_url_kwarg = "ws"
    serializer_class = ApiTokenOutput
    cursor_salt = "gf:api-tokens"

    def scoped_queryset(self, workspace: Workspace) -> QuerySet[ApiToken]:
        return api_token_list(
            workspace=workspace, user=self.caller.user, sees_all=self.caller.has_role(Role.OWNER)
        )


class ApiTokenListCreate(ListModelMixin, TokenViewBase):
    """Session only. GET: OWNER sees every gfat_ token, others only their own.
    POST (OWNER): mint a token; the plaintext ``token`` is in this response only."""

    required_roles = {"POST": Role.OWNER, "GET": Role.MEMBER}

    @extend_schema(
        operation_id="gf_api_tokens_list",
        tags=["greatfeedback"],
        responses=ApiTokenOutput(many=True),
    )
    def get(self, request: Request, ws: str) -> Response:
        return self.list(request)

    @extend_schema(
        operation_id="gf_api_tokens_create",
        tags=["greatfeedback"],
        request=ApiTokenCreateInput,
        responses={201: ApiTokenCreated},
    )
    def post(self, request: Request, ws: str) -> Response:
        data = ApiTokenCreateInput(data=request.data)
        data.is_valid(raise_exception=True)
        token, raw = services.api_token_mint(
            workspace=self.caller.workspace,
            family=TokenFamily.GREATFEEDBACK,
            name=data.validated_data["name"],
            role=data.validated_data.get("role"),
            expires_at=data.validated_data.get("expires_at"),
            actor=self.caller.actor,
        )
        return no_store(Response({"token": raw, **ApiTokenOutput(token).data}, status=201))


class ApiTokenRevoke(TokenViewBase):
    """Session only. OWNER revokes any token, others their own; effective immediately."""

    required_role = Role.MEMBER

    @extend_schema(
        operation_id="gf_api_tokens_revoke", tags=["greatfeedback"], responses={204: None}
    )
    def delete(self, request: Request, ws: str, token_id: str) -> Response:
        token = self.get_queryset().filter(pk=token_id).first()
        if token is None:
            raise not_found("Token not found.")
        services.api_token_revoke(token=token, actor=self.caller.actor)
        return Response(status=204)
