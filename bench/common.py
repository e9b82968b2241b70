"""Helpers shared by the benchmarks in bench/: a PostgreSQL database of their own, gunicorn
on a free loopback port, wrk runs parsed into numbers, and one printed table.

Benchmarks print figures; nothing here asserts on timing. Every benchmark:

    with Server(env=bench_env(database_url)) as server:
        result = wrk(server.url("/v1/projects"), headers={"Authorization": "Bearer ..."})
    print_table([result.row("GET /v1/projects")])

Environment: BENCH_PG_URL (an admin connection, default postgres://postgres@127.0.0.1:5432/
postgres) and BENCH_REDIS_URL (default redis://127.0.0.1:6379/0).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import secrets
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterable, Mapping, Sequence
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlparse, urlunparse

ROOT = Path(__file__).resolve().parent.parent
PYTHON = str(ROOT / ".venv" / "bin" / "python") if (ROOT / ".venv").exists() else sys.executable
GUNICORN = str(Path(PYTHON).with_name("gunicorn"))
PG_ADMIN_URL = os.environ.get("BENCH_PG_URL", "postgres://postgres@127.0.0.1:5432/postgres")
REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/0")
UNLIMITED_RATE = "1000000000/60s"
RATE_SETTINGS = (
    "RATE_WRITEBACK_INGEST_PER_KEY",
    "RATE_WRITEBACK_READ_PER_KEY",
    "RATE_GREATFEEDBACK_PER_TOKEN",
    "RATE_GREATFEEDBACK_PER_IP",
    "RATE_GREATFEEDBACK_WIDGET_PER_IP",
    "RATE_MINOLITH_PER_KEY",
    "RATE_MINOLITH_PUBLIC_PER_IP",
    "RATE_FLUISTER_PER_KEY",
)


# --- PostgreSQL ----------------------------------------------------------------------------
def database_url(name: str) -> str:
    """The admin URL pointed at database ``name``."""
    parts = urlparse(PG_ADMIN_URL)
    return urlunparse(parts._replace(path=f"/{name}"))


def _check_name(name: str) -> str:
    if not re.fullmatch(r"[a-z_][a-z0-9_]{0,62}", name):
        raise ValueError(f"unsafe database name {name!r}")
    return name


def recreate_database(name: str) -> str:
    """Drop (closing its connections) and create database ``name``; returns its URL."""
    import psycopg

    _check_name(name)
    with psycopg.connect(PG_ADMIN_URL, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
    return database_url(name)


def drop_database(name: str) -> None:
    import psycopg

    _check_name(name)
    with psycopg.connect(PG_ADMIN_URL, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def bench_env(db_url: str, **extra: str) -> dict[str, str]:
    """Environment for manage.py and gunicorn: PostgreSQL, Redis, persistent connections,
    rate limits out of the way (a benchmark must not measure 429s), no in-process task
    worker, quiet logs."""
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DATABASE_", "REDIS_", "RATE_", "DJANGO_SETTINGS"))
    }
    env.update(
        DATABASE_URL=db_url,
        REDIS_URL=REDIS_URL,
        CACHE_KEY_PREFIX=f"bench-{secrets.token_hex(4)}",
        DB_CONN_MAX_AGE="60",
        DJANGO_DEBUG="false",
        LOG_LEVEL="WARNING",
        DJANGO_SETTINGS_MODULE="config.settings",
        # No task-queue poller inside the measured workers (figures stay comparable with
        # the runs from before the in-process worker existed).
        TASKS_IN_PROCESS_WORKER="false",
    )
    env.update(dict.fromkeys(RATE_SETTINGS, UNLIMITED_RATE))
    env.update(extra)
    return env


def open_database(name: str, *, reuse: bool, **extra: str) -> dict[str, str]:
    """Database ``name`` (recreated unless ``reuse``), migrated, with Django set up on it in
    this process; returns the environment for gunicorn. The built-in triage engine only:
    no LLM settings, so nothing leaves this machine."""
    if reuse:
        url = database_url(name)
    else:
        section(f"database {name}")
        url = recreate_database(name)
    env = bench_env(url, **extra)
    for setting in ("LLM_BASE_URL", "LLM_MODEL", "LLM_API_KEY"):
        env.pop(setting, None)
    with Stopwatch() as migrate:
        manage("migrate", "--noinput", "-v0", env=env)
    print(f"migrate: {migrate.seconds:.1f} s")
    django_setup(env)
    return env


def close_database(name: str, *, keep: bool) -> None:
    """Drop the benchmark's database unless ``keep`` (for a rerun with ``--reuse``)."""
    if keep:
        return
    from django.db import connections

    connections.close_all()
    drop_database(name)


