"""htmx helpers (NB utilities/htmx.py)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect


def is_htmx(request: HttpRequest) -> bool:
    return request.headers.get("HX-Request") == "true"


def htmx_partial(request: HttpRequest, full: str, partial: str) -> str:
    """The template to render: the fragment for htmx requests, the whole page otherwise."""
    return partial if is_htmx(request) else full


def htmx_redirect(request: HttpRequest, url: str) -> HttpResponse:
    """The answer to a successful POST (POST/redirect/GET). htmx would follow a 3xx inside
    the fragment it swaps, so it gets a 204 with ``HX-Redirect`` and navigates instead."""
    if is_htmx(request):
        response = HttpResponse(status=204)
        response["HX-Redirect"] = url
        return response
    return redirect(url)
