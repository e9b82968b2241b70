"""Minolith feedback: input validation (the document's "Validation Rules") and output shapes.

Inputs are checked field by field in a fixed order and the first problem answers, with the
catalogue's code and message (``body_required``, ``invalid_feedback_type``,
``invalid_status``, ``invalid_priority``) or ``validation_error`` with a message that names
the field. The ``*Input`` serializer classes run those checks from ``to_internal_value`` and
declare the fields for the OpenAPI schema. Outputs are plain functions over ``.values()``
rows (PERFORMANCE.md: 1.6x faster than a ModelSerializer on list pages).

Decisions (docs/api/minolith.md): unknown body fields are ignored; ``source`` is never read
from a client; ``null`` for an optional create field means "not given"; optional text is
trimmed and "" is stored as absent (returned as ``null``); tags are trimmed, de-duplicated
and may not contain a comma (the list filter is comma-separated, so it could never find
such a tag). ``status`` and ``priority`` may be set at creation through the API (the
Validation Rules give them creation defaults), never through the public widget.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from django.http import QueryDict
from rest_framework import serializers

from config.api.errors import ApiError, ErrorCode, validation_error
from feedback import constants as C
from feedback import errors
from feedback.api.fields import optional_email, optional_text
from feedback.models import Item, ItemPriority, ItemStatus, ItemType, Note

ITEM_FIELDS = (
    "id",
    "title",
    "body",
    "type",
    "status",
    "priority",
    "source",
    "tags",
    "page_url",
    "user_email",
    "user_name",
    "user_id_external",
    "created_at",
    "updated_at",
)
# Create fields that can never change afterwards (the document: "immutable after creation").
IMMUTABLE_FIELDS = (
    "body",
    "title",
    "type",
    "page_url",
    "user_email",
    "user_name",
    "user_id_external",
    "source",
)


# --- Input ---------------------------------------------------------------------------------
def json_object(data: Any) -> dict[str, Any]:
    """The parsed body as a dict; an empty body is ``{}``; anything else is a 422."""
    if isinstance(data, QueryDict):
        if data:
            raise ApiError(ErrorCode.VALIDATION, "The request body must be a JSON object.", 422)
        return {}
    if not isinstance(data, dict):
        raise ApiError(ErrorCode.VALIDATION, "The request body must be a JSON object.", 422)
    return data


def clean_body(data: Mapping[str, Any], *, limit: int = C.BODY_MAX) -> str:
    value = data.get("body")
    if value is None or (isinstance(value, str) and not value.strip()):
        raise errors.body_required()
    if not isinstance(value, str):
        raise validation_error("body", "body must be a string.")
    if len(value) > limit:
        raise validation_error("body", f"body must be at most {limit:,} characters.")
    return value


def clean_choice(field: str, value: Any, choices: list[str]) -> str:
    if not isinstance(value, str) or value not in choices:
        raise errors.invalid_choice(field, value, choices)
    return value


def clean_tags(value: Any) -> list[str]:
    if value is None:
        return []
    if not isinstance(value, list):
        raise validation_error("tags", "tags must be an array of strings.")
    if len(value) > C.TAGS_MAX:
        raise validation_error("tags", f"tags may hold at most {C.TAGS_MAX} tags.")
    tags: dict[str, None] = {}
    for index, tag in enumerate(value):
        name = f"tags.{index}"
        if not isinstance(tag, str):
            raise validation_error(name, f"{name} must be a string.")
        tag = tag.strip()
        if not tag:
            raise validation_error(name, f"{name} must not be empty.")
        if len(tag) > C.TAG_MAX:
            raise validation_error(name, f"{name} must be at most {C.TAG_MAX} characters.")
        if "," in tag:
            raise validation_error(
                name, f"{name} must not contain a comma (the tags filter is comma-separated)."
            )
        tags.setdefault(tag, None)
    return list(tags)


def validate_item_create(raw: Any, *, public: bool = False) -> dict[str, Any]:
    """The fields of a new item, ready for ``services.item_create``.

    ``public`` (the widget endpoint): tags, status and priority are triage, which an
    anonymous visitor does not do, so they are ignored like any unknown field.
    """
    data = json_object(raw)
    cleaned: dict[str, Any] = {"body": clean_body(data)}
    cleaned["title"] = optional_text(data, "title", C.TITLE_MAX)
    item_type = data.get("type")
    # None (absent) reaches item_create as "no type given": triage chooses one, else feedback.
    cleaned["type"] = (
        None if item_type is None else clean_choice("type", item_type, ItemType.values)
    )
    if not public:
        cleaned["tags"] = clean_tags(data.get("tags"))
    cleaned["page_url"] = optional_text(data, "page_url", C.PAGE_URL_MAX)
    cleaned["user_email"] = optional_email(data, "user_email", C.USER_FIELD_MAX)
    cleaned["user_name"] = optional_text(data, "user_name", C.USER_FIELD_MAX)
    cleaned["user_id_external"] = optional_text(data, "user_id_external", C.USER_FIELD_MAX)
    if not public:
        if data.get("status") is not None:
            cleaned["status"] = clean_choice("status", data["status"], ItemStatus.values)
        if data.get("priority") is not None:
            cleaned["priority"] = clean_choice("priority", data["priority"], ItemPriority.values)
    return cleaned


def validate_item_update(raw: Any, *, item: Item) -> dict[str, Any]:
    """The changes of ``PUT /items/:id``: only status, priority and tags.

    An immutable field in the body is accepted when it repeats the stored value (a client
    that GETs, edits and PUTs the whole item back works) and refused with a 422 naming it
    when it would change it: silently dropping an edit is worse than saying no. ``id``,
    timestamps and ``notes`` are read-only and ignored, as are unknown fields.
    """
    data = json_object(raw)
    current = item_out(item_row(item))
    for name in IMMUTABLE_FIELDS:
        if name in data and data[name] != current[name]:
            raise validation_error(
                name,
                f"{name} cannot be changed after creation; only status, priority and tags "
                "can be updated.",
            )
    changes: dict[str, Any] = {}
    if "status" in data:
        changes["status"] = clean_choice("status", data["status"], ItemStatus.values)
    if "priority" in data:
        value = data["priority"]
        changes["priority"] = (
            "" if value is None else clean_choice("priority", value, ItemPriority.values)
        )
    if "tags" in data:
        if data["tags"] is None:
            raise validation_error(
                "tags", "tags must be an array of strings; send [] to remove every tag."
            )
        changes["tags"] = clean_tags(data["tags"])
    return changes


def validate_note(raw: Any) -> dict[str, Any]:
    data = json_object(raw)
    return {"body": clean_body(data, limit=C.NOTE_BODY_MAX)}


class MinolithPublicItemInput(serializers.Serializer):
    """``POST /v1/feedback/public/:slug``: no tags, status or priority."""

    body = serializers.CharField(max_length=C.BODY_MAX)
    title = serializers.CharField(max_length=C.TITLE_MAX, required=False, allow_null=True)
    type = serializers.ChoiceField(choices=ItemType.choices, required=False, allow_null=True)
    page_url = serializers.CharField(max_length=C.PAGE_URL_MAX, required=False, allow_null=True)
    user_email = serializers.EmailField(
        max_length=C.USER_FIELD_MAX, required=False, allow_null=True
    )
    user_name = serializers.CharField(max_length=C.USER_FIELD_MAX, required=False, allow_null=True)
    user_id_external = serializers.CharField(
        max_length=C.USER_FIELD_MAX, required=False, allow_null=True
    )

    def to_internal_value(self, data: Any) -> dict[str, Any]:
        return validate_item_create(data, public=True)


class MinolithItemInput(MinolithPublicItemInput):
    """``POST /v1/feedback/items``: the widget's fields plus the triage ones."""

    tags = serializers.ListField(
        child=serializers.CharField(max_length=C.TAG_MAX), max_length=C.TAGS_MAX, required=False
    )
    status = serializers.ChoiceField(choices=ItemStatus.choices, required=False)
    priority = serializers.ChoiceField(choices=ItemPriority.choices, required=False)

    def to_internal_value(self, data: Any) -> dict[str, Any]:
        return validate_item_create(data)


