"""Persona API errors, in greatfeedback's ``{"detail": ...}`` shape (config.api.shapes)."""

from __future__ import annotations

from collections.abc import Sequence

from config.api.errors import ApiError, ErrorCode, not_found

MAX_NAMED_IDS = 10


def persona_not_found() -> ApiError:
    return not_found("Persona not found.")


def default_not_found(slug: str) -> ApiError:
    return not_found(f"There is no default persona '{slug[:64]}'.")


def slug_taken(slug: str, *, reserved: bool = False) -> ApiError:
    why = "is reserved for a default persona" if reserved else "is already used in this workspace"
    return ApiError(ErrorCode.CONFLICT, f"The slug '{slug}' {why}.", 409)


def unknown_personas(ids: Sequence[str]) -> ApiError:
    shown = ", ".join(i[:40] for i in ids[:MAX_NAMED_IDS])
    more = f" and {len(ids) - MAX_NAMED_IDS} more" if len(ids) > MAX_NAMED_IDS else ""
    return ApiError(ErrorCode.BAD_REQUEST, f"Unknown persona ids: {shown}{more}.", 400)


def no_personas_to_run() -> ApiError:
    return ApiError(
        ErrorCode.BAD_REQUEST,
        "No personas to run: the default set was deleted; pass persona_ids or reset the defaults.",
        400,
    )
