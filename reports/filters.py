"""The one report FilterSet, used by both ``GET /v1/dashboard/<projectId>/reports`` and the
dashboard's reports page (NB's one-filterset-for-API-and-UI rule).

Parameters, as documented: ``outcome``, ``tool_name``, ``source`` (exact matches), ``from``
and ``to`` (ISO 8601). Decisions, also in docs/api/writeback.md:

* ``from`` and ``to`` take a date (``2026-02-20``) or a date-time (``2026-02-20T13:02:23Z``,
  any offset; no offset means UTC). Both are inclusive: ``from`` is ``created_at >= from``,
  a date-time ``to`` is ``created_at <= to`` and a date ``to`` covers that whole day (UTC),
  so ``from=2026-02-20&to=2026-02-20`` is one day of reports.
* ``to`` earlier than ``from`` is an error naming ``to``, not an empty page.
* An invalid value is an error naming the parameter (the API answers 400; the page shows it
  next to the field and ignores that one filter).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

import django_filters
from django import forms
from django.db.models import QuerySet

from reports.models import SOURCE_MAX, TOOL_NAME_MAX, Outcome, Report

OUTCOME_LIST = ", ".join(o.value for o in Outcome)


@dataclass(frozen=True)
class DateBound:
    """One end of the created_at range: ``at`` compared with ``lookup`` (gte, lte or lt)."""

    at: datetime
    lookup: str
    date_only: bool


def parse_iso8601(raw: str) -> tuple[datetime, bool]:
    """``(moment in UTC, whether only a date was given)``; ValueError when it is neither.

    Python 3.11's ``fromisoformat`` reads the ISO 8601 forms clients send (``Z``, offsets,
    fractions, basic format); a naive date-time is taken as UTC.
    """
    text = raw.strip()
    if not text or len(text) > 64:
        raise ValueError("empty or too long")
    try:
        day = date.fromisoformat(text)
    except ValueError:
        pass
    else:
        return datetime.combine(day, time.min, tzinfo=UTC), True
    moment = datetime.fromisoformat(text)  # ValueError propagates
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC), False  # OverflowError near year 1/9999


class DateBoundField(forms.CharField):
    """A ``from``/``to`` value: a date or an ISO 8601 date-time."""

    def __init__(self, *, end: bool, param: str, **kwargs: Any) -> None:
        self.end = end
        self.param = param
        super().__init__(**kwargs)

    def _message(self) -> str:
        return (
            f"{self.param} must be an ISO 8601 date or date-time, "
            "such as 2026-02-20 or 2026-02-20T13:02:23Z."
        )

    # Parses to a DateBound, where CharField.to_python returns text.
    def to_python(self, value: Any) -> DateBound | None:  # type: ignore[override]
        text = super().to_python(value)
        if not text:
            return None
        try:
            moment, date_only = parse_iso8601(text)
            if self.end and date_only:
                # A date as the end covers that whole day: created_at < the next midnight.
                if moment.date() == date.max:
                    return DateBound(datetime.max.replace(tzinfo=UTC), "lte", True)
                return DateBound(moment + timedelta(days=1), "lt", True)
        except (ValueError, OverflowError) as exc:
            raise forms.ValidationError(self._message(), code="invalid") from exc
        return DateBound(moment, "lte" if self.end else "gte", date_only)

    def run_validators(self, value: Any) -> None:
        # parse_iso8601 already refused what CharField's validators look for (text over 64
        # characters, NUL: neither is a date); they would not know what to do with a DateBound.
        return


class DateBoundFilter(django_filters.Filter):
    field_class = DateBoundField

    def filter(self, qs: QuerySet, value: DateBound | None) -> QuerySet:
        if value is None:
            return qs
        return qs.filter(**{f"{self.field_name}__{value.lookup}": value.at})


class ReportFilterForm(forms.Form):
    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        start, end = cleaned.get("from"), cleaned.get("to")
        if start is not None and end is not None:
            too_early = end.at < start.at if end.lookup == "lte" else end.at <= start.at
            if too_early:
                self.add_error("to", forms.ValidationError("to must not be before from."))
        return cleaned


def _text_errors(param: str, limit: int) -> dict[str, str]:
    return {
        "max_length": f"{param} must be at most {limit} characters.",
        "null_characters_not_allowed": f"{param} must not contain NUL characters.",
    }


class ReportFilterSet(django_filters.FilterSet):
    outcome = django_filters.ChoiceFilter(
        choices=Outcome.choices,
        empty_label="Any outcome",
        error_messages={"invalid_choice": f"outcome must be one of {OUTCOME_LIST}."},
    )
    tool_name = django_filters.CharFilter(
        max_length=TOOL_NAME_MAX, error_messages=_text_errors("tool_name", TOOL_NAME_MAX)
    )
    source = django_filters.CharFilter(
        max_length=SOURCE_MAX, error_messages=_text_errors("source", SOURCE_MAX)
    )
    # "from" is a Python keyword, so these two are declared through the class namespace.
    locals()["from"] = DateBoundFilter(field_name="created_at", end=False, param="from")
    locals()["to"] = DateBoundFilter(field_name="created_at", end=True, param="to")

    class Meta:
        model = Report
        fields: list[str] = []
        form = ReportFilterForm

    @property
    def active(self) -> bool:
        """Whether any filter is in effect (the page tells "no reports yet" from "none match")."""
        if not self.is_bound or not hasattr(self.form, "cleaned_data"):
            return False
        return any(self.form.cleaned_data.get(name) not in (None, "") for name in self.filters)

    def first_error(self) -> tuple[str, str] | None:
        """``(parameter, message)`` of the first invalid parameter, in declaration order."""
        errors = self.form.errors
        for name in [*self.filters, "__all__"]:
            if name in errors:
                return name, str(errors[name][0])
        return None
