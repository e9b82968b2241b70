"""Project-level views: health check and the JSON 404/500 for API paths."""

from __future__ import annotations

import logging
import secrets

from django.core.cache import cache
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.defaults import page_not_found, server_error

from config.api.errors import ApiError, ErrorCode
from config.api.shapes import API_PATH_PREFIXES, family_for_path

logger = logging.getLogger("backtalk.health")


@never_cache
def healthz(request: HttpRequest) -> JsonResponse:
    """200 when the database answers a query and the cache round-trips a value; else 503."""
    checks: dict[str, str] = {}
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
        checks["database"] = "ok"
    except Exception as exc:
        logger.warning("health: database failed: %s", exc)
        checks["database"] = "error"
    try:
        probe = secrets.token_hex(4)
        cache.set("healthz", probe, 10)
        checks["cache"] = "ok" if cache.get("healthz") == probe else "error"
    except Exception as exc:
        logger.warning("health: cache failed: %s", exc)
        checks["cache"] = "error"
    healthy = all(v == "ok" for v in checks.values())
    return JsonResponse(
        {"status": "ok" if healthy else "error", "checks": checks}, status=200 if healthy else 503
    )


def _json_error(request: HttpRequest, error: ApiError) -> JsonResponse:
    status, body = family_for_path(request.path).render(error)
    return JsonResponse(body, status=status)


def not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    if request.path.startswith(API_PATH_PREFIXES):
        return _json_error(request, ApiError(ErrorCode.NOT_FOUND, "Not found.", 404))
    return page_not_found(request, exception)


def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    from django.core.exceptions import RequestDataTooBig

    if isinstance(exception, RequestDataTooBig):
        error = ApiError(ErrorCode.PAYLOAD_TOO_LARGE, "Request body is too large.", 413)
    else:
        error = ApiError(ErrorCode.BAD_REQUEST, "Bad request.", 400)
    if request.path.startswith(API_PATH_PREFIXES):
        return _json_error(request, error)
    return HttpResponse(error.message, status=error.status, content_type="text/plain")


def internal_error(request: HttpRequest) -> HttpResponse:
    if request.path.startswith(API_PATH_PREFIXES):
        return _json_error(
            request, ApiError(ErrorCode.INTERNAL, "Server error, please report it.", 500)
        )
    return server_error(request)
