"""The one annotation FilterSet: ``GET /api/v1/sites/{id}/annotations`` and the dashboard's
annotations inbox both use it, so a parameter means the same on both.

Parameters, as documented: ``status`` (one of the seven), ``kind`` (one of ours,
docs/api/greatfeedback.md), ``since`` (epoch milliseconds: annotations created at or after
that moment) and ``auto_fix`` (``true``/``false``). An unknown status, an unknown kind, a
``since`` that is not a non-negative integer, or an ``auto_fix`` other than true/false is a
400 naming the parameter; an empty value is no filter.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import django_filters
from django import forms
from django.db.models import QuerySet

from annotations.models import Annotation, AnnotationKind, AnnotationStatus
from config.filters import FilterSet

# Year 9999 in epoch milliseconds: anything larger cannot be a datetime.
_SINCE_MAX = 253_402_300_799_999


class ChoiceParamField(forms.CharField):
    """One value of a fixed set; the error lists what is accepted."""

    def __init__(self, *, param: str, values: list[str], **kwargs: Any) -> None:
        self.param = param
        self.values = values
        kwargs.setdefault("required", False)
        super().__init__(**kwargs)

    def validate(self, value: Any) -> None:
        if value and value not in self.values:
            accepted = ", ".join(self.values)
            raise forms.ValidationError(
                f"Unknown {self.param} {value!r}. Accepted values are: {accepted}."
            )


class ChoiceParamFilter(django_filters.CharFilter):
    field_class = ChoiceParamField


class EpochMillisField(forms.CharField):
    """``since``: epoch milliseconds, read as an aware UTC datetime."""

    def to_python(self, value: Any) -> datetime | None:  # type: ignore[override]
        text = (super().to_python(value) or "").strip()
        if not text:
            return None
        if len(text) > 15 or not text.isascii() or not text.isdigit() or int(text) > _SINCE_MAX:
            raise forms.ValidationError(
                "since must be a time in epoch milliseconds, such as 1767225600000."
            )
        return datetime.fromtimestamp(int(text) / 1000, tz=UTC)

    def run_validators(self, value: Any) -> None:
        return


class EpochMillisFilter(django_filters.Filter):
    field_class = EpochMillisField

    def filter(self, qs: QuerySet, value: datetime | None) -> QuerySet:
        return qs if value is None else qs.filter(created_at__gte=value)


class StrictBooleanField(forms.CharField):
    """``true`` or ``false``, nothing else (``1``, ``yes`` and ``True`` are refused, so a typo
    never silently means "no filter")."""

    def to_python(self, value: Any) -> bool | None:  # type: ignore[override]
        text = (super().to_python(value) or "").strip()
        if not text:
            return None
        if text not in ("true", "false"):
            raise forms.ValidationError("auto_fix must be true or false.")
        return text == "true"

    def run_validators(self, value: Any) -> None:
        return


class StrictBooleanFilter(django_filters.Filter):
    field_class = StrictBooleanField

    def filter(self, qs: QuerySet, value: bool | None) -> QuerySet:
        return qs if value is None else qs.filter(**{str(self.field_name): value})


class AnnotationFilter(FilterSet):
    """The documented filters, in the order errors are reported."""

    status = ChoiceParamFilter(param="status", values=AnnotationStatus.values)
    kind = ChoiceParamFilter(param="kind", values=AnnotationKind.values)
    since = EpochMillisFilter()
    auto_fix = StrictBooleanFilter()

    class Meta:
        model = Annotation
        fields: list[str] = []
