"""Pagination: HMAC-signed keyset cursors, validated page/limit parameters, and each API
family's pagination class (its limits, query parameters and list body), which the family's
base view declares (config/api/families.py).

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
from typing import Any, ClassVar

from django.core import signing
from django.db.models import Q, QuerySet
from rest_framework.pagination import BasePagination
from rest_framework.request import Request
from rest_framework.response import Response

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


# --- The families' pagination ------------------------------------------------------------
def _query_parameter(name: str, kind: str, description: str) -> dict[str, Any]:
    return {
        "name": name,
        "required": False,
        "in": "query",
        "description": description,
        "schema": {"type": kind},
    }


class FamilyPagination(BasePagination):
    """A family's ``?limit`` (bounded; out of range is a 400 naming it) and list body."""

    default_limit: ClassVar[int]
    max_limit: ClassVar[int]

    def get_limit(self, request: Request) -> int:
        return parse_int(
            request.query_params.get("limit"),
            name="limit",
            default=self.default_limit,
            minimum=1,
            maximum=self.max_limit,
        )

    def schema_parameters(self) -> list[dict[str, Any]]:
        """The OpenAPI query parameters, the one description of them for every view."""
        raise NotImplementedError

    def get_schema_operation_parameters(self, view: Any) -> list[dict[str, Any]]:
        return self.schema_parameters()

    def limit_parameter(self) -> dict[str, Any]:
        description = f"1-{self.max_limit}, default {self.default_limit}"
        return _query_parameter("limit", "integer", description)


class KeysetPagination(FamilyPagination):
    """Keyset pages behind a signed ``?cursor``, newest first. The view names its list in
    ``cursor_salt``, so a cursor of one list is refused by another; a list in another order
    declares its keyset as ``list_keys`` (and ``list_descending = False`` for ascending)."""

    cursor_description: ClassVar[str]
    page: KeysetPage
    limit: int

    def paginate_queryset(self, queryset: Any, request: Request, view: Any = None) -> list[Any]:
        self.limit = self.get_limit(request)
        self.page = keyset_paginate(
            queryset,
            cursor=request.query_params.get("cursor") or None,
            limit=self.limit,
            salt=view.cursor_salt,
            keys=getattr(view, "list_keys", ("created_at", "id")),
            descending=getattr(view, "list_descending", True),
        )
        return self.page.items

    def schema_parameters(self) -> list[dict[str, Any]]:
        return [
            _query_parameter("cursor", "string", self.cursor_description),
            self.limit_parameter(),
        ]


_NEXT_CURSOR_SCHEMA = {"type": "string", "nullable": True}


class GreatfeedbackPagination(KeysetPagination):
    """``?limit`` 1-200 (default 50), answered as ``{"items": [...], "next_cursor": ...}``."""

    default_limit = 50
    max_limit = 200
    cursor_description = "next_cursor of the previous page"

    def get_paginated_response(self, data: Any) -> Response:
        return Response({"items": data, "next_cursor": self.page.next_cursor})

    def get_paginated_response_schema(self, schema: dict[str, Any]) -> dict[str, Any]:
        return {
            "type": "object",
            "required": ["items", "next_cursor"],
            "properties": {"items": schema, "next_cursor": _NEXT_CURSOR_SCHEMA},
        }


class MinolithPagination(KeysetPagination):
    """``?limit`` 1-100 (default 20), answered as
    ``{"data": [...], "pagination": {"has_more", "next_cursor", "limit"}}``."""

    default_limit = 20
    max_limit = 100
    cursor_description = "pagination.next_cursor of the previous page"

    def get_paginated_response(self, data: Any) -> Response:
        pagination = {
            "has_more": self.page.has_more,
            "next_cursor": self.page.next_cursor,
            "limit": self.limit,
        }
        return Response({"data": data, "pagination": pagination})

    def get_paginated_response_schema(self, schema: dict[str, Any]) -> dict[str, Any]:
        pagination = {
            "type": "object",
            "required": ["has_more", "next_cursor", "limit"],
            "properties": {
                "has_more": {"type": "boolean"},
                "next_cursor": _NEXT_CURSOR_SCHEMA,
                "limit": {"type": "integer"},
            },
        }
        return {
            "type": "object",
            "required": ["data", "pagination"],
            "properties": {"data": schema, "pagination": pagination},
        }


class WritebackPagination(FamilyPagination):
    """``?page`` and ``?limit`` (default 50, max 100) with the total, answered inside the
    endpoint's body as ``"pagination": {"page", "limit", "total"}``.

    Offsets collapse with depth (PERFORMANCE.md: page 2,000 of a big project ran at
    14 req/s), so pages reach the newest ``max_offset_rows`` matching rows; the endpoint's
    own filters (from/to) reach older ones.
    """

    default_limit = 50
    max_limit = 100
    max_offset_rows = 10_000
    page: int
    limit: int

    def paginate_request(self, request: Request) -> None:
        """Read and check ``limit``, then ``page`` (whose range depends on the limit)."""
        self.limit = self.get_limit(request)
        self.page = self.get_page(request.query_params.get("page"))

    def max_page(self) -> int:
        return max(1, self.max_offset_rows // self.limit)

    def get_page(self, raw: str | None) -> int:
        """From 1 up to the depth cap for this limit; anything else (0, -1, ``two``, beyond
        the cap) is one 400 that gives the real range and says how to reach older rows."""
        try:
            page = int(raw) if raw not in (None, "") else 1
        except ValueError:
            page = 0
        if not 1 <= page <= self.max_page():
            message = (
                f"page must be an integer from 1 to {self.max_page()} with limit={self.limit}: "
                f"pages reach the newest {self.max_offset_rows:,} matching reports; use "
                "from/to to go further back."
            )
            raise ApiError(
                ErrorCode.BAD_REQUEST, message, 400, fields=[FieldError("page", message)]
            )
        return page

    @property
    def offset(self) -> int:
        return (self.page - 1) * self.limit

    def body(self, total: int) -> dict[str, int]:
        return {"page": self.page, "limit": self.limit, "total": total}

    def schema_parameters(self) -> list[dict[str, Any]]:
        pages = f"default 1; at most {self.max_offset_rows:,}/limit"
        return [_query_parameter("page", "integer", pages), self.limit_parameter()]
