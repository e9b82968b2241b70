"""greatfeedback resolutions (``/api/v1/annotations/{id}/resolutions...``) and the signed
upload/read URLs of local storage (``/api/v1/uploads/<key>``)."""

from __future__ import annotations

from typing import Any

from django.http import FileResponse
from drf_spectacular.utils import extend_schema
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.models import Role
from annotations import resolutions, uploads
from annotations.api.greatfeedback.resolution_serializers import (
    ResolutionInput,
    ResolutionOutput,
    UploadUrlInput,
    UploadUrlOutput,
    resolution_context,
)
from annotations.api.greatfeedback.views import AnnotationScopedView
from config.api.shapes import GREATFEEDBACK
from config.http import no_store


class ResolutionUploadUrl(AnnotationScopedView):
    required_role = Role.MEMBER

    @extend_schema(
        operation_id="gf_resolution_upload_url",
        tags=["greatfeedback"],
        request=UploadUrlInput,
        responses={201: UploadUrlOutput},
    )
    def post(self, request: Request, annotation_id: str) -> Response:
        annotation = self.get_annotation(annotation_id)
        data = UploadUrlInput(data=request.data)
        data.is_valid(raise_exception=True)
        answer = uploads.upload_mint(
            project=annotation.project,
            annotation=annotation,
            kind=data.validated_data["kind"],
            content_type=data.validated_data["content_type"],
            request=request,
        )
        return no_store(Response(answer, status=201))


class ResolutionList(AnnotationScopedView):
    """GET (GUEST): oldest first. POST (MEMBER): attach a resolution."""

    required_roles = {"POST": Role.MEMBER}

    def _context(self) -> dict[str, Any]:
        return resolution_context(self.request, show_images=self.caller.has_role(Role.MEMBER))

    @extend_schema(
        operation_id="gf_resolutions_list",
        tags=["greatfeedback"],
        responses=ResolutionOutput(many=True),
    )
    def get(self, request: Request, annotation_id: str) -> Response:
        annotation = self.get_annotation(annotation_id)
        rows = resolutions.resolution_list(annotation=annotation)
        items = ResolutionOutput(rows, many=True, context=self._context()).data
        return Response({"items": items})

    @extend_schema(
        operation_id="gf_resolutions_create",
        tags=["greatfeedback"],
        request=ResolutionInput,
        responses={201: ResolutionOutput},
    )
    def post(self, request: Request, annotation_id: str) -> Response:
        annotation = self.get_annotation(annotation_id)
        data = ResolutionInput(data=request.data)
        data.is_valid(raise_exception=True)
        resolution = resolutions.resolution_create(
            annotation=annotation, actor=self.caller.actor, **data.validated_data
        )
        body = ResolutionOutput(resolution, context=self._context()).data
        return Response(body, status=201)


class UploadObject(APIView):
    """The signed local-storage URL of one upload key: PUT stores the bytes once (the
    signature is the credential, so no session or token is read, and any origin may PUT:
    the widget uploads cross-origin); GET serves them while a read signature is valid."""

    family = GREATFEEDBACK
    authentication_classes: list[Any] = []
    permission_classes: list[Any] = []

    @extend_schema(exclude=True)
    def put(self, request: Request, key: str) -> Response:
        raw_length = request.META.get("CONTENT_LENGTH") or ""
        upload = uploads.upload_put_accept(
            key=key,
            expires=request.query_params.get("expires", ""),
            sig=request.query_params.get("sig", ""),
            content_type=request.META.get("CONTENT_TYPE", ""),
            content_length=int(raw_length) if raw_length.isdigit() else None,
            stream=request._request,  # the raw body, read up to the size cap
        )
        return Response({"key": upload.key, "size": upload.size}, status=200)

    @extend_schema(exclude=True)
    def get(self, request: Request, key: str) -> FileResponse:
        handle, upload = uploads.upload_read_open(
            key=key,
            expires=request.query_params.get("expires", ""),
            sig=request.query_params.get("sig", ""),
        )
        response = FileResponse(handle, content_type=upload.content_type)
        response["Cache-Control"] = "private, max-age=60"
        response["X-Content-Type-Options"] = "nosniff"
        response["Content-Security-Policy"] = "default-src 'none'; sandbox"
        return response
