"""The one feedback FilterSet: ``GET /v1/feedback/items`` and the dashboard inbox both use it
(the inbox subclass adds a text search and a project choice; NB's one-filterset rule).

Parameters, as documented: ``status``, ``type`` and ``priority`` (comma-separated lists;
the document shows lists for type and priority, status accepts one as well), ``tags``
(comma-separated, any-of), ``user_email`` (exact), ``created_after`` and ``created_before``
(ISO 8601). Decisions, also in docs/api/minolith.md:

* An unknown status/type/priority value answers the catalogue's own error
  (``invalid_status`` "Status 'x' is not valid. Accepted values are: ..."), the same code a
  write with that value gets; every other bad parameter is ``validation_error`` naming it.
* ``created_after`` / ``created_before`` are exclusive bounds; a date alone means midnight
  UTC, a date-time without an offset is UTC.
* Empty values and empty list entries are ignored (``type=bug,`` is ``type=bug``).
"""

from __future__ import annotations

from typing import Any, cast

import django_filters
from django import forms
from django.db.models import QuerySet

from config.filters import DateBoundFilter, FilterSet, text_errors
from feedback import constants as C
from feedback.errors import CHOICE_CODES, invalid_choice_message
from feedback.models import Item, ItemPriority, ItemStatus, ItemType
from feedback.querysets import ItemQuerySet
from projects.models import Project

DATE_ERROR = "{param} must be an ISO 8601 date-time, such as 2026-03-01T00:00:00Z."


def split_csv(text: str) -> list[str]:
    """``"a, b,,a"`` -> ``["a", "b"]``: trimmed, empties dropped, first occurrence kept."""
    seen: dict[str, None] = {}
    for part in text.split(","):
        part = part.strip()
        if part:
            seen.setdefault(part, None)
    return list(seen)


class CsvField(forms.CharField):
    """A comma-separated list; each entry checked by ``check_one``."""

    def __init__(self, *, param: str, **kwargs: Any) -> None:
        self.param = param
        kwargs.setdefault("required", False)
        super().__init__(**kwargs)

    # Parses to a list, where CharField.to_python returns text.
    def to_python(self, value: Any) -> list[str]:  # type: ignore[override]
        text = super().to_python(value) or ""  # never None: empty_value is ""
        if "\x00" in text:
            raise forms.ValidationError(f"{self.param} must not contain NUL characters.")
        values = split_csv(text)
        if len(values) > C.FILTER_MAX_VALUES:
            raise forms.ValidationError(
                f"{self.param} accepts at most {C.FILTER_MAX_VALUES} comma-separated values."
            )
        for value_ in values:
            self.check_one(value_)
        return values

    def check_one(self, value: str) -> None:
        return

    def validate(self, value: Any) -> None:
        return  # never required; entries were checked in to_python

    def run_validators(self, value: Any) -> None:
        return


class CsvChoiceField(CsvField):
    def __init__(self, *, param: str, values: list[str], **kwargs: Any) -> None:
        self.values = values
        super().__init__(param=param, **kwargs)

    def check_one(self, value: str) -> None:
        if value not in self.values:
            raise forms.ValidationError(
                invalid_choice_message(self.param, value, self.values),
                code=CHOICE_CODES[self.param],
            )


class CsvTagField(CsvField):
    def check_one(self, value: str) -> None:
        if len(value) > C.TAG_MAX:
            raise forms.ValidationError(
                f"{self.param}: each tag is at most {C.TAG_MAX} characters."
            )


class CsvChoiceFilter(django_filters.Filter):
    field_class = CsvChoiceField
    field_name: str  # the FilterSet fills it in (the attribute name) before any filtering

    def filter(self, qs: QuerySet, value: list[str] | None) -> QuerySet:
        if not value:
            return qs
        if len(value) == 1:
            return qs.filter(**{self.field_name: value[0]})
        return qs.filter(**{f"{self.field_name}__in": value})


class TagsFilter(django_filters.Filter):
    field_class = CsvTagField

    def filter(self, qs: QuerySet, value: list[str] | None) -> QuerySet:
        if not value:
            return qs
        return cast(ItemQuerySet, qs).with_any_tag(value)  # declared on ItemFilterSet only


class ItemFilterSet(FilterSet):
    """The documented filters of ``GET /v1/feedback/items``, in the order errors are reported."""

    status = CsvChoiceFilter(param="status", values=ItemStatus.values)
    type = CsvChoiceFilter(param="type", values=ItemType.values)
    priority = CsvChoiceFilter(param="priority", values=ItemPriority.values)
    tags = TagsFilter(param="tags")
    user_email = django_filters.CharFilter(
        max_length=C.USER_FIELD_MAX, error_messages=text_errors("user_email", C.USER_FIELD_MAX)
    )
    created_after = DateBoundFilter(
        field_name="created_at", lookup="gt", param="created_after", error=DATE_ERROR
    )
    created_before = DateBoundFilter(
        field_name="created_at", lookup="lt", param="created_before", error=DATE_ERROR
    )

    class Meta:
        model = Item
        fields: list[str] = []


class InboxFilterSet(ItemFilterSet):
    """The inbox: the API's filters plus a project choice and a search over title and body."""

    q = django_filters.CharFilter(
        method="filter_search", max_length=200, error_messages=text_errors("q", 200)
    )
    project = django_filters.ModelChoiceFilter(
        queryset=Project.objects.none(), empty_label="All projects"
    )

    def __init__(self, *args: Any, projects: QuerySet[Project], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(django_filters.ModelChoiceFilter, self.filters["project"]).queryset = projects

    def filter_search(self, qs: ItemQuerySet, name: str, value: str) -> ItemQuerySet:
        return qs.search(value)
