"""Token lookup benchmark: two versions of accounts/tokens.py, the hand-built SQL and the
ORM query, on ``POST /v1/feedback`` (Fluister) under gunicorn (docs/performance.md).

    .venv/bin/python -m bench.token_lookup --handbuilt 1bdcc68 --orm c658113

What it does (numbers, never assertions):
1. (re)creates the database ``backtalk_bench_tokens``, migrates, creates a project with an
   mlth_ key and seeds ``--items`` triaged items (bench/fluister.py's setup);
2. copies the working tree twice under a temporary folder, with ``accounts/tokens.py`` from
   ``--handbuilt`` in A and from ``--orm`` in B (default: the working tree's), so the two
   servers differ in that one file;
3. in this process: CPU microseconds per lookup of each version (``_fetch_token``);
4. starts both under gunicorn (2 sync workers, Redis, rate limits raised) and drives them
   with the shared harness (``--harness``, default ``../shared/bench``: its wrk shape, its
   wait for a quiet machine and its per-run CPU split), in ``--rounds`` rounds in the order
   A B, B A, ... so drift cancels: ``POST /v1/feedback`` (201, the figure that decides),
   then the same with an unknown ``projectId`` (404 before any insert: mostly authentication);
5. prints every run and, per shape, the median req/s of each side with its range and B/A.
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from types import ModuleType
from typing import Any

if __package__ in {None, ""}:  # `python bench/token_lookup.py` as well as `-m bench.token_lookup`
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import (
    ROOT,
    Server,
    bench_arguments,
    close_database,
    load_average,
    open_database,
    print_table,
    section,
)
from bench.fluister import bodies, seed, setup_objects

DB_NAME = "backtalk_bench_tokens"
SIDES = ("A hand-built", "B ORM")


def load_module(name: str, path: Path) -> ModuleType:
    spec = importlib.util.spec_from_file_location(name, path)
    if spec is None or spec.loader is None:
        raise SystemExit(f"cannot load {path}")
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


def copy_tree(target: Path) -> Path:
    """The files git tracks or would track, as they are in the working tree."""
    listed = subprocess.run(
        ["git", "ls-files", "-co", "--exclude-standard", "-z"],
        cwd=ROOT,
        capture_output=True,
        check=True,
    ).stdout.decode()
    for name in filter(None, listed.split("\0")):
        source = ROOT / name
        if source.is_file():
            (target / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target / name)
    return target


def tokens_at(revision: str) -> bytes:
    return subprocess.run(
        ["git", "show", f"{revision}:accounts/tokens.py"],
        cwd=ROOT,
        capture_output=True,
        check=True,
    ).stdout


def build_trees(scratch: Path, handbuilt: str, orm: str | None) -> tuple[Path, Path]:
    trees = (copy_tree(scratch / "a"), copy_tree(scratch / "b"))
    for tree, revision in zip(trees, (handbuilt, orm), strict=True):
        if revision:
            (tree / "accounts" / "tokens.py").write_bytes(tokens_at(revision))
    return trees


def lookup_cpu_us(trees: tuple[Path, Path], key: str, calls: int) -> list[list[str]]:
    """CPU microseconds of this process per ``_fetch_token`` call, each version in turn."""
    from accounts.models import TokenFamily
    from config.ids import secret_digest

    digest = secret_digest(key)
    modules = [
        load_module(f"bench_tokens_{i}", tree / "accounts" / "tokens.py")
        for i, tree in enumerate(trees)
    ]
    samples: list[list[float]] = [[], []]
    for _ in range(5):  # interleaved, like the HTTP rounds
        for module, out in zip(modules, samples, strict=True):
            for _ in range(20):
                module._fetch_token(digest, TokenFamily.MINOLITH)
            start = time.process_time()
            for _ in range(calls):
                module._fetch_token(digest, TokenFamily.MINOLITH)
            out.append((time.process_time() - start) * 1e6 / calls)
    return [
        [side, f"{statistics.median(s):,.0f}", f"{min(s):,.0f}-{max(s):,.0f}"]
        for side, s in zip(SIDES, samples, strict=True)
    ]


def server_ms(run: dict[str, Any]) -> float:
    """gunicorn's CPU milliseconds per request: unlike req/s, barely moved by other work
    on the machine, which takes turns on the cores but not CPU time from each request."""
    return float(run["cpu_server"]) / 100 * run["duration_us"] / 1000 / run["requests"]


def summary(rows: list[dict[str, Any]]) -> list[list[str]]:
    """Per shape and side: median (min-max) of the clean runs (all runs when none is)."""
    table = []
    for shape in dict.fromkeys(r["shape"] for r in rows):
        rps, cpu = [], []
        cells = [shape]
        for side in SIDES:
            runs = [r for r in rows if r["shape"] == shape and r["side"] == side and "rps" in r]
            clean = [r for r in runs if not r["contaminated"]] or runs
            if not clean:
                raise SystemExit(f"{side}: no run of {shape} finished")
            side_rps = [r["rps"] for r in clean]
            side_cpu = [server_ms(r) for r in clean]
            rps.append(statistics.median(side_rps))
            cpu.append(statistics.median(side_cpu))
            cells.append(
                f"{rps[-1]:,.0f} ({min(side_rps):,.0f}-{max(side_rps):,.0f}) req/s,"
                f" {cpu[-1]:.2f} ({min(side_cpu):.2f}-{max(side_cpu):.2f}) CPU ms/req,"
                f" {len(clean)}/{len(runs)} clean"
            )
        cells += [f"{rps[1] / rps[0]:.3f}", f"{cpu[1] / cpu[0]:.3f}"]
        table.append(cells)
    return table


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--handbuilt", required=True, help="revision with the hand-built SQL")
    parser.add_argument("--orm", help="revision with the ORM query (default: working tree)")
    parser.add_argument("--harness", default=os.environ.get("BENCH_HARNESS", ""))
    parser.add_argument("--items", type=int, default=200_000)
    parser.add_argument("--rounds", type=int, default=6)
    parser.add_argument("--calls", type=int, default=2_000, help="in-process lookups per sample")
    parser.add_argument("--quiet", type=float, default=25.0, help="%% of a core: idle enough")
    parser.add_argument("--quiet-wait", type=float, default=60.0)
    parser.add_argument("--max-other", type=float, default=15.0)
    parser.add_argument("--retries", type=int, default=2)
    bench_arguments(parser)
    args = parser.parse_args()
    # A plain kill still stops both servers and drops the database (the finally below).
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    harness = load_module(
        "shared_bench",
        Path(args.harness or ROOT.parent / "shared" / "bench") / "bench.py",
    )
    # The harness's measured_run reads its options from an argparse namespace.
    options = argparse.Namespace(
        duration=args.duration,
        conns=args.connections,
        threads=args.threads,
        quiet=args.quiet,
        quiet_wait=args.quiet_wait,
        max_other=args.max_other,
        retries=args.retries,
    )

    env = open_database(DB_NAME, reuse=args.reuse)
    scratch = Path(tempfile.mkdtemp(prefix="bench-tokens-"))
    try:
        objects = setup_objects(reuse=args.reuse)
        if not args.reuse:
            section(f"seeding {args.items:,} triaged items")
            print(f"seeded in {seed(args.items, objects['project_id']):.1f} s")
        trees = build_trees(scratch, args.handbuilt, args.orm)

        section(f"_fetch_token in this process, 5 x {args.calls:,} calls each")
        print_table(
            lookup_cpu_us(trees, objects["key"], args.calls),
            headers=["version", "CPU µs/lookup (median)", "range"],
        )

        auth = {"Authorization": f"Bearer {objects['key']}"}
        shapes = [
            harness.Shape(
                "POST /v1/feedback", "POST", "/v1/feedback",
                body=bodies(objects["project_id"])[1], headers=auth, expect=(201,),
            ),
            harness.Shape(
                "same, unknown projectId (404)", "POST", "/v1/feedback",
                body={"projectId": "0" * 32, "text": "x"}, headers=auth, expect=(404,),
            ),
        ]  # fmt: skip
        section(f"HTTP (gunicorn, 2 sync workers), {args.rounds} rounds, load {load_average()}")
        rows: list[dict[str, Any]] = []
        with (
            Server(env=env, root=trees[0]) as server_a,
            Server(env=env, root=trees[1]) as server_b,
        ):
            servers = [(SIDES[0], server_a), (SIDES[1], server_b)]
            for shape in shapes:
                for side, server in servers:
                    ok, status, body = harness.preflight(server.url(""), shape)
                    if not ok:
                        raise SystemExit(f"{side}: {shape.name} got {status}: {body[:300]!r}")
                    harness.warm(server.url(""), shape, 50)
                for round_ in range(args.rounds):
                    for side, server in servers if round_ % 2 == 0 else servers[::-1]:
                        pids = [server.proc.pid] if server.proc else []
                        for run in harness.measured_run(server.url(""), shape, options, pids):
                            rows.append(dict(run, side=side, shape=shape.name, round=round_))
                            line = harness.run_line(f"[{round_}] {side} {shape.name}", run)
                            print(line, flush=True)
        print_table(summary(rows), headers=["shape", *SIDES, "B/A req/s", "B/A CPU/req"])
        print(f"\ncpus: {os.cpu_count()}  load: {load_average()}")
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
        close_database(DB_NAME, keep=args.keep)


if __name__ == "__main__":
    main()
