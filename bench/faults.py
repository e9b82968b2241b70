"""Faults under load (issue 15): restart PostgreSQL, stop Redis, SIGKILL a gunicorn worker
while every write shape is loaded, then check that no acknowledged write was lost.

    .venv/bin/python -m bench.faults            # short mode, about 30 s (CI)
    .venv/bin/python -m bench.faults --full     # 60 s at 50 req/s per shape, Redis down 20 s

Everything it stops or kills it started itself, by PID, in a temporary directory:
- its OWN PostgreSQL cluster (``initdb`` + ``pg_ctl`` from /usr/lib/postgresql/*/bin, or
  ``--pg-bin``) on a free loopback port; as root it runs them as the ``postgres`` user
  (``runuser``), because initdb refuses root. The machine's PostgreSQL and Redis are never
  touched;
- its OWN ``redis-server`` on a free loopback port (no persistence);
- its OWN gunicorn (2 sync workers) on a free loopback port, against those two.

Load: one thread per write shape sends requests at ``--rate`` per second (bounded: a client
timeout of ``--timeout`` seconds, no retries) and records each answer:

| shape | request | acknowledged id |
|---|---|---|
| reports | ``POST /v1/reports`` | ``id`` |
| items | ``POST /v1/feedback/items`` (Bearer ``mlth_``) | ``data.id`` |
| public | ``POST /v1/feedback/public/<slug>`` | ``data.id`` |
| fluister | ``POST /v1/feedback`` (Bearer ``mlth_``) | ``id`` |

Faults, in order (short / full): PostgreSQL stopped for 4 / 10 s then started; Redis stopped
for 6 / 20 s then started; one gunicorn worker killed with SIGKILL. Then, per shape:
- every acknowledged id is in the database exactly once (and each item has its audit row);
- while PostgreSQL was down: every answer a 503 with ``Retry-After`` in the family's error
  shape, never a 500 or a hang past the client timeout;
- while Redis was down: what docs/operations.md says (the public endpoint fails closed with
  503 + ``Retry-After``, every other shape is served), never a 500;
- recovery: the first 2xx after each dependency returned came within 5 s.

Prints one table and exits 1 if a check failed. Needs the PostgreSQL server binaries and
redis-server installed (not running).
"""

from __future__ import annotations

import argparse
import glob
import http.client
import json
import os
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

if __package__ in {None, ""}:  # `python bench/faults.py` as well as `python -m bench.faults`
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import common as bc

RECOVERY_LIMIT = 5.0
SHAPES = ("reports", "items", "public", "fluister")
# docs/operations.md, "Rate limits and cache outages, per family".
FAILS_CLOSED_ON_CACHE = {"public"}


# --- private PostgreSQL and Redis ----------------------------------------------------------
def pg_bin(explicit: str | None) -> Path:
    if explicit:
        return Path(explicit)
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/pg_ctl"))
    if not found and shutil.which("pg_ctl"):
        return Path(shutil.which("pg_ctl") or "").parent
    if not found:
        raise SystemExit("no PostgreSQL binaries (pg_ctl) found; pass --pg-bin")
    return Path(found[-1]).parent


class PrivatePostgres:
    """A throwaway cluster in ``root``: trust auth on 127.0.0.1:``port`` only."""

    def __init__(self, bindir: Path, root: Path, port: int) -> None:
        self.bindir, self.data, self.port = bindir, root / "pgdata", port
        self.log = root / "pg.log"
        self.sock = root
        self.as_user: list[str] = []
        if os.geteuid() == 0:  # initdb refuses root: run the cluster as postgres
            self.as_user = ["runuser", "-u", "postgres", "--"]
            shutil.chown(root, user="postgres")

    def _run(self, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        return subprocess.run([*self.as_user, *args], capture_output=True, text=True,
                              check=check, timeout=60)  # fmt: skip

    def init(self) -> None:
        self._run(str(self.bindir / "initdb"), "-D", str(self.data), "-A", "trust", "-U",
                  "postgres", "--no-sync")  # fmt: skip

    def start(self) -> None:
        opts = (
            f"-p {self.port} -k {self.sock} -c listen_addresses=127.0.0.1 "
            "-c fsync=on -c max_connections=50"
        )
        self._run(str(self.bindir / "pg_ctl"), "-D", str(self.data), "-l", str(self.log),
                  "-o", opts, "-w", "-t", "30", "start")  # fmt: skip

    def stop(self) -> None:
        self._run(str(self.bindir / "pg_ctl"), "-D", str(self.data), "-m", "fast", "-w",
                  "-t", "30", "stop", check=False)  # fmt: skip

    def url(self, db: str = "postgres") -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/{db}"


class PrivateRedis:
    def __init__(self, root: Path, port: int) -> None:
        self.root, self.port = root, port
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        self.proc = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "",
             "--appendonly", "no", "--dir", str(self.root)],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                with socket_to(self.port) as s:
                    s.sendall(b"PING\r\n")
                    if s.recv(16).startswith(b"+PONG"):
                        return
            except OSError:
                time.sleep(0.05)
        raise SystemExit("private redis-server did not start")

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=5)
        self.proc = None


