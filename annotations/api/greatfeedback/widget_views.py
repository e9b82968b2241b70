"""The annotation widget's endpoints (``X-GF-Widget-Token``) and stakeholder management.

Widget requests are checked in this order: the site's current widget token (401; a rotated
or unknown token never creates anything) -> the ``Origin``, when the browser sent one
(403 unless the site allows it; ``annotations.cors`` already withheld the CORS headers)
-> the per-IP bucket (429 with a reason and Retry-After; the only limit a public token
has, so a cache outage fails closed, 503) -> ``Idempotency-Key`` replay -> the body (422
naming each field, nothing stored) -> the write.
"""

from __future__ import annotations

from typing import Any

from django.utils.crypto import constant_time_compare
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response

from accounts.audit import Actor
from accounts.caller import Caller
from accounts.models import Role
from annotations import constants as C
from annotations import stakeholders as stakeholder_services
from annotations import uploads
from annotations.api.greatfeedback import widget_serializers as s
from annotations.cors import widget_site
from annotations.models import UploadKind
from annotations.submission import annotation_submit, lookup_validate, submitter_threads
from config.api.client_ip import client_ip
from config.api.errors import ApiError, ErrorCode
from config.api.families import (
    AuthenticationClasses,
    GreatfeedbackAPIView,
    PermissionClasses,
)
from config.api.ratelimit import Bucket
from config.http import no_store
from config.ids import is_hex32, secret_digest
from projects.api.scoping import ProjectScopedMixin
from projects.cors import origin_allowed
from projects.models import Project

WIDGET_TOKEN_HEADER = "X-GF-Widget-Token"
TAGS = ["greatfeedback"]  # the family tag: the schema's error shape follows it
TOKEN_PARAMETER = OpenApiParameter(
    WIDGET_TOKEN_HEADER, str, OpenApiParameter.HEADER, required=True,
    description="The site's widget token (gfwt_...).",
)  # fmt: skip


def _unauthorized(reason: str) -> ApiError:
    return ApiError(ErrorCode.UNAUTHORIZED, reason, 401)


class WidgetAPIView(GreatfeedbackAPIView):
    """A greatfeedback endpoint of the widget: no user, no API token; the site's widget
    token names the site. The family's errors and pagination, its own caller and bucket."""

    authentication_classes: AuthenticationClasses = []
    permission_classes: PermissionClasses = []
    rate_limit_fail_open = False
    site: Project

    def resolve_caller(self, request: Request, workspace_id: str | None) -> Caller:
        site_id = self.kwargs["site_id"]
        raw = request.headers.get(WIDGET_TOKEN_HEADER, "").strip()
        if not raw:
            raise _unauthorized(f"Missing {WIDGET_TOKEN_HEADER} header.")
        site = widget_site(request, site_id) if is_hex32(site_id) else None
        # Compare digests in constant time; an unknown site is answered like a wrong token,
        # so the endpoint does not tell which site ids exist.
        expected = site.widget_token_hash if site is not None else "-"
        if (
            not constant_time_compare(secret_digest(raw), expected)
            or site is None
            or site.workspace.is_deleted
        ):
            raise _unauthorized("Invalid widget token for this site.")
        origin = request.headers.get("Origin")
        if origin and not origin_allowed(site.allowed_origins, origin):
            raise ApiError(
                ErrorCode.FORBIDDEN,
                f"Origin {origin[:200]!r} is not allowed to use this site's widget.",
                403,
            )
        self.site = site
        return Caller(workspace=site.workspace, role=Role.GUEST, actor=Actor.for_widget(site.pk))

    def rate_buckets(self, request: Request) -> list[Bucket]:
        return [
            Bucket(
                group="gf:widget:ip",
                value=f"ip:{client_ip(request)}",
                rate_setting="RATE_GREATFEEDBACK_WIDGET_PER_IP",
                reason="Rate limit exceeded: {rate} per IP address.",
            )
        ]

    def scoped_queryset(self, workspace: Any) -> Any:
        return Project.objects.none()  # widget views read only self.site


class WidgetAnnotationCreate(WidgetAPIView):
    @extend_schema(
        operation_id="gf_widget_annotation_create",
        tags=TAGS,
        parameters=[TOKEN_PARAMETER],
        request=dict,
        responses={201: dict},
        auth=[],
    )
    def post(self, request: Request, site_id: str) -> Response:
        annotation, secret = annotation_submit(
            project=self.site,
            payload=request.data,
            actor=self.caller.actor,
            user_agent=request.headers.get("User-Agent", ""),
        )
        body = {**s.annotation_out(annotation), "submitter_secret": secret}
        return no_store(Response(body, status=201))


class ScreenshotUploadInput(serializers.Serializer):
    """``{content_type: image/png|image/jpeg|image/webp}``: images only."""

    content_type = serializers.ChoiceField(choices=list(C.IMAGE_CONTENT_TYPES))


