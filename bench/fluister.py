"""Fluister benchmark: ``POST /v1/feedback`` with the built-in triage inline, on PostgreSQL.

    .venv/bin/python -m bench.fluister

What it does (numbers, never assertions):
1. (re)creates the database ``backtalk_bench_fluister`` and runs ``manage.py migrate``;
2. creates an owner, a workspace, a project and an mlth_ key through the services;
3. seeds ``--items`` (200,000) triaged items in that project with one
   ``INSERT ... SELECT generate_series``, their ``triage_similar_key`` spread over 40 pages
   x 3 categories and ``created_at`` over 60 days, so the "similar items" COUNT that every
   submission runs meets realistic data (thousands of rows per key, half of them inside the
   30-day window);
4. in this process, on that database: the cost of triage inside ``item_create``:
   ``triage()`` alone, the similar COUNT alone (and its EXPLAIN), and ``item_create`` with
   triage vs. with ``triage.services.triage_apply`` replaced by a constant (the same INSERT,
   credit UPDATE and audit row without the engine and the COUNT);
5. starts gunicorn (2 sync workers, DB_CONN_MAX_AGE=60, Redis, rate limits raised) and
   measures with ``wrk --latency``: POST /v1/feedback with 48 realistic bodies in turn
   (five languages, pages, an occasional long text), A/B against the same app with the
   triage replaced by a constant (``bench/fluister_stub_wsgi.py``), twice, interleaved, so
   a busy machine shows as disagreement between rounds; plus the same request with an
   unknown ``projectId`` (authentication, rate limit, validation, one lookup, no insert: the
   floor the endpoint stands on); prints one table.

Needs PostgreSQL (BENCH_PG_URL), Redis (BENCH_REDIS_URL) and wrk (bench/common.py).
``--keep`` leaves the database; ``--reuse`` skips steps 1-3 on a kept one.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path
from typing import Any

if __package__ in {None, ""}:  # `python bench/fluister.py` as well as `python -m bench.fluister`
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import (
    Server,
    Stopwatch,
    bench_arguments,
    bench_owner,
    close_database,
    http_json,
    lua_post_script,
    mint_key,
    open_database,
    print_table,
    section,
    wrk,
)

DB_NAME = "backtalk_bench_fluister"
PAGES = 40

TEXTS = [
    ("De login knop werkt niet op mobiel", "/login"),
    ("I was charged twice and now the checkout page stays blank.", "/checkout"),
    ("Die App stürzt beim Bezahlen ab.", "/de/kasse"),
    ("Would be great if the dashboard had a dark mode option.", "/dashboard"),
    ("¿Cómo cambio mi contraseña?", ""),
    ("Merci pour la nouvelle version, elle est géniale !", "/"),
    ("Search results are slow on large datasets, over 15 seconds.", "/search"),
    ("Bug in checkout", "/checkout"),
    ("The export button does nothing on Firefox.", "/exports"),
    ("Kunnen jullie iDEAL toevoegen als betaalmethode?", "/afrekenen"),
    ("Wie kann ich meine Rechnung herunterladen?", "/account/invoices"),
    ("L'application plante quand j'ouvre les paramètres.", "/settings"),
    ("No puedo iniciar sesión desde ayer, dice error 500.", "/login"),
    ("Love the new onboarding, thanks a lot!", "/welcome"),
    ("Typo on the pricing page: 'anually'.", "/pricing"),
    ("Can you add an API endpoint to bulk delete items?", "/docs/api"),
]


def bodies(project_id: str) -> list[dict[str, Any]]:
    """48 request bodies: each text three times, with and without userEmail, one long."""
    out = []
    for i, (text, page) in enumerate(TEXTS * 3):
        body: dict[str, Any] = {"projectId": project_id, "text": text}
        if page:
            body["page"] = page
        if i % 2:
            body["userEmail"] = f"user{i}@example.com"
        if i % 16 == 5:
            body["text"] = text + " " + "More context from the customer. " * 60  # ~2 KB
        out.append(body)
    return out


SEED_SQL = """
INSERT INTO feedback_item (id, project_id, title, body, type, status, priority, source, tags,
    page_url, user_email, user_name, user_id_external, created_at, updated_at,
    category, sentiment, impact_score, triage_language, triage_engine, triage_signals,
    triage_similar_key, llm_triage_status, triaged_at)
