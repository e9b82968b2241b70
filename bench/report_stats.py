"""Writeback stats database time from the rollups, against counting the reports themselves.

    .venv/bin/python -m bench.report_stats [--reports 100000] [--runs 30] [--keep|--reuse]

Seeds one project with ``--reports`` reports spread over a year (bench.writeback's SQL, so
the triggers fill ReportRollup as a live ingest would), then for each filter set prints the
median database time (sum of EXPLAIN ANALYZE execution times of the queries the selector
runs) of ``reports.selectors.report_stats`` and of the previous single aggregate over
``Report`` with the same filters, and checks both give the same counts. Numbers, never
assertions: the issue's bar is under 5 ms of database time, filtered by date or not.
"""

from __future__ import annotations

import argparse
import statistics
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

if __package__ in {None, ""}:
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import common as bc

DB_NAME = "backtalk_bench_stats"


def _execution_ms(sql: str) -> float:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN (ANALYZE, FORMAT JSON) " + sql)
        return float(cursor.fetchone()[0][0]["Execution Time"])


def _db_ms(call: Any) -> tuple[float, Any]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        result = call()
    selects = [q["sql"] for q in captured.captured_queries if q["sql"].startswith("SELECT")]
    return sum(_execution_ms(sql) for sql in selects), result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reports", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--keep", action="store_true")
    parser.add_argument("--reuse", action="store_true")
    args = parser.parse_args()

    bc.open_database(DB_NAME, reuse=args.reuse)
    from django.db.models import Count, Q

    from bench.writeback import seed
    from projects.models import Project
    from projects.services import project_create
    from reports import selectors
    from reports.filters import ReportFilterSet
    from reports.models import Outcome

    workspace, actor = bc.bench_owner(reuse=args.reuse)
    if args.reuse:
        project = Project.objects.get(workspace=workspace)
    else:
        project = project_create(workspace=workspace, name="Stats project", actor=actor)
        timings = seed(args.reports, [project.pk])
        from django.db import connection

        with connection.cursor() as cursor:
            # The triggers updated each rollup row ~50 times per seeded day: what autovacuum
            # does on a live server, done here before measuring.
            cursor.execute("VACUUM (ANALYZE) reports_reportrollup")
        print("seed: " + ", ".join(f"{k} {v:.1f} s" for k, v in timings.items()))

    today = datetime.now(UTC).date()
    cases = {
        "no filter": {},
        "outcome=failure": {"outcome": "failure"},
        "tool_name=tool_07": {"tool_name": "tool_07"},
        "from=<30 days ago> (a date)": {"from": (today - timedelta(days=30)).isoformat()},
        "from/to date-times cutting two days": {
            "from": f"{(today - timedelta(days=90)).isoformat()}T13:07:00Z",
            "to": f"{(today - timedelta(days=10)).isoformat()}T08:00:00Z",
        },
        "from/to inside one day": {
            "from": f"{(today - timedelta(days=5)).isoformat()}T01:00:00Z",
            "to": f"{(today - timedelta(days=5)).isoformat()}T23:00:00Z",
        },
    }

    def plain(queryset: Any) -> dict[str, int]:
        aggregates: dict[str, Any] = {"total": Count("outcome")}
        for outcome in Outcome.values:
            aggregates[outcome] = Count("outcome", filter=Q(outcome=outcome))
        return queryset.order_by().aggregate(**aggregates)

    rows = []
    for label, params in cases.items():
        filterset = ReportFilterSet(params, queryset=selectors.report_queryset(project=project))
        if not filterset.is_valid():
            raise SystemExit(f"{label}: {filterset.errors}")
        cleaned = filterset.form.cleaned_data
        rollup_ms, plain_ms = [], []
        for _ in range(args.runs):
            ms, rolled = _db_ms(
                lambda c=cleaned: selectors.report_stats(project=project, cleaned=c)
            )
            rollup_ms.append(ms)
            ms, counted = _db_ms(lambda q=filterset.qs: plain(q))
            plain_ms.append(ms)
        same = "yes" if rolled == counted else f"NO: {rolled} != {counted}"
        rows.append(
            [
                label,
                f"{statistics.median(rollup_ms):.2f}",
                f"{statistics.median(plain_ms):.2f}",
                str(rolled["total"]),
                same,
            ]
        )
    bc.section(f"report_stats database time, {args.reports:,} reports, median of {args.runs}")
    bc.print_table(rows, ["filters", "rollups ms", "count(*) ms", "total", "same counts"])
    bc.close_database(DB_NAME, keep=args.keep)


if __name__ == "__main__":
    main()
