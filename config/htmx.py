"""htmx helpers (NB utilities/htmx.py)."""

from __future__ import annotations

from django.http import HttpRequest


def is_htmx(request: HttpRequest) -> bool:
    return request.headers.get("HX-Request") == "true"


def htmx_partial(request: HttpRequest, full: str, partial: str) -> str:
    """The template to render: the fragment for htmx requests, the whole page otherwise."""
    return partial if is_htmx(request) else full