class MinolithItemUpdateInput(serializers.Serializer):
    status = serializers.ChoiceField(choices=ItemStatus.choices, required=False)
    priority = serializers.ChoiceField(
        choices=ItemPriority.choices, required=False, allow_null=True
    )
    tags = serializers.ListField(
        child=serializers.CharField(max_length=C.TAG_MAX), max_length=C.TAGS_MAX, required=False
    )


class MinolithNoteInput(serializers.Serializer):
    body = serializers.CharField(max_length=C.NOTE_BODY_MAX)

    def to_internal_value(self, data: Any) -> dict[str, Any]:
        return validate_note(data)


# --- Output --------------------------------------------------------------------------------
def timestamp(value: datetime) -> str:
    """The documented format, "2026-03-17 12:00:00", always UTC."""
    return value.astimezone(UTC).strftime(C.TIMESTAMP_FORMAT)


def item_row(item: Item) -> dict[str, Any]:
    return {name: getattr(item, name) for name in ITEM_FIELDS}


def item_out(row: Mapping[str, Any]) -> dict[str, Any]:
    """An item in the document's shape from a ``.values(*ITEM_FIELDS)`` row."""
    return {
        "id": row["id"],
        "title": row["title"] or None,
        "body": row["body"],
        "type": row["type"],
        "status": row["status"],
        "priority": row["priority"] or None,
        "source": row["source"],
        "tags": list(row["tags"] or []),
        "page_url": row["page_url"] or None,
        "user_email": row["user_email"] or None,
        "user_name": row["user_name"] or None,
        "user_id_external": row["user_id_external"] or None,
        "created_at": timestamp(row["created_at"]),
        "updated_at": timestamp(row["updated_at"]),
    }


