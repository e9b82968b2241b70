"""Writeback report serializers: the ingest body's rules and the dashboard output."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from drf_spectacular.extensions import OpenApiSerializerFieldExtension
from rest_framework import serializers

from reports.filters import OUTCOME_LIST
from reports.models import DETAILS_MAX, SOURCE_MAX, TOOL_NAME_MAX, Outcome

INVALID_OUTCOME = "invalid_outcome"


class StrictText(serializers.Field):
    """A JSON string and nothing else, with messages that name the field.

    DRF's CharField would turn ``42`` or ``true`` into ``"42"``; a client sending the wrong
    type is told so instead. ``strip`` trims identifiers (tool_name, source) so filters match
    what people type; ``details`` is kept exactly as sent, but must contain more than
    whitespace.
    """

    def __init__(self, *, max_length: int, strip: bool, blank: bool, **kwargs: Any) -> None:
        self.max_length = max_length
        self.strip = strip
        self.blank = blank
        self._explicit_messages = set(kwargs.get("error_messages", {}))
        super().__init__(**kwargs)

    def bind(self, field_name: str, parent: Any) -> None:
        super().bind(field_name, parent)
        for key in ("required", "null"):
            if key not in self._explicit_messages:
                self.error_messages[key] = f"{field_name} is required."

    def to_internal_value(self, data: Any) -> str:
        name = self.field_name
        if not isinstance(data, str):
            raise serializers.ValidationError(f"{name} must be a string.", code="validation_error")
        value = data.strip() if self.strip else data
        if not self.blank and not value.strip():
            raise serializers.ValidationError(self.error_messages["required"], code="required")
        if len(value) > self.max_length:
            raise serializers.ValidationError(
                f"{name} must be at most {self.max_length:,} characters (got {len(value):,}).",
                code="validation_error",
            )
        return value

    def to_representation(self, value: Any) -> Any:
        return value


class OutcomeField(StrictText):
    def to_internal_value(self, data: Any) -> str:
        value = super().to_internal_value(data)
        if value not in Outcome.values:
            raise serializers.ValidationError(
                f"outcome must be one of {OUTCOME_LIST}.", code=INVALID_OUTCOME
            )
        return value


class StrictTextSchema(OpenApiSerializerFieldExtension):
    """OpenAPI for the two custom fields: a string with its maximum length, or the enum."""

    target_class = StrictText
    match_subclasses = True

    def map_serializer_field(self, auto_schema: Any, direction: Any) -> dict[str, Any]:
        field = self.target
        schema: dict[str, Any] = {"type": "string"}
        if isinstance(field, OutcomeField):
            schema["enum"] = list(Outcome.values)
        else:
            schema["maxLength"] = field.max_length
            if not field.blank:  # required text must hold more than whitespace
                schema.update(minLength=1, pattern=r"\S")
        if field.allow_null:
            schema["nullable"] = True
        return schema


class ReportInput(serializers.Serializer):
    """The body of POST /v1/reports after the ingest key (checked first, by the view).

    Unknown keys are ignored, so clients written for a newer Writeback keep working.
    """

    outcome = OutcomeField(
        max_length=16,
        strip=False,
        blank=False,
        error_messages={
            "required": f"outcome is required: one of {OUTCOME_LIST}.",
            "null": f"outcome is required: one of {OUTCOME_LIST}.",
        },
    )
    details = StrictText(
        max_length=DETAILS_MAX,
        strip=False,
        blank=False,
        error_messages={
            "required": "details is required: describe what the agent tried and what happened.",
            "null": "details is required: describe what the agent tried and what happened.",
        },
    )
    # Optional: absent, null and "" all mean "not given" and are stored as "".
    tool_name = StrictText(
        max_length=TOOL_NAME_MAX, strip=True, blank=True, required=False, allow_null=True
    )
    # DRF moves declared fields off the class, so this does not shadow Field.source.
    source = StrictText(  # type: ignore[assignment]
        max_length=SOURCE_MAX, strip=True, blank=True, required=False, allow_null=True
    )

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        attrs["tool_name"] = attrs.get("tool_name") or ""
        attrs["source"] = attrs.get("source") or ""
        return attrs


class ReportIngestBody(ReportInput):
    """For the OpenAPI schema: the whole body, ingest key included (the view checks the key
    itself, before ReportInput, so that a bad key is a 401 whatever else is wrong)."""

    ingest_key = serializers.CharField(help_text="the project's ingest key, wk_ + 48 hex")


def writeback_time(value: datetime) -> str:
    """The documented timestamp format: ``2026-02-20T13:02:23Z`` (UTC, whole seconds)."""
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


class ReportOutput(serializers.Serializer):
    """One report in GET /v1/dashboard/<projectId>/reports; tool_name and source are null
    when the agent did not send them."""

    id = serializers.CharField()
    outcome = serializers.ChoiceField(choices=Outcome.choices)
    tool_name = serializers.CharField(allow_null=True)
    source = serializers.CharField(allow_null=True)  # type: ignore[assignment]  # as above
    details = serializers.CharField()
    created_at = serializers.CharField(help_text="UTC, e.g. 2026-02-20T13:02:23Z")


def report_out(row: dict[str, Any]) -> dict[str, Any]:
    """A ``.values()`` row -> the documented dict, without a serializer per row (hot path)."""
    return {
        "id": row["id"],
        "outcome": row["outcome"],
        "tool_name": row["tool_name"] or None,
        "source": row["source"] or None,
        "details": row["details"],
        "created_at": writeback_time(row["created_at"]),
    }


class ProjectRefOutput(serializers.Serializer):
    id = serializers.CharField()
    name = serializers.CharField()


class StatsOutput(serializers.Serializer):
    total = serializers.IntegerField()
    success = serializers.IntegerField()
    failure = serializers.IntegerField()
    confusing = serializers.IntegerField()
    gave_up = serializers.IntegerField()
    request = serializers.IntegerField()


class PaginationOutput(serializers.Serializer):
    page = serializers.IntegerField()
    limit = serializers.IntegerField()
    total = serializers.IntegerField(help_text="reports matching the filters")


class ProjectReportsOutput(serializers.Serializer):
    """For the OpenAPI schema only; the view builds the dict directly."""

    project = ProjectRefOutput()
    stats = StatsOutput(help_text="over the filtered set, not the page")
    reports = ReportOutput(many=True)
    pagination = PaginationOutput()


class IngestOutput(serializers.Serializer):
    ok = serializers.BooleanField()
    id = serializers.CharField(help_text="32 lowercase hex characters")
