"""Feedback domain errors, with the Minolith catalogue codes and messages.

Each is an ``ApiError``, so the one exception handler renders it in the calling view's
family shape; the dashboard catches the same errors and shows their messages.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from config.api.errors import ApiError, ErrorCode, FieldError
from projects.credits import SPENDING_CAP_EXCEEDED, SpendingCapExceeded  # noqa: F401  (shared)

ITEM_NOT_FOUND = "item_not_found"
PUBLIC_RATE_LIMITED = "public_rate_limited"
BODY_REQUIRED = "body_required"
INVALID_FEEDBACK_TYPE = "invalid_feedback_type"
INVALID_STATUS = "invalid_status"
INVALID_PRIORITY = "invalid_priority"
ORIGIN_NOT_ALLOWED = "origin_not_allowed"


class ItemNotFound(ApiError):
    def __init__(self, item_id: str) -> None:
        super().__init__(ITEM_NOT_FOUND, f"Feedback item '{item_id}' not found.", 404)


def resource_not_found() -> ApiError:
    return ApiError(ErrorCode.NOT_FOUND, "Resource not found.", 404)


def shown(value: Any) -> str:
    """A rejected value as the catalogue messages quote it: strings as they are, anything
    else as JSON (``null``, ``5``, ``["a"]``), cut short so an error never echoes a novel."""
    text = value if isinstance(value, str) else json.dumps(value, default=str)
    return text if len(text) <= 100 else text[:100] + "…"


def _accepted(values: Iterable[str]) -> str:
    return ", ".join(values)


def invalid_choice_message(field: str, value: Any, values: Iterable[str]) -> str:
    """``Type 'x' is not valid. Accepted values are: ...`` (the catalogue's wording)."""
    label = {"type": "Type", "status": "Status", "priority": "Priority"}[field]
    return f"{label} '{shown(value)}' is not valid. Accepted values are: {_accepted(values)}."


CHOICE_CODES = {
    "type": INVALID_FEEDBACK_TYPE,
    "status": INVALID_STATUS,
    "priority": INVALID_PRIORITY,
}


def invalid_choice(field: str, value: Any, values: Iterable[str]) -> ApiError:
    message = invalid_choice_message(field, value, values)
    code = CHOICE_CODES[field]
    return ApiError(code, message, 422, fields=[FieldError(field, message, code)])


def body_required() -> ApiError:
    message = "The body field is required."
    return ApiError(
        BODY_REQUIRED, message, 422, fields=[FieldError("body", message, BODY_REQUIRED)]
    )


def origin_not_allowed(origin: str) -> ApiError:
    return ApiError(
        ORIGIN_NOT_ALLOWED,
        f"Origin '{shown(origin)}' is not allowed to submit feedback to this project.",
        403,
    )
