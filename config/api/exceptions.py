"""The one DRF exception handler (STYLE 3.3.2).

Every exception becomes an ``ApiError``; the calling view's family renders it. Unknown
exceptions are logged and rendered as the family's 500, never as an HTML page. A database
that cannot be reached (down, restarting, a connection it dropped) is a 503 with
``Retry-After`` in the family's shape, not a 500: nothing was stored, and a retry once it is
back succeeds (bench/faults.py, docs/operations.md).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping
from typing import Any

from django.core.exceptions import ObjectDoesNotExist, RequestDataTooBig
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.db import InterfaceError, OperationalError
from django.http import Http404, HttpResponse
from django_ratelimit.exceptions import Ratelimited
from rest_framework import exceptions as drf
from rest_framework.response import Response

from config.api.errors import ApiError, ErrorCode, FieldError, IdempotentReplay
from config.api.shapes import GREATFEEDBACK, Family
from config.http import no_store

logger = logging.getLogger("backtalk.api")
DATABASE_UNAVAILABLE = "The database is temporarily unavailable; try again shortly."
DATABASE_RETRY_AFTER = "5"


def _flatten(detail: Any, path: str = "") -> Iterable[FieldError]:
    """DRF's nested ``{"field": ["msg"], "tags": {"0": ["msg"]}}`` -> dotted FieldErrors."""
    if isinstance(detail, Mapping):
        for key, value in detail.items():
            name = "" if key in {"non_field_errors", "__all__"} else str(key)
            yield from _flatten(value, f"{path}.{name}".strip(".") if name else path)
    elif isinstance(detail, list | tuple):
        for index, value in enumerate(detail):
            if isinstance(value, Mapping | list | tuple):
                yield from _flatten(value, f"{path}.{index}".strip("."))
            else:
                yield from _flatten(value, path)
    else:
        code = getattr(detail, "code", None) or ErrorCode.VALIDATION
        if code in {"invalid", "required", "null", "blank", "max_length", "min_length"}:
            code = ErrorCode.VALIDATION
        message = str(detail)
        head = path.split(".")[0].lower()
        if path and not message.lower().startswith((head, head.replace("_", " "))):
            message = f"{path}: {message}"
        yield FieldError(field=path or "body", message=message, code=str(code))


def _challenge(description: str) -> str:
    safe = description.replace('"', "'")
    return f'Bearer error="invalid_token", error_description="{safe}"'


def normalise(exc: Exception) -> ApiError:
    """Map any exception to an ApiError. Ratelimited is checked before PermissionDenied,
    its parent class."""
    if isinstance(exc, ApiError):
        return exc
    if isinstance(exc, Ratelimited):
        return ApiError(
            ErrorCode.RATE_LIMITED, "Rate limit exceeded.", 429, headers={"Retry-After": "60"}
        )
    if isinstance(exc, drf.ValidationError):
        fields = list(_flatten(exc.detail))
        message = fields[0].message if fields else "Invalid input."
        return ApiError(ErrorCode.VALIDATION, message, 422, fields=fields)
    if isinstance(exc, drf.ParseError):
        return ApiError(ErrorCode.INVALID_JSON, str(exc.detail), 400)
    if isinstance(exc, drf.UnsupportedMediaType):
        return ApiError(ErrorCode.UNSUPPORTED_MEDIA_TYPE, str(exc.detail), 415)
    if isinstance(exc, drf.NotAuthenticated | drf.AuthenticationFailed):
        reason = str(exc.detail)
        if isinstance(exc, drf.NotAuthenticated):
            reason = "Missing bearer token."
        return ApiError(
            ErrorCode.UNAUTHORIZED, reason, 401, headers={"WWW-Authenticate": _challenge(reason)}
        )
    if isinstance(exc, drf.PermissionDenied | DjangoPermissionDenied):
        detail = getattr(exc, "detail", None) or "You do not have permission to do this."
        return ApiError(ErrorCode.FORBIDDEN, str(detail), 403)
    if isinstance(exc, Http404 | drf.NotFound | ObjectDoesNotExist):
        return ApiError(ErrorCode.NOT_FOUND, "Not found.", 404)
    if isinstance(exc, drf.MethodNotAllowed):
        return ApiError(ErrorCode.METHOD_NOT_ALLOWED, str(exc.detail), 405)
    if isinstance(exc, drf.NotAcceptable):
        return ApiError(ErrorCode.NOT_ACCEPTABLE, str(exc.detail), 406)
    if isinstance(exc, drf.Throttled):
        wait = int(exc.wait or 60)  # type: ignore[attr-defined]  # set in __init__; stubs omit it
        return ApiError(
            ErrorCode.RATE_LIMITED, "Rate limit exceeded.", 429, headers={"Retry-After": str(wait)}
        )
    if isinstance(exc, RequestDataTooBig):
        return ApiError(ErrorCode.PAYLOAD_TOO_LARGE, "Request body is too large.", 413)
    if isinstance(exc, drf.APIException):
        return ApiError(str(exc.default_code), str(exc.detail), exc.status_code)
    if isinstance(exc, OperationalError | InterfaceError):
        logger.warning("database unavailable: %s", exc)
        return ApiError(
            ErrorCode.SERVICE_UNAVAILABLE,
            DATABASE_UNAVAILABLE,
            503,
            headers={"Retry-After": DATABASE_RETRY_AFTER},
        )
    logger.exception("Unhandled API error", exc_info=exc)
    return ApiError(ErrorCode.INTERNAL, "Server error, please report it.", 500)


def render_error(error: ApiError, family: Family) -> Response:
    status, body = family.render(error)
    response = Response(body, status=status)
    for name, value in error.headers.items():
        response[name] = value
    if status == 401 and "WWW-Authenticate" not in response:
        response["WWW-Authenticate"] = _challenge(error.message)
    return response


def exception_handler(exc: Exception, context: Mapping[str, Any]) -> Response | HttpResponse:
    if isinstance(exc, IdempotentReplay):
        response = Response(exc.body, status=exc.status)
        response["Idempotent-Replayed"] = "true"
        # The first response may have carried a secret shown once (a minted token).
        return no_store(response)
    view = context.get("view")
    family: Family = getattr(view, "family", None) or GREATFEEDBACK
    return render_error(normalise(exc), family)
