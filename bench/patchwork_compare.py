"""Optional: agent-report ingest side by side with PatchworkMCP (the peer: FastAPI + SQLite).

    .venv/bin/python -m bench.patchwork_compare /path/to/patchworkmcp \\
        --peer-python /path/to/venv-with-fastapi/bin/python        # ~3 minutes

This script fetches nothing and ships none of the peer's code: it runs the checkout you
give it (``server.py`` with ``app``; ``fastapi``, ``uvicorn`` and ``httpx`` installed in
``--peer-python``, default this interpreter) from that folder, on a SQLite file in a
temporary folder, under ``uvicorn --workers 2``, as its README runs it. The peer's
``POST /api/feedback`` validates a pydantic body and INSERTs one row: no per-project key
lookup, no rate limit.

Backtalk's ``POST /v1/reports`` (ingest key lookup, rate limit, validation, one INSERT) runs
under gunicorn with 2 sync workers on each ``--stacks``:
- ``pg``: PostgreSQL (BENCH_PG_URL, database ``backtalk_bench_patchwork``) + Redis
  (BENCH_REDIS_URL), rate limits raised;
- ``sqlite``: the embedded default, a SQLite file and the database cache, rate limits raised.

Each round runs the peer and Backtalk alternately with the same wrk settings and a
comparable JSON body; prints req/s per round and the medians. Numbers, never assertions.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

if __package__ in {None, ""}:
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import common as bc
from bench import widget_submit as ws

DB_NAME = "backtalk_bench_patchwork"
DETAILS = (
    "Needed to filter search results by date, tried search_index with a from field; the "
    "tool has no date parameter so I fetched every page and filtered locally."
)
PEER_BODY = {
    "server_name": "search-mcp",
    "what_i_needed": "Filter search results by date",
    "what_i_tried": DETAILS,
    "gap_type": "missing_tool",
    "suggestion": "Add from/to parameters to search_index",
    "agent_model": "bench",
}


class PeerServer(bc.Server):
    """The peer under uvicorn (2 workers), ready when ``GET /api/feedback`` answers."""

    def __init__(self, checkout: Path, python: str, db_path: Path) -> None:
        super().__init__(env={**os.environ, "FEEDBACK_DB_PATH": str(db_path)}, root=checkout)
        self.python = python

    def __enter__(self) -> PeerServer:
        self.proc = subprocess.Popen(
            [self.python, "-m", "uvicorn", "server:app", "--workers", "2", "--host",
             "127.0.0.1", "--port", str(self.port), "--log-level", "warning"],
            cwd=self.root, env=self.env, stdout=self.log, stderr=subprocess.STDOUT,
            start_new_session=True,
        )  # fmt: skip
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(self.url("/api/feedback"), timeout=2) as response:  # noqa: S310
                    if response.status == 200:
                        return self
            except (urllib.error.URLError, OSError):
                time.sleep(0.2)
        self.__exit__(None, None, None)
        raise SystemExit(f"the peer did not start:\n{self.tail_log()}")


def backtalk_env(stack: str, scratch: Path) -> dict[str, str]:
    if stack == "pg":
        env = bc.bench_env(bc.recreate_database(DB_NAME))
    else:
        env = bc.bench_env(f"sqlite:///{scratch / 'backtalk.sqlite3'}")
        env.pop("REDIS_URL", None)  # the embedded default: the database cache
    bc.manage("migrate", "--noinput", "-v0", env=env)
    return env


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("peer", type=Path, help="a PatchworkMCP checkout (holds server.py)")
    parser.add_argument("--peer-python", default=sys.executable)
    parser.add_argument("--stacks", default="pg,sqlite")
    parser.add_argument("--rounds", type=int, default=2)
    bc.bench_arguments(parser, connections=16)
    args = parser.parse_args()
    if not (args.peer / "server.py").is_file():
        raise SystemExit(f"no server.py in {args.peer}")
    results: dict[str, list[float]] = {}
    print(f"load average before (1/5/15 min): {bc.load_average()}")
    with tempfile.TemporaryDirectory(prefix="bench-patchwork-") as scratch_dir:
        scratch = Path(scratch_dir)
        with PeerServer(args.peer, args.peer_python, scratch / "feedback.db") as peer:
            status, body = bc.http_json("POST", peer.url("/api/feedback"), body=PEER_BODY)
            if status != 201:
                raise SystemExit(f"peer sanity POST failed: {status} {body}")
            for stack in args.stacks.split(","):
                env = backtalk_env(stack, scratch)
                boot = json.loads(bc.manage("bootstrap", "--email", f"pw-{stack}@example.com",
                                            "--password", "bench-password-1", "--json",
                                            env=env))  # fmt: skip
                report = {"ingest_key": boot["ingest_key"], "outcome": "failure",
                          "tool_name": "search_index", "source": "search-mcp",
                          "details": DETAILS}  # fmt: skip
                with bc.Server(env=env, workers=2) as backtalk:
                    status, body = bc.http_json("POST", backtalk.url("/v1/reports"), body=report)
                    if status != 200:
                        raise SystemExit(f"backtalk sanity POST failed: {status} {body}")
                    sides = [
                        (f"PatchworkMCP (uvicorn 2 workers, SQLite) [{stack} round]",
                         peer.url("/api/feedback"), PEER_BODY),
                        (f"Backtalk POST /v1/reports ({stack})",
                         backtalk.url("/v1/reports"), report),
                    ]  # fmt: skip
                    for n in range(args.rounds):
                        for label, url, payload in sides if n % 2 == 0 else sides[::-1]:
                            result = ws.run_side(f"round {n + 1} {label}", url, [payload],
                                                 {}, args)  # fmt: skip
                            results.setdefault(label, []).append(result.rps)
                if stack == "pg":
                    bc.drop_database(DB_NAME)
    bc.section("summary (median req/s of rounds)")
    bc.print_table(
        [[label, f"{statistics.median(v):,.0f}", ", ".join(f"{x:,.0f}" for x in v)]
         for label, v in results.items()],
        ["server", "req/s", "rounds"],
    )  # fmt: skip
    print(f"load average after (1/5/15 min): {bc.load_average()}")


if __name__ == "__main__":
    main()