SELECT 'fbk_' || lpad(to_hex(g), 12, '0'), %(project)s, '',
       'Seeded feedback ' || g || ': the page did not respond the second time.',
       c, 'open', '', 'api', '[]'::jsonb,
       '/page/' || mod(g, %(pages)s), '', '', '', ts, ts,
       CASE c WHEN 'idea' THEN 'feature' ELSE c END,
       CASE mod(g, 3) WHEN 0 THEN 'negative' WHEN 1 THEN 'neutral' ELSE 'positive' END,
       mod(g, 15), 'en', 'builtin', '{}'::jsonb,
       CASE c WHEN 'idea' THEN 'feature' ELSE c END || '|/page/' || mod(g, %(pages)s),
       'none', ts
FROM (
    SELECT g, now() - random() * interval '60 days' AS ts,
           CASE mod(g * 7, 3) WHEN 0 THEN 'bug' WHEN 1 THEN 'idea' ELSE 'question' END AS c
    FROM generate_series(1, %(count)s) AS g
) AS s
"""


def setup_objects(*, reuse: bool) -> dict[str, Any]:
    """The project (created through the services unless ``reuse``) and a fresh mlth_ key."""
    from accounts.models import TokenFamily
    from projects.models import Project
    from projects.services import project_create

    workspace, actor = bench_owner(reuse=reuse)
    if reuse:
        project = Project.objects.get(workspace=workspace, name="Shop")
    else:
        project = project_create(workspace=workspace, name="Shop", actor=actor)
    key = mint_key(workspace=workspace, actor=actor, family=TokenFamily.MINOLITH, project=project)
    return {"project_id": project.pk, "key": key}


def seed(count: int, project_id: str) -> float:
    from django.db import connection

    with Stopwatch() as watch, connection.cursor() as cur:
        cur.execute(SEED_SQL, {"project": project_id, "pages": PAGES, "count": count})
        cur.execute("VACUUM ANALYZE feedback_item")
    return watch.seconds


def per_call_us(fn: Any, n: int) -> tuple[float, float, float]:
    """Median and p99 wall-clock microseconds of ``fn()`` over ``n`` calls (after 20 warm-up
    calls), and the mean CPU microseconds of this process per call. CPU time is what the
    web worker pays and barely moves when other jobs share the machine; wall time includes
    PostgreSQL's share and any waiting."""
    for _ in range(20):
        fn()
    times = []
    cpu_start = time.process_time()
    for _ in range(n):
        start = time.perf_counter()
        fn()
        times.append((time.perf_counter() - start) * 1e6)
    cpu = (time.process_time() - cpu_start) * 1e6 / n
    times.sort()
    return statistics.median(times), times[int(len(times) * 0.99) - 1], cpu


