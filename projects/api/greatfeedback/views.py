"""greatfeedback sites and site secrets."""

from __future__ import annotations

from django.conf import settings
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.request import Request
from rest_framework.response import Response

from accounts.models import Role, Workspace
from accounts.permissions import MinRole, SessionOnly
from config.api.errors import not_found
from config.api.families import GreatfeedbackAPIView, greatfeedback_list
from config.api.schema import cursor_page
from projects import selectors, services
from projects.api.greatfeedback.serializers import (
    RotatedSecretsOutput,
    SecretsOutput,
    SiteOutput,
)
from projects.models import Project
from projects.querysets import ProjectQuerySet


class SiteList(GreatfeedbackAPIView):
    """List the workspace's sites, newest first (cursor pagination). Excludes mcp_token."""

    serializer_class = SiteOutput

    def scoped_queryset(self, workspace: Workspace) -> ProjectQuerySet:
        return Project.objects.for_workspace(workspace)

    @extend_schema(
        operation_id="gf_sites_list",
        tags=["greatfeedback"],
        parameters=[
            OpenApiParameter("cursor", str, description="next_cursor of the previous page"),
            OpenApiParameter("limit", int, description="1-200, default 50"),
        ],
        responses=cursor_page("SitePage", SiteOutput),
    )
    def get(self, request: Request) -> Response:
        return greatfeedback_list(request, self.get_queryset(), SiteOutput, salt="gf:sites")


class SiteDetail(GreatfeedbackAPIView):
    """One site of the caller's workspace. Excludes mcp_token."""

    serializer_class = SiteOutput

    def scoped_queryset(self, workspace: Workspace) -> ProjectQuerySet:
        return Project.objects.for_workspace(workspace)

    @extend_schema(operation_id="gf_sites_retrieve", tags=["greatfeedback"])
    def get(self, request: Request, site_id: str) -> Response:
        site = self.get_queryset().filter(pk=site_id).first()
        if site is None:
            raise not_found("Site not found.")
        return Response(SiteOutput(site).data)


class SiteSecretsBase(GreatfeedbackAPIView):
    """OWNER session only. Tokens are clamped to MEMBER, so they fail the role check
    (403 Insufficient role)."""

    permission_classes = [MinRole, SessionOnly]
    required_role = Role.OWNER
    serializer_class = SecretsOutput

    def scoped_queryset(self, workspace: Workspace) -> ProjectQuerySet:
        return Project.objects.for_workspace(workspace)

    def site(self, site_id: str) -> Project:
        site = selectors.project_get(workspace=self.caller.workspace, project_id=site_id)
        if site is None:
            raise not_found("Site not found.")
        return site

    def secrets_response(self, site: Project) -> Response:
        response = Response(SecretsOutput(site).data)
        response["Cache-Control"] = "no-store"
        return response


class SiteSecrets(SiteSecretsBase):
    @extend_schema(operation_id="gf_site_secrets", tags=["greatfeedback"])
    def get(self, request: Request, site_id: str) -> Response:
        site = self.site(site_id)
        # Audited like the dashboard's reveal: who looked at the MCP token, and when.
        services.project_secrets_reveal(project=site, actor=self.caller.actor)
        return self.secrets_response(site)


class SiteRotateMcpToken(SiteSecretsBase):
    @extend_schema(
        operation_id="gf_site_rotate_mcp_token",
        tags=["greatfeedback"],
        request=None,
        responses=RotatedSecretsOutput,
    )
    def post(self, request: Request, site_id: str) -> Response:
        site = self.site(site_id)
        services.project_rotate_mcp_token(project=site, actor=self.caller.actor)
        response = self.secrets_response(site)
        response.data["mcp_url"] = f"{settings.SITE_URL}/mcp/{site.mcp_token}"
        return response
