"""Minolith feedback benchmark: the items API and the public widget endpoint on PostgreSQL
with 1,000,000 items.

    .venv/bin/python -m bench.minolith --explain

What it does (numbers, never assertions):
1. (re)creates the database ``backtalk_bench_minolith`` and runs ``manage.py migrate``;
2. creates an owner, a workspace, projects and an mlth_ key through the services;
3. seeds ``--items`` (1,000,000) items with one ``INSERT ... SELECT generate_series``: 90% in
   the measured project, the rest spread over four others (so the tenant-first indexes
   matter), status/type skewed so ``status=open&type=bug`` has ~225,000 rows, a third of
   the items tagged (the ItemTag rows are derived in SQL from the items' tags); secondary
   indexes are dropped for the load, rebuilt from their own definitions, then VACUUM
   ANALYZE;
4. builds a cursor for page ~10,000 of ``status=open&type=bug`` the way the API does
   (``django.core.signing`` with the same SECRET_KEY and per-project salt, over the
   (created_at, id) of the 200,000th matching row), so the deep page is measured without
   walking 10,000 pages first;
5. with ``--explain``: EXPLAIN (ANALYZE, BUFFERS) of the list queries exactly as the endpoint
   builds them (captured SQL) and the indexes each plan uses;
6. starts gunicorn (2 sync workers, DB_CONN_MAX_AGE=60, Redis, rate limits raised through
   the environment) and measures with ``wrk --latency`` on loopback; prints one table.

Needs PostgreSQL (BENCH_PG_URL), Redis (BENCH_REDIS_URL) and wrk; helpers in bench/common.py.
``--keep`` leaves the database for a rerun with ``--reuse``.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

if __package__ in {None, ""}:  # `python bench/minolith.py` as well as `python -m bench.minolith`
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import common as bc

DB_NAME = "backtalk_bench_minolith"
OTHER_PROJECTS = 4
MAIN_SHARE = 0.9
DEEP_PAGE = 10_000
PAGE_LIMIT = 20
TAGS = 20

# One row per g: project by share, skewed status/type (open ~50%, bug ~50%), a third tagged.
SEED_SQL = """
INSERT INTO feedback_item (id, project_id, title, body, type, status, priority, source, tags,
                           page_url, user_email, user_name, user_id_external,
                           created_at, updated_at{extra_columns})
SELECT 'fbk_' || lpad(to_hex(g), 12, '0'),
       CASE WHEN r1 < %(main_share)s THEN %(main)s
            ELSE (%(others)s::text[])[1 + mod(g, %(n_others)s)] END,
       CASE WHEN mod(g, 3) = 0 THEN '' ELSE 'Feedback number ' || g END,
       'Seeded feedback ' || g || ': the search page was slow and the export button did '
           || 'nothing on the second click. ' || repeat('More detail follows. ', 1 + mod(g, 5)),
       CASE WHEN r2 < 0.50 THEN 'bug' WHEN r2 < 0.70 THEN 'feedback' WHEN r2 < 0.85 THEN 'idea'
            WHEN r2 < 0.95 THEN 'question' ELSE 'praise' END,
       CASE WHEN r3 < 0.50 THEN 'open' WHEN r3 < 0.60 THEN 'under_review'
            WHEN r3 < 0.70 THEN 'planned' WHEN r3 < 0.80 THEN 'in_progress'
            WHEN r3 < 0.95 THEN 'completed' ELSE 'declined' END,
       CASE mod(g, 5) WHEN 0 THEN 'low' WHEN 1 THEN 'medium' WHEN 2 THEN 'high'
            WHEN 3 THEN 'urgent' ELSE '' END,
       CASE mod(g, 4) WHEN 0 THEN 'widget' WHEN 1 THEN 'mcp' ELSE 'api' END,
       CASE WHEN mod(g, 3) <> 0 THEN '[]'::jsonb
            WHEN mod(g, 2) = 0 THEN jsonb_build_array('tag_' || mod(g, %(tags)s))
            ELSE jsonb_build_array('tag_' || mod(g, %(tags)s), 'tag_' || mod(g + 7, %(tags)s))
       END,
       CASE WHEN mod(g, 2) = 0 THEN 'https://app.example.com/page/' || mod(g, 1000) ELSE '' END,
       CASE WHEN mod(g, 4) = 0 THEN 'user' || mod(g, 50000) || '@example.com' ELSE '' END,
       CASE WHEN mod(g, 4) = 0 THEN 'User ' || mod(g, 50000) ELSE '' END,
       '',
       ts, ts{extra_values}