def bench_arguments(parser: argparse.ArgumentParser, *, connections: int = 8) -> None:
    """The options every benchmark takes: wrk's load and the database's lifetime."""
    parser.add_argument("--duration", type=int, default=10, help="seconds per wrk run")
    parser.add_argument("--connections", type=int, default=connections)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    parser.add_argument("--reuse", action="store_true", help="reuse a kept database")


# --- objects, through the real services ------------------------------------------------------
BENCH_EMAIL = "bench@example.com"


def bench_owner(*, reuse: bool) -> tuple[Any, Any]:
    """``(workspace, actor)`` of the benchmark's owner: created, or a kept database's."""
    from accounts import services as account_services
    from accounts.audit import Actor
    from accounts.models import User, Workspace

    if reuse:
        owner = User.objects.get(email=BENCH_EMAIL)
        return Workspace.objects.get(memberships__user=owner), Actor.for_user(owner)
    owner = account_services.user_create(email=BENCH_EMAIL, password="bench-password-1")
    actor = Actor.for_user(owner)
    return account_services.workspace_create(owner=owner, name="Bench", actor=actor), actor


def mint_key(*, workspace: Any, actor: Any, family: str, project: Any = None) -> str:
    """A fresh key of ``family`` (keys are shown only once, so a rerun mints another)."""
    from accounts import services as account_services

    _, raw = account_services.api_token_mint(
        workspace=workspace, family=family, name="bench", role="MEMBER", actor=actor,
        project=project,
    )  # fmt: skip
    return raw


# --- bulk loads and plans ----------------------------------------------------------------------
def bulk_load(tables: Sequence[str], load: Callable[[Any], None]) -> dict[str, float]:
    """Run ``load(cursor)`` with the tables' secondary indexes dropped, then rebuild them
    from their own definitions and VACUUM ANALYZE; seconds per phase."""
    from django.db import connection

    timings: dict[str, float] = {}
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = ANY(%s) "
            "AND indexname NOT LIKE '%%_pkey'",
            [list(tables)],
        )
        indexes = cursor.fetchall()
        for name, _ in indexes:
            # Unique indexes back constraints: drop the constraint, the definition recreates
            # the index and the constraint is re-attached below.
            cursor.execute(
                "SELECT conrelid::regclass::text FROM pg_constraint WHERE conname = %s", [name]
            )
            owner = cursor.fetchone()
            if owner:
                cursor.execute(f'ALTER TABLE {owner[0]} DROP CONSTRAINT "{name}"')
            else:
                cursor.execute(f'DROP INDEX "{name}"')
        cursor.execute("SET maintenance_work_mem = '512MB'")
        with Stopwatch() as insert:
            load(cursor)
        timings["insert"] = insert.seconds
        with Stopwatch() as build:
            for name, definition in indexes:
                cursor.execute(definition)
                if definition.startswith("CREATE UNIQUE INDEX"):
                    table = re.search(r" ON (?:public\.)?(\w+) ", definition)[1]  # type: ignore[index]  # no match: fail loudly
                    cursor.execute(
                        f'ALTER TABLE {table} ADD CONSTRAINT "{name}" UNIQUE USING INDEX "{name}"'
                    )
        timings["indexes"] = build.seconds
        with Stopwatch() as vacuum:
            for table in tables:
                cursor.execute(f"VACUUM (ANALYZE) {table}")
        timings["vacuum_analyze"] = vacuum.seconds
    timings["indexes_rebuilt"] = len(indexes)
    return timings


def print_plan(
    label: str, sql: str, *, settings: AbstractContextManager[Any] | None = None
) -> None:
    """EXPLAIN (ANALYZE, BUFFERS) of ``sql`` and the indexes its plan uses."""
    from django.db import connection

    with settings or nullcontext(), connection.cursor() as cursor:
        cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql)
        plan = [row[0] for row in cursor.fetchall()]
    used = sorted(
        set(
            re.findall(
                r"(Index Only Scan|Index Scan|Bitmap Index Scan)(?: Backward)? (?:using|on) (\w+)",
                "\n".join(plan),
            )
        )
    )
    section(f"EXPLAIN {label}")
    print(sql)
    print("\n".join(plan))
    print("-> indexes used:", ", ".join(f"{name} ({how})" for how, name in used) or "NONE")


def manage(*args: str, env: Mapping[str, str]) -> str:
    """Run ``manage.py <args>`` with ``env``; its stdout, or SystemExit with its output."""
    proc = subprocess.run(
        [PYTHON, "manage.py", *args],
        cwd=ROOT,
        env=dict(env),
        capture_output=True,
        text=True,
        check=False,
    )
    if proc.returncode != 0:
        raise SystemExit(f"manage.py {' '.join(args)} failed:\n{proc.stdout}\n{proc.stderr}")
    return proc.stdout