class WidgetScreenshotUploadUrl(WidgetAPIView):
    """Where the widget PUTs the visitor's screenshot: the resolution upload URL's answer,
    for a ``screenshot`` key of this site that the submission then claims."""

    @extend_schema(
        operation_id="gf_widget_screenshot_upload_url",
        tags=TAGS,
        parameters=[TOKEN_PARAMETER],
        request=ScreenshotUploadInput,
        responses={201: dict},
        auth=[],
    )
    def post(self, request: Request, site_id: str) -> Response:
        data = ScreenshotUploadInput(data=request.data)
        data.is_valid(raise_exception=True)
        answer = uploads.upload_mint(
            project=self.site,
            kind=UploadKind.SCREENSHOT,
            content_type=data.validated_data["content_type"],
            request=request,
        )
        return no_store(Response(answer, status=201))


class WidgetAnnotationLookup(WidgetAPIView):
    """A submitter's own threads, read with the secrets the widget kept."""

    idempotent_methods = frozenset()

    @extend_schema(
        operation_id="gf_widget_annotation_lookup",
        tags=TAGS,
        parameters=[TOKEN_PARAMETER],
        request=dict,
        responses={200: dict},
        auth=[],
    )
    def post(self, request: Request, site_id: str) -> Response:
        pairs = lookup_validate(request.data)
        threads = submitter_threads(project=self.site, pairs=pairs)
        return no_store(Response({"items": [s.thread_out(a) for a in threads]}))


class WidgetStakeholderLink(WidgetAPIView):
    """What a stakeholder link grants, so the widget can show the auto-fix toggle."""

    idempotent_methods = frozenset()

    @extend_schema(
        operation_id="gf_widget_stakeholder_link",
        tags=TAGS,
        parameters=[TOKEN_PARAMETER],
        request=dict,
        responses={200: dict},
        auth=[],
    )
    def post(self, request: Request, site_id: str) -> Response:
        token = request.data.get("token") if isinstance(request.data, dict) else None
        stakeholder = (
            stakeholder_services.stakeholder_resolve(project=self.site, token=token)
            if isinstance(token, str)
            else None
        )
        if stakeholder is None:
            raise ApiError(ErrorCode.NOT_FOUND, "Stakeholder link not found or revoked.", 404)
        stakeholder_services.stakeholder_seen(stakeholder=stakeholder)
        return no_store(
            Response(
                {
                    "name": stakeholder.name or None,
                    "auto_fix_default": stakeholder.auto_fix_default,
                }
            )
        )


# --- Stakeholder management (members and guests, token or session) --------------------------
class StakeholderView(ProjectScopedMixin, GreatfeedbackAPIView):
    project_not_found = "Site not found."
    serializer_class = s.StakeholderOutput
    cursor_salt = "gf:stakeholders"


class StakeholderListCreate(StakeholderView):
    """GET (GUEST): the site's active stakeholders, newest first, with their tokens.
    POST (MEMBER): a new stakeholder and its link token."""

    required_roles = {"GET": Role.GUEST, "POST": Role.MEMBER}

    @extend_schema(
        operation_id="gf_stakeholders_list", tags=TAGS, responses=s.StakeholderOutput(many=True)
    )
    def get(self, request: Request, site_id: str) -> Response:
        site = self.get_project(site_id)
        page = self.paginate_queryset(stakeholder_services.stakeholder_list(project=site))
        return no_store(self.get_paginated_response(s.StakeholderOutput(page, many=True).data))

    @extend_schema(
        operation_id="gf_stakeholders_create",
        tags=TAGS,
        request=s.StakeholderInput,
        responses={201: s.StakeholderOutput},
    )
    def post(self, request: Request, site_id: str) -> Response:
        site = self.get_project(site_id)
        data = s.stakeholder_input(request.data, partial=False)
        stakeholder = stakeholder_services.stakeholder_create(
            project=site, actor=self.caller.actor, **data
        )
        return no_store(Response(s.StakeholderOutput(stakeholder).data, status=201))


class StakeholderDetail(StakeholderView):
    """PATCH (MEMBER): name, email, auto_fix_default. DELETE (MEMBER): revoke, at once."""

    required_role = Role.MEMBER

    def get_stakeholder(self, site_id: str, token: str) -> tuple[Project, Any]:
        site = self.get_project(site_id)
        return site, stakeholder_services.stakeholder_get(project=site, token=token)

    @extend_schema(
        operation_id="gf_stakeholders_update",
        tags=TAGS,
        request=s.StakeholderInput,
        responses={200: s.StakeholderOutput},
    )
    def patch(self, request: Request, site_id: str, token: str) -> Response:
        site, stakeholder = self.get_stakeholder(site_id, token)
        data = s.stakeholder_input(request.data, partial=True)
        stakeholder = stakeholder_services.stakeholder_update(
            stakeholder=stakeholder, project=site, actor=self.caller.actor, **data
        )
        return no_store(Response(s.StakeholderOutput(stakeholder).data))

    @extend_schema(operation_id="gf_stakeholders_revoke", tags=TAGS, responses={204: None})
    def delete(self, request: Request, site_id: str, token: str) -> Response:
        site, stakeholder = self.get_stakeholder(site_id, token)
        stakeholder_services.stakeholder_revoke(
            stakeholder=stakeholder, project=site, actor=self.caller.actor
        )
        return Response(status=204)
