"""Project-level views: health check, favicon, and the JSON 404/500 for API paths."""

from __future__ import annotations

import functools
import logging
import secrets
import sys
from pathlib import Path

from django.contrib.staticfiles import finders
from django.core.cache import cache
from django.db import InterfaceError, OperationalError, connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.cache import cache_control, never_cache
from django.views.defaults import page_not_found, server_error

from config.api.errors import ApiError, ErrorCode
from config.api.exceptions import DATABASE_RETRY_AFTER, DATABASE_UNAVAILABLE
from config.api.shapes import API_PATH_PREFIXES, family_for_path
from config.worker import database_queue, task_backlog

logger = logging.getLogger("backtalk.health")


@never_cache
def healthz(request: HttpRequest) -> JsonResponse:
    """200 when the database answers a query and the cache round-trips a value; else 503.

    With the database task queue it also reports queued tasks waiting over a minute
    (``"tasks": "stale"`` and a ``"degraded"`` status), still with 200: a stopped worker
    is no reason for a load balancer to take a web node out (docs/operations.md)."""
    checks: dict[str, str] = {}
    body: dict[str, object] = {}
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
        checks["database"] = "ok"
    except Exception as exc:
        logger.warning("health: database failed: %s", exc)
        checks["database"] = "error"
    # A key per request: with one shared key, concurrent checks overwrote each other's
    # probe and healthy nodes answered 503 under load.
    key = f"healthz:{secrets.token_hex(8)}"
    try:
        probe = secrets.token_hex(4)
        cache.set(key, probe, 10)
        checks["cache"] = "ok" if cache.get(key) == probe else "error"
        cache.delete(key)
    except Exception as exc:
        logger.warning("health: cache failed: %s", exc)
        checks["cache"] = "error"
    healthy = all(v == "ok" for v in checks.values())
    if checks["database"] == "ok" and database_queue():
        try:
            backlog = task_backlog()
        except Exception as exc:
            logger.warning("health: task queue failed: %s", exc)
            checks["tasks"] = "error"
        else:
            checks["tasks"] = "stale" if backlog else "ok"
            if backlog:
                body["tasks"] = {
                    "stale": backlog.count,
                    "oldest_seconds": backlog.oldest_seconds,
                    "stuck": backlog.stuck,
                }
    if not healthy:
        status = "error"
    elif checks.get("tasks", "ok") != "ok":
        status = "degraded"
    else:
        status = "ok"
    return JsonResponse(
        {"status": status, "checks": checks, **body}, status=200 if healthy else 503
    )


@cache_control(max_age=86400, public=True)
def favicon(request: HttpRequest) -> HttpResponse:
    """``/favicon.ico``, which browsers ask for on pages without an icon link (the API docs,
    the admin, the widget demo); base.html links the SVG."""
    return HttpResponse(_favicon_bytes(), content_type="image/x-icon")


@functools.cache
def _favicon_bytes() -> bytes:
    path = finders.find("favicon.ico")
    return Path(str(path)).read_bytes()


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
    """handler500: an exception no view handled (one raised in a middleware, such as the CORS
    check's project read). Django calls it inside its ``except`` block, so the exception is
    at hand: an unreachable database is the family's 503 with ``Retry-After``, as inside
    the API views (``config.api.exceptions``)."""
    if request.path.startswith(API_PATH_PREFIXES):
        if isinstance(sys.exc_info()[1], OperationalError | InterfaceError):
            response = _json_error(
                request, ApiError(ErrorCode.SERVICE_UNAVAILABLE, DATABASE_UNAVAILABLE, 503)
            )
            response["Retry-After"] = DATABASE_RETRY_AFTER
            return response
        return _json_error(
            request, ApiError(ErrorCode.INTERNAL, "Server error, please report it.", 500)
        )
    return server_error(request)
