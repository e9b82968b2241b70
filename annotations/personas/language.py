"""The triage engine's verdict on a text, memoised: every persona of a run reads the same
element text and comment, so the engine runs once per text, not once per check."""

from __future__ import annotations

from functools import lru_cache

from triage.engine import TriageResult, triage

MAX_CHARS = 4_000


@lru_cache(maxsize=2_048)
def triaged(text: str, page: str = "") -> TriageResult:
    return triage(text[:MAX_CHARS], page=page)


def language_of(text: str) -> str:
    """ "en", "nl", "de", "fr" or "es" (the engine's languages); "en" for empty text."""
    if not text.strip():
        return "en"
    return triaged(text).language
