"""The official MCP Python SDK clients, one venv per major line, under var/mcp-sdk-<line>.

The two lines cannot share an environment (and neither belongs in the project's: the SDK
pulls starlette, uvicorn and friends that the app never imports), so each gets its own venv,
created on demand by the tests or ahead of time by ``make mcp-sdks``. Only the standard
library here: the Makefile runs this file before the project is importable.

``python tests/config/mcp_sdks.py`` provisions both lines and prints their versions.
"""

from __future__ import annotations

import hashlib
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
LINES = {
    "1": "mcp>=1.9,<2",  # protocol revisions 2025-03-26 and 2025-06-18 (initialize)
    "2": "mcp>=2.3,<3",  # revision 2026-07-28 (server/discover), legacy handshake on demand
}
# pip's words when it cannot reach an index (or the index has no such release): the one case
# where the SDK tests skip instead of failing.
UNREACHABLE = (
    "Could not find a version that satisfies",
    "No matching distribution found",
    "Failed to establish a new connection",
    "Max retries exceeded",
    "Temporary failure in name resolution",
    "Network is unreachable",
)


class IndexUnreachable(RuntimeError):
    """pip could not fetch the SDK from any configured index."""


def venv_dir(line: str) -> Path:
    return ROOT / "var" / f"mcp-sdk-{line}"


def python(line: str) -> Path:
    return venv_dir(line) / "bin" / "python"


def _marker(line: str) -> Path:
    digest = hashlib.sha256(LINES[line].encode()).hexdigest()[:12]
    return venv_dir(line) / f".installed-{digest}"


def ensure(line: str) -> Path:
    """The venv's interpreter, creating the venv and installing the SDK when missing.
    Raises ``IndexUnreachable`` when pip cannot get the package, RuntimeError otherwise."""
    if _marker(line).exists() and python(line).exists():
        return python(line)
    venv_dir(line).parent.mkdir(parents=True, exist_ok=True)
    if not python(line).exists():
        subprocess.run(  # noqa: S603 - the running interpreter's venv module
            [sys.executable, "-m", "venv", "--clear", str(venv_dir(line))],
            check=True,
            capture_output=True,
        )
    result = subprocess.run(  # noqa: S603 - pip of the venv we just made
        [
            str(python(line)),
            "-m",
            "pip",
            "install",
            "--quiet",
            "--disable-pip-version-check",
            LINES[line],
        ],
        capture_output=True,
        text=True,
        timeout=600,
    )
    if result.returncode != 0:
        output = (result.stdout + result.stderr).strip()
        tail = "\n".join(line for line in output.splitlines() if "is ignored" not in line)[-800:]
        if any(words in output for words in UNREACHABLE):
            raise IndexUnreachable(f"pip could not install {LINES[line]!r}: {tail}")
        raise RuntimeError(f"pip failed to install {LINES[line]!r}: {tail}")
    _marker(line).touch()
    return python(line)


def installed_version(line: str) -> str:
    return subprocess.run(  # noqa: S603 - the SDK venv's interpreter
        [str(python(line)), "-c", "from importlib.metadata import version; print(version('mcp'))"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()


if __name__ == "__main__":
    for sdk_line in LINES:
        try:
            ensure(sdk_line)
        except IndexUnreachable as exc:  # the tests will skip with the same reason
            print(f"mcp-sdk-{sdk_line}: skipped, {exc}", file=sys.stderr)
            continue
        print(f"var/mcp-sdk-{sdk_line}: mcp {installed_version(sdk_line)}")
