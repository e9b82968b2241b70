"""Project-wide middleware."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from config.api.shapes import API_PATH_PREFIXES
from config.logging import redact


class RedactSecretsInPathMiddleware:
    """Referrer-Policy for URLs that carry secrets, and no caching of them.

    API responses (``/api/``, ``/v1/``, ``/mcp/<token>``) get ``no-referrer``. HTML pages keep
    SECURE_REFERRER_POLICY (``same-origin``): under ``no-referrer`` browsers send ``Origin:
    null`` with form POSTs and Django's CSRF check refuses every dashboard form, while
    ``same-origin`` already keeps a secret-bearing URL from reaching another site. A path
    holding a secret (``config.logging.redact`` changes it) is also ``no-store``; the log
    filter keeps it out of log lines."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if request.path.startswith(API_PATH_PREFIXES):
            # API responses never submit forms, so they can send no Referer at all.
            response["Referrer-Policy"] = "no-referrer"
        else:
            response.setdefault("Referrer-Policy", "same-origin")
        if redact(request.path) != request.path:
            response.setdefault("Cache-Control", "no-store")
        return response
