"""Embeddable scripts served by a view rather than as static files: each is kept in memory
with its gzip form and an ETag (its content hash), re-read when the file's modification time
changes, and answered with the caller's ``Cache-Control``, a 304 to a matching ETag, and
``Cross-Origin-Resource-Policy: cross-origin`` so pages of any origin (even with COEP) can
load it. Used by the Minolith feedback widget (feedback/widget.py) and the greatfeedback
annotation widget and its lazily loaded screenshot module (annotations/widget_assets.py)."""

from __future__ import annotations

import gzip
import hashlib
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from django.http import Http404, HttpRequest, HttpResponse, HttpResponseNotModified
from django.utils.cache import patch_vary_headers
from django.views.decorators.http import require_safe

JS_CONTENT_TYPE = "text/javascript; charset=utf-8"
# Each embeddable script has three URLs (docs/api/minolith.md "Widget"): the documented one
# (a fix reaches every embed within minutes), the major version's, and the exact content's.
CACHE_CONTROL = {
    "latest": "public, max-age=300, stale-while-revalidate=86400",
    "major": "public, max-age=86400, stale-while-revalidate=604800",
    "exact": "public, max-age=31536000, immutable",
}


@dataclass(frozen=True)
class Asset:
    body: bytes
    gzipped: bytes
    digest: str
    mtime_ns: int


class ServedFile:
    """One file on disk, its bytes and gzip form cached until its mtime changes."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._lock = threading.Lock()
        self._asset: Asset | None = None

    def asset(self) -> Asset:
        mtime = self.path.stat().st_mtime_ns
        current = self._asset
        if current is not None and current.mtime_ns == mtime:
            return current
        with self._lock:
            body = self.path.read_bytes()
            self._asset = Asset(
                body=body,
                gzipped=gzip.compress(body, compresslevel=9, mtime=0),
                digest=hashlib.sha256(body).hexdigest()[:16],
                mtime_ns=mtime,
            )
            return self._asset


def _etag_matches(request: HttpRequest, digest: str) -> bool:
    header = request.headers.get("If-None-Match", "")
    tags = {tag.strip().removeprefix("W/").strip('"') for tag in header.split(",")}
    return "*" in tags or digest in tags or f"{digest}-gz" in tags


def serve_asset(
    request: HttpRequest, asset: Asset, *, cache_control: str, content_type: str = JS_CONTENT_TYPE
) -> HttpResponse:
    """The asset (gzipped when accepted) or a 304, with its ETag and caching headers."""
    use_gzip = "gzip" in request.headers.get("Accept-Encoding", "")
    etag = f'"{asset.digest}-gz"' if use_gzip else f'"{asset.digest}"'
    if _etag_matches(request, asset.digest):
        response: HttpResponse = HttpResponseNotModified()
    else:
        response = HttpResponse(
            asset.gzipped if use_gzip else asset.body, content_type=content_type
        )
        if use_gzip:
            response["Content-Encoding"] = "gzip"
    response["ETag"] = etag
    response["Cache-Control"] = cache_control
    # Embedding pages may send Cross-Origin-Embedder-Policy: let them load the script.
    response["Cross-Origin-Resource-Policy"] = "cross-origin"
    patch_vary_headers(response, ["Accept-Encoding"])
    return response


def versioned_script_view(served: ServedFile) -> Callable[..., HttpResponse]:
    """The view behind a script's three URLs: ``variant`` picks the caching; an ``exact``
    URL whose digest is not the current content's is a 404."""

    @require_safe
    def view(request: HttpRequest, variant: str = "latest", digest: str = "") -> HttpResponse:
        asset = served.asset()
        if variant == "exact" and digest != asset.digest:
            raise Http404("No such script version")
        return serve_asset(request, asset, cache_control=CACHE_CONTROL[variant])

    return view