FROM (
    SELECT g, random() AS r1, random() AS r2, random() AS r3,
           now() - random() * interval '365 days' AS ts
    FROM generate_series(1, %(count)s) AS g
) AS s
"""
TAG_SQL = """
INSERT INTO feedback_itemtag (item_id, project_id, tag)
SELECT id, project_id, jsonb_array_elements_text(tags) FROM feedback_item
"""
TABLES = ("feedback_item", "feedback_itemtag")
SEEDED_COLUMNS = {
    "id", "project_id", "title", "body", "type", "status", "priority", "source", "tags",
    "page_url", "user_email", "user_name", "user_id_external", "created_at", "updated_at",
}  # fmt: skip


def seed_sql() -> tuple[str, dict[str, Any]]:
    """SEED_SQL with every other column of the model at its Python default, so the seed
    keeps working when a later migration adds columns (Django sets no database defaults)."""
    from django.db import connection

    from feedback.models import Item

    extra = [f for f in Item._meta.concrete_fields if f.column not in SEEDED_COLUMNS]
    params = {f"extra_{f.column}": f.get_db_prep_save(f.get_default(), connection) for f in extra}
    sql = SEED_SQL.format(
        extra_columns="".join(f", {f.column}" for f in extra),
        extra_values="".join(f", %(extra_{f.column})s" for f in extra),
    )
    return sql, params


def setup_objects(*, reuse: bool) -> dict[str, Any]:
    """The measured project and the others (created through the services unless
    ``reuse``) and a fresh mlth_ key for the measured one."""
    from accounts.models import TokenFamily
    from projects.models import Project
    from projects.services import project_create

    workspace, actor = bc.bench_owner(reuse=reuse)
    if reuse:
        main = Project.objects.get(workspace=workspace, name="Bench main")
        others = list(Project.objects.filter(name__startswith="Bench other").order_by("name"))
    else:
        main = project_create(workspace=workspace, name="Bench main", actor=actor)
        others = [
            project_create(workspace=workspace, name=f"Bench other {i}", actor=actor)
            for i in range(OTHER_PROJECTS)
        ]
    key = bc.mint_key(workspace=workspace, actor=actor, family=TokenFamily.MINOLITH, project=main)
    return {"main": main.pk, "others": [p.pk for p in others], "key": key}


def seed(count: int, objects: dict[str, Any]) -> dict[str, float]:
    """Bulk-load ``count`` items and their tag rows in SQL; seconds per phase."""
    sql, extra_params = seed_sql()
    params = {
        **extra_params,
        "main_share": MAIN_SHARE,
        "main": objects["main"],
        "others": objects["others"],
        "n_others": len(objects["others"]),
        "tags": TAGS,
        "count": count,
    }

    def load(cursor: Any) -> None:
        cursor.execute(sql, params)
        cursor.execute(TAG_SQL)

    timings = bc.bulk_load(TABLES, load)
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE projects_project SET credits_used = n FROM (SELECT project_id, count(*) AS n "
            "FROM feedback_item GROUP BY project_id) AS c WHERE c.project_id = projects_project.id"
        )
    return timings


def deep_cursor(project_id: str, query: dict[str, str], depth: int) -> tuple[str, int, int]:
    """The cursor the API would hand out after ``depth`` rows of this filtered list, signed
    in this process with the server's SECRET_KEY and salt; and how many rows match."""
    from config.api.pagination import sign_cursor
    from feedback.api.minolith.views import CURSOR_SALT
    from feedback.filters import ItemFilterSet
    from feedback.models import Item

    qs = ItemFilterSet(query, queryset=Item.objects.filter(project_id=project_id)).qs
    total = qs.count()
    depth = max(1, min(depth, total - PAGE_LIMIT))  # a small --items run has fewer rows
    row = qs.order_by("-created_at", "-id").values("created_at", "id")[depth - 1]
    cursor = sign_cursor([row["created_at"], row["id"]], salt=f"{CURSOR_SALT}:{project_id}")
    return cursor, total, depth


