"""Pagination: HMAC-signed keyset cursors, and validated page/limit parameters.

A cursor is ``django.core.signing`` over the last row's sort key, salted per list, so a
client can neither read nor forge one; a tampered or foreign cursor is a 400 ``invalid_cursor``
(each family renders it in its shape). Keyset pagination (WHERE (created_at, id) < (...))
stays as fast on page 10,000 as on page 1, and rows inserted while a client pages through
never shift what it sees: nothing is skipped or repeated.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.core import signing
from django.db.models import Q, QuerySet

from config.api.errors import ApiError, ErrorCode, FieldError


@dataclass(frozen=True)
class KeysetPage:
    items: list[Any]
    next_cursor: str | None

    @property
    def has_more(self) -> bool:
        return self.next_cursor is not None


def _encode_value(value: Any) -> Any:
    if isinstance(value, datetime):
        return {"dt": value.isoformat()}
    return value


def _decode_value(value: Any) -> Any:
    if isinstance(value, dict) and set(value) == {"dt"}:
        return datetime.fromisoformat(value["dt"])
    return value


def invalid_cursor() -> ApiError:
    message = "The cursor is invalid or was tampered with."
    return ApiError(
        ErrorCode.INVALID_CURSOR,
        message,
        400,
        fields=[FieldError("cursor", message, ErrorCode.INVALID_CURSOR)],
    )


def sign_cursor(values: Sequence[Any], *, salt: str) -> str:
    return signing.dumps([_encode_value(v) for v in values], salt=f"cursor:{salt}", compress=True)


def read_cursor(raw: str, *, salt: str, arity: int) -> list[Any]:
    try:
        values = signing.loads(raw, salt=f"cursor:{salt}")
        if not isinstance(values, list) or len(values) != arity:
            raise ValueError("wrong cursor shape")
        return [_decode_value(v) for v in values]
    except (signing.BadSignature, ValueError, TypeError, UnicodeError) as exc:
        raise invalid_cursor() from exc


def keyset_paginate(
    queryset: QuerySet,
    *,
    cursor: str | None,
    limit: int,
    salt: str,
    keys: Sequence[str] = ("created_at", "id"),
    descending: bool = True,
) -> KeysetPage:
    """One page of ``queryset`` ordered by ``keys`` (newest first by default).

    Fetches ``limit + 1`` rows to learn whether another page exists without a COUNT.
    """
    direction = "-" if descending else ""
    queryset = queryset.order_by(*(f"{direction}{k}" for k in keys))
    if cursor:
        values = read_cursor(cursor, salt=salt, arity=len(keys))
        op = "lt" if descending else "gt"
        condition = Q()
        # (a, b) < (x, y)  <=>  a < x OR (a = x AND b < y), generalised to n keys.
        for i, key in enumerate(keys):
            term = Q(**{f"{key}__{op}": values[i]})
            for prior_key, prior_value in zip(keys[:i], values[:i], strict=False):
                term &= Q(**{prior_key: prior_value})
            condition |= term
        # The redundant bound on the first key (a <= x) is what PostgreSQL can use as an index
        # range condition; the OR form alone is only a filter, so a deep page would scan the
        # index from the top (measured: page 10,000 of a 225k-row filtered list, 1.2 s -> ms).
        bound = Q(**{f"{keys[0]}__{'lte' if descending else 'gte'}": values[0]})
        queryset = queryset.filter(bound & condition)
    rows = list(queryset[: limit + 1])
    next_cursor = None
    if len(rows) > limit:
        rows = rows[:limit]
        last = rows[-1]
        next_cursor = sign_cursor(
            [last[k] if isinstance(last, dict) else getattr(last, k) for k in keys], salt=salt
        )
    return KeysetPage(items=rows, next_cursor=next_cursor)


def parse_int(raw: str | None, *, name: str, default: int, minimum: int, maximum: int) -> int:
    """A bounded integer query parameter; out of range or not a number is a 400 naming it."""
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        value = None
    if value is None or not minimum <= value <= maximum:
        message = f"{name} must be an integer from {minimum} to {maximum}."
        raise ApiError(ErrorCode.BAD_REQUEST, message, 400, fields=[FieldError(name, message)])
    return value
