"""Per-project CORS origins for the public Minolith widget endpoint.

django-cors-headers answers CORS for the browser-facing paths in settings.CORS_URLS_REGEX.
The public endpoint ``/v1/feedback/public/<slug>`` is left out of that regex and enabled
here, request by request: for every origin when the project has no ``allowed_origins``,
otherwise only for the listed ones. A request this handler does not enable gets no
Access-Control-Allow-Origin header, so the browser refuses it.
"""

from __future__ import annotations

import re

from corsheaders.signals import check_request_enabled
from django.http import HttpRequest

# The slug alphabet only: anything else (a NUL, say) names no project and must not reach
# the database, where PostgreSQL would refuse the query.
_PUBLIC = re.compile(r"^/v1/feedback/public/(?P<slug>[-a-zA-Z0-9_]{1,64})/?$")


def _public_origin_allowed(sender: object, request: HttpRequest, **kwargs: object) -> bool | None:
    match = _PUBLIC.match(request.path)
    if not match:
        return None
    from projects.models import Project

    origins = (
        Project.objects.filter(slug=match["slug"]).values_list("allowed_origins", flat=True).first()
    )
    if not origins:
        return True  # no list (or an unknown slug, which 404s with CORS headers): all origins
    origin = request.headers.get("Origin", "").rstrip("/")
    return origin in {o.rstrip("/") for o in origins}


check_request_enabled.connect(_public_origin_allowed)