def note_out(note: Note | Mapping[str, Any]) -> dict[str, Any]:
    get = note.__getitem__ if isinstance(note, Mapping) else note.__getattribute__
    return {
        "id": get("id"),
        "item_id": get("item_id"),
        "body": get("body"),
        "created_at": timestamp(get("created_at")),
    }


def item_detail_out(item: Item, notes: list[Mapping[str, Any]]) -> dict[str, Any]:
    """The detail adds the notes and whether the end user's text reads like an attempt on an
    AI agent (``config.untrusted``: advice for whoever hands the item to one)."""
    return {
        **item_out(item_row(item)),
        "notes": [note_out(n) for n in notes],
        **item.injection(),
    }


class MinolithNoteOutput(serializers.Serializer):
    id = serializers.CharField()
    item_id = serializers.CharField()
    body = serializers.CharField()
    created_at = serializers.CharField(help_text="UTC, 2026-03-17 15:00:00")


class MinolithItemOutput(serializers.Serializer):
    id = serializers.CharField()
    title = serializers.CharField(allow_null=True)
    body = serializers.CharField()
    type = serializers.ChoiceField(choices=ItemType.choices)
    status = serializers.ChoiceField(choices=ItemStatus.choices)
    priority = serializers.ChoiceField(choices=ItemPriority.choices, allow_null=True)
    # DRF moves declared fields off the class, so this does not shadow Field.source.
    source = serializers.CharField()  # type: ignore[assignment]
    tags = serializers.ListField(child=serializers.CharField())
    page_url = serializers.CharField(allow_null=True)
    user_email = serializers.CharField(allow_null=True)
    user_name = serializers.CharField(allow_null=True)
    user_id_external = serializers.CharField(allow_null=True)
    created_at = serializers.CharField(help_text="UTC, 2026-03-17 12:00:00")
    updated_at = serializers.CharField(help_text="UTC, 2026-03-17 12:00:00")


class MinolithItemDetailOutput(MinolithItemOutput):
    notes = MinolithNoteOutput(many=True)


class MinolithItemEnvelope(serializers.Serializer):
    data = MinolithItemOutput()  # type: ignore[assignment]  # not .data: DRF moves fields off


class MinolithItemDetailEnvelope(serializers.Serializer):
    data = MinolithItemDetailOutput()  # type: ignore[assignment]  # not .data: DRF moves fields off


class MinolithNoteEnvelope(serializers.Serializer):
    data = MinolithNoteOutput()  # type: ignore[assignment]  # not .data: DRF moves fields off
