"""CORS for the annotation widget's endpoints, per site.

The widget posts from the customer's pages, so ``/api/widget/sites/<site_id>/annotations``
(and its ``/upload-url``, ``/lookup`` and the stakeholder-link check) are CORS-enabled
request by request, like Minolith's public endpoint (``projects.cors``): for the site's
``allowed_origins``, or every origin when the site lists none (one rule,
``projects.cors.origin_allowed``). A preflight from another origin gets no
Access-Control-Allow-Origin header, so the browser refuses it; the view refuses a
scripted request carrying such an Origin with a 403. A request without ``Origin`` (a
server, curl) is not a CORS request and is accepted.

The other ``/api/widget/sites/<id>/...`` routes (secrets, stakeholders) are dashboard and
API-token routes: they are never CORS-enabled.

The site row read here (with its workspace) is kept on the request, so the view that
checks the widget token reads it without a second query (:func:`widget_site`).
"""

from __future__ import annotations

import re

from corsheaders.signals import check_request_enabled
from django.http import HttpRequest

from projects.cors import looked_up_project, origin_allowed, remember_project
from projects.models import Project

# The id alphabet only: anything else names no site and never reaches the database.
_WIDGET = re.compile(
    r"^/api/widget/sites/(?P<site_id>[0-9a-f]{32})/"
    r"(?:annotations(?:/upload-url|/lookup)?|stakeholder-link)$"
)


def _lookup_key(site_id: str) -> str:
    # A colon is outside the slug alphabet, so this key never matches a Minolith slug.
    return f"site:{site_id}"


def widget_site(request: HttpRequest, site_id: str) -> Project | None:
    """The site (with its workspace) named by a widget URL, or None. Reuses the row this
    request's CORS check read; reads it when that check did not run (a test client
    calling the view directly, a path the middleware skipped)."""
    found, project = looked_up_project(request, _lookup_key(site_id))
    if found:
        return project
    # No ORDER BY (first() would add the model's ordering): compiling it cost more than the
    # query itself on the widget's hot path (bench/widget_submit.py).
    rows = Project.objects.select_related("workspace").filter(pk=site_id).order_by()[:1]
    project = next(iter(rows), None)
    remember_project(request, _lookup_key(site_id), project)
    return project


def _widget_origin_allowed(sender: object, request: HttpRequest, **kwargs: object) -> bool | None:
    match = _WIDGET.match(request.path_info)
    if not match:
        return None
    project = widget_site(request, match["site_id"])
    # An unknown site still answers with CORS headers, so the page sees its 401.
    origins = project.allowed_origins if project is not None else None
    return origin_allowed(origins, request.headers.get("Origin", ""))


check_request_enabled.connect(_widget_origin_allowed)
