"""What every FilterSet shares (feedback.filters, reports.filters): the ISO 8601 reading of
a date bound, text-parameter errors, and the answers API views and dashboard pages ask of a
bound FilterSet (``first_error``, ``active``).

Each FilterSet serves an API list and a dashboard page alike (NB's one-filterset rule),
so a parameter means the same on both, and errors name the parameter as the client sent it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any, NamedTuple

import django_filters
from django import forms
from django.db.models import QuerySet

# An unencoded "+01:00" in a query string arrives as " 01:00" (a "+" decodes to a space).
_SPACED_OFFSET = re.compile(r"(?<=\d) (\d{2}(?::?\d{2})?)$")


def parse_iso8601(raw: str) -> tuple[datetime, bool]:
    """``(moment in UTC, whether only a date was given)``; ValueError when it is neither
    (OverflowError near year 1/9999).

    Python 3.11's ``fromisoformat`` reads what clients send (``Z``, offsets, fractions,
    basic format); a date alone is midnight UTC and a naive date-time is UTC.
    """
    text = raw.strip()
    if not text or len(text) > 64:
        raise ValueError("empty or too long")
    text = _SPACED_OFFSET.sub(r"+\1", text)
    try:
        day = date.fromisoformat(text)
    except ValueError:
        pass
    else:
        return datetime.combine(day, time.min, tzinfo=UTC), True
    moment = datetime.fromisoformat(text)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC), False


@dataclass(frozen=True)
class DateBound:
    """One end of a date range: ``at`` compared with ``lookup`` (gt, gte, lt or lte)."""

    at: datetime
    lookup: str
    date_only: bool


class DateBoundField(forms.CharField):
    """A date or an ISO 8601 date-time, read as one end of a range.

    ``lookup`` compares the moment; with ``whole_day``, a date alone as the end of a range
    covers that whole UTC day (``< the next midnight``). ``error`` is the family's message,
    with ``{param}`` for the parameter's name.
    """

    def __init__(
        self, *, param: str, lookup: str, error: str, whole_day: bool = False, **kwargs: Any
    ) -> None:
        self.param = param
        self.lookup = lookup
        self.error = error
        self.whole_day = whole_day
        kwargs.setdefault("required", False)
        super().__init__(**kwargs)

    # Parses to a DateBound, where CharField.to_python returns text.
    def to_python(self, value: Any) -> DateBound | None:  # type: ignore[override]
        text = super().to_python(value)
        if not text:
            return None
        try:
            moment, date_only = parse_iso8601(text)
            if self.whole_day and date_only:
                if moment.date() == date.max:
                    return DateBound(datetime.max.replace(tzinfo=UTC), "lte", True)
                return DateBound(moment + timedelta(days=1), "lt", True)
        except (ValueError, OverflowError) as exc:
            raise forms.ValidationError(self.error.format(param=self.param)) from exc
        return DateBound(moment, self.lookup, date_only)

    def validate(self, value: Any) -> None:
        return  # never required

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


def text_errors(param: str, limit: int) -> dict[str, str]:
    """A text parameter's errors, naming it as the client sent it."""
    return {
        "max_length": f"{param} must be at most {limit} characters.",
        "null_characters_not_allowed": f"{param} must not contain NUL characters.",
    }


class FilterError(NamedTuple):
    param: str
    message: str
    code: str  # the ValidationError's code; "validation_error" when it has none


class FilterSet(django_filters.FilterSet):
    """Base of the apps' FilterSets: the answers views ask of a bound one."""

    def first_error(self) -> FilterError | None:
        """The first invalid parameter, in declaration order (form-wide errors last)."""
        errors = self.form.errors.as_data()
        for name in [*self.filters, "__all__"]:
            if name in errors:
                error = errors[name][0]
                return FilterError(
                    name, " ".join(error.messages), str(error.code or "validation_error")
                )
        return None

    @property
    def active(self) -> bool:
        """Whether any filter is in effect (a page tells "nothing yet" from "none match")."""
        if not self.is_bound or not hasattr(self.form, "cleaned_data"):
            return False
        return any(self.form.cleaned_data.get(name) not in (None, "", []) for name in self.filters)
