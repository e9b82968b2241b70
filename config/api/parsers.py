"""A JSON parser that turns every hostile body into a 4xx, never a 500.

Handles: bodies over MAX_BODY_BYTES (413), invalid UTF-8 or JSON, NaN/Infinity, nesting
deep enough to overflow the decoder, and strings holding NUL or lone surrogates, which
PostgreSQL cannot store (400).
"""

from __future__ import annotations

import json
import math
import sys
from typing import Any

from django.conf import settings
from rest_framework.exceptions import ParseError
from rest_framework.parsers import BaseParser

from config.api.errors import ApiError, ErrorCode

MAX_DEPTH = 32


def _reject_constant(name: str) -> None:
    raise ValueError(f"{name} is not valid JSON")


def _parse_int(text: str) -> int:
    # int() names sys.set_int_max_str_digits() past 4,300 digits: say what a client can act on.
    try:
        return int(text)
    except ValueError:
        raise ValueError(f"a number has more than {sys.get_int_max_str_digits()} digits") from None


def check_text(value: str, where: str) -> None:
    if "\x00" in value:
        raise ParseError(f"{where} contains a NUL character.")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError as exc:
        raise ParseError(f"{where} contains an unpaired surrogate.") from exc


def _walk(value: Any, depth: int = 0) -> None:
    if depth > MAX_DEPTH:
        raise ParseError(f"JSON nesting deeper than {MAX_DEPTH} levels.")
    if isinstance(value, str):
        check_text(value, "A string")
    elif isinstance(value, float) and not math.isfinite(value):
        # 1e999 parses to inf, which neither JSON nor PostgreSQL's jsonb can hold.
        raise ParseError("A number is out of range.")
    elif isinstance(value, dict):
        for key, item in value.items():
            check_text(key, "A key")
            _walk(item, depth + 1)
    elif isinstance(value, list):
        for item in value:
            _walk(item, depth + 1)


def read_limited(stream: Any, request: Any = None) -> bytes:
    limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    declared = None
    if request is not None:
        try:
            declared = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            declared = None
    if declared and declared > limit:
        raise ApiError(ErrorCode.PAYLOAD_TOO_LARGE, f"Request body exceeds {limit} bytes.", 413)
    data = stream.read(limit + 1) if stream is not None else b""
    if len(data) > limit:
        raise ApiError(ErrorCode.PAYLOAD_TOO_LARGE, f"Request body exceeds {limit} bytes.", 413)
    return data


def loads_strict(raw: bytes) -> Any:
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ParseError("Request body is not valid UTF-8.") from exc
    try:
        data = json.loads(text, parse_constant=_reject_constant, parse_int=_parse_int)
    except RecursionError as exc:
        raise ParseError("JSON nesting is too deep.") from exc
    except ValueError as exc:
        raise ParseError(f"Request body is not valid JSON: {exc}") from exc
    _walk(data)
    return data


class StrictJSONParser(BaseParser):
    media_type = "application/json"

    def parse(self, stream: Any, media_type: str | None = None, parser_context: Any = None) -> Any:
        request = (parser_context or {}).get("request")
        return loads_strict(read_limited(stream, request))


class AnyContentTypeJSONParser(StrictJSONParser):
    """For endpoints whose documented clients may omit Content-Type (``curl -d`` sends
    form encoding by default): the body is read as JSON whatever the header says."""

    media_type = "*/*"
