"""WSGI app for bench/fluister.py's A/B run: Backtalk with the inline triage replaced by a
constant verdict (same columns, no engine, no similar COUNT). Never used outside the
benchmark; the difference to the real app is what triage costs per request."""

from __future__ import annotations

from typing import Any

from django.core.wsgi import get_wsgi_application

application = get_wsgi_application()

from feedback import triaging  # noqa: E402 - needs the apps loaded above

_FIXED: dict[str, Any] = {
    "category": "bug",
    "sentiment": "negative",
    "impact_score": 8,
    "triage_language": "nl",
    "triage_engine": "builtin",
    "triage_signals": {"points": {"severity": 3, "page": 3, "sentiment": 2, "similar": 0}},
    "triage_similar_key": "",
    "llm_triage_status": "none",
    "type": "bug",
}


def _constant_triage(**kwargs: Any) -> dict[str, Any]:
    return {**_FIXED, "triaged_at": kwargs["now"]}


triaging.triage_fields = _constant_triage
