"""Typed helpers that read settings from the environment (HC hc/settings.py style).

Every knob of Backtalk comes through one of these, so `docs/configuration` and the
README table can list them all by grepping for ``env_``.
"""

from __future__ import annotations

import os
from pathlib import Path


def _raw(name: str) -> str | None:
    """``NAME_FILE`` (a path) wins over ``NAME`` so secrets can come from files; every helper
    reads through here, so the README's "any variable" holds for booleans and lists too."""
    file_path = os.environ.get(f"{name}_FILE")
    if file_path:
        return Path(file_path).read_text(encoding="utf-8").strip()
    return os.environ.get(name)


def env_str(name: str, default: str = "") -> str:
    raw = _raw(name)
    return default if raw is None else raw


def env_bool(name: str, default: bool = False) -> bool:
    raw = _raw(name)
    if raw is None or raw == "":
        return default
    return raw.strip().lower() in {"1", "true", "yes", "on"}


def env_int(name: str, default: int) -> int:
    raw = _raw(name)
    if raw is None or raw.strip() == "":
        return default
    return int(raw)


def env_list(name: str, default: list[str] | None = None) -> list[str]:
    raw = _raw(name)
    if raw is None:
        return list(default or [])
    return [part.strip() for part in raw.split(",") if part.strip()]