def django_setup(env: Mapping[str, str]) -> None:
    """Configure Django in this process against the benchmark's database (for seeding
    through the services and for EXPLAIN); call once, before importing models."""
    os.environ.update(env)
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


# --- gunicorn ------------------------------------------------------------------------------
def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class Server:
    """gunicorn (sync workers, WSGI as DESIGN.md requires) on a free loopback port.

    Used as a context manager: starts, waits for ``/healthz`` to answer 200, and stops the
    whole process group on exit.
    """

    def __init__(
        self,
        *,
        env: Mapping[str, str],
        workers: int = 2,
        app: str = "config.wsgi:application",
        timeout: float = 30.0,
        root: Path = ROOT,
    ) -> None:
        self.env = dict(env)
        self.root = root
        self.workers = workers
        self.app = app
        self.timeout = timeout
        self.port = free_port()
        self.proc: subprocess.Popen[bytes] | None = None
        self.log = tempfile.NamedTemporaryFile(prefix="bench-gunicorn-", suffix=".log")  # noqa: SIM115

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def __enter__(self) -> Server:
        self.proc = subprocess.Popen(
            [
                GUNICORN,
                self.app,
                "--workers",
                str(self.workers),
                "--worker-class",
                "sync",
                "--bind",
                f"127.0.0.1:{self.port}",
                "--log-level",
                "warning",
            ],
            cwd=self.root,
            env=self.env,
            stdout=self.log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        self.wait_healthy()
        return self

    def wait_healthy(self) -> None:
        deadline = time.monotonic() + self.timeout
        last_error: object = None
        while time.monotonic() < deadline:
            if self.proc is not None and self.proc.poll() is not None:
                break
            try:
                with urllib.request.urlopen(self.url("/healthz"), timeout=2) as response:  # noqa: S310
                    if response.status == 200:
                        return
            except (urllib.error.URLError, OSError) as exc:
                last_error = exc
            time.sleep(0.2)
        self.__exit__(None, None, None)
        self.log.seek(0)
        raise SystemExit(
            f"gunicorn did not become healthy ({last_error}):\n{self.log.read().decode()[-4000:]}"
        )

    def __exit__(self, *exc: object) -> None:
        if self.proc is None or self.proc.poll() is not None:
            return
        try:
            os.killpg(self.proc.pid, signal.SIGTERM)
            self.proc.wait(timeout=15)
        except (ProcessLookupError, subprocess.TimeoutExpired):
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait(timeout=5)

    def tail_log(self, chars: int = 2000) -> str:
        self.log.flush()
        self.log.seek(0)
        return self.log.read().decode(errors="replace")[-chars:]


def http_json(
    method: str, url: str, *, body: Any = None, headers: Mapping[str, str] | None = None
) -> tuple[int, Any]:
    """One request (sanity checks before a run): ``(status, decoded JSON body)``."""
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(url, data=data, method=method, headers=dict(headers or {}))  # noqa: S310
    if data is not None:
        request.add_header("Content-Type", "application/json")
    try:
        with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
            return response.status, json.loads(response.read() or b"null")
    except urllib.error.HTTPError as exc:
        return exc.code, json.loads(exc.read() or b"null")


# --- wrk -----------------------------------------------------------------------------------
@dataclass(frozen=True)
class WrkResult:
    requests: int
    seconds: float
    rps: float
    p50_ms: float
    p90_ms: float
    p99_ms: float
    non_2xx: int
    socket_errors: int

    def row(self, label: str, note: str = "") -> list[str]:
        return [
            label,
            f"{self.rps:,.0f}",
            f"{self.p50_ms:.1f}",
            f"{self.p99_ms:.1f}",
            f"{self.requests:,}",
            str(self.non_2xx + self.socket_errors),
            note,
        ]


TABLE_HEADERS = ["scenario", "req/s", "p50 ms", "p99 ms", "requests", "errors", "note"]
_UNITS_MS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0}


def _ms(text: str) -> float:
    match = re.fullmatch(r"([\d.]+)(us|ms|s|m)", text.strip())
    if not match:
        raise ValueError(f"unreadable wrk duration {text!r}")
    return float(match[1]) * _UNITS_MS[match[2]]


