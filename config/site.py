"""The public base URL that snippets, emails and the MCP line show."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest

FALLBACK_SITE_URL = "http://127.0.0.1:8000"


def site_url(request: HttpRequest | None = None) -> str:
    """``SITE_URL`` when it is set; otherwise the scheme and host this request came in on
    (``get_host`` refuses hosts outside ALLOWED_HOSTS, so a forged Host header never reaches
    a snippet); with neither, the address ``make run`` serves by default. No trailing slash."""
    if settings.SITE_URL:
        return str(settings.SITE_URL).rstrip("/")
    if request is not None:
        return f"{request.scheme}://{request.get_host()}"
    return FALLBACK_SITE_URL
