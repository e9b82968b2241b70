"""Fluister ``POST /v1/feedback``: store a submission as a feedback item, answer with its
triage at once.

Credentials (``config.api.families.FluisterAPIView``): the project's ``mlth_`` key, or a
``gfat_`` token of the same workspace with role MEMBER (a GUEST token reads only: 403).
A ``projectId`` the credential cannot reach (another workspace's project, an unknown or
malformed id, or for a project-scoped ``mlth_`` key any other project) is one 404.
The item goes through ``services.item_create`` like every other channel: one credit,
the spending cap (402), inline triage, the optional LLM pass afterwards.
"""

from __future__ import annotations

from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework.request import Request
from rest_framework.response import Response

from accounts.models import Role
from config.api.errors import not_found
from config.api.families import FluisterAPIView
from config.api.parsers import AnyContentTypeJSONParser
from feedback import services
from feedback.api.fluister import serializers as s
from feedback.models import ItemSource
from projects.api.scoping import ProjectScopedMixin
from projects.models import Project


class FeedbackSubmit(ProjectScopedMixin, FluisterAPIView):
    required_role = Role.MEMBER
    serializer_class = s.FluisterFeedbackInput  # also describes the body to OPTIONS
    # The document's examples send Content-Type: application/json; a script that forgets
    # it (`curl -d`) is still read as JSON rather than refused.
    parser_classes = [AnyContentTypeJSONParser]

    def get_project(self, project_id: str) -> Project:
        bound = self.caller.project
        if bound is None:
            return super().get_project(project_id)  # a gfat_ token: workspace-wide
        # An mlth_ key reaches its own project only, and its lookup already loaded that row
        # (select_related with the token): no second query for the same project.
        if bound.pk != project_id or bound.workspace_id != self.caller.workspace.pk:
            raise not_found(self.project_not_found)
        bound.workspace = self.caller.workspace  # same row: saves a query in the audit
        return bound

    @extend_schema(
        operation_id="fluister_feedback_create",
        tags=["fluister"],
        request=s.FluisterFeedbackInput,
        responses={
            201: s.FluisterFeedbackOutput,
            400: OpenApiResponse(description="a field is missing or invalid"),
            402: OpenApiResponse(description="the project's spending cap is reached"),
            404: OpenApiResponse(description="projectId is not reachable with this key"),
        },
    )
    def post(self, request: Request) -> Response:
        data = s.validate_submission(request.data)
        project = self.get_project(data["projectId"])
        item = services.item_create(
            project=project,
            actor=self.caller.actor,
            source=ItemSource.API,
            body=data["text"],
            page_url=data["page"],
            user_email=data["userEmail"],
        )
        return Response(s.feedback_out(item), status=201)
