"""greatfeedback limits and defaults. Documented values are the defaults; settings may
override the operational ones (rates, sizes, expiries)."""

from __future__ import annotations

from django.conf import settings

BODY_MAX = 10_000  # the widget comment and a reply body
PAGE_URL_MAX = 2_000
SELECTOR_MAX = 2_000
ELEMENT_TEXT_MAX = 500
USER_AGENT_MAX = 512
SUBMITTER_FIELD_MAX = 254
AUTHOR_NAME_MAX = 200
SUMMARY_MAX_BYTES = 4 * 1024  # PATCH summary: "max 4 KB"
EXPLANATION_MAX_BYTES = 4 * 1024  # resolution explanation: "capped at 4 KB"
DIFF_URL_MAX = 2_000
STORAGE_KEY_MAX = 255

UPLOAD_MAX_BYTES: int = getattr(settings, "GF_UPLOAD_MAX_BYTES", 10 * 1024 * 1024)
UPLOAD_URL_TTL_SECONDS: int = getattr(settings, "GF_UPLOAD_URL_TTL_SECONDS", 600)
IMAGE_CONTENT_TYPES = ("image/png", "image/jpeg", "image/webp")

SUBMITTER_SECRET_PREFIX = "gfss_"
STAKEHOLDER_TOKEN_PREFIX = "gfst_"