def explain(project_id: str, cursors: dict[str, str]) -> None:
    """EXPLAIN (ANALYZE, BUFFERS) of the list endpoint's own query (captured SQL)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from accounts.models import Workspace
    from config.api.pagination import keyset_paginate
    from feedback import selectors
    from feedback.api.minolith.serializers import ITEM_FIELDS
    from feedback.api.minolith.views import CURSOR_SALT
    from feedback.filters import ItemFilterSet
    from projects.models import Project

    project = Project.objects.get(pk=project_id)
    workspace = Workspace.objects.get(pk=project.workspace_id)
    cases = [
        ("page 1, no filter", {}, None),
        ("page 1, status=open&type=bug", {"status": "open", "type": "bug"}, None),
        ("page 2, status=open&type=bug", {"status": "open", "type": "bug"}, cursors["page2"]),
        (
            f"page ~{DEEP_PAGE:,}, status=open&type=bug",
            {"status": "open", "type": "bug"},
            cursors["deep"],
        ),
        ("page 1, tags=tag_3,tag_11", {"tags": "tag_3,tag_11"}, None),
        ("page 1, priority=high,urgent", {"priority": "high,urgent"}, None),
        ("page 1, user_email=user100@example.com", {"user_email": "user100@example.com"}, None),
    ]
    for label, params, cursor in cases:
        filterset = ItemFilterSet(
            params, queryset=selectors.item_queryset(workspace=workspace, project=project)
        )
        if not filterset.is_valid():
            raise SystemExit(f"bad EXPLAIN filters {params}: {filterset.errors}")
        with CaptureQueriesContext(connection) as captured:
            keyset_paginate(
                filterset.qs.values(*ITEM_FIELDS),
                cursor=cursor,
                limit=PAGE_LIMIT,
                salt=f"{CURSOR_SALT}:{project.pk}",
            )
        bc.print_plan(f"list {label}", captured.captured_queries[-1]["sql"])


def measure(args: argparse.Namespace, env: dict[str, str], objects: dict[str, Any],
            cursors: dict[str, str]) -> str:  # fmt: skip
    from projects.models import Project

    slug = Project.objects.get(pk=objects["main"]).slug
    auth = {"Authorization": f"Bearer {objects['key']}"}
    types = ("feedback", "bug", "idea", "question", "praise")
    bodies = [
        {
            "body": f"Benchmark feedback {i}: the export button does nothing on Firefox.",
            "title": f"Bench item {i}",
            "type": types[i % 5],
            "tags": [f"tag_{i % TAGS}"] if i % 2 else [],
            "page_url": f"https://app.example.com/page/{i}",
            "user_email": f"bench{i}@example.com",
        }
        for i in range(50)
    ]
    public_bodies = [{k: v for k, v in b.items() if k != "tags"} for b in bodies]
    reads = [
        ("GET items page 1, no filter", ""),
        ("GET items page 1, status=open&type=bug", "status=open&type=bug"),
        (
            "GET items page 2, status=open&type=bug",
            f"status=open&type=bug&cursor={cursors['page2']}",
        ),
        (
            f"GET items page ~{DEEP_PAGE:,}, status=open&type=bug",
            f"status=open&type=bug&cursor={cursors['deep']}",
        ),
        ("GET items page 1, tags=tag_3,tag_11", "tags=tag_3,tag_11"),
        ("GET items page 1, limit=100", "limit=100"),
        ("GET items page 1, markdown", "status=open&type=bug"),
    ]
    rows = []
    with bc.Server(env=env, workers=2) as server:
        # Sanity: each request wrk will send answers as expected (no run measures errors).
        for _, query in reads:
            status, body = bc.http_json(
                "GET", server.url(f"/v1/feedback/items?{query}"), headers=auth
            )
            if status != 200 or len(body["data"]) == 0:
                raise SystemExit(f"sanity GET ?{query} failed: {status} {str(body)[:300]}")
        status, body = bc.http_json(
            "POST", server.url("/v1/feedback/items"), body=bodies[0], headers=auth
        )
        if status != 201:
            raise SystemExit(f"sanity POST items failed: {status} {body}")
        item_id = body["data"]["id"]
        status, body = bc.http_json(
            "POST", server.url(f"/v1/feedback/public/{slug}"), body=public_bodies[0]
        )
        if status != 201:
            raise SystemExit(f"sanity POST public failed: {status} {body}")

        run = {"duration": args.duration, "connections": args.connections, "threads": args.threads}
        # Reference: the same key lookup, rate limit and error rendering around one indexed
        # primary-key probe (an unknown id is a 404 item_not_found).
        result = bc.wrk(server.url("/v1/feedback/items/fbk_000000000000"), headers=auth, **run)
        rows.append(
            result.row(
                "GET unknown item (404, reference)",
                "404s by design: key lookup, rate limit, 1 query",
            )
        )
        for label, query in reads:
            headers = dict(auth)
            if "markdown" in label:
                headers["Accept"] = "text/markdown"
            result = bc.wrk(server.url(f"/v1/feedback/items?{query}"), headers=headers, **run)
            rows.append(result.row(label))
        result = bc.wrk(server.url(f"/v1/feedback/items/{item_id}"), headers=auth, **run)
        rows.append(result.row("GET item with notes"))
        result = bc.wrk(
            server.url("/v1/feedback/items"), lua=bc.lua_post_script(bodies, headers=auth), **run
        )
        rows.append(result.row("POST /v1/feedback/items", f"p90 {result.p90_ms:.1f} ms"))
        result = bc.wrk(
            server.url(f"/v1/feedback/public/{slug}"), lua=bc.lua_post_script(public_bodies), **run
        )
        rows.append(result.row("POST /v1/feedback/public/:slug", f"p90 {result.p90_ms:.1f} ms"))
        result = bc.wrk(
            server.url("/widget/feedback.js"), headers={"Accept-Encoding": "gzip"}, **run
        )
        rows.append(result.row("GET /widget/feedback.js (gzip)", "no database: the ceiling"))
    return bc.print_wrk_table(args, rows)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--items", type=int, default=1_000_000)
    parser.add_argument("--explain", action="store_true", help="print EXPLAIN (ANALYZE)")
    bc.bench_arguments(parser)
    args = parser.parse_args()

    print(f"load average before (1/5/15 min): {bc.load_average()}")
    with bc.Stopwatch() as total:
        env = bc.open_database(DB_NAME, reuse=args.reuse)
        objects = setup_objects(reuse=args.reuse)
        if not args.reuse:
            bc.section(f"seeding {args.items:,} items ({MAIN_SHARE:.0%} in the measured project)")
            timings = seed(args.items, objects)
            print(
                f"INSERT ... SELECT generate_series (items + tag rows): {timings['insert']:.1f} s, "
                f"rebuild {timings['indexes_rebuilt']:.0f} indexes: {timings['indexes']:.1f} s, "
                f"VACUUM ANALYZE: {timings['vacuum_analyze']:.1f} s"
            )
        depth = DEEP_PAGE * PAGE_LIMIT
        query = {"status": "open", "type": "bug"}
        deep, matching, depth = deep_cursor(objects["main"], query, depth)
        print(
            f"status=open&type=bug matches {matching:,} items of the measured project; "
            f"the deep cursor starts after row {depth:,} (page {depth // PAGE_LIMIT + 1:,} at "
            f"limit {PAGE_LIMIT})"
        )
        cursors = {"deep": deep, "page2": deep_cursor(objects["main"], query, PAGE_LIMIT)[0]}
        if args.explain:
            explain(objects["main"], cursors)
        measure(args, env, objects, cursors)
    print(f"\nwhole run: {total.seconds / 60:.1f} min")
    bc.close_database(DB_NAME, keep=args.keep)


if __name__ == "__main__":
    main()
