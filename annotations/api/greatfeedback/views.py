"""The documented annotation routes (docs/api/greatfeedback.md, "Annotations"):

* ``GET /api/v1/sites/{id}/annotations`` (GUEST): ``AnnotationFilter``, newest first, keyset
  pages behind an HMAC cursor (``{items, next_cursor}``).
* ``GET|PATCH /api/v1/annotations/{id}`` (GUEST): the detail; ``{status?, summary?,
  assignee_id?}``.
* ``POST /api/v1/annotations/{id}/replies`` (GUEST; Idempotency-Key replays).
* ``GET /api/v1/annotations/{id}/markdown`` (GUEST): the agent-paste blob, text/markdown.

Another workspace's site or annotation is a 404 everywhere (the family's tenant guard).
"""

from __future__ import annotations

from typing import Any, cast

from django.http import HttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.request import Request
from rest_framework.response import Response

from accounts.models import Role
from annotations import selectors, services
from annotations.api.greatfeedback.serializers import (
    AnnotationPatchInput,
    ReplyInput,
    ReplyOutput,
    annotation_api_out,
    annotation_detail_out,
    reply_api_out,
)
from annotations.filters import AnnotationFilter
from annotations.markdown import annotation_markdown
from annotations.models import Annotation, AnnotationKind, AnnotationStatus
from annotations.querysets import AnnotationQuerySet
from config.api.errors import ApiError, ErrorCode, not_found
from config.api.families import GreatfeedbackAPIView
from projects import selectors as project_selectors

TAGS = ["greatfeedback"]
REPLY_FIELDS = ("id", "updated_at", "project__id", "project__workspace__id")

FILTER_PARAMETERS = [
    OpenApiParameter("status", str, enum=AnnotationStatus.values),
    OpenApiParameter("kind", str, enum=AnnotationKind.values),
    OpenApiParameter("since", int, description="epoch milliseconds: created at or after"),
    OpenApiParameter("auto_fix", bool),
]


class AnnotationScopedView(GreatfeedbackAPIView):
    """Views under ``/api/v1/annotations/{id}``: the annotation is looked up in the
    caller's workspace, so another workspace's id is a 404."""

    def scoped_queryset(self, workspace: Any) -> Any:
        return Annotation.objects.for_workspace(workspace)

    def get_annotation(
        self, annotation_id: str, *, only: tuple[str, ...] | None = None
    ) -> Annotation:
        """``only`` loads just those columns (a hot write that needs a few)."""
        queryset = cast(AnnotationQuerySet, self.get_queryset())
        queryset = queryset.with_id(annotation_id).select_related("project__workspace")
        if only:
            queryset = queryset.only(*only)
        annotation = queryset.one()
        if annotation is None:
            raise not_found("Annotation not found.")
        return annotation

    def get_annotation_detail(self, annotation_id: str) -> Annotation:
        annotation = selectors.annotation_get(
            workspace=self.caller.workspace, annotation_id=annotation_id, detail=True
        )
        if annotation is None:
            raise not_found("Annotation not found.")
        return annotation

    @property
    def show_images(self) -> bool:
        """Screenshots and before/after images go to MEMBER and above only."""
        return self.caller.has_role(Role.MEMBER)


def filter_error(filterset: AnnotationFilter) -> ApiError:
    error = filterset.first_error()
    message = error.message if error else "Invalid query parameters."
    return ApiError(ErrorCode.BAD_REQUEST, message, 400)


class AnnotationList(AnnotationScopedView):
    cursor_salt = "gf:annotations"

    @extend_schema(
        operation_id="gf_annotations_list",
        tags=TAGS,
        parameters=FILTER_PARAMETERS,
        responses={200: dict},
    )
    def get(self, request: Request, site_id: str) -> Response:
        site = project_selectors.project_get(workspace=self.caller.workspace, project_id=site_id)
        if site is None:
            raise not_found("Site not found.")
        filterset = AnnotationFilter(
            request.query_params, queryset=selectors.annotation_list(project=site)
        )
        if not filterset.is_valid():
            raise filter_error(filterset)
        page = self.paginate_queryset(filterset.qs) or []
        return self.get_paginated_response([annotation_api_out(a) for a in page])


class AnnotationDetail(AnnotationScopedView):
    @extend_schema(operation_id="gf_annotations_retrieve", tags=TAGS, responses={200: dict})
    def get(self, request: Request, annotation_id: str) -> Response:
        annotation = self.get_annotation_detail(annotation_id)
        return Response(
            annotation_detail_out(annotation, request=request, show_images=self.show_images)
        )

    @extend_schema(
        operation_id="gf_annotations_update",
        tags=TAGS,
        request=AnnotationPatchInput,
        responses={200: dict},
    )
    def patch(self, request: Request, annotation_id: str) -> Response:
        data = AnnotationPatchInput(data=request.data)
        data.is_valid(raise_exception=True)
        annotation = self.get_annotation(annotation_id)
        services.annotation_update(
            annotation=annotation, actor=self.caller.actor, **data.validated_data
        )
        return Response(annotation_api_out(annotation))


class ReplyCreate(AnnotationScopedView):
    @extend_schema(
        operation_id="gf_annotation_replies_create",
        tags=TAGS,
        request=ReplyInput,
        responses={201: ReplyOutput},
    )
    def post(self, request: Request, annotation_id: str) -> Response:
        # What reply_create touches: the id, updated_at, and the workspace for the audit row.
        # Loading the whole row (JSON columns decoded) cost ~0.25 ms per reply.
        annotation = self.get_annotation(annotation_id, only=REPLY_FIELDS)
        data = ReplyInput(data=request.data)
        data.is_valid(raise_exception=True)
        reply = services.reply_create(
            annotation=annotation,
            actor=self.caller.actor,
            body=data.validated_data["body"],
            author_name=data.validated_data.get("author_name") or "",
        )
        return Response(reply_api_out(reply), status=201)


class AnnotationMarkdown(AnnotationScopedView):
    """Answers text/markdown whatever the Accept header says (an agent's fetch tool may ask
    for anything); errors stay the family's JSON."""

    def perform_content_negotiation(self, request: Request, force: bool = False) -> Any:
        return super().perform_content_negotiation(request, force=True)

    @extend_schema(
        operation_id="gf_annotations_markdown",
        tags=TAGS,
        responses={(200, "text/markdown"): OpenApiTypes.STR},
    )
    def get(self, request: Request, annotation_id: str) -> HttpResponse:
        annotation = self.get_annotation_detail(annotation_id)
        text = annotation_markdown(annotation, request=request, show_images=self.show_images)
        return HttpResponse(text, content_type="text/markdown; charset=utf-8")
