"""Minolith feedback endpoints (``/v1/feedback/items...``) and the public widget endpoint.

Views parse, call a selector or service, and shape the output; the rules live in
``serializers`` (validation), ``services`` (writes, credits) and ``filters`` (the list).
A project key (``mlth_``) sees its own project's items only: another project's item, in
this workspace or any other, is ``404 item_not_found`` exactly like an id that never
existed.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db.models import QuerySet
from django_ratelimit.core import _split_rate
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework.renderers import JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.models import Role, Workspace
from config.api.client_ip import client_ip
from config.api.errors import ApiError, ErrorCode, FieldError
from config.api.families import MinolithAPIView
from config.api.parsers import AnyContentTypeJSONParser
from config.api.ratelimit import Bucket, enforce
from config.api.shapes import MINOLITH, MINOLITH_CATALOGUE
from feedback import errors, selectors, services
from feedback.api.minolith import serializers as s
from feedback.api.minolith.renderers import MinolithMarkdownRenderer
from feedback.filters import ItemFilterSet
from feedback.models import Item, ItemSource
from projects.cors import origin_allowed
from projects.models import Project

RENDERERS = [JSONRenderer, MinolithMarkdownRenderer]
CURSOR_SALT = "minolith:items"
TAG = ["minolith"]


def _filter_error(filterset: ItemFilterSet) -> ApiError:
    name, message, code = filterset.first_error() or ("query", "Invalid query parameters.", "")
    if code not in MINOLITH_CATALOGUE:
        code = ErrorCode.VALIDATION
    return ApiError(code, message, 422, fields=[FieldError(name, message, code)])


class FeedbackView(MinolithAPIView):
    """Shared by the key-authenticated endpoints: JSON or markdown, reads for any key,
    writes for MEMBER keys (a GUEST key is read-only, 403 ``insufficient_role``)."""

    renderer_classes = RENDERERS
    parser_classes = [AnyContentTypeJSONParser]  # `curl -d '{...}'` without a Content-Type
    required_roles = {"POST": Role.MEMBER, "PUT": Role.MEMBER, "DELETE": Role.MEMBER}

    def scoped_queryset(self, workspace: Workspace) -> QuerySet[Item]:
        return selectors.item_queryset(workspace=workspace, project=self.project)

    @property
    def project(self) -> Project:
        project = self.caller.project
        if project is None or project.workspace_id != self.caller.workspace.pk:
            # Every mlth_ key is minted for a project; one without is unusable, not global.
            raise ApiError(ErrorCode.FORBIDDEN, "This API key is not bound to a project.", 403)
        project.workspace = self.caller.workspace  # same row: saves a query in the audit
        return project

    def get_item(self, item_id: str) -> Item:
        item = selectors.item_get(queryset=self.get_queryset(), item_id=item_id)
        if item is None:
            raise errors.ItemNotFound(item_id)
        return item


LIST_PARAMETERS = [
    OpenApiParameter(
        "status",
        str,
        description="open, under_review, planned, in_progress, "
        "completed, declined; comma-separated for several",
    ),
    OpenApiParameter(
        "type",
        str,
        description="feedback, bug, idea, question, praise; comma-separated for several",
    ),
    OpenApiParameter("priority", str, description="low, medium, high, urgent; comma-separated"),
    OpenApiParameter("tags", str, description="comma-separated; items with any of them"),
    OpenApiParameter("user_email", str, description="exact match"),
    OpenApiParameter("created_after", str, description="ISO 8601, exclusive"),
    OpenApiParameter("created_before", str, description="ISO 8601, exclusive"),
]


class ItemListCreate(FeedbackView):
    @property
    def cursor_salt(self) -> str:
        return f"{CURSOR_SALT}:{self.project.pk}"  # a cursor of one project's list only

    @extend_schema(
        operation_id="mlth_items_list",
        tags=TAG,
        parameters=LIST_PARAMETERS,
        responses=s.MinolithItemOutput(many=True),
    )
    def get(self, request: Request) -> Response:
        filterset = ItemFilterSet(request.query_params, queryset=self.get_queryset())
        if not filterset.is_valid():
            raise _filter_error(filterset)
        rows = self.paginate_queryset(filterset.qs.values(*s.ITEM_FIELDS))
        return self.get_paginated_response([s.item_out(row) for row in rows or ()])

    @extend_schema(
        operation_id="mlth_items_create",
        tags=TAG,
        request=s.MinolithItemInput,
        responses={201: s.MinolithItemEnvelope, 402: OpenApiResponse(description="spending cap")},
    )
    def post(self, request: Request) -> Response:
        data = s.validate_item_create(request.data)
        item = services.item_create(
            project=self.project, actor=self.caller.actor, source=ItemSource.API, **data
        )
        return Response({"data": s.item_out(s.item_row(item))}, status=201)


class ItemDetail(FeedbackView):
    @extend_schema(operation_id="mlth_items_get", tags=TAG, responses=s.MinolithItemDetailEnvelope)
    def get(self, request: Request, item_id: str) -> Response:
        item = self.get_item(item_id)
        notes = selectors.note_rows(item=item)
        return Response({"data": s.item_detail_out(item, notes)})

    @extend_schema(
        operation_id="mlth_items_update",
        tags=TAG,
        request=s.MinolithItemUpdateInput,
        responses=s.MinolithItemEnvelope,
    )
    def put(self, request: Request, item_id: str) -> Response:
        item = self.get_item(item_id)
        changes = s.validate_item_update(request.data, item=item)
        item = services.item_update(item=item, actor=self.caller.actor, **changes)
        return Response({"data": s.item_out(s.item_row(item))})

    @extend_schema(operation_id="mlth_items_delete", tags=TAG, responses={204: None})
    def delete(self, request: Request, item_id: str) -> Response:
        item = self.get_item(item_id)
        services.item_delete(item=item, actor=self.caller.actor)
        return Response(status=204)


class NoteCreate(FeedbackView):
    @extend_schema(
        operation_id="mlth_notes_create",
        tags=TAG,
        request=s.MinolithNoteInput,
        responses={201: s.MinolithNoteEnvelope},
    )
    def post(self, request: Request, item_id: str) -> Response:
        item = self.get_item(item_id)
        data = s.validate_note(request.data)
        note = services.note_add(item=item, actor=self.caller.actor, **data)
        return Response({"data": s.note_out(note)}, status=201)


# --- Public widget endpoint ----------------------------------------------------------------
def public_rate_message() -> str:
    """The documented 429 message, with the configured numbers: "Rate limit exceeded.
    Maximum 10 submissions per hour." at the default RATE_MINOLITH_PUBLIC_PER_IP."""
    count, seconds = _split_rate(settings.RATE_MINOLITH_PUBLIC_PER_IP)
    period = {60: "minute", 3600: "hour", 86400: "day"}.get(seconds, f"{seconds} seconds")
    noun = "submission" if count == 1 else "submissions"
    return f"Rate limit exceeded. Maximum {count} {noun} per {period}."


