"""greatfeedback sites and site secrets."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework.mixins import ListModelMixin
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.serializers import BaseSerializer

from accounts.models import Role
from accounts.permissions import MinRole, SessionOnly
from config.api.families import GreatfeedbackAPIView
from config.http import no_store
from config.site import site_url
from projects import services
from projects.api.greatfeedback.serializers import (
    RotatedSecretsOutput,
    SecretsOutput,
    SiteOutput,
)
from projects.api.scoping import ProjectScopedMixin
from projects.models import Project


class SiteView(ProjectScopedMixin, GreatfeedbackAPIView):
    """The caller's workspace's sites. Excludes mcp_token."""

    serializer_class: type[BaseSerializer] = SiteOutput
    project_not_found = "Site not found."


class SiteList(ListModelMixin, SiteView):
    """List the workspace's sites, newest first (cursor pagination)."""

    cursor_salt = "gf:sites"

    @extend_schema(
        operation_id="gf_sites_list", tags=["greatfeedback"], responses=SiteOutput(many=True)
    )
    def get(self, request: Request) -> Response:
        return self.list(request)


class SiteDetail(SiteView):
    @extend_schema(operation_id="gf_sites_retrieve", tags=["greatfeedback"])
    def get(self, request: Request, site_id: str) -> Response:
        return Response(SiteOutput(self.get_project(site_id)).data)


class SiteSecretsBase(SiteView):
    """OWNER session only. Tokens are clamped to MEMBER, so they fail the role check
    (403 Insufficient role)."""

    permission_classes = [MinRole, SessionOnly]
    required_role = Role.OWNER
    serializer_class = SecretsOutput

    def secrets_response(self, site: Project, **extra: str) -> Response:
        return no_store(Response({**SecretsOutput(site).data, **extra}))


class SiteSecrets(SiteSecretsBase):
    @extend_schema(operation_id="gf_site_secrets", tags=["greatfeedback"])
    def get(self, request: Request, site_id: str) -> Response:
        site = self.get_project(site_id)
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
        site = self.get_project(site_id)
        services.project_rotate_mcp_token(project=site, actor=self.caller.actor)
        mcp_url = f"{site_url(request)}/mcp/{site.mcp_token}"
        return self.secrets_response(site, mcp_url=mcp_url)
