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

from typing import Any

import django_filters
from django import forms

from config.filters import DateBoundFilter, FilterSet, text_errors
from reports.models import SOURCE_MAX, TOOL_NAME_MAX, Outcome, Report

OUTCOME_LIST = ", ".join(o.value for o in Outcome)
DATE_ERROR = (
    "{param} must be an ISO 8601 date or date-time, such as 2026-02-20 or 2026-02-20T13:02:23Z."
)


class ReportFilterForm(forms.Form):
    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        start, end = cleaned.get("from"), cleaned.get("to")
        if start is not None and end is not None:
            too_early = end.at < start.at if end.lookup == "lte" else end.at <= start.at
            if too_early:
                self.add_error("to", forms.ValidationError("to must not be before from."))
        return cleaned


class ReportFilterSet(FilterSet):
    outcome = django_filters.ChoiceFilter(
        choices=Outcome.choices,
        empty_label="Any outcome",
        error_messages={"invalid_choice": f"outcome must be one of {OUTCOME_LIST}."},
    )
    tool_name = django_filters.CharFilter(
        max_length=TOOL_NAME_MAX, error_messages=text_errors("tool_name", TOOL_NAME_MAX)
    )
    source = django_filters.CharFilter(
        max_length=SOURCE_MAX, error_messages=text_errors("source", SOURCE_MAX)
    )
    # "from" is a Python keyword, so these two are declared through the class namespace.
    locals()["from"] = DateBoundFilter(
        field_name="created_at", lookup="gte", param="from", error=DATE_ERROR
    )
    locals()["to"] = DateBoundFilter(
        field_name="created_at", lookup="lte", whole_day=True, param="to", error=DATE_ERROR
    )

    class Meta:
        model = Report
        fields: list[str] = []
        form = ReportFilterForm
