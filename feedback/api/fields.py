"""Input helpers shared by the feedback families (Minolith and Fluister): both read JSON
bodies by hand so each message names its field exactly as the documents spell it."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import validate_email

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


def optional_email(data: Mapping[str, Any], name: str, limit: int) -> str:
    """``optional_text`` that must also be a valid email address when given."""
    email = optional_text(data, name, limit)
    if email:
        try:
            validate_email(email)
        except DjangoValidationError as exc:
            raise validation_error(name, f"{name} must be a valid email address.") from exc
    return email
