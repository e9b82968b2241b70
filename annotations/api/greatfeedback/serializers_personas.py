"""Persona and persona-run bodies (docs/personas.md, "API")."""

from __future__ import annotations

from typing import Any

from django.utils.text import slugify
from rest_framework import serializers

from annotations.models import Persona, PersonaRun
from annotations.personas.catalogue import SLUG
from annotations.personas.checks import CHECK_IDS

NAME_MAX = 120
SLUG_MAX = 64
CATEGORY_MAX = 64
DESCRIPTION_MAX = 2_000
INSTRUCTIONS_MAX = 8_000
CHECKS_MAX = len(CHECK_IDS)
RUN_IDS_MAX = 60


class StrictInput(serializers.Serializer):
    """Unknown fields are a 422 naming them, not silently dropped."""

    def to_internal_value(self, data: Any) -> Any:
        if isinstance(data, dict):
            unknown = sorted(set(data) - set(self.fields))
            if unknown:
                raise serializers.ValidationError(
                    {name: ["This field is not accepted."] for name in unknown}
                )
        return super().to_internal_value(data)


def _slug_field(value: str, what: str) -> str:
    value = value.strip().lower()
    if not SLUG.match(value):
        raise serializers.ValidationError(
            f"{what} must be lower-case letters, digits and single hyphens (like 'mobile')."
        )
    return value


class PersonaFields(StrictInput):
    name = serializers.CharField(max_length=NAME_MAX)
    category = serializers.CharField(max_length=CATEGORY_MAX)
    description = serializers.CharField(
        max_length=DESCRIPTION_MAX, required=False, allow_blank=True, trim_whitespace=True
    )
    instructions = serializers.CharField(
        max_length=INSTRUCTIONS_MAX, required=False, allow_blank=True, trim_whitespace=True
    )
    checks = serializers.ListField(
        child=serializers.ChoiceField(choices=CHECK_IDS), max_length=CHECKS_MAX, required=False
    )

    def validate_category(self, value: str) -> str:
        return _slug_field(value, "category")

    def validate_checks(self, value: list[str]) -> list[str]:
        return list(dict.fromkeys(value))


class PersonaCreateInput(PersonaFields):
    slug = serializers.CharField(max_length=SLUG_MAX, required=False)

    def validate_slug(self, value: str) -> str:
        return _slug_field(value, "slug")

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if not attrs.get("slug"):
            slug = slugify(attrs["name"])[:SLUG_MAX].strip("-")
            if not slug or not SLUG.match(slug):
                raise serializers.ValidationError(
                    {"slug": ["The name gives no usable slug; send one."]}
                )
            attrs["slug"] = slug
        return attrs


class PersonaUpdateInput(PersonaFields):
    """PATCH: any of the fields; the slug does not change (reset-defaults finds a default
    by its slug)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("partial", True)
        super().__init__(*args, **kwargs)


class ResetDefaultsInput(StrictInput):
    slug = serializers.CharField(max_length=SLUG_MAX, required=False, allow_null=True)


class RunPersonasInput(StrictInput):
    persona_ids = serializers.ListField(
        child=serializers.CharField(max_length=64),
        max_length=RUN_IDS_MAX,
        required=False,
        allow_null=True,
    )


class PersonaOutput(serializers.ModelSerializer):
    class Meta:
        model = Persona
        fields = [
            "id",
            "slug",
            "name",
            "category",
            "description",
            "instructions",
            "checks",
            "is_default",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields


class ResetDefaultsOutput(serializers.Serializer):
    reset_count = serializers.IntegerField()


class BlankAsNull(serializers.CharField):
    def to_representation(self, value: Any) -> str | None:  # type: ignore[override]
        return value or None


class PersonaRunOutput(serializers.ModelSerializer):
    annotation_id = serializers.CharField(read_only=True)
    persona_id = serializers.CharField(read_only=True, allow_null=True)
    # Plain text, not a schema enum: the OpenAPI generator names enums by field name and
    # several "status" choice sets would collide (queued, running, done, failed).
    status = serializers.CharField(read_only=True, help_text="queued, running, done or failed")
    engine = BlankAsNull(read_only=True)
    verdict = BlankAsNull(read_only=True)
    severity = BlankAsNull(read_only=True)
    llm_text = BlankAsNull(read_only=True)
    llm_note = BlankAsNull(read_only=True)

    class Meta:
        model = PersonaRun
        fields = [
            "id",
            "annotation_id",
            "persona_id",
            "persona_slug",
            "persona_name",
            "status",
            "engine",
            "verdict",
            "severity",
            "findings",
            "llm_findings",
            "llm_text",
            "llm_note",
            "token_usage",
            "attempts",
            "created_at",
            "started_at",
            "finished_at",
        ]
        read_only_fields = fields


class RunPersonasOutput(serializers.Serializer):
    runs = PersonaRunOutput(many=True)
