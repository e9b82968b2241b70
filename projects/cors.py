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
from urllib.parse import urlsplit

from corsheaders.signals import check_request_enabled
from django.http import HttpRequest

from projects.models import SLUG_PATTERN, Project

# Anything outside the slug alphabet names no project and must not reach the database,
# where PostgreSQL would refuse a NUL.
_PUBLIC = re.compile(rf"^/v1/feedback/public/(?P<slug>{SLUG_PATTERN})/?$")

LOOKUP_ATTR = "public_project_lookup"


def looked_up_project(request: object, slug: str) -> tuple[bool, Project | None]:
    """``(True, project or None)`` when this request's CORS check already read ``slug``
    (``None``: no such project); ``(False, None)`` when it did not, and the caller must.
    Other CORS checks (annotations.cors) keep their row under their own key the same way."""
    lookup = getattr(request, LOOKUP_ATTR, None)
    if lookup is None or lookup[0] != slug:
        return False, None
    return True, lookup[1]


def remember_project(request: object, key: str, project: Project | None) -> None:
    """Keep the row a CORS check read, for the view of the same request."""
    setattr(request, LOOKUP_ATTR, (key, project))


_DEFAULT_PORTS = {"http": 80, "https": 443}


def comparable_origin(origin: str) -> str:
    """An origin in the form a browser sends it in ``Origin``: lower-case scheme and host,
    the host's IDNA (punycode) form, no default port, no trailing slash. An origin typed
    as ``https://Bücher.example:443/`` and the browser's ``https://xn--bcher-kva.example``
    compare equal. Text that is not an origin comes back stripped and lower-cased only."""
    raw = origin.strip().rstrip("/")
    try:
        parts = urlsplit(raw)
        port = parts.port
        host = (parts.hostname or "").encode("idna").decode("ascii")
    except (ValueError, UnicodeError):
        return raw.lower()
    if not parts.scheme or not host:
        return raw.lower()
    scheme = parts.scheme.lower()
    if ":" in host:  # IPv6 literal
        host = f"[{host}]"
    if port is None or port == _DEFAULT_PORTS.get(scheme):
        return f"{scheme}://{host}"
    return f"{scheme}://{host}:{port}"


def origin_allowed(allowed_origins: list[str] | None, origin: str) -> bool:
    """Whether a project with these ``allowed_origins`` accepts ``origin``: every origin
    when the list is empty (the Minolith document), else only a listed one. The one rule
    both the CORS headers (below) and the public endpoint's 403 apply."""
    if not allowed_origins:
        return True
    return comparable_origin(origin) in {comparable_origin(o) for o in allowed_origins}


def _public_origin_allowed(sender: object, request: HttpRequest, **kwargs: object) -> bool | None:
    match = _PUBLIC.match(request.path)
    if not match:
        return None
    slug = match["slug"]
    project = Project.objects.select_related("workspace").filter(slug=slug).first()
    remember_project(request, slug, project)
    # No list (or an unknown slug, which 404s with CORS headers): all origins.
    origins = project.allowed_origins if project is not None else None
    return origin_allowed(origins, request.headers.get("Origin", ""))


check_request_enabled.connect(_public_origin_allowed)
