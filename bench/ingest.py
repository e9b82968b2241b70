"""Write shapes against the shared baseline app, side by side in one run (issue 15).

    .venv/bin/python -m bench.ingest --rounds 2              # ~4 minutes, all four shapes
    .venv/bin/python -m bench.ingest --shapes items,public   # a subset

What it does (numbers, never assertions):
1. (re)creates ``backtalk_bench_ingest``, migrates, creates an owner, a workspace and a
   project through the services, and mints an ``mlth_`` key; ``--items`` (20,000) triaged
   items are bulk-loaded into the project so the similar-items COUNT meets realistic data;
2. copies the shared baseline app (``--harness``) to a temporary folder, on a database of
   its own, seeded small (an insert does not read the table);
3. starts both under gunicorn (2 sync workers, PostgreSQL, Redis; the product's rate limits
   raised) and drives each shape with ``wrk --latency`` in ``--rounds`` rounds, alternating
   product and baseline, and prints per shape the median req/s and product / baseline:

   | shape | product | baseline |
   |---|---|---|
   | reports | ``POST /v1/reports`` | ``POST /drf-insert?lookup=db`` |
   | items | ``POST /v1/feedback/items`` (Bearer ``mlth_``) | ``POST /fb-items`` |
   | public | ``POST /v1/feedback/public/<slug>`` | ``POST /fb-public/bench-9`` |
   | fluister | ``POST /v1/feedback`` (Bearer ``mlth_``) | ``POST /fb-items`` |

The bodies are the shared harness's (``../shared/bench/bench.py``). Needs PostgreSQL
(BENCH_PG_URL), Redis (BENCH_REDIS_URL) and wrk.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
from pathlib import Path
from typing import Any

if __package__ in {None, ""}:  # `python bench/ingest.py` as well as `python -m bench.ingest`
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import common as bc
from bench import widget_submit as ws

DB_NAME = "backtalk_bench_ingest"
ws.BASE_DB_NAME = "backtalk_bench_ingest_base"  # not the widget bench's: both may run
REPORT_BODY = {
    "outcome": "confusing",
    "tool_name": "search_index",
    "source": "bench",
    "details": "Parameter name in docs says query but the actual field name is q. "
    "Got a 400 until I guessed correctly.",
}
ITEM_BODY = {
    "body": "When I search for records with more than 10,000 results, the page takes "
    "over 15 seconds to load.",
    "title": "Search results are slow",
    "type": "bug",
    "tags": ["performance", "search"],
    "page_url": "https://app.example.com/search",
    "user_email": "alice@example.com",
    "user_name": "Alice Chen",
    "user_id_external": "usr_12345",
}
PUBLIC_BODY = {k: v for k, v in ITEM_BODY.items() if k != "tags"}
SHAPES = ("reports", "items", "public", "fluister")


def setup_project(items: int) -> dict[str, Any]:
    from accounts.models import TokenFamily
    from bench import minolith
    from projects.services import project_create

    workspace, actor = bc.bench_owner(reuse=False)
    project = project_create(workspace=workspace, name="Bench ingest", actor=actor)
    other = project_create(workspace=workspace, name="Bench other", actor=actor)
    key = bc.mint_key(
        workspace=workspace, actor=actor, family=TokenFamily.MINOLITH, project=project
    )
    if items:
        minolith.seed(items, {"main": project.pk, "others": [other.pk]})
    return {
        "project_id": project.pk,
        "slug": project.slug,
        "ingest_key": project.ingest_key,
        "mlth_key": key,
    }


def pairs(objects: dict[str, Any]) -> dict[str, tuple[Any, ...]]:
    """shape -> (product path, body, headers, baseline path, body, headers)."""
    auth = {"Authorization": f"Bearer {objects['mlth_key']}"}
    base_auth = {"Authorization": "Bearer mlth_bench_9"}
    fluister = {
        "projectId": objects["project_id"],
        "text": "I was charged twice for my order and nobody answers the chat.",
        "page": "/checkout",
        "userEmail": "alice@example.com",
    }
    return {
        "reports": (
            "/v1/reports",
            dict(REPORT_BODY, ingest_key=objects["ingest_key"]),
            {},
            "/drf-insert?lookup=db",
            dict(REPORT_BODY, ingest_key="wk_bench_9"),
            {},
        ),
        "items": ("/v1/feedback/items", ITEM_BODY, auth, "/fb-items", ITEM_BODY, base_auth),
        "public": (
            f"/v1/feedback/public/{objects['slug']}",
            PUBLIC_BODY,
            {},
            "/fb-public/bench-9",
            PUBLIC_BODY,
            {},
        ),
        "fluister": ("/v1/feedback", fluister, auth, "/fb-items", ITEM_BODY, base_auth),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--shapes", default=",".join(SHAPES))
    parser.add_argument("--items", type=int, default=20_000, help="seeded triaged items")
    parser.add_argument("--harness", type=Path, default=ws.default_harness())
    bc.bench_arguments(parser, connections=16)
    args = parser.parse_args()
    shapes = [s for s in args.shapes.split(",") if s]
    if unknown := set(shapes) - set(SHAPES):
        raise SystemExit(f"unknown shapes {sorted(unknown)}; choose from {SHAPES}")

    print(f"load average before (1/5/15 min): {bc.load_average()}")
    env = bc.open_database(DB_NAME, reuse=False)
    objects = setup_project(args.items)
    table = pairs(objects)
    results: dict[tuple[str, str], list[bc.WrkResult]] = {}
    with tempfile.TemporaryDirectory(prefix="bench-ingest-") as scratch_dir:
        bc.section("baseline: copy, migrate, seed (small)")
        app, base_env = ws.prepare_baseline(args.harness, Path(scratch_dir))
        with (
            bc.Server(env=env, workers=2) as product,
            ws.BaselineServer(
                env=base_env, workers=2, app="benchsite.wsgi:application", root=app
            ) as baseline,
        ):
            for shape in shapes:
                p_path, p_body, p_headers, b_path, b_body, b_headers = table[shape]
                for server, path, body, headers in (
                    (product, p_path, p_body, p_headers),
                    (baseline, b_path, b_body, b_headers),
                ):
                    status, answer = bc.http_json(
                        "POST", server.url(path), body=body, headers=headers
                    )
                    if status not in (200, 201):
                        raise SystemExit(f"{shape} sanity {path}: {status} {answer}")
            bc.section(
                f"{args.rounds} rounds, wrk -t{args.threads} -c{args.connections} "
                f"-d{args.duration}s"
            )
            for shape in shapes:
                p_path, p_body, p_headers, b_path, b_body, b_headers = table[shape]
                sides = [
                    ("product", product.url(p_path), p_body, p_headers),
                    ("baseline", baseline.url(b_path), b_body, b_headers),
                ]
                for round_no in range(args.rounds):
                    for side, url, body, headers in sides if round_no % 2 == 0 else sides[::-1]:
                        result = ws.run_side(f"{shape} round {round_no + 1} {side}", url,
                                             [body], headers, args)  # fmt: skip
                        results.setdefault((shape, side), []).append(result)
    bc.section("summary (median of rounds)")
    rows = []
    for shape in shapes:
        p = statistics.median(r.rps for r in results[(shape, "product")])
        b = statistics.median(r.rps for r in results[(shape, "baseline")])
        errors = sum(r.non_2xx + r.socket_errors for r in results[(shape, "product")])
        rows.append([shape, f"{p:,.0f}", f"{b:,.0f}", f"{p / b:.2f}", str(errors)])
    bc.print_table(rows, ["shape", "product req/s", "baseline req/s", "ratio", "product errors"])
    print(f"load average after (1/5/15 min): {bc.load_average()}")
    bc.close_database(DB_NAME, keep=args.keep)
    bc.drop_database(ws.BASE_DB_NAME)


if __name__ == "__main__":
    main()
