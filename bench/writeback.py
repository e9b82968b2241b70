"""Writeback benchmark: ingest and the dashboard endpoint on PostgreSQL with 1M reports.

    .venv/bin/python -m bench.writeback --explain

What it does (numbers, never assertions):
1. (re)creates the database ``backtalk_bench`` and runs ``manage.py migrate`` against it;
2. creates one owner, workspace, 10 projects and a wk_sk_ API key through the services;
3. seeds ``--reports`` (1,000,000) reports across the projects with one
   ``INSERT ... SELECT generate_series`` (secondary indexes dropped during the load and
   rebuilt from their own definitions, then VACUUM ANALYZE), and prints how long it took;
4. with ``--explain``: EXPLAIN (ANALYZE, BUFFERS) of the stats and list queries exactly as the
   endpoint builds them, and which index each plan uses;
5. starts gunicorn (2 sync workers, DB_CONN_MAX_AGE=60, Redis cache, rate limits raised) and
   measures with ``wrk --latency`` on loopback: POST /v1/reports, and
   GET /v1/dashboard/<id>/reports at page 1 and at the deepest allowed page, with and without
   filters; prints one table.

Needs PostgreSQL (BENCH_PG_URL, default postgres://postgres@127.0.0.1:5432/postgres), Redis
(BENCH_REDIS_URL) and wrk. ``--keep`` leaves the database for a rerun with ``--reuse``.
"""

from __future__ import annotations

import argparse
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

if __package__ in {None, ""}:  # `python bench/writeback.py` as well as `python -m bench.writeback`
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import common as bc

DB_NAME = "backtalk_bench"
PROJECTS = 10
TOOLS = 50
FILTERED_TOOL = "tool_07"

SEED_SQL = """
INSERT INTO reports_report (id, project_id, outcome, details, tool_name, source, created_at)
SELECT md5(g::text || ':' || random()::text),
       (%(projects)s::text[])[1 + mod(g, %(n_projects)s)],
       CASE WHEN r < 0.60 THEN 'success'
            WHEN r < 0.75 THEN 'failure'
            WHEN r < 0.85 THEN 'confusing'
            WHEN r < 0.90 THEN 'gave_up'
            ELSE 'request' END,
       'Agent run ' || g || ': called the tool with a natural-language query. '
           || repeat('The response was usable but the docs disagreed on a field name. ',
                     1 + mod(g, 4)),
       CASE WHEN mod(g, 20) = 0 THEN ''
            ELSE 'tool_' || lpad(mod(g * 7, %(tools)s)::text, 2, '0') END,
       CASE WHEN mod(g, 10) = 0 THEN '' ELSE 'source_' || mod(g, 5) END,
       now() - random() * interval '365 days'
FROM (SELECT g, random() AS r FROM generate_series(1, %(count)s) AS g) AS s
"""


def setup_objects(*, reuse: bool) -> dict[str, Any]:
    """The owner's projects (created through the services unless ``reuse``) and a fresh
    wk_sk_ key."""
    from accounts.models import TokenFamily
    from projects.models import Project
    from projects.services import project_create

    workspace, actor = bc.bench_owner(reuse=reuse)
    if reuse:
        projects = list(Project.objects.filter(workspace=workspace).order_by("name"))
    else:
        projects = [
            project_create(workspace=workspace, name=f"Bench project {i}", actor=actor)
            for i in range(PROJECTS)
        ]
    return {
        "project_ids": [p.pk for p in projects],
        "ingest_keys": [p.ingest_key for p in projects],
        "api_key": bc.mint_key(workspace=workspace, actor=actor, family=TokenFamily.WRITEBACK_READ),
    }


def seed(count: int, project_ids: list[str]) -> dict[str, float]:
    """Bulk-load ``count`` reports in SQL; returns the seconds each phase took."""
    params = {"projects": project_ids, "n_projects": len(project_ids), "tools": TOOLS}
    return bc.bulk_load(
        ["reports_report"], lambda cursor: cursor.execute(SEED_SQL, {**params, "count": count})
    )


