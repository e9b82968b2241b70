"""Report reads: the dashboard list, stats and charts."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

from django.db import connection, transaction
from django.db.models import Count, Max, Q, QuerySet, Sum
from django.db.models.functions import TruncDate

from accounts.models import Workspace
from config.filters import DateBound
from projects.models import Project
from reports.models import Outcome, Report, ReportReply, ReportRollup, RollupGrain

OUTCOMES = [o.value for o in Outcome]


def report_queryset(*, project: Project) -> QuerySet[Report]:
    return Report.objects.for_project(project)


@contextmanager
def serial_plan() -> Iterator[None]:
    """Run the enclosed aggregates without parallel workers (PostgreSQL; no-op elsewhere).

    Counting a large project's reports makes the planner launch parallel workers. On a
    small box serving several requests at once they only compete for the same cores:
    measured here on a 100k-report project, the dashboard endpoint served 43/35 req/s
    serially against 31/27 req/s in parallel, with a lower p99 (PERFORMANCE.md saw the same).
    ``SET LOCAL`` needs a transaction and lasts only until its end, so nothing leaks to the
    next query on the pooled connection; it costs two extra round trips (~0.2 ms).
    """
    if connection.vendor != "postgresql":
        yield
        return
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL max_parallel_workers_per_gather = 0")
        yield


@dataclass(frozen=True)
class ReportScope:
    """One project's reports under the report FilterSet's cleaned values, split for counting.

    Whole UTC days inside the ``from``/``to`` range are answered from ``ReportRollup`` (rows
    per day, outcome, tool and source, kept exact by database triggers); only the partial
    days at the range's ends are counted from ``Report`` itself, through the same
    (project, outcome, created_at) index as before. Without a date filter every day is whole,
    so the stats of a 100,000-report project are a sum over a few hundred rollup rows.
    """

    project: Project
    equal: dict[str, str]  # outcome / tool_name / source filters that were given
    full_days: tuple[date | None, date | None] | None  # [first, end) or None: no whole day
    edges: Q | None  # the raw rows outside the whole days, None when there are none
    dates: Q  # the whole from/to range, for the counts no grain answers

    def grain(self, *, by_tool: bool = False) -> str | None:
        """The rollup grain that holds every filter given (and the tool name when
        ``by_tool``), or None when none does (tool and source together)."""
        if "source" in self.equal:
            return None if by_tool or "tool_name" in self.equal else RollupGrain.SOURCE
        if by_tool or "tool_name" in self.equal:
            return RollupGrain.TOOL
        return RollupGrain.ALL

    def rollups(self, *, by_tool: bool = False) -> QuerySet[ReportRollup]:
        grain = self.grain(by_tool=by_tool)
        if self.full_days is None or grain is None:
            return ReportRollup.objects.none()
        first, end = self.full_days
        rows = ReportRollup.objects.filter(project=self.project, grain=grain, **self.equal)
        if first is not None:
            rows = rows.filter(day__gte=first)
        if end is not None:
            rows = rows.filter(day__lt=end)
        return rows

    def edge_reports(self, *, by_tool: bool = False) -> QuerySet[Report] | None:
        """The rows the rollups do not answer: the range's partial days, or the whole range
        when no grain holds the filters."""
        reports = Report.objects.for_project(self.project).filter(**self.equal)
        if self.full_days is None or self.grain(by_tool=by_tool) is None:
            return reports.filter(self.dates)
        if self.edges is None:
            return None
        return reports.filter(self.edges)


EQUAL_FILTERS = ("outcome", "tool_name", "source")


def _midnight(day: date) -> datetime:
    return datetime.combine(day, datetime.min.time(), tzinfo=UTC)


def _date_q(start: DateBound | None, end: DateBound | None) -> Q:
    whole = Q()
    for bound in (start, end):
        if bound is not None:
            whole &= Q(**{f"created_at__{bound.lookup}": bound.at})
    return whole


def report_scope(*, project: Project, cleaned: Mapping[str, Any]) -> ReportScope:
    """Split the filtered set into whole days (rollups) and edge rows (``Report``)."""
    equal = {name: cleaned[name] for name in EQUAL_FILTERS if cleaned.get(name)}
    start: DateBound | None = cleaned.get("from")
    end: DateBound | None = cleaned.get("to")
    dates = _date_q(start, end)
    edges: list[Q] = []
    first: date | None = None
    if start is not None:
        first = start.at.date()
        if start.at != _midnight(first) or start.lookup == "gt":
            first += timedelta(days=1)  # the start's own day is partial
    last_end: date | None = None  # whole days end before this day
    end_exclusive: datetime | None = None
    if end is not None:
        try:
            end_exclusive = end.at + timedelta(microseconds=1) if end.lookup == "lte" else end.at
        except OverflowError:
            end_exclusive = None  # "to" at the end of time: no upper bound
        if end_exclusive is not None:
            last_end = end_exclusive.date()
    if first is not None and last_end is not None and first >= last_end:
        # No whole day in the range: count it all from the reports.
        return ReportScope(project=project, equal=equal, full_days=None, edges=None, dates=dates)
    if start is not None and first is not None and _midnight(first) != start.at:
        edges.append(
            Q(**{f"created_at__{start.lookup}": start.at}, created_at__lt=_midnight(first))
        )
    if end is not None and last_end is not None and end_exclusive != _midnight(last_end):
        edges.append(
            Q(**{f"created_at__{end.lookup}": end.at}, created_at__gte=_midnight(last_end))
        )
    edge_q: Q | None = None
    for edge in edges:
        edge_q = edge if edge_q is None else edge_q | edge
    return ReportScope(
        project=project, equal=equal, full_days=(first, last_end), edges=edge_q, dates=dates
    )


def _stats(scope: ReportScope) -> dict[str, int]:
    counts = dict.fromkeys(OUTCOMES, 0)
    for row in scope.rollups().order_by().values("outcome").annotate(n=Sum("report_count")):
        counts[row["outcome"]] += row["n"] or 0
    edge = scope.edge_reports()
    if edge is not None:
        for row in edge.order_by().values("outcome").annotate(n=Count("outcome")):
            counts[row["outcome"]] += row["n"]
    return {"total": sum(counts.values()), **counts}


def report_stats(*, project: Project, cleaned: Mapping[str, Any]) -> dict[str, int]:
    """``total`` and one count per outcome over the filtered set: one sum over the rollup
    rows of the whole days, plus one indexed count of the partial days at the range's ends
    when a ``from``/``to`` cuts through a day (ReportScope)."""
    return _stats(report_scope(project=project, cleaned=cleaned))


REPORT_FIELDS = ("id", "outcome", "tool_name", "source", "details", "created_at")


# From this offset on, a page is fetched with a deferred join (below).
DEFERRED_JOIN_MIN_OFFSET = 500


def report_page(queryset: QuerySet[Report], *, page: int, limit: int) -> list[dict[str, Any]]:
    """One page, newest first, as plain dicts (``.values()``: 1.6x cheaper than model rows).

    The ORDER BY (created_at DESC, id DESC) matches the (project, -created_at, -id) index,
    and (project, outcome, -created_at, -id) when filtered by outcome. Near the top a plain
    ``LIMIT/OFFSET`` reads offset + limit rows. Deeper, that means thousands of wide rows read
    only to be skipped, so the page's ids are found first in the index alone (an index-only
    scan that skips the offset without touching the table), and only those rows are fetched,
    still in ONE query: ``WHERE id IN (SELECT id ... OFFSET n LIMIT m)``. Measured on a
    100k-report project, page 200 went from 94 ms to 7 ms; page 1 stays the plain query
    (0.2 ms, against 1 ms joined).
    """
    offset = (page - 1) * limit
    ordered = queryset.order_by("-created_at", "-id")
    if offset >= DEFERRED_JOIN_MIN_OFFSET:
        page_ids = ordered.values("id")[offset : offset + limit]
        ordered = Report.objects.filter(pk__in=page_ids).order_by("-created_at", "-id")
        return list(ordered.values(*REPORT_FIELDS))
    return list(ordered.values(*REPORT_FIELDS)[offset : offset + limit])


@dataclass(frozen=True)
class DayCount:
    day: date
    counts: dict[str, int]

    @property
    def total(self) -> int:
        return sum(self.counts.values())


def _daily_counts(scope: ReportScope, *, first_day: date, last_day: date) -> list[DayCount]:
    """Reports per UTC day and outcome from ``first_day`` to ``last_day`` inclusive, every
    day present (zeros included): the rollup rows of those days plus the edge rows grouped by
    day, two GROUP BY queries at most."""
    by_day: dict[date, dict[str, int]] = {}
    rollups = (
        scope.rollups()
        .filter(day__gte=first_day, day__lte=last_day)
        .order_by()
        .values("day", "outcome")
        .annotate(n=Sum("report_count"))
    )
    for row in rollups:
        counts = by_day.setdefault(row["day"], {})
        counts[row["outcome"]] = counts.get(row["outcome"], 0) + (row["n"] or 0)
    edge = scope.edge_reports()
    if edge is not None:
        rows = (
            edge.filter(
                created_at__gte=_midnight(first_day),
                created_at__lt=_midnight(last_day + timedelta(days=1)),
            )
            .annotate(day=TruncDate("created_at", tzinfo=UTC))
            .order_by()
            .values("day", "outcome")
            .annotate(n=Count("outcome"))
        )
        for row in rows:
            counts = by_day.setdefault(row["day"], {})
            counts[row["outcome"]] = counts.get(row["outcome"], 0) + row["n"]
    result = []
    for offset in range((last_day - first_day).days + 1):
        day = first_day + timedelta(days=offset)
        counts = by_day.get(day, {})
        result.append(DayCount(day=day, counts={o: counts.get(o, 0) for o in OUTCOMES}))
    return result


def _top_tools(scope: ReportScope, *, limit: int) -> list[Mapping[str, Any]]:
    """The most reported tool names (blank included, as ""), most reports first, with how
    many of their reports were not a success: rollup sums plus the edge rows, merged."""
    tools: dict[str, dict[str, Any]] = {}

    def add(tool: str, n: int, failures: int) -> None:
        entry = tools.setdefault(tool, {"tool_name": tool, "n": 0, "failures": 0})
        entry["n"] += n
        entry["failures"] += failures

    not_success = ~Q(outcome=Outcome.SUCCESS)
    for row in (
        scope.rollups(by_tool=True)
        .order_by()
        .values("tool_name")
        .annotate(n=Sum("report_count"), failures=Sum("report_count", filter=not_success))
    ):
        add(row["tool_name"], row["n"] or 0, row["failures"] or 0)
    edge = scope.edge_reports(by_tool=True)
    if edge is not None:
        for row in (
            edge.order_by()
            .values("tool_name")
            .annotate(n=Count("outcome"), failures=Count("outcome", filter=not_success))
        ):
            add(row["tool_name"], row["n"], row["failures"])
    ranked: list[Mapping[str, Any]] = [t for t in tools.values() if t["n"] > 0]
    ranked.sort(key=lambda t: (-t["n"], t["tool_name"]))
    return ranked[:limit]


@dataclass(frozen=True)
class ReportOverview:
    stats: dict[str, int]
    days: list[DayCount]
    tools: list[Mapping[str, Any]]


def report_overview(
    *,
    project: Project,
    cleaned: Mapping[str, Any],
    first_day: date,
    last_day: date,
    top_tools: int = 10,
) -> ReportOverview:
    """What the dashboard page shows above the list: the stats, the daily outcome counts
    and the top tools of the filtered set, from the rollups plus the range's edge rows."""
    scope = report_scope(project=project, cleaned=cleaned)
    stats = _stats(scope)
    days = _daily_counts(scope, first_day=first_day, last_day=last_day)
    tools = _top_tools(scope, limit=top_tools) if stats["total"] else []
    return ReportOverview(stats=stats, days=days, tools=tools)


def project_report_summary(*, workspace: Workspace) -> list[Project]:
    """The workspace's projects, each annotated with ``report_count`` and ``last_report_at``."""
    with serial_plan():
        return list(
            Project.objects.for_workspace(workspace)
            .annotate(
                report_count=Count("reports__outcome"), last_report_at=Max("reports__created_at")
            )
            .order_by("name", "id")
        )


def report_replies(
    *, project: Project, since: datetime | None = None, source: str = "", limit: int = 20
) -> list[ReportReply]:
    """The team's answers to this project's reports, newest first (``limit + 1`` rows, so
    the caller can say whether there are more), with each report; ``source`` keeps the
    answers to one reporter's reports."""
    queryset = ReportReply.objects.filter(project=project).select_related("report")
    if since is not None:
        queryset = queryset.filter(replied_at__gte=since)
    if source:
        queryset = queryset.filter(report__source=source)
    return list(queryset.order_by("-replied_at", "-report_id")[: limit + 1])
