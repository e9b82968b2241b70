"""Project-wide middleware."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from config.logging import redact


class RedactSecretsInPathMiddleware:
    """Send ``Referrer-Policy: no-referrer`` on every response and keep the MCP token out of
    ``request.get_full_path()``-based logging (django.request logs the path on errors)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        response.setdefault("Referrer-Policy", "no-referrer")
        if redact(request.path) != request.path:
            response.setdefault("Cache-Control", "no-store")
        return response
