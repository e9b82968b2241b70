"""Per-project CORS origins for the public Minolith widget endpoint.

django-cors-headers answers CORS for the browser-facing paths in settings.CORS_URLS_REGEX.
The public endpoint ``/v1/feedback/public/<slug>`` is left out of that regex and enabled
here, request by request: for every origin when the project has no ``allowed_origins``,
otherwise only for the listed ones. A request this handler does not enable gets no
Access-Control-Allow-Origin header, so the browser refuses it.

The middleware runs before the view, so the row read here is kept on the request as
``request.public_project_lookup``: a ``(slug, project or None)`` pair, the project loaded
with its workspace, whether or not that workspace is deleted. The view
(``feedback.selectors.public_project_get``) reuses it for the same slug instead of
reading the row again; :func:`looked_up_project` reads it back.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from corsheaders.signals import check_request_enabled
from django.http import HttpRequest

if TYPE_CHECKING:
    from projects.models import Project

# The slug alphabet only: anything else (a NUL, say) names no project and must not reach
# the database, where PostgreSQL would refuse the query.
_PUBLIC = re.compile(r"^/v1/feedback/public/(?P<slug>[-a-zA-Z0-9_]{1,64})/?$")

LOOKUP_ATTR = "public_project_lookup"


def looked_up_project(request: object, slug: str) -> tuple[bool, Project | None]:
    """``(True, project or None)`` when this request's CORS check already read ``slug``
    (``None``: no such project); ``(False, None)`` when it did not, and the caller must."""
    lookup = getattr(request, LOOKUP_ATTR, None)
    if lookup is None or lookup[0] != slug:
        return False, None
    return True, lookup[1]


def _public_origin_allowed(sender: object, request: HttpRequest, **kwargs: object) -> bool | None:
    match = _PUBLIC.match(request.path)
    if not match:
        return None
    from projects.models import Project

    slug = match["slug"]
    project = Project.objects.select_related("workspace").filter(slug=slug).first()
    setattr(request, LOOKUP_ATTR, (slug, project))
    origins = project.allowed_origins if project is not None else None
    if not origins:
        return True  # no list (or an unknown slug, which 404s with CORS headers): all origins
    origin = request.headers.get("Origin", "").rstrip("/")
    return origin in {o.rstrip("/") for o in origins}


check_request_enabled.connect(_public_origin_allowed)