def inline_costs(project_id: str, n: int) -> list[list[str]]:
    """Triage's share of item_create, measured in this process against the seeded DB."""
    from django.db import connection
    from django.utils import timezone

    from accounts.audit import Actor
    from feedback import services
    from feedback.models import Item, ItemSource
    from projects.models import Project
    from triage import services as triage_services
    from triage import similar
    from triage.engine import triage

    project = Project.objects.select_related("workspace").get(pk=project_id)
    texts = [b["text"] for b in bodies(project_id)]
    i = iter(range(10**9))

    def one_triage() -> None:
        k = next(i)
        triage(texts[k % len(texts)], page=TEXTS[k % len(TEXTS)][1])

    def one_count() -> None:
        k = next(i)
        key = f"bug|/page/{k % PAGES}"
        similar.count_similar(model=Item, project_id=project.pk, key=key, now=timezone.now())

    def one_create() -> None:
        k = next(i)
        text, page = TEXTS[k % len(TEXTS)]
        services.item_create(
            project=project, actor=Actor.system(), source=ItemSource.API, body=text, page_url=page
        )

    def row(label: str, timing: tuple[float, float, float]) -> list[str]:
        return [label, f"{timing[2]:,.0f}", f"{timing[0]:,.0f}", f"{timing[1]:,.0f}"]

    rows = [
        row("triage() (engine only)", per_call_us(one_triage, n)),
        row("similar COUNT (cap 100)", per_call_us(one_count, n)),
    ]
    with_triage = per_call_us(one_create, n)
    rows.append(row("item_create, triage inline", with_triage))
    real = triage_services.triage_apply
    probe = Item(project=project)
    real(probe, text="x", now=timezone.now())
    fixed = {c: getattr(probe, c) for c in triage_services.TRIAGE_COLUMNS}

    def constant(obj: Item, **kw: object) -> None:
        for name, value in fixed.items():
            setattr(obj, name, value)

    triage_services.triage_apply = constant  # type: ignore[assignment]
    try:
        without = per_call_us(one_create, n)
    finally:
        triage_services.triage_apply = real
    rows.append(row("item_create, triage stubbed", without))
    rows.append(
        [
            "= triage's inline share",
            f"{with_triage[2] - without[2]:,.0f}",
            f"{with_triage[0] - without[0]:,.0f}",
            f"CPU: {(with_triage[2] - without[2]) / with_triage[2]:.0%} of item_create",
        ]
    )
    with connection.cursor() as cur:
        cur.execute(
            "EXPLAIN (ANALYZE, BUFFERS) SELECT COUNT(*) FROM (SELECT id FROM feedback_item "
            "WHERE project_id = %s AND triage_similar_key = %s AND created_at >= now() - "
            "interval '30 days' LIMIT 100) s",
            [project_id, "bug|/page/7"],
        )
        plan = "\n".join(r[0] for r in cur.fetchall())
    print(plan)
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=int, default=200_000)
    parser.add_argument("--calls", type=int, default=2_000, help="in-process calls per timing")
    parser.add_argument("--rounds", type=int, default=2, help="A/B rounds, interleaved")
    bench_arguments(parser)
    args = parser.parse_args()

    env = open_database(DB_NAME, reuse=args.reuse)
    try:
        objects = setup_objects(reuse=args.reuse)
        if not args.reuse:
            section(f"seeding {args.items:,} triaged items")
            print(f"seeded in {seed(args.items, objects['project_id']):.1f} s")

        section(f"triage inside item_create, {args.calls:,} calls each (microseconds)")
        print_table(
            inline_costs(objects["project_id"], args.calls),
            headers=["what", "CPU µs/call", "wall median µs", "wall p99 µs / note"],
        )

        section(f"HTTP: POST /v1/feedback (gunicorn, 2 sync workers), A/B x {args.rounds}")
        auth = {"Authorization": f"Bearer {objects['key']}"}
        run = {"duration": args.duration, "connections": args.connections, "threads": args.threads}
        post = lua_post_script(bodies(objects["project_id"]), headers=auth)
        rows = []
        for round_ in range(1, args.rounds + 1):
            for app, label in (
                ("config.wsgi:application", "triage inline"),
                ("bench.fluister_stub_wsgi:application", "triage stubbed"),
            ):
                with Server(env=env, workers=2, app=app) as server:
                    first = bodies(objects["project_id"])[0]
                    status, body = http_json(
                        "POST", server.url("/v1/feedback"), body=first, headers=auth
                    )
                    if status != 201:
                        raise SystemExit(f"sanity check failed: {status} {body}")
                    rows.append(
                        wrk(server.url("/v1/feedback"), lua=post, **run).row(
                            f"POST /v1/feedback, {label}", f"round {round_}"
                        )
                    )
                    if round_ == 1 and app.startswith("config"):
                        floor = lua_post_script(bodies("0" * 32), headers=auth)
                        rows.append(
                            wrk(server.url("/v1/feedback"), lua=floor, **run).row(
                                "same, unknown projectId (404)", "floor: no insert, no triage"
                            )
                        )
        print_table(rows)
        print(f"\ncpus: {os.cpu_count()}  load: {os.getloadavg()[0]:.1f}")
    finally:
        close_database(DB_NAME, keep=args.keep)


if __name__ == "__main__":
    main()
