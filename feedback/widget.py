"""The embeddable feedback widget: ``/widget/feedback.js`` and its demo page.

Three URLs serve the same file (docs/api/minolith.md, "Widget"):

* ``/widget/feedback.js``: the documented URL. Cached 5 minutes, then revalidated with the
  ETag (a 304 costs no body), so a fix reaches every embed within minutes.
* ``/widget/feedback.v1.js``: pinned to the widget's major version (its data- attributes
  and behaviour); v1 never breaks its embeds. Cached a day.
* ``/widget/feedback.<hash>.js``: the exact current content (``<hash>`` = the ETag), cached
  for a year as immutable; any other hash is a 404. For sites that pin and audit (SRI).

The file is read from static/widgets/feedback.js and served by config.scripts (kept in
memory with its gzip form, re-read when its modification time changes).
"""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe

from config.scripts import Asset, ServedFile, versioned_script_view
from feedback import selectors
from projects.models import Project

WIDGET_FILE = Path(settings.BASE_DIR) / "static" / "widgets" / "feedback.js"
WIDGET_MAJOR = "v1"
_widget = ServedFile(WIDGET_FILE)


def widget_asset() -> Asset:
    return _widget.asset()


widget_js = versioned_script_view(_widget)


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
