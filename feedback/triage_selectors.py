"""Triage reads for the dashboard: inbox sort orders, the per-project breakdown over time,
and the corrections export. Every function starts from a project or queryset the caller
already scoped to its workspace."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.db.models.functions import TruncDate

from accounts.models import Workspace
from feedback.models import Item
from feedback.triage_models import TriageCategory, TriageCorrection, TriageSentiment
from projects.models import Project

# --- inbox order -------------------------------------------------------------------------------
# Keyset keys per order; "impact" is served by the (project, -impact_score, -created_at, -id)
# index once a project is chosen. A cursor of one order is refused by the other (its arity
# differs), and the inbox then shows the first page.
SORT_KEYS: dict[str, tuple[str, ...]] = {
    "newest": ("created_at", "id"),
    "impact": ("impact_score", "created_at", "id"),
}
SORT_CHOICES = [("newest", "Newest first"), ("impact", "Highest impact first")]
DEFAULT_SORT = "newest"


def inbox_sort(params: Mapping[str, Any]) -> str:
    """The inbox order from ``?sort=``; anything unknown is the default (newest first)."""
    value = params.get("sort") or DEFAULT_SORT
    return value if value in SORT_KEYS else DEFAULT_SORT


# --- breakdown over time ---------------------------------------------------------------------
BREAKDOWN_DAYS = 30
BUCKETS = ("day", "week")
UNTRIAGED_KEY = "untriaged"
CATEGORY_KEYS = [*TriageCategory.values, UNTRIAGED_KEY]
SENTIMENT_KEYS = [*TriageSentiment.values, UNTRIAGED_KEY]


@dataclass
class Bucket:
    start: date
    end: date  # inclusive
    categories: dict[str, int] = field(default_factory=dict)
    sentiments: dict[str, int] = field(default_factory=dict)

    @property
    def total(self) -> int:
        return sum(self.categories.values())

    @property
    def label(self) -> str:
        if self.start == self.end:
            return self.start.isoformat()
        return f"{self.start.isoformat()} to {self.end.isoformat()}"


@dataclass
class Breakdown:
    first: date
    last: date
    bucket: str
    buckets: list[Bucket]
    categories: dict[str, int]
    sentiments: dict[str, int]

    @property
    def total(self) -> int:
        return sum(self.categories.values())


def triage_breakdown(
    *, project: Project, now: datetime, bucket: str = "day", days: int = BREAKDOWN_DAYS
) -> Breakdown:
    """Items of ``project`` created in the last ``days`` UTC days (today included), counted
    per day or per week (weeks start on Monday, as ISO weeks do) by category and sentiment.

    One ``GROUP BY (day, category, sentiment)`` query on the (project, created_at) index;
    empty days are filled in here so the table and chart have no gaps.
    """
    if bucket not in BUCKETS:
        bucket = "day"
    last = now.date()
    first = last - timedelta(days=days - 1)
    rows = (
        Item.objects.filter(project=project, created_at__gte=datetime_at(first, now))
        .order_by()
        .annotate(day=TruncDate("created_at"))
        .values("day", "category", "sentiment")
        .annotate(n=Count("id"))
    )
    buckets: list[Bucket] = []
    index: dict[date, Bucket] = {}
    day = first
    while day <= last:
        start = day if bucket == "day" else max(first, day - timedelta(days=day.weekday()))
        if start not in index:
            sunday = start + timedelta(days=6 - start.weekday())
            end = start if bucket == "day" else min(last, sunday)
            b = Bucket(
                start=start,
                end=end,
                categories=dict.fromkeys(CATEGORY_KEYS, 0),
                sentiments=dict.fromkeys(SENTIMENT_KEYS, 0),
            )
            buckets.append(b)
            index[start] = b
        index[day] = index[start]
        day += timedelta(days=1)
    categories = dict.fromkeys(CATEGORY_KEYS, 0)
    sentiments = dict.fromkeys(SENTIMENT_KEYS, 0)
    for row in rows:
        target = index.get(row["day"])
        if target is None:  # a clock skew between the database and this process
            continue
        cat = row["category"] or UNTRIAGED_KEY
        sen = row["sentiment"] or UNTRIAGED_KEY
        target.categories[cat] += row["n"]
        target.sentiments[sen] += row["n"]
        categories[cat] += row["n"]
        sentiments[sen] += row["n"]
    return Breakdown(
        first=first,
        last=last,
        bucket=bucket,
        buckets=buckets,
        categories=categories,
        sentiments=sentiments,
    )


def project_recent_counts(*, workspace: Workspace, now: datetime) -> list[Project]:
    """The workspace's projects by name, each annotated with ``recent_items``: items created
    in the breakdown's window (the same days triage_breakdown counts), in one query."""
    first = now.date() - timedelta(days=BREAKDOWN_DAYS - 1)
    recent = Q(feedback_items__created_at__gte=datetime_at(first, now))
    return list(
        Project.objects.for_workspace(workspace)
        .annotate(recent_items=Count("feedback_items", filter=recent))
        .order_by("name", "id")
    )


def datetime_at(day: date, like: datetime) -> datetime:
    """Midnight of ``day`` in ``like``'s time zone (UTC here)."""
    return datetime(day.year, day.month, day.day, tzinfo=like.tzinfo)


# --- corrections export ----------------------------------------------------------------------
CSV_COLUMNS = (
    "text",
    "page",
    "language",
    "field",
    "old",
    "new",
    "when",
    # after the documented seven: what the item looks like now, for a training row that
    # needs both labels (feedback.triage.corrections reads these)
    "item_id",
    "category",
    "sentiment",
    "item_type",
    "corrected_by",
)


def corrections(*, project: Project) -> QuerySet[TriageCorrection]:
    return TriageCorrection.objects.filter(project=project).order_by("created_at", "id")


def correction_rows(*, project: Project, chunk_size: int = 500) -> Iterator[list[str]]:
    """One CSV row per correction of ``project``, oldest first, streamed from one query."""
    rows = corrections(project=project).values_list(
        "item__body",
        "item__page_url",
        "item__triage_language",
        "field",
        "old_value",
        "new_value",
        "created_at",
        "item_id",
        "item__category",
        "item__sentiment",
        "item__type",
        "corrected_by__email",
    )
    for row in rows.iterator(chunk_size=chunk_size):
        *head, when, item_id, category, sentiment, item_type, who = row
        yield [
            *head,
            when.strftime("%Y-%m-%dT%H:%M:%SZ"),
            item_id,
            category,
            sentiment,
            item_type,
            who or "",
        ]
