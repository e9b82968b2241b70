"""MCP benchmark: the MCP endpoints beside the REST calls they mirror, under gunicorn.

    .venv/bin/python -m bench.mcp

What it does (numbers, never assertions):
1. (re)creates the database ``backtalk_bench_mcp`` and runs ``manage.py migrate``;
2. creates the owner, projects and an mlth_ key through the services and seeds ``--items``
   (100,000) feedback items exactly as bench/minolith.py does (90% in the measured project);
3. starts gunicorn (2 sync workers, DB_CONN_MAX_AGE=60, Redis, rate limits raised) and
   measures with ``wrk --latency`` on loopback:
   - ``POST /v1/reports`` (Writeback ingest), the REST figure the MCP routes must not drag
     down (they add two URL patterns and nothing to the REST request path);
   - ``GET /v1/feedback/items?status=open&type=bug&limit=20`` (REST) and the MCP
     ``tools/call list_feedback`` with the same filters, so the MCP overhead (JSON-RPC
     parsing, the untrusted-content boundary around every body, the JSON text copy of the
     structured result) reads as a ratio;
   - ``tools/list`` on both servers (authentication + transport, no database work beyond
     the key or token lookup).

Needs PostgreSQL (BENCH_PG_URL), Redis (BENCH_REDIS_URL) and wrk; helpers in bench/common.py.
``--keep`` leaves the database for a rerun with ``--reuse``.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

if __package__ in {None, ""}:  # `python bench/mcp.py` as well as `python -m bench.mcp`
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import common as bc
from bench import minolith

DB_NAME = "backtalk_bench_mcp"
VERSION = "2025-06-18"  # the 1.x SDK's revision; 2026-07-28 costs the same per request


def rpc(method: str, params: dict[str, Any] | None = None) -> dict[str, Any]:
    return {"jsonrpc": "2.0", "id": 1, "method": method, "params": params or {}}


def measure(args: argparse.Namespace, env: dict[str, str], objects: dict[str, Any]) -> str:
    from projects.models import Project

    project = Project.objects.get(pk=objects["main"])
    auth = {"Authorization": f"Bearer {objects['key']}"}
    mcp_headers = {**auth, "MCP-Protocol-Version": VERSION, "X-Minolith-Agent": "bench"}
    list_call = rpc(
        "tools/call",
        {"name": "list_feedback", "arguments": {"status": "open", "type": "bug", "limit": 20}},
    )
    reports = [
        {
            "ingest_key": project.ingest_key,
            "outcome": outcome,
            "tool_name": f"tool_{i % 10}",
            "source": "bench",
            "details": f"Benchmark report {i}: the agent called the tool and it answered.",
        }
        for i, outcome in enumerate(["success", "failure", "confusing", "gave_up", "request"] * 4)
    ]
    rows = []
    with bc.Server(env=env, workers=2) as server:
        # Sanity: the exact requests wrk will send answer 200 with a result (no run
        # measures errors).
        status, body = bc.http_json("POST", server.url("/mcp"), body=list_call, headers=mcp_headers)
        if status != 200 or body["result"]["isError"]:
            raise SystemExit(f"MCP sanity request failed: {status} {body}")
        listed = len(body["result"]["structuredContent"]["data"])
        status, body = bc.http_json(
            "GET", server.url("/v1/feedback/items?status=open&type=bug&limit=20"), headers=auth
        )
        if status != 200 or len(body["data"]) != listed:
            raise SystemExit(f"REST sanity request failed: {status} {body}")
        status, body = bc.http_json("POST", server.url("/v1/reports"), body=reports[0])
        if status != 200:
            raise SystemExit(f"ingest sanity request failed: {status} {body}")

        run = {"duration": args.duration, "connections": args.connections, "threads": args.threads}
        result = bc.wrk(server.url("/v1/reports"), lua=bc.lua_post_script(reports), **run)
        rows.append(result.row("POST /v1/reports (ingest)", f"p90 {result.p90_ms:.1f} ms"))
        rest = bc.wrk(
            server.url("/v1/feedback/items?status=open&type=bug&limit=20"), headers=auth, **run
        )
        rows.append(rest.row("GET /v1/feedback/items status=open&type=bug limit=20 (REST)"))
        mcp = bc.wrk(
            server.url("/mcp"), lua=bc.lua_post_script([list_call], headers=mcp_headers), **run
        )
        rows.append(
            mcp.row(
                "POST /mcp tools/call list_feedback, same filters",
                f"{mcp.rps / rest.rps:.2f} of REST",
            )
        )
        result = bc.wrk(
            server.url("/mcp"),
            lua=bc.lua_post_script([rpc("tools/list")], headers=mcp_headers),
            **run,
        )
        rows.append(result.row("POST /mcp tools/list (Minolith)"))
        result = bc.wrk(
            server.url(f"/mcp/{project.mcp_token}"),
            lua=bc.lua_post_script([rpc("tools/list")], headers={"MCP-Protocol-Version": VERSION}),
            **run,
        )
        rows.append(result.row("POST /mcp/<mcp_token> tools/list (greatfeedback)"))
    return bc.print_wrk_table(args, rows)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--items", type=int, default=100_000)
    bc.bench_arguments(parser)
    args = parser.parse_args()

    print(f"load average before (1/5/15 min): {bc.load_average()}")
    with bc.Stopwatch() as total:
        env = bc.open_database(DB_NAME, reuse=args.reuse)
        objects = minolith.setup_objects(reuse=args.reuse)
        if not args.reuse:
            bc.section(f"seeding {args.items:,} items")
            timings = minolith.seed(args.items, objects)
            print(f"seeded in {sum(timings.values()):.1f} s")
        measure(args, env, objects)
    print(f"\nwhole run: {total.seconds / 60:.1f} min")
    bc.close_database(DB_NAME, keep=args.keep)


if __name__ == "__main__":
    main()
