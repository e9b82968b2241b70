"""Bodies of the documented annotation routes (docs/api/greatfeedback.md, "Annotations").

An annotation is answered as the widget's POST answers it (``annotation_out``) plus what the
team sets (``summary``, ``assignee_id``) and the triage of its comment. The detail adds the
thread, the resolutions, the persona runs and, for MEMBER and above, a short-lived signed
link to the screenshot.
"""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from annotations import constants as C
from annotations.api.greatfeedback.resolution_serializers import ResolutionOutput
from annotations.api.greatfeedback.serializers_personas import PersonaRunOutput, StrictInput
from annotations.api.greatfeedback.widget_serializers import annotation_out, timestamp
from annotations.models import Annotation, Reply
from annotations.uploads import signed_read_url


def triage_out(annotation: Annotation) -> dict[str, Any]:
    return {
        "category": annotation.category or None,
        "sentiment": annotation.sentiment or None,
        "impact_score": annotation.impact_score,
        "language": annotation.triage_language or None,
    }


def annotation_api_out(annotation: Annotation) -> dict[str, Any]:
    """A list item."""
    return {
        **annotation_out(annotation),
        "summary": annotation.summary or None,
        "assignee_id": annotation.assignee_id,
        "triage": triage_out(annotation),
    }


def reply_api_out(reply: Reply) -> dict[str, Any]:
    return {
        "id": reply.pk,
        "annotation_id": reply.annotation_id,
        "body": reply.body,
        "author_kind": reply.author_kind,
        "author_name": reply.author_name or None,
        "created_at": timestamp(reply.created_at),
    }


def screenshot_url(annotation: Annotation, *, request: Any, show_images: bool) -> str | None:
    if not annotation.screenshot_key or not show_images:
        return None
    return signed_read_url(annotation.screenshot_key, request=request)


def annotation_detail_out(
    annotation: Annotation, *, request: Any, show_images: bool
) -> dict[str, Any]:
    """The detail: ``annotation`` comes from ``selectors.annotation_get(detail=True)``."""
    context = {"request": request, "show_images": show_images}
    return {
        **annotation_api_out(annotation),
        "screenshot_url": screenshot_url(annotation, request=request, show_images=show_images),
        "replies": [reply_api_out(r) for r in annotation.replies_list],  # type: ignore[attr-defined]
        "resolutions": ResolutionOutput(
            annotation.resolutions_list,  # type: ignore[attr-defined]
            many=True,
            context=context,
        ).data,
        "persona_runs": PersonaRunOutput(
            annotation.persona_runs_list,  # type: ignore[attr-defined]
            many=True,
        ).data,
        # Whether the visitor's text (comment, element text, their replies) reads like an
        # attempt on an AI agent: advice for whoever hands the annotation to one.
        **annotation.injection(),
    }


class AnnotationPatchInput(StrictInput):
    """``{status?, summary?, assignee_id?}``; the service checks the values (unknown status,
    non-member assignee: 400)."""

    # Any value reaches the service, whose answer to an unknown status is the documented 400.
    status = serializers.JSONField(required=False, allow_null=True)
    summary = serializers.CharField(
        required=False, allow_blank=True, allow_null=True, trim_whitespace=False
    )
    assignee_id = serializers.IntegerField(required=False, allow_null=True, min_value=1)

    def validate_summary(self, value: str | None) -> str:
        value = value or ""
        if len(value.encode()) > C.SUMMARY_MAX_BYTES:
            raise serializers.ValidationError("summary must be at most 4 KB (4,096 bytes).")
        return value


class ReplyInput(StrictInput):
    body = serializers.CharField(max_length=C.BODY_MAX, trim_whitespace=False)
    author_name = serializers.CharField(
        required=False, allow_blank=True, allow_null=True, max_length=C.AUTHOR_NAME_MAX
    )

    def validate_body(self, value: str) -> str:
        if not value.strip():
            raise serializers.ValidationError("This field may not be blank.")
        return value


class ReplyOutput(serializers.Serializer):
    """Declared for the OpenAPI schema; the view answers ``reply_api_out``."""

    id = serializers.CharField()
    annotation_id = serializers.CharField()
    body = serializers.CharField()
    author_kind = serializers.CharField(help_text="agent, user, submitter or system")
    author_name = serializers.CharField(allow_null=True)
    created_at = serializers.DateTimeField()
