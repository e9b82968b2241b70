"""OpenAPI helpers shared by the families' views (drf-spectacular)."""

from __future__ import annotations

from drf_spectacular.utils import inline_serializer
from rest_framework import serializers


def cursor_page(name: str, item: type[serializers.Serializer]) -> serializers.Serializer:
    """greatfeedback's list body ``{"items": [...], "next_cursor": "<opaque or null>"}``."""
    return inline_serializer(
        name=name,
        fields={
            "items": item(many=True),
            "next_cursor": serializers.CharField(allow_null=True),
        },
    )
