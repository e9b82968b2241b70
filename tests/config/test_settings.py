"""Settings come from the environment only. Each case imports config.settings in a fresh
interpreter under an exact environment (nothing inherited: CI itself runs with DATABASE_URL
and REDIS_URL set), so these are a few subprocesses, kept to a handful on purpose."""

from __future__ import annotations

import json
import os
import re
import secrets
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import SystemCheckError

ROOT = Path(__file__).resolve().parents[2]
PROBE = """
import json
from config import settings as s
db = s.DATABASES["default"]
print(json.dumps({
    "engine": db["ENGINE"], "name": str(db["NAME"]), "host": db.get("HOST", ""),
    "atomic_requests": db["ATOMIC_REQUESTS"],
    "cache": s.CACHES["default"]["BACKEND"], "cache_location": s.CACHES["default"]["LOCATION"],
    "email": s.EMAIL_BACKEND, "storage": s.STORAGES["default"]["BACKEND"],
    "static": s.STORAGES["staticfiles"]["BACKEND"], "tasks": s.TASKS["default"]["BACKEND"],
    "debug": s.DEBUG, "session_cookie_secure": s.SESSION_COOKIE_SECURE,
    "proxy_ssl_header": getattr(s, "SECURE_PROXY_SSL_HEADER", None),
    "trusted_proxies": s.TRUSTED_PROXIES,
    "site_url": s.SITE_URL, "tasks_in_process_worker": s.TASKS_IN_PROCESS_WORKER,
}))
"""

# The production-like environment docs/deploy.md documents; keep the two in step.
PRODUCTION_ENV = {
    "DJANGO_SECRET_KEY": "set-per-test",
    "DJANGO_ALLOWED_HOSTS": "backtalk.example.com",
    "CSRF_TRUSTED_ORIGINS": "https://backtalk.example.com",
    "SITE_URL": "https://backtalk.example.com",
    "DATABASE_URL": "postgres://backtalk:secret@db.internal:5432/backtalk",
    "REDIS_URL": "redis://cache.internal:6379/0",
    "AWS_STORAGE_BUCKET_NAME": "backtalk-media",
    "EMAIL_URL": "smtp+tls://mailer:secret@smtp.example.com:587",
    "BEHIND_TLS_PROXY": "true",
    "TRUSTED_PROXIES": "10.0.0.0/8",
    "SECURE_SSL_REDIRECT": "true",
    "SECURE_HSTS_SECONDS": "31536000",
    "SECURE_HSTS_INCLUDE_SUBDOMAINS": "true",
    "SECURE_HSTS_PRELOAD": "true",
}


def exact_env(env: dict[str, str], var_dir: Path) -> dict[str, str]:
    return {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": os.environ.get("HOME", str(var_dir)),
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "BACKTALK_VAR_DIR": str(var_dir),
        **env,
    }


def run(args: list[str], env: dict[str, str], var_dir: Path) -> subprocess.CompletedProcess:
    return subprocess.run(  # noqa: S603 - our own interpreter and manage.py
        [sys.executable, *args],
        cwd=ROOT,
        env=exact_env(env, var_dir),
        capture_output=True,
        text=True,
        timeout=120,
    )


def probe(env: dict[str, str], var_dir: Path) -> dict:
    result = run(["-c", PROBE], env, var_dir)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_no_environment_means_sqlite_database_cache_and_console_email(tmp_path):
    conf = probe({}, tmp_path)
    assert conf == {
        "engine": "django.db.backends.sqlite3",
        "name": str(tmp_path / "backtalk.sqlite3"),
        "host": "",
        "atomic_requests": False,
        "cache": "django.core.cache.backends.db.DatabaseCache",
        "cache_location": "backtalk_cache",
        "email": "django.core.mail.backends.console.EmailBackend",
        "storage": "django.core.files.storage.FileSystemStorage",
        "static": "config.staticfiles.FallbackManifestStaticFilesStorage",
        "tasks": "django_tasks_db.backend.DatabaseBackend",
        "debug": False,
        "session_cookie_secure": True,
        "proxy_ssl_header": None,
        "trusted_proxies": [],
        "site_url": "",  # links follow the request's host
        "tasks_in_process_worker": True,  # `runserver` alone runs the tasks
    }


