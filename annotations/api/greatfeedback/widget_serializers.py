"""Bodies of the widget and stakeholder endpoints (docs/api/greatfeedback.md, "Widget" and
"Stakeholders"). Optional text stored as "" is answered as ``null``."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import validate_email
from rest_framework import serializers

from annotations import constants as C
from annotations.models import Annotation, AutoFixDefault, Reply, Stakeholder
from annotations.stakeholders import invalid_auto_fix_default
from config.api.errors import ApiError, ErrorCode, FieldError

_DATETIME = serializers.DateTimeField()


def timestamp(value: datetime | None) -> str | None:
    return _DATETIME.to_representation(value) if value is not None else None


def _or_null(value: str) -> str | None:
    return value or None


def annotation_out(annotation: Annotation) -> dict[str, Any]:
    """The annotation as the widget's POST answers it."""
    return {
        "id": annotation.pk,
        "site_id": annotation.project_id,
        "kind": annotation.kind,
        "status": annotation.status,
        "body": annotation.body,
        "page_url": _or_null(annotation.page_url),
        "selector": _or_null(annotation.selector),
        "element": annotation.element,
        "styles": annotation.styles,
        "viewport": annotation.viewport,
        "user_agent": _or_null(annotation.user_agent),
        "screenshot_key": _or_null(annotation.screenshot_key),
        "submitter_kind": annotation.submitter_kind,
        "submitter_name": _or_null(annotation.submitter_name),
        "submitter_email": _or_null(annotation.submitter_email),
        "auto_fix": annotation.auto_fix,
        "channel": annotation.channel,
        "created_at": timestamp(annotation.created_at),
        "updated_at": timestamp(annotation.updated_at),
    }


def reply_out(reply: Reply) -> dict[str, Any]:
    return {
        "author_kind": reply.author_kind,
        "author_name": _or_null(reply.author_name),
        "body": reply.body,
        "created_at": timestamp(reply.created_at),
    }


def thread_out(annotation: Annotation) -> dict[str, Any]:
    """One of the submitter's own annotations, as the lookup answers it."""
    return {
        "id": annotation.pk,
        "status": annotation.status,
        "body": annotation.body,
        "page_url": _or_null(annotation.page_url),
        "created_at": timestamp(annotation.created_at),
        "replies": [reply_out(r) for r in annotation.replies_list],  # type: ignore[attr-defined]
    }


class StakeholderOutput(serializers.Serializer):
    """The list and create body. The token is shown in both (the document lists it), so
    a member can copy the link again."""

    token = serializers.CharField()
    name = serializers.SerializerMethodField()
    email = serializers.SerializerMethodField()
    auto_fix_default = serializers.ChoiceField(choices=AutoFixDefault.choices)
    created_at = serializers.DateTimeField()
    last_seen_at = serializers.DateTimeField(allow_null=True)

    def get_name(self, row: Stakeholder) -> str | None:
        return _or_null(row.name)

    def get_email(self, row: Stakeholder) -> str | None:
        return _or_null(row.email)


class StakeholderInput(serializers.Serializer):
    """Documented for the schema; :func:`stakeholder_input` does the checking."""

    name = serializers.CharField(required=False, allow_null=True)
    email = serializers.CharField(required=False, allow_null=True)
    auto_fix_default = serializers.ChoiceField(choices=AutoFixDefault.choices, required=False)


def stakeholder_input(payload: Any, *, partial: bool) -> dict[str, str]:
    """``{name?, email?, auto_fix_default?}``. An ``auto_fix_default`` outside the three
    values is a 400 (the document); a wrong type or length is the family's 422. ``null``
    clears name and email. On create, omitted fields take their defaults."""
    if not isinstance(payload, dict):
        message = "The request body must be a JSON object."
        raise ApiError(ErrorCode.VALIDATION, message, 422, fields=[FieldError("body", message)])
    errors: list[FieldError] = []
    data: dict[str, str] = {}
    for name, limit in (("name", C.AUTHOR_NAME_MAX), ("email", C.SUBMITTER_FIELD_MAX)):
        if name not in payload:
            continue
        value = payload[name]
        if value is None:
            data[name] = ""
        elif not isinstance(value, str):
            errors.append(FieldError(name, f"{name} must be a string."))
        elif len(value.strip()) > limit:
            errors.append(FieldError(name, f"{name} must be at most {limit} characters."))
        else:
            data[name] = value.strip()
    if data.get("email"):
        try:
            validate_email(data["email"])
        except DjangoValidationError:
            errors.append(FieldError("email", "email is not a valid email address."))
    if errors:
        raise ApiError(ErrorCode.VALIDATION, errors[0].message, 422, fields=errors)
    if "auto_fix_default" in payload:
        value = payload["auto_fix_default"]
        if value not in AutoFixDefault.values:
            raise invalid_auto_fix_default()
        data["auto_fix_default"] = value
    elif not partial:
        data["auto_fix_default"] = AutoFixDefault.OPTIONAL_OFF
    return data
