"""Triage reads over any triaged model: counts by category and sentiment over time, and the
corrections export. Every function starts from a queryset or project the caller already
scoped to its workspace."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from django.db.models import Count, QuerySet
from django.db.models.functions import TruncDate

from projects.models import Project
from triage.models import TriageCategory, TriageCorrection, TriageSentiment

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
    *, queryset: QuerySet, now: datetime, bucket: str = "day", days: int = BREAKDOWN_DAYS
) -> Breakdown:
    """Rows of ``queryset`` (one project's items, annotations …) created in the last ``days``
    UTC days (today included), counted per day or per week (weeks start on Monday, as ISO
    weeks do) by category and sentiment.

    One ``GROUP BY (day, category, sentiment)`` query on the (project, created_at) index;
    empty days are filled in here so the table and chart have no gaps.
    """
    if bucket not in BUCKETS:
        bucket = "day"
    last = now.date()
    first = last - timedelta(days=days - 1)
    rows = (
        queryset.filter(created_at__gte=datetime_at(first, now))
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
    # after the documented seven: provenance and the labels right after the correction,
    # which a training row needs (triage.engine.corrections reads these)
    "source",
    "object_id",
    "category",
    "sentiment",
    "label",
    "corrected_by",
)


def corrections(*, project: Project) -> QuerySet[TriageCorrection]:
    return TriageCorrection.objects.filter(project=project).order_by("created_at", "id")


def correction_rows(*, project: Project, chunk_size: int = 500) -> Iterator[list[str]]:
    """One CSV row per correction of ``project``, oldest first, streamed from one query."""
    rows = corrections(project=project).values_list(
        "text",
        "page",
        "language",
        "field",
        "old_value",
        "new_value",
        "created_at",
        "content_type__app_label",
        "content_type__model",
        "object_id",
        "category_after",
        "sentiment_after",
        "label_after",
        "corrected_by__email",
    )
    for row in rows.iterator(chunk_size=chunk_size):
        *head, when, app_label, model, object_id, category, sentiment, label, who = row
        yield [
            *head,
            when.strftime("%Y-%m-%dT%H:%M:%SZ"),
            f"{app_label}.{model}",
            object_id,
            category,
            sentiment,
            label,
            who or "",
        ]
