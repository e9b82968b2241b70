"""The annotation widget's files: ``/widget/annotate.js``, the screenshot module it loads
lazily, and its demo page.

* ``/widget/annotate.js``: the documented URL (docs/api/greatfeedback.md, "The annotation
  widget"). Cached 5 minutes, then revalidated with the ETag, like ``/widget/feedback.js``,
  so a fix reaches every embed within minutes.
* ``/widget/annotate.v1.js``: pinned to the widget's major version (its data- attributes
  and behaviour), cached a day; ``/widget/annotate.<hash>.js``: the exact content (``<hash>``
  = the ETag), cached a year as immutable, for sites that pin and audit (SRI).
* ``/widget/vendor/modern-screenshot-<version>.mjs``: the vendored, pinned DOM-to-image
  library (static/vendor/README), an ES module the widget ``import()``s only when a visitor
  sends a note, so it never counts against the widget's size and defines no global on the
  host page. Its URL names the version, so it is cached a year as immutable.

Everything under ``/widget/`` is CORS-enabled for every origin (settings.CORS_URLS_REGEX):
a module script from another origin needs Access-Control-Allow-Origin.
"""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.crypto import constant_time_compare
from django.views.decorators.http import require_safe

from config.ids import is_hex32, secret_digest
from config.scripts import CACHE_CONTROL, Asset, ServedFile, serve_asset, versioned_script_view
from projects.models import Project

STATIC = Path(settings.BASE_DIR) / "static"
WIDGET_MAJOR = "v1"
SCREENSHOT_VERSION = "4.7.0"
_widget = ServedFile(STATIC / "widgets" / "annotate.js")
_screenshot = ServedFile(
    STATIC / "vendor" / f"modern-screenshot-{SCREENSHOT_VERSION}" / "modern-screenshot.mjs"
)


def annotate_asset() -> Asset:
    return _widget.asset()


annotate_js = versioned_script_view(_widget)


@require_safe
def screenshot_module(request: HttpRequest) -> HttpResponse:
    return serve_asset(request, _screenshot.asset(), cache_control=CACHE_CONTROL["exact"])


def _demo_site(site_id: str, token: str) -> Project | None:
    """The site whose current widget token is ``token`` (digests compared in constant
    time), or None: the demo never embeds a token the API would refuse."""
    site = (
        Project.objects.select_related("workspace").filter(pk=site_id).first()
        if is_hex32(site_id)
        else None
    )
    expected = site.widget_token_hash if site is not None else "-"
    if not constant_time_compare(secret_digest(token), expected) or site is None:
        return None
    return None if site.workspace.is_deleted else site


@require_safe
def annotate_demo(request: HttpRequest) -> HttpResponse:
    """A page that embeds the annotation widget for ``?site=<id>&token=<widget token>``.

    The widget token is stored hashed, so the demo cannot look it up for anyone, signed in
    or not: the visitor pastes the pair the site's secrets page reveals. A pair that does not
    match is refused on the page (without saying which half was wrong)."""
    site_id = request.GET.get("site", "").strip()
    token = request.GET.get("token", "").strip()
    site = _demo_site(site_id, token) if site_id and token else None
    return render(
        request,
        "annotations/annotate_demo.html",
        {
            "site": site,
            "site_id": site_id,
            "token": token if site is not None else "",
            "unknown": bool(site_id or token) and site is None,
            "widget_version": annotate_asset().digest,
        },
    )
