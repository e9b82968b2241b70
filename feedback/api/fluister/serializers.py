"""Fluister ``POST /v1/feedback``: the request's rules and the response's shape.

The document lists four fields (``projectId``, ``text``, ``page``, ``userEmail``) and shows
one response. Checks run in that order and the first problem answers 400 naming its field
(Fluister error shape, ``config/api/shapes.py``); nothing is stored. Decisions
(docs/api/fluister.md): values must be JSON strings, never converted; ``null`` or ``""``
for an optional field means "not given"; ``text`` is stored exactly as sent (whitespace-only
is "empty"); ``page`` is trimmed; unknown fields are ignored.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC
from typing import Any

from django.http import QueryDict
from rest_framework import serializers

from config.api.errors import validation_error
from feedback import constants as C
from feedback.api.fields import optional_email, optional_text
from feedback.models import Item
from triage.engine.scoring import IMPACT_MAX, IMPACT_MIN
from triage.models import TriageCategory, TriageLabel, TriageSentiment

TEXT_MAX = C.BODY_MAX  # 50,000, like a Minolith body (the item it becomes)
PAGE_MAX = C.PAGE_URL_MAX  # 2,000
EMAIL_MAX = C.USER_FIELD_MAX  # 255
CREATED_AT_FORMAT = "%Y-%m-%dT%H:%M:%SZ"  # the document's "2026-04-09T10:30:00Z"


def _object(data: Any) -> Mapping[str, Any]:
    if isinstance(data, QueryDict) and not data:
        data = {}  # no body at all: every required field is missing
    if not isinstance(data, dict):
        raise validation_error("body", "The request body must be a JSON object.")
    return data


def _required_text(data: Mapping[str, Any], name: str) -> Any:
    value = data.get(name)
    if value is None or (isinstance(value, str) and not value.strip()):
        raise validation_error(name, f"{name} is required and must not be empty.")
    if not isinstance(value, str):
        raise validation_error(name, f"{name} must be a string.")
    return value


def validate_submission(raw: Any) -> dict[str, str]:
    """``{"projectId", "text", "page", "userEmail"}`` cleaned ("" = not given)."""
    data = _object(raw)
    project_id = _required_text(data, "projectId").strip()
    text = _required_text(data, "text")
    if len(text) > TEXT_MAX:
        raise validation_error(
            "text", f"text must be at most {TEXT_MAX:,} characters (got {len(text):,})."
        )
    page = optional_text(data, "page", PAGE_MAX)
    email = optional_email(data, "userEmail", EMAIL_MAX)
    return {"projectId": project_id, "text": text, "page": page, "userEmail": email}


def feedback_out(item: Item) -> dict[str, Any]:
    """The document's response body: its eight keys (``userEmail`` is stored on the item but
    not echoed back, as in the document's example), then two extras a client may ignore:
    ``label``, the engine's fine category (bug / feature / question / praise / other; praise
    and other are reported as category ``question``), and the detected ``language``
    (docs/triage.md, "Categories")."""
    return {
        "id": item.pk,
        "projectId": item.project_id,
        "text": item.body,
        "page": item.page_url or None,
        "category": item.category,
        "sentiment": item.sentiment,
        "impactScore": int(item.impact_score),
        "createdAt": item.created_at.astimezone(UTC).strftime(CREATED_AT_FORMAT),
        "label": item.triage_label,
        "language": item.triage_language,
    }


class FluisterFeedbackInput(serializers.Serializer):
    """Declared for the OpenAPI schema; validation is ``validate_submission``."""

    projectId = serializers.CharField(help_text="The project's 32-hex id.")
    text = serializers.CharField(max_length=TEXT_MAX)
    page = serializers.CharField(max_length=PAGE_MAX, required=False, allow_null=True)
    userEmail = serializers.EmailField(max_length=EMAIL_MAX, required=False, allow_null=True)

    def to_internal_value(self, data: Any) -> dict[str, str]:
        return validate_submission(data)


class FluisterFeedbackOutput(serializers.Serializer):
    id = serializers.CharField(help_text="The stored feedback item's id (fbk_ + 12 hex).")
    projectId = serializers.CharField()
    text = serializers.CharField()
    page = serializers.CharField(allow_null=True)
    category = serializers.ChoiceField(choices=TriageCategory.choices)
    sentiment = serializers.ChoiceField(choices=TriageSentiment.choices)
    impactScore = serializers.IntegerField(min_value=IMPACT_MIN, max_value=IMPACT_MAX)
    createdAt = serializers.CharField(help_text="UTC, 2026-04-09T10:30:00Z")
    # The documented key is "label"; the stubs type Field.label as a str attribute.
    label = serializers.ChoiceField(  # type: ignore[assignment]
        choices=TriageLabel.choices,
        help_text="Extra: the fine category; praise and other are reported as question.",
    )
    language = serializers.CharField(help_text="Extra: detected language (en nl de fr es).")
