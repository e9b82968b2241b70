"""Writeback ``GET /v1/projects`` (Bearer wk_sk_)."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response

from config.api.families import WritebackAPIView
from projects.api.scoping import ProjectScopedMixin


class WritebackProjectOutput(serializers.Serializer):
    id = serializers.CharField()
    name = serializers.CharField()
    created_at = serializers.DateTimeField(format="%Y-%m-%dT%H:%M:%SZ")


class ProjectList(ProjectScopedMixin, WritebackAPIView):
    """All projects of the API key's account (workspace), newest first: a plain array, no
    pagination (the document), so the family's page/limit paginator is off here."""

    serializer_class = WritebackProjectOutput
    pagination_class = None

    @extend_schema(
        operation_id="wb_projects_list",
        tags=["writeback"],
        responses=WritebackProjectOutput(many=True),
    )
    def get(self, request: Request) -> Response:
        rows = self.get_queryset().values("id", "name", "created_at")
        return Response(WritebackProjectOutput(rows, many=True).data)
