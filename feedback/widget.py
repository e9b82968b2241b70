"""The embeddable feedback widget: ``/widget/feedback.js`` and its demo page.

Three URLs serve the same file (docs/api/minolith.md, "Widget"):

* ``/widget/feedback.js``: the documented URL. Cached 5 minutes, then revalidated with the
  ETag (a 304 costs no body), so a fix reaches every embed within minutes.
* ``/widget/feedback.v1.js``: pinned to the widget's major version (its data- attributes
  and behaviour); v1 never breaks its embeds. Cached a day.
* ``/widget/feedback.<hash>.js``: the exact current content (``<hash>`` = the ETag), cached
  for a year as immutable; any other hash is a 404. For sites that pin and audit (SRI).

The file is read from static/widgets/feedback.js and kept in memory with its gzip form,
re-read when its modification time changes.
"""

from __future__ import annotations

import gzip
import hashlib
import threading
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseNotModified
from django.shortcuts import render
from django.utils.cache import patch_vary_headers
from django.views.decorators.http import require_safe

from feedback import selectors
from projects.models import Project

WIDGET_FILE = Path(settings.BASE_DIR) / "static" / "widgets" / "feedback.js"
WIDGET_MAJOR = "v1"
CACHE_CONTROL = {
    "latest": "public, max-age=300, stale-while-revalidate=86400",
    "major": "public, max-age=86400, stale-while-revalidate=604800",
    "exact": "public, max-age=31536000, immutable",
}
CONTENT_TYPE = "text/javascript; charset=utf-8"


@dataclass(frozen=True)
class Asset:
    body: bytes
    gzipped: bytes
    digest: str
    mtime_ns: int


_lock = threading.Lock()
_asset: Asset | None = None


def widget_asset() -> Asset:
    global _asset
    mtime = WIDGET_FILE.stat().st_mtime_ns
    current = _asset
    if current is not None and current.mtime_ns == mtime:
        return current
    with _lock:
        body = WIDGET_FILE.read_bytes()
        _asset = Asset(
            body=body,
            gzipped=gzip.compress(body, compresslevel=9, mtime=0),
            digest=hashlib.sha256(body).hexdigest()[:16],
            mtime_ns=mtime,
        )
        return _asset


def _etag_matches(request: HttpRequest, digest: str) -> bool:
    header = request.headers.get("If-None-Match", "")
    tags = {tag.strip().removeprefix("W/").strip('"') for tag in header.split(",")}
    return "*" in tags or digest in tags or f"{digest}-gz" in tags


@require_safe
def widget_js(request: HttpRequest, variant: str = "latest", digest: str = "") -> HttpResponse:
    asset = widget_asset()
    if variant == "exact" and digest != asset.digest:
        raise Http404("No such widget version")
    use_gzip = "gzip" in request.headers.get("Accept-Encoding", "")
    etag = f'"{asset.digest}-gz"' if use_gzip else f'"{asset.digest}"'
    if _etag_matches(request, asset.digest):
        response: HttpResponse = HttpResponseNotModified()
    else:
        response = HttpResponse(
            asset.gzipped if use_gzip else asset.body, content_type=CONTENT_TYPE
        )
        if use_gzip:
            response["Content-Encoding"] = "gzip"
    response["ETag"] = etag
    response["Cache-Control"] = CACHE_CONTROL[variant]
    # Embedding pages may send Cross-Origin-Embedder-Policy: let them load the script.
    response["Cross-Origin-Resource-Policy"] = "cross-origin"
    patch_vary_headers(response, ["Accept-Encoding"])
    return response


@require_safe
def widget_demo(request: HttpRequest) -> HttpResponse:
    """A page that embeds the widget for ``?project=<slug>``.

    Without ``?project`` a signed-in user gets their first project; an anonymous visitor
    gets a form asking for the slug (listing some tenant's slug to strangers would tell them
    which projects exist).
    """
    slug = request.GET.get("project", "").strip()
    project: Project | None = None
    if slug:
        project = selectors.public_project_get(slug=slug)
    elif request.user.is_authenticated:
        project = (
            Project.objects.filter(
                workspace__memberships__user=request.user, workspace__deleted_at__isnull=True
            )
            .order_by("created_at", "id")
            .first()
        )
    position = request.GET.get("position", "bottom-right")
    if position not in {"bottom-right", "bottom-left", "top-right", "top-left"}:
        position = "bottom-right"
    return render(
        request,
        "feedback/widget_demo.html",
        {
            "project": project,
            "slug": slug,
            "unknown": bool(slug) and project is None,
            "position": position,
            "widget_version": widget_asset().digest,
        },
    )
