"""Input helpers shared by the feedback families (Minolith and Fluister): both read JSON
bodies by hand so each message names its field exactly as the documents spell it."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from config.api.errors import validation_error


def optional_text(data: Mapping[str, Any], name: str, limit: int) -> str:
    """``data[name]`` trimmed, or "" when absent or null; a non-string or a value over
    ``limit`` characters is a validation error naming the field."""
    value = data.get(name)
    if value is None:
        return ""
    if not isinstance(value, str):
        raise validation_error(name, f"{name} must be a string.")
    value = value.strip()
    if len(value) > limit:
        raise validation_error(name, f"{name} must be at most {limit:,} characters.")
    return value