def socket_to(port: int) -> Any:
    import socket

    return socket.create_connection(("127.0.0.1", port), timeout=1)


# --- load ------------------------------------------------------------------------------------
@dataclass
class Answer:
    shape: str
    start: float
    end: float
    status: int  # 0 = no answer (timeout, reset)
    body: Any = None
    retry_after: str | None = None
    error: str = ""


@dataclass
class Load:
    port: int
    requests: dict[str, tuple[str, dict[str, str], dict[str, Any]]]
    rate: float
    timeout: float
    stop: threading.Event = field(default_factory=threading.Event)
    answers: list[Answer] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def run_shape(self, shape: str) -> None:
        path, headers, body = self.requests[shape]
        data = json.dumps(body).encode()
        interval = 1.0 / self.rate
        next_at = time.monotonic()
        conn: http.client.HTTPConnection | None = None
        while not self.stop.is_set():
            now = time.monotonic()
            if now < next_at:
                time.sleep(next_at - now)
            next_at += interval
            start = time.monotonic()
            answer = Answer(shape, start, start, 0)
            try:
                if conn is None:
                    conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=self.timeout)
                conn.request("POST", path, body=data,
                             headers={"Content-Type": "application/json", **headers})  # fmt: skip
                response = conn.getresponse()
                raw = response.read()
                answer.status = response.status
                answer.retry_after = response.getheader("Retry-After")
                try:
                    answer.body = json.loads(raw or b"null")
                except ValueError:
                    answer.body = raw[:200].decode(errors="replace")
                if response.getheader("Connection", "").lower() == "close":
                    conn.close()
                    conn = None
            except Exception as exc:  # timeout, reset by a killed worker, refused
                answer.error = f"{type(exc).__name__}: {exc}"[:120]
                if conn is not None:
                    conn.close()
                conn = None
            answer.end = time.monotonic()
            with self.lock:
                self.answers.append(answer)


def acked_id(shape: str, answer: Answer) -> str | None:
    if not (200 <= answer.status < 300) or not isinstance(answer.body, dict):
        return None
    if shape in ("items", "public"):
        return (answer.body.get("data") or {}).get("id")
    return answer.body.get("id")


def error_shape_ok(shape: str, body: Any) -> bool:
    """The family's error shape (docs/api/*.md) with the service_unavailable code."""
    if not isinstance(body, dict):
        return False
    if shape in ("items", "public"):  # Minolith
        err = body.get("error")
        return isinstance(err, dict) and err.get("code") == "service_unavailable" and "docs" in err
    if shape == "reports":  # Writeback
        err = body.get("error")
        return (
            body.get("ok") is False
            and isinstance(err, dict)
            and (err.get("code") == "service_unavailable")
        )
    err = body.get("error")  # Fluister
    return isinstance(err, dict) and err.get("code") == "service_unavailable"


# --- the run -----------------------------------------------------------------------------------
def setup_app(env: dict[str, str]) -> dict[str, Any]:
    bc.manage("migrate", "--noinput", "-v0", env=env)
    out = bc.manage("bootstrap", "--email", "faults@example.com", "--password", "faults-pw-1",
                    "--workspace", "Faults", "--project", "Faults", "--json", env=env)  # fmt: skip
    return json.loads(out)


def requests_for(boot: dict[str, Any]) -> dict[str, tuple[str, dict[str, str], dict[str, Any]]]:
    auth = {"Authorization": f"Bearer {boot['project_api_key']}"}
    item = {"body": "Export does nothing on Firefox.", "title": "Export", "type": "bug",
            "page_url": "https://app.example.com/export"}  # fmt: skip
    return {
        "reports": ("/v1/reports", {}, {"ingest_key": boot["ingest_key"], "outcome": "failure",
                                        "tool_name": "export", "details": "Export failed."}),
        "items": ("/v1/feedback/items", auth, item),
        "public": (f"/v1/feedback/public/{boot['project_slug']}", {}, item),
        "fluister": ("/v1/feedback", auth, {"projectId": boot["project_id"],
                                            "text": "I was charged twice", "page": "/checkout"}),
    }  # fmt: skip


