"""WSGI app for bench/fluister.py's A/B run: Backtalk with the inline triage replaced by a
constant verdict (same columns, no engine, no similar COUNT). Never used outside the
benchmark; the difference to the real app is what triage costs per request."""

from __future__ import annotations

from typing import Any

from django.core.wsgi import get_wsgi_application

application = get_wsgi_application()

from triage import services as triage_services  # noqa: E402 - needs the apps loaded above
from triage.models import LLMTriageStatus, TriageEngine  # noqa: E402


def _constant_triage(obj: Any, **kwargs: Any) -> None:
    obj.category, obj.triage_label, obj.sentiment = "bug", "bug", "negative"
    obj.impact_score, obj.triage_language = 8, "nl"
    obj.triage_engine = TriageEngine.BUILTIN
    obj.triage_signals = {"points": {"severity": 3, "page": 3, "sentiment": 2, "similar": 0}}
    obj.triage_similar_key = ""
    obj.llm_triage_status = LLMTriageStatus.NONE
    obj.triaged_at = kwargs.get("now")


triage_services.triage_apply = _constant_triage  # type: ignore[assignment]