def parse_wrk(output: str) -> WrkResult:
    """Requests/sec, the --latency percentiles, non-2xx responses and socket errors."""
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", output)[1])  # type: ignore[index]  # no match: fail loudly
    total = re.search(r"(\d+) requests in ([\d.]+\w+)", output)
    percentiles = dict(re.findall(r"^\s+(50|75|90|99)%\s+(\S+)", output, flags=re.M))
    non_2xx = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", output)
    errors = re.search(
        r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output
    )
    return WrkResult(
        requests=int(total[1]) if total else 0,
        seconds=_ms(total[2]) / 1000 if total else 0.0,
        rps=rps,
        p50_ms=_ms(percentiles["50"]),
        p90_ms=_ms(percentiles["90"]),
        p99_ms=_ms(percentiles["99"]),
        non_2xx=int(non_2xx[1]) if non_2xx else 0,
        socket_errors=sum(int(n) for n in errors.groups()) if errors else 0,
    )


def lua_post_script(bodies: Sequence[Any], *, headers: Mapping[str, str] | None = None) -> str:
    """A wrk Lua script that POSTs ``bodies`` (JSON-encoded) in turn, one per request."""
    lines = ['wrk.method = "POST"', 'wrk.headers["Content-Type"] = "application/json"']
    for name, value in (headers or {}).items():
        lines.append(f"wrk.headers[{json.dumps(name)}] = {json.dumps(value)}")
    lines.append("local bodies = {")
    for body in bodies:
        text = json.dumps(body)
        if "]==]" in text:
            raise ValueError("body holds the Lua long-bracket terminator")
        lines.append(f"  [==[{text}]==],")
    lines.append("}")
    lines.append("local i = 0")
    lines.append("request = function()")
    lines.append("  i = i % #bodies + 1")
    lines.append("  return wrk.format(nil, nil, nil, bodies[i])")
    lines.append("end")
    return "\n".join(lines) + "\n"


def wrk(
    url: str,
    *,
    duration: int = 10,
    connections: int = 8,
    threads: int = 2,
    headers: Mapping[str, str] | None = None,
    lua: str | None = None,
    warmup: int = 2,
) -> WrkResult:
    """Run wrk ``--latency`` against ``url`` (after a short warm-up run) and parse it."""
    script_path = None
    args = ["wrk", f"-t{threads}", f"-c{connections}", "--latency"]
    for name, value in (headers or {}).items():
        args += ["-H", f"{name}: {value}"]
    try:
        if lua is not None:
            with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as handle:
                handle.write(lua)
                script_path = handle.name
            args += ["-s", script_path]
        if warmup:
            subprocess.run([*args, f"-d{warmup}s", url], capture_output=True, check=True)
        proc = subprocess.run(
            [*args, f"-d{duration}s", url], capture_output=True, text=True, check=True
        )
    finally:
        if script_path:
            Path(script_path).unlink(missing_ok=True)
    return parse_wrk(proc.stdout)


# --- output --------------------------------------------------------------------------------
def print_table(rows: Iterable[Sequence[str]], headers: Sequence[str] = TABLE_HEADERS) -> str:
    """Print (and return) a Markdown table, ready to paste into docs."""
    rows = [list(r) for r in rows]
    widths = [max(len(str(c)) for c in col) for col in zip(headers, *rows, strict=False)]

    def line(cells: Sequence[str]) -> str:
        padded = [
            str(c).rjust(w) if i and re.fullmatch(r"[\d,.]+", str(c)) else str(c).ljust(w)
            for i, (c, w) in enumerate(zip(cells, widths, strict=False))
        ]
        return "| " + " | ".join(padded) + " |"

    text = "\n".join(
        [line(headers), "|" + "|".join("-" * (w + 2) for w in widths) + "|", *map(line, rows)]
    )
    print(text, flush=True)
    return text


def section(title: str) -> None:
    print(f"\n== {title} " + "=" * max(0, 86 - len(title)), flush=True)


class Stopwatch:
    def __enter__(self) -> Stopwatch:
        self.start = time.perf_counter()
        return self

    def __exit__(self, *exc: object) -> None:
        self.seconds = time.perf_counter() - self.start


def load_average() -> str:
    """Other work on the machine skews every figure; the run prints how busy it was."""
    return " ".join(f"{v:.2f}" for v in os.getloadavg()) + f" on {os.cpu_count()} CPUs"


def print_wrk_table(args: argparse.Namespace, rows: Iterable[Sequence[str]], note: str = "") -> str:
    """The benchmark's results under a heading with wrk's load, and the machine's load."""
    section(
        f"wrk -t{args.threads} -c{args.connections} -d{args.duration}s --latency, "
        f"gunicorn 2 sync workers, PostgreSQL + Redis, loopback{note}"
    )
    table = print_table(rows)
    print(f"load average after the runs (1/5/15 min): {load_average()}")
    return table
