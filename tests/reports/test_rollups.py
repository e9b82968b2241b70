"""Writeback stats come from ReportRollup (kept by database triggers) plus the partial days at
the edges of a from/to range; they must equal a plain count of the reports, always."""

from __future__ import annotations

import random
import threading
from collections import Counter
from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection, connections
from django.db.migrations.executor import MigrationExecutor
from django.db.models import Sum

from reports import selectors
from reports.filters import ReportFilterSet
from reports.models import Outcome, Report, ReportRollup, RollupGrain
from tests.factories import ProjectFactory
from tests.reports.factories import ReportFactory

OUTCOMES = Outcome.values
TOOLS = ["search_index", "deploy", ""]
START = datetime(2026, 3, 1, tzinfo=UTC)


def _seed(project, n: int = 400, seed: int = 7) -> list[Report]:
    rng = random.Random(seed)
    rows = [
        Report(
            project=project,
            outcome=rng.choice(OUTCOMES),
            details="run",
            tool_name=rng.choice(TOOLS),
            source=rng.choice(["ci", "agent"]),
            created_at=START + timedelta(minutes=rng.randrange(0, 60 * 24 * 10)),
        )
        for _ in range(n)
    ]
    return Report.objects.bulk_create(rows)


def _expected(rows, params: dict[str, str]) -> dict[str, int]:
    filterset = ReportFilterSet(params, queryset=Report.objects.filter(pk__in=[r.pk for r in rows]))
    assert filterset.is_valid(), filterset.errors
    counts = Counter(filterset.qs.values_list("outcome", flat=True))
    return {"total": sum(counts.values()), **{o: counts.get(o, 0) for o in OUTCOMES}}


def _stats(project, params: dict[str, str]) -> dict[str, int]:
    filterset = ReportFilterSet(params, queryset=selectors.report_queryset(project=project))
    assert filterset.is_valid(), filterset.errors
    return selectors.report_stats(project=project, cleaned=filterset.form.cleaned_data)


def _rollup_total(project) -> int:
    """The report count each grain holds; all three must agree."""
    totals = {
        grain: ReportRollup.objects.filter(project=project, grain=grain).aggregate(
            n=Sum("report_count")
        )["n"]
        or 0
        for grain in RollupGrain.values
    }
    assert len(set(totals.values())) == 1, totals
    return totals[RollupGrain.ALL]


@pytest.mark.parametrize(
    "params",
    [
        {},
        {"outcome": "failure"},
        {"tool_name": "deploy", "source": "ci"},
        {"from": "2026-03-03"},
        {"to": "2026-03-05"},
        {"from": "2026-03-03", "to": "2026-03-05"},
        {"from": "2026-03-03T13:07:00Z", "to": "2026-03-07T08:00:00Z"},
        {"from": "2026-03-03T13:07:00Z", "to": "2026-03-03T19:00:00Z"},  # inside one day
        {"from": "2026-03-04T00:00:00Z", "to": "2026-03-06T00:00:00Z"},  # midnights
        {"from": "2026-03-02T23:59:59.999999+00:00", "outcome": "success"},
        {"from": "2026-03-04T10:00:00+02:00", "to": "2026-03-08", "tool_name": ""},
        {"from": "0001-01-01", "to": "9999-12-31"},
    ],
)
def test_report_stats_from_rollups_equal_a_plain_count(project, params):
    rows = _seed(project)
    ReportFactory.create_batch(3, project=ProjectFactory.create())  # another project's rows
    assert _stats(project, params) == _expected(rows, params)


def test_report_rollups_follow_deletes_updates_and_inserts(project):
    rows = _seed(project, n=120)
    Report.objects.filter(pk__in=[r.pk for r in rows[:30]]).delete()
    rows[30].delete()
    Report.objects.filter(pk=rows[31].pk).update(outcome="request", tool_name="moved")
    Report.objects.filter(pk=rows[32].pk).update(created_at=START - timedelta(days=40))
    ReportFactory.create(project=project)
    remaining = list(Report.objects.filter(project=project))
    assert _rollup_total(project) == len(remaining) == 90
    for params in ({}, {"tool_name": "moved"}, {"from": "2026-03-01"}, {"to": "2026-02-01"}):
        assert _stats(project, params) == _expected(remaining, params)


def test_report_rollups_go_with_their_project(project):
    _seed(project, n=20)
    project.delete()
    assert not ReportRollup.objects.exists()


def test_report_stats_without_date_filter_read_only_the_rollups(project, django_assert_num_queries):
    _seed(project, n=50)
    with django_assert_num_queries(1):
        _stats(project, {"outcome": "gave_up"})
    with django_assert_num_queries(2):  # rollups + the two partial days
        _stats(project, {"from": "2026-03-03T12:00:00Z", "to": "2026-03-05T12:00:00Z"})


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_report_rollups_stay_exact_under_concurrent_ingest(project):
    if connection.vendor != "postgresql":
        pytest.skip("concurrent writers need PostgreSQL")
    per_thread, threads = 60, 6
    errors: list[BaseException] = []

    def ingest() -> None:
        try:
            for i in range(per_thread):
                Report.objects.create(
                    project_id=project.pk, outcome=OUTCOMES[i % 2], details="x", tool_name="t"
                )
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            connections.close_all()

    workers = [threading.Thread(target=ingest) for _ in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    assert not errors
    assert _rollup_total(project) == per_thread * threads
    assert _stats(project, {}) == _expected(list(Report.objects.filter(project=project)), {})


@pytest.mark.django_db(transaction=True)
def test_report_rollup_migration_counts_reports_stored_before_it(project):
    executor = MigrationExecutor(connection)
    executor.migrate([("reports", "0004_report_rollup")])
    try:
        Report.objects.bulk_create(
            Report(project=project, outcome="failure", details="old", created_at=START)
            for _ in range(5)
        )
        assert not ReportRollup.objects.exists()  # no trigger at 0004
    finally:
        executor = MigrationExecutor(connection)
        executor.loader.build_graph()
        executor.migrate(executor.loader.graph.leaf_nodes())
    assert _stats(project, {}) == {"total": 5, **{o: 5 * (o == "failure") for o in OUTCOMES}}
    ReportFactory.create(project=project, outcome="failure")
    assert _rollup_total(project) == 6