def explain(project_id: str) -> None:
    """EXPLAIN (ANALYZE, BUFFERS) of the endpoint's own queries (captured SQL)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from projects.models import Project
    from reports import selectors
    from reports.filters import ReportFilterSet

    project = Project.objects.get(pk=project_id)
    since = (datetime.now(UTC) - timedelta(days=30)).date().isoformat()
    cases: list[tuple[str, dict[str, str], str, int]] = [
        ("stats, no filter", {}, "stats", 1),
        ("list page 1, no filter", {}, "list", 1),
        ("list page 200 (deepest), no filter", {}, "list", 200),
        ("list page 200 (deepest), outcome=failure", {"outcome": "failure"}, "list", 200),
        (
            f"stats, outcome=failure&tool_name={FILTERED_TOOL}",
            {"outcome": "failure", "tool_name": FILTERED_TOOL},
            "stats",
            1,
        ),
        (
            f"list page 1, outcome=failure&tool_name={FILTERED_TOOL}",
            {"outcome": "failure", "tool_name": FILTERED_TOOL},
            "list",
            1,
        ),
        (f"stats, from={since}", {"from": since}, "stats", 1),
        (f"list page 1, from={since}", {"from": since}, "list", 1),
    ]
    for label, params, kind, page in cases:
        filterset = ReportFilterSet(params, queryset=selectors.report_queryset(project=project))
        if not filterset.is_valid():
            raise SystemExit(f"bad EXPLAIN filters {params}: {filterset.errors}")
        with CaptureQueriesContext(connection) as captured:
            if kind == "stats":
                selectors.report_stats(project=project, cleaned=filterset.form.cleaned_data)
            else:
                selectors.report_page(filterset.qs, page=page, limit=50)
        # Every SELECT (stats: the rollup sum, and the edge count when from/to cut a day).
        for sql in [q["sql"] for q in captured.captured_queries if q["sql"].startswith("SELECT")]:
            bc.print_plan(label, sql, settings=None)


def measure(args: argparse.Namespace, env: dict[str, str], objects: dict[str, Any]) -> str:
    project_id = objects["project_ids"][1]
    auth = {"Authorization": f"Bearer {objects['api_key']}"}
    bodies = [
        {
            "ingest_key": key,
            "outcome": outcome,
            "tool_name": f"tool_{i % TOOLS:02d}",
            "source": "bench",
            "details": f"Benchmark report {i}: the agent called the tool and it answered.",
        }
        for i, (key, outcome) in enumerate(
            (key, outcome)
            for key in objects["ingest_keys"]
            for outcome in ("success", "failure", "confusing", "gave_up", "request")
        )
    ]
    since = (datetime.now(UTC) - timedelta(days=30)).date().isoformat()
    reads = [
        ("GET dashboard page 1", ""),
        ("GET dashboard page 200 (deepest)", "page=200"),
        ("GET dashboard page 1, outcome+tool_name", f"outcome=failure&tool_name={FILTERED_TOOL}"),
        ("GET dashboard page 200, outcome=failure", "outcome=failure&page=200"),
        ("GET dashboard page 1, from=30 days ago", f"from={since}"),
        ("GET dashboard page 1, limit=100", "limit=100"),
    ]
    rows = []
    with bc.Server(env=env, workers=2) as server:
        # Sanity: the exact requests wrk will send answer 200 (so no run measures errors).
        status, body = bc.http_json(
            "GET", server.url(f"/v1/dashboard/{project_id}/reports"), headers=auth
        )
        if status != 200:
            raise SystemExit(f"dashboard sanity request failed: {status} {body}")
        print(f"project {project_id}: stats {body['stats']}")
        status, body = bc.http_json("POST", server.url("/v1/reports"), body=bodies[0])
        if status != 200:
            raise SystemExit(f"ingest sanity request failed: {status} {body}")

        run = {"duration": args.duration, "connections": args.connections, "threads": args.threads}
        # Reference: the same authentication and rate limit, one small query.
        result = bc.wrk(server.url("/v1/projects"), headers=auth, **run)
        rows.append(result.row("GET /v1/projects (reference)"))
        for label, query in reads:
            url = server.url(f"/v1/dashboard/{project_id}/reports" + (f"?{query}" if query else ""))
            rows.append(bc.wrk(url, headers=auth, **run).row(label))
        result = bc.wrk(server.url("/v1/reports"), lua=bc.lua_post_script(bodies), **run)
        rows.append(result.row("POST /v1/reports (ingest)", f"p90 {result.p90_ms:.1f} ms"))
    return bc.print_wrk_table(
        args, rows, f", PGOPTIONS={args.pg_options!r}" if args.pg_options else ""
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--reports", type=int, default=1_000_000)
    parser.add_argument("--explain", action="store_true", help="print EXPLAIN (ANALYZE)")
    parser.add_argument(
        "--pg-options",
        default="",
        help='libpq PGOPTIONS for the server, e.g. "-c max_parallel_workers_per_gather=0"',
    )
    bc.bench_arguments(parser)
    args = parser.parse_args()

    print(f"load average before (1/5/15 min): {bc.load_average()}")
    with bc.Stopwatch() as total:
        extra = {"PGOPTIONS": args.pg_options} if args.pg_options else {}
        env = bc.open_database(DB_NAME, reuse=args.reuse, **extra)
        objects = setup_objects(reuse=args.reuse)
        if not args.reuse:
            bc.section(f"seeding {args.reports:,} reports across {PROJECTS} projects")
            timings = seed(args.reports, objects["project_ids"])
            print(
                f"INSERT ... SELECT generate_series: {timings['insert']:.1f} s, "
                f"rebuild {timings['indexes_rebuilt']:.0f} indexes: {timings['indexes']:.1f} s, "
                f"VACUUM ANALYZE: {timings['vacuum_analyze']:.1f} s"
            )
        if args.explain:
            explain(objects["project_ids"][1])
        measure(args, env, objects)
    print(f"\nwhole run: {total.seconds / 60:.1f} min")
    bc.close_database(DB_NAME, keep=args.keep)


if __name__ == "__main__":
    main()