def worker_pids(master: int) -> list[int]:
    try:
        with open(f"/proc/{master}/task/{master}/children") as f:
            return [int(p) for p in f.read().split()]
    except OSError:
        return []


def check_database(pg: PrivatePostgres, db: str, acked: dict[str, list[str]]) -> dict[str, str]:
    import psycopg

    verdict: dict[str, str] = {}
    with psycopg.connect(pg.url(db), autocommit=True) as conn:
        for shape, ids in acked.items():
            table = "reports_report" if shape == "reports" else "feedback_item"
            rows = conn.execute(
                f"SELECT id, count(*) FROM {table} WHERE id = ANY(%s) GROUP BY id",  # noqa: S608  # fixed table names
                [ids],
            ).fetchall()
            found = {r[0]: r[1] for r in rows}
            missing = [i for i in ids if i not in found]
            doubled = [i for i, n in found.items() if n != 1]
            dup_acks = len(ids) - len(set(ids))
            problems = []
            if missing:
                problems.append(f"{len(missing)} missing (e.g. {missing[:3]})")
            if doubled or dup_acks:
                problems.append(f"{len(doubled) + dup_acks} duplicated")
            if shape != "reports" and ids:
                audited = conn.execute(
                    "SELECT count(DISTINCT target_id) FROM accounts_auditlog WHERE "
                    "action = 'feedback.item.create' AND target_id = ANY(%s)",
                    [ids],
                ).fetchone()
                if not audited or audited[0] != len(set(ids)):
                    problems.append(f"audit rows for {audited[0] if audited else 0}/{len(ids)}")
            verdict[shape] = "; ".join(problems) or f"ok ({len(ids)} acked, each once)"
    return verdict


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--full", action="store_true", help="60 s at 50 req/s, Redis down 20 s")
    parser.add_argument("--rate", type=float, help="requests per second per shape")
    parser.add_argument("--timeout", type=float, default=10.0, help="client timeout, seconds")
    parser.add_argument("--pg-bin", help="folder of initdb/pg_ctl (default: newest installed)")
    args = parser.parse_args()
    plan = (
        {"rate": 50.0, "pg_at": 8, "pg_down": 10, "redis_at": 26, "redis_down": 20,
         "kill_at": 50, "end": 60}
        if args.full else
        {"rate": 10.0, "pg_at": 3, "pg_down": 4, "redis_at": 12, "redis_down": 6,
         "kill_at": 22, "end": 27}
    )  # fmt: skip
    rate = args.rate or plan["rate"]
    bindir = pg_bin(args.pg_bin)
    failed = False
    with tempfile.TemporaryDirectory(prefix="bt-faults-") as scratch:
        root = Path(scratch)
        pg = PrivatePostgres(bindir, root, bc.free_port())
        redis = PrivateRedis(root, bc.free_port())
        print(f"private PostgreSQL ({bindir}) on 127.0.0.1:{pg.port}, "
              f"redis-server on 127.0.0.1:{redis.port}, in {root}")  # fmt: skip
        pg.init()
        pg.start()
        redis.start()
        try:
            import psycopg

            with psycopg.connect(pg.url(), autocommit=True) as conn:
                conn.execute("CREATE DATABASE backtalk_faults")
            env = bc.bench_env(pg.url("backtalk_faults"),
                               REDIS_URL=f"redis://127.0.0.1:{redis.port}/0",
                               DB_CONN_MAX_AGE="60")  # fmt: skip
            boot = setup_app(env)
            events: dict[str, float] = {}
            with bc.Server(env=env, workers=2) as server:
                load = Load(server.port, requests_for(boot), rate, args.timeout)
                threads = [threading.Thread(target=load.run_shape, args=(s,), daemon=True)
                           for s in SHAPES]  # fmt: skip
                t0 = time.monotonic()
                for t in threads:
                    t.start()

                def at(seconds: float) -> None:
                    time.sleep(max(0.0, t0 + seconds - time.monotonic()))

                at(plan["pg_at"])
                pg.stop()
                events["pg_down"] = time.monotonic()  # the gap starts once it is stopped
                at(plan["pg_at"] + plan["pg_down"])
                events["pg_starting"] = time.monotonic()  # the gap ends as it starts again
                pg.start()
                events["pg_up"] = time.monotonic()
                at(plan["redis_at"])
                redis.stop()
                events["redis_down"] = time.monotonic()
                at(plan["redis_at"] + plan["redis_down"])
                events["redis_starting"] = time.monotonic()
                redis.start()
                events["redis_up"] = time.monotonic()
                at(plan["kill_at"])
                victims = worker_pids(server.proc.pid) if server.proc else []
                if victims:
                    os.kill(victims[0], signal.SIGKILL)
                events["kill"] = time.monotonic()
                at(plan["end"])
                load.stop.set()
                for t in threads:
                    t.join(timeout=args.timeout + 5)
                log_tail = server.tail_log(3000)
            acked = {s: [i for a in load.answers if a.shape == s and (i := acked_id(s, a))]
                     for s in SHAPES}  # fmt: skip
            stored = check_database(pg, "backtalk_faults", acked)
            rows = []
            for shape in SHAPES:
                mine = [a for a in load.answers if a.shape == shape]
                problems = []
                # Answers to requests sent while PostgreSQL was stopped (the gap).
                gap = [a for a in mine if events["pg_down"] <= a.start < events["pg_starting"]]
                bad_gap = [
                    a
                    for a in gap
                    if a.status != 503 or not a.retry_after or not error_shape_ok(shape, a.body)
                ]
                if bad_gap:
                    sample = bad_gap[0]
                    problems.append(
                        f"DB gap: {len(bad_gap)}/{len(gap)} not 503+Retry-After "
                        f"(e.g. {sample.status} {sample.error or str(sample.body)[:80]})"
                    )
                cache_gap = [
                    a for a in mine if events["redis_down"] <= a.start < events["redis_starting"]
                ]
                if shape in FAILS_CLOSED_ON_CACHE:
                    bad_cache = [a for a in cache_gap if a.status != 503 or not a.retry_after]
                    expect = "503 + Retry-After (fails closed)"
                else:
                    bad_cache = [a for a in cache_gap if not 200 <= a.status < 300]
                    expect = "served (fails open)"
                if bad_cache:
                    sample = bad_cache[0]
                    problems.append(
                        f"Redis down: {len(bad_cache)}/{len(cache_gap)} not {expect} "
                        f"(e.g. {sample.status} {sample.error or str(sample.body)[:80]})"
                    )
                five_hundreds = [a for a in mine if a.status >= 500 and a.status != 503]
                hangs = [a for a in mine if a.status == 0 and "timed out" in a.error]
                if five_hundreds:
                    problems.append(f"{len(five_hundreds)} answers >= 500 other than 503")
                if hangs:
                    problems.append(f"{len(hangs)} requests hung past {args.timeout:.0f} s")
                recovery = []
                for dep in ("pg_up", "redis_up"):
                    first = next(
                        (
                            a.end
                            for a in sorted(mine, key=lambda a: a.start)
                            if a.start >= events[dep] and 200 <= a.status < 300
                        ),
                        None,
                    )
                    took = (first - events[dep]) if first is not None else float("inf")
                    recovery.append(took)
                    if took > RECOVERY_LIMIT:
                        problems.append(f"no 2xx within {RECOVERY_LIMIT:.0f} s of {dep}")
                resets = [a for a in mine if a.status == 0 and "timed out" not in a.error]
                if "ok" not in stored[shape]:
                    problems.append(stored[shape])
                failed = failed or bool(problems)
                rows.append(
                    [
                        shape,
                        str(len(mine)),
                        str(len(acked[shape])),
                        f"{sum(1 for a in gap if a.status == 503)}/{len(gap)}",
                        f"{sum(1 for a in cache_gap if 200 <= a.status < 300)}/{len(cache_gap)}"
                        " 2xx",
                        f"{recovery[0]:.2f} / {recovery[1]:.2f}",
                        str(len(resets)),
                        stored[shape] if not problems else "FAIL: " + "; ".join(problems),
                    ]
                )
            bc.section(
                f"faults ({'full' if args.full else 'short'} mode, {rate:.0f} req/s per "
                f"shape, {plan['end']} s)"
            )
            bc.print_table(
                rows,
                [
                    "shape",
                    "sent",
                    "acked",
                    "503 in DB gap",
                    "Redis down",
                    "recovery s (PG / Redis)",
                    "no answer",
                    "result",
                ],
            )
            latencies = [a.end - a.start for a in load.answers if a.status]
            if latencies:
                print(
                    f"median latency {statistics.median(latencies) * 1000:.1f} ms; "
                    f"events (s from start): "
                    + ", ".join(f"{k} {v - t0:.1f}" for k, v in events.items())
                )
            if failed:
                print("\ngunicorn log tail:\n" + log_tail)
        finally:
            redis.stop()
            pg.stop()
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