class PublicSubmit(APIView):
    """``POST /v1/feedback/public/:slug``: anonymous widget submissions.

    Order of checks: slug (404 ``not_found``) -> Origin, when the browser sent one and the
    project lists allowed origins (403 ``origin_not_allowed``; the CORS preflight already
    stops browsers, this stops scripted simple requests) -> 10 per IP per hour per project
    (429 ``public_rate_limited``; every attempt counts) -> fields (422) -> spending cap
    (402) -> 201. The limit is the only spam protection here, so a cache outage fails
    CLOSED: 503 ``service_unavailable`` rather than an unlimited endpoint. The project is
    read once: the CORS check (``projects.cors``) keeps the row it read on the request.
    """

    family = MINOLITH
    authentication_classes: list[Any] = []
    permission_classes: list[Any] = []
    renderer_classes = RENDERERS
    parser_classes = [AnyContentTypeJSONParser]

    @extend_schema(
        operation_id="mlth_public_submit",
        tags=TAG,
        request=s.MinolithPublicItemInput,
        responses={201: s.MinolithItemEnvelope},
        auth=[],
    )
    def post(self, request: Request, slug: str) -> Response:
        project = selectors.public_project_get(slug=slug, request=request)
        if project is None:
            raise errors.resource_not_found()
        origin = request.headers.get("Origin")
        if origin and not origin_allowed(project.allowed_origins, origin):
            raise errors.origin_not_allowed(origin)
        enforce(
            request,
            [
                Bucket(
                    group="mlth:public",
                    value=f"project:{project.pk}:ip:{client_ip(request)}",
                    rate_setting="RATE_MINOLITH_PUBLIC_PER_IP",
                    reason=public_rate_message(),
                    code=errors.PUBLIC_RATE_LIMITED,
                )
            ],
            fail_open=False,
        )
        data = s.validate_item_create(request.data, public=True)
        item = services.item_create(
            project=project,
            actor=services.widget_actor(project),
            source=ItemSource.WIDGET,
            **data,
        )
        return Response({"data": s.item_out(s.item_row(item))}, status=201)