def test_production_environment_means_postgres_redis_s3_smtp(tmp_path):
    conf = probe(PRODUCTION_ENV, tmp_path)
    assert conf["engine"] == "django.db.backends.postgresql"
    assert (conf["name"], conf["host"]) == ("backtalk", "db.internal")
    assert conf["atomic_requests"] is False
    assert conf["cache"] == "django.core.cache.backends.redis.RedisCache"
    assert conf["cache_location"] == "redis://cache.internal:6379/0"
    assert conf["email"] == "django.core.mail.backends.smtp.EmailBackend"
    assert conf["storage"] == "storages.backends.s3.S3Storage"
    assert conf["proxy_ssl_header"] == ["HTTP_X_FORWARDED_PROTO", "https"]
    assert conf["trusted_proxies"] == ["10.0.0.0/8"]
    assert conf["site_url"] == "https://backtalk.example.com"


def test_a_separate_db_worker_switches_the_in_process_worker_off(tmp_path):
    conf = probe({"TASKS_IN_PROCESS_WORKER": "false"}, tmp_path)
    assert (conf["tasks"], conf["tasks_in_process_worker"]) == (
        "django_tasks_db.backend.DatabaseBackend",
        False,
    )
    assert probe({"TASKS_BACKEND": "dummy"}, tmp_path)["tasks_in_process_worker"] is False


def test_check_deploy_passes_with_the_documented_production_environment(tmp_path):
    env = {**PRODUCTION_ENV, "DJANGO_SECRET_KEY": secrets.token_urlsafe(50)}
    result = run(["manage.py", "check", "--deploy", "--fail-level", "WARNING"], env, tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_check_deploy_fails_on_the_development_defaults(tmp_path):
    result = run(["manage.py", "check", "--deploy", "--fail-level", "WARNING"], {}, tmp_path)
    assert result.returncode != 0
    for check_id in ("security.W004", "security.W008", "security.W009"):
        assert check_id in result.stderr


def test_gunicorn_serves_the_app_and_keeps_the_mcp_token_out_of_its_access_log(tmp_path):
    """docs/deploy.md's server: gunicorn -c config/gunicorn.py. Its access log prints the
    request line; the MCP token in /mcp/<token> must come out as [redacted]."""
    log = tmp_path / "gunicorn.log"
    env = exact_env({"GUNICORN_BIND": "127.0.0.1:0", "GUNICORN_WORKERS": "1"}, tmp_path)
    gunicorn = Path(sys.executable).parent / "gunicorn"
    with log.open("w") as out:
        server = subprocess.Popen(  # noqa: S603 - the venv's gunicorn
            [str(gunicorn), "-c", "config/gunicorn.py"], cwd=ROOT, env=env, stdout=out, stderr=out
        )
    token = "gfmcp_" + "ab" * 24
    try:
        deadline = time.monotonic() + 30
        while not (match := re.search(r"Listening at: http://(\S+)", log.read_text())) or (
            "Booting worker" not in log.read_text()
        ):
            assert server.poll() is None, log.read_text()
            assert time.monotonic() < deadline, log.read_text()
            time.sleep(0.1)
        url = f"http://{match[1]}/mcp/{token}/sse"
        with pytest.raises(urllib.error.HTTPError) as excinfo:
            urllib.request.urlopen(url, timeout=10)
        assert excinfo.value.code == 404
        assert json.loads(excinfo.value.read()) == {"detail": "Not found."}
        assert excinfo.value.headers["Referrer-Policy"] == "no-referrer"
    finally:
        server.terminate()
        server.wait(timeout=30)
    text = log.read_text()
    assert '"GET /mcp/[redacted]/sse HTTP/1.1" 404' in text
    assert token not in text


# --- in-process -------------------------------------------------------------------------------
DATABASE_CACHE = {
    "default": {
        "BACKEND": "django.core.cache.backends.db.DatabaseCache",
        "LOCATION": "backtalk_cache",
    }
}


def test_check_passes_on_the_database_cache_with_e003_silenced(settings):
    """django-ratelimit calls DatabaseCache non-atomic (E003); the embedded default accepts
    that on purpose (config/settings.py says why) and `manage.py check` exits 0."""
    settings.CACHES = DATABASE_CACHE
    assert "django_ratelimit.E003" in settings.SILENCED_SYSTEM_CHECKS
    call_command("check", fail_level="WARNING")


def test_without_the_silence_e003_would_fail_the_check(settings):
    settings.CACHES = DATABASE_CACHE
    settings.SILENCED_SYSTEM_CHECKS = []
    with pytest.raises(SystemCheckError, match=r"django_ratelimit\.E003"):
        call_command("check")


def test_atomic_requests_stay_off_so_services_can_open_durable_blocks(settings):
    assert settings.DATABASES["default"]["ATOMIC_REQUESTS"] is False
