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
from collections.abc import Iterable, Mapping, Sequence
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
    rate limits out of the way (a benchmark must not measure 429s), quiet logs."""
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
        RATE_WRITEBACK_INGEST_PER_KEY=UNLIMITED_RATE,
        RATE_WRITEBACK_READ_PER_KEY=UNLIMITED_RATE,
        RATE_GREATFEEDBACK_PER_TOKEN=UNLIMITED_RATE,
        RATE_GREATFEEDBACK_PER_IP=UNLIMITED_RATE,
        RATE_MINOLITH_PER_KEY=UNLIMITED_RATE,
        RATE_MINOLITH_PUBLIC_PER_IP=UNLIMITED_RATE,
        RATE_FLUISTER_PER_KEY=UNLIMITED_RATE,
    )
    env.update(extra)
    return env


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
    ) -> None:
        self.env = dict(env)
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
            cwd=ROOT,
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
