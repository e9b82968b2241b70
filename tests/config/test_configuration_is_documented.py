"""The README's configuration table lists every environment variable the code reads, and
any of them can come from a file named by ``<NAME>_FILE`` as the README says."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from config.env import env_bool, env_int, env_list, env_str

ROOT = Path(__file__).resolve().parents[2]
APPS = ("config", "accounts", "projects", "reports", "annotations", "feedback")
READS = re.compile(
    r"""(?:env_(?:str|bool|int|list)|os\.environ\.get)\(\s*["']([A-Z][A-Z0-9_]+)["']"""
)


def variables_read_by_the_code() -> set[str]:
    names: set[str] = set()
    for app in APPS:
        for path in (ROOT / app).rglob("*.py"):
            if "migrations" not in path.parts:
                names |= set(READS.findall(path.read_text(encoding="utf-8")))
    return names


def documented_variables() -> set[str]:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Configuration", 1)[1].split("\n## ", 1)[0]
    rows = [line for line in section.splitlines() if line.startswith("| `")]
    return {name for row in rows for name in re.findall(r"`([A-Z][A-Z0-9_]+)`", row.split("|")[1])}


def test_every_variable_the_code_reads_is_in_the_readme_table():
    read = variables_read_by_the_code()
    assert {"DJANGO_SECRET_KEY", "DATABASE_URL", "REDIS_URL", "GUNICORN_BIND"} <= read
    assert read - documented_variables() == set()


@pytest.mark.parametrize(
    ("helper", "content", "expected"),
    [
        (env_str, "s3cret\n", "s3cret"),
        (env_bool, "true\n", True),
        (env_int, "42\n", 42),
        (env_list, "a.example, b.example\n", ["a.example", "b.example"]),
    ],
)
def test_every_kind_of_variable_can_come_from_a_file(
    tmp_path, monkeypatch, helper, content, expected
):
    secret = tmp_path / "value"
    secret.write_text(content)
    monkeypatch.setenv("BACKTALK_PROBE", "ignored: the file wins")
    monkeypatch.setenv("BACKTALK_PROBE_FILE", str(secret))
    default = {env_str: "", env_bool: False, env_int: 0, env_list: []}[helper]
    assert helper("BACKTALK_PROBE", default) == expected


def test_without_the_variable_each_helper_returns_its_default(monkeypatch):
    monkeypatch.delenv("BACKTALK_PROBE", raising=False)
    monkeypatch.delenv("BACKTALK_PROBE_FILE", raising=False)
    assert env_str("BACKTALK_PROBE", "d") == "d"
    assert env_bool("BACKTALK_PROBE", True) is True
    assert env_int("BACKTALK_PROBE", 7) == 7
    assert env_list("BACKTALK_PROBE", ["x"]) == ["x"]
