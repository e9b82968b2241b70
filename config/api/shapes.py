"""Each API family's error body: the only family-specific part of error handling.

A renderer maps an ``ApiError`` to ``(status, body)``. The shapes come from the documents:
- Writeback: undocumented; chosen ``{"ok": false, "error": {"code", "message", "field"?}}``
  to mirror its ``{"ok": true, ...}`` success body (docs/api/writeback.md).
- greatfeedback: ``{"detail": "..."}``; body-schema errors are 422 with FastAPI/Pydantic's
  ``{"detail": [{"loc", "msg", "type"}]}`` list, which its clients already parse.
- Minolith: ``{"error": {"code", "message", "docs"}}`` with the catalogue codes. Its
  catalogue has no 400, so every client-input error is 422 ``validation_error``.
- Fluister: undocumented; chosen ``{"error": {"code", "message", "field"?}}``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.conf import settings

from config.api.errors import ApiError

Body = dict[str, Any]


def render_writeback(error: ApiError) -> tuple[int, Body]:
    status = error.status
    if status == 422:
        status = 400  # Writeback clients expect plain 400 for bad input
    payload: Body = {"code": str(error.code), "message": error.message}
    if error.first_field is not None:
        payload["field"] = error.first_field.field
    return status, {"ok": False, "error": payload}


def render_greatfeedback(error: ApiError) -> tuple[int, Body]:
    if error.fields and error.status == 422:
        return 422, {
            "detail": [
                {
                    # "body" itself (a non-object body, a cross-field rule) is loc ["body"].
                    "loc": ["body", *f.field.split(".")] if f.field != "body" else ["body"],
                    "msg": f.message,
                    "type": str(f.code),
                }
                for f in error.fields
            ]
        }
    return error.status, {"detail": error.message}


MINOLITH_CATALOGUE = {
    "body_required": 422,
    "invalid_feedback_type": 422,
    "invalid_status": 422,
    "invalid_priority": 422,
    "item_not_found": 404,
    "public_rate_limited": 429,
    "spending_cap_exceeded": 402,
    "validation_error": 422,
    "not_found": 404,
    "unauthorized": 401,
    "rate_limit_exceeded": 429,
}
# Anchors the document uses for particular codes; everything else points at #errors.
_MINOLITH_ANCHORS = {"item_not_found": "get-item", "public_rate_limited": "rate-limiting"}


def minolith_code(error: ApiError) -> tuple[str, int]:
    code = str(error.code)
    if error.fields and str(error.fields[0].code) in MINOLITH_CATALOGUE:
        code = str(error.fields[0].code)
    if code in MINOLITH_CATALOGUE:
        return code, MINOLITH_CATALOGUE[code]
    status = error.status
    if status == 401:
        return "unauthorized", 401
    if status == 404:
        return "not_found", 404
    if status == 429:
        return "rate_limit_exceeded", 429
    if status in {400, 422}:
        return "validation_error", 422
    # 403, 405, 406, 409, 413, 415, 500, 503 keep their status; the code names the problem.
    return code, status


# The catalogue's fixed messages, used where our own message is only the generic one.
_MINOLITH_GENERIC = {"not_found": ("Not found.", "Resource not found.")}


def render_minolith(error: ApiError) -> tuple[int, Body]:
    code, status = minolith_code(error)
    message = error.fields[0].message if error.fields else error.message
    generic, catalogue = _MINOLITH_GENERIC.get(code, (None, None))
    if message == generic and catalogue is not None:
        message = catalogue
    anchor = _MINOLITH_ANCHORS.get(code, "errors")
    docs = f"{settings.MINOLITH_DOCS_URL}#{anchor}"
    return status, {"error": {"code": code, "message": message, "docs": docs}}


def render_fluister(error: ApiError) -> tuple[int, Body]:
    status = 400 if error.status == 422 else error.status
    payload: Body = {"code": str(error.code), "message": error.message}
    if error.first_field is not None:
        payload["field"] = error.first_field.field
        payload["message"] = error.first_field.message
    return status, {"error": payload}


@dataclass(frozen=True)
class Family:
    """An API family: its name and how it renders errors."""

    name: str
    renderer: Any

    def render(self, error: ApiError) -> tuple[int, Body]:
        status, body = self.renderer(error)
        return int(status), body


WRITEBACK = Family("writeback", render_writeback)
GREATFEEDBACK = Family("greatfeedback", render_greatfeedback)
MINOLITH = Family("minolith", render_minolith)
FLUISTER = Family("fluister", render_fluister)


# Paths answered in JSON: their 404/400/500 and their Referrer-Policy are the API's.
API_PATH_PREFIXES = ("/api/", "/v1/", "/mcp")


def family_for_path(path: str) -> Family:
    """The family that owns a URL, for errors raised outside a DRF view (404s, 413s, 500s)."""
    if path.startswith(("/v1/reports", "/v1/projects", "/v1/dashboard")):
        return WRITEBACK
    if path.rstrip("/") == "/v1/feedback":
        return FLUISTER
    if path.startswith(("/v1/feedback", "/widget/feedback")) or path.rstrip("/") == "/mcp":
        return MINOLITH
    if path.startswith("/v1/"):
        # Any other /v1/ path: Writeback owns the rest of /v1/ (docs/api/greatfeedback.md).
        return WRITEBACK
    return GREATFEEDBACK
