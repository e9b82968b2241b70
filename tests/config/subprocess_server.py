"""A real server in a subprocess, started the way a self-hoster starts one: a fresh var dir
(SQLite, database cache), ``migrate``, ``bootstrap``, then ``runserver --noreload`` with DEBUG
off and test mode off, so settings take their production branches (manifest static storage,
the database task queue and its in-process worker). Nothing is inherited from the test
process's environment (CI runs with DATABASE_URL and REDIS_URL set)."""

from __future__ import annotations

import http.cookiejar
import json
import os
import re
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PASSWORD = "a-sturdy-subprocess-password-42"
EMAIL = "owner@example.com"


@dataclass
class Response:
    status: int
    headers: dict[str, str]
    body: bytes

    @property
    def text(self) -> str:
        return self.body.decode()

    def json(self) -> dict:
        return json.loads(self.body)


@dataclass
class Server:
    url: str
    var_dir: Path
    log: Path
    credentials: dict[str, str]
    cookies: http.cookiejar.CookieJar = field(default_factory=http.cookiejar.CookieJar)

    def request(
        self,
        path: str,
        *,
        data: dict[str, str] | None = None,
        json_body: dict | None = None,
        headers: dict[str, str] | None = None,
        method: str | None = None,
    ) -> Response:
        """GET (or POST a form / JSON), following redirects, keeping this server's cookies."""
        body = None
        all_headers = dict(headers or {})
        if data is not None:
            body = urllib.parse.urlencode(data).encode()
        elif json_body is not None:
            body = json.dumps(json_body).encode()
            all_headers["Content-Type"] = "application/json"
        request = urllib.request.Request(  # noqa: S310 - http to our own loopback server
            self.url + path, data=body, headers=all_headers, method=method
        )
        opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.cookies))
        try:
            with opener.open(request, timeout=30) as answer:
                return Response(answer.status, dict(answer.headers), answer.read())
        except urllib.error.HTTPError as error:
            return Response(error.code, dict(error.headers), error.read())

    def sign_in(self) -> Response:
        page = self.request("/accounts/login/")
        assert page.status == 200, page.text[:2000]
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text)
        assert token, page.text[:2000]
        return self.request(
            "/accounts/login/",
            data={"csrfmiddlewaretoken": token[1], "username": EMAIL, "password": PASSWORD},
        )

    def query(self, sql: str, params: tuple = ()) -> list[tuple]:
        """Read the server's SQLite database directly (WAL: readers never block it)."""
        with sqlite3.connect(self.var_dir / "backtalk.sqlite3", timeout=20) as db:
            return db.execute(sql, params).fetchall()


def server_env(var_dir: Path, extra: dict[str, str] | None = None) -> dict[str, str]:
    return {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": os.environ.get("HOME", str(var_dir)),
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "BACKTALK_VAR_DIR": str(var_dir),
        "BACKTALK_TESTING": "false",
        "DJANGO_DEBUG": "false",
        "SECURE_COOKIES": "false",  # plain http, as `make run` serves
        **(extra or {}),
    }


def manage(var_dir: Path, *args: str, env: dict[str, str] | None = None) -> str:
    result = subprocess.run(  # noqa: S603 - our own interpreter and manage.py
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=server_env(var_dir, env),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout


def prepare(var_dir: Path, env: dict[str, str] | None = None) -> dict[str, str]:
    """A migrated database with a bootstrapped owner; returns bootstrap's credentials."""
    manage(var_dir, "migrate", "--noinput", "-v", "0", env=env)
    out = manage(var_dir, "bootstrap", "--email", EMAIL, "--password", PASSWORD, "--json", env=env)
    return json.loads(out)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextmanager
def runserver(
    var_dir: Path, credentials: dict[str, str], env: dict[str, str] | None = None
) -> Iterator[Server]:
    """``manage.py runserver --noreload`` on a free loopback port, until /healthz answers."""
    port = free_port()
    log = var_dir / f"runserver-{port}.log"
    with log.open("w") as out:
        process = subprocess.Popen(  # noqa: S603 - our own interpreter and manage.py
            [sys.executable, "manage.py", "runserver", "--noreload", f"127.0.0.1:{port}"],
            cwd=ROOT,
            env=server_env(var_dir, env),
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    server = Server(f"http://127.0.0.1:{port}", var_dir, log, credentials)
    try:
        deadline = time.monotonic() + 60
        while True:
            assert process.poll() is None, log.read_text()
            assert time.monotonic() < deadline, log.read_text()
            try:
                if server.request("/healthz").status == 200:
                    break
            except OSError:
                time.sleep(0.2)
        yield server
    finally:
        process.terminate()
        process.wait(timeout=30)
