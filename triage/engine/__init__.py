"""Offline, built-in AI triage for feedback items (no Django, no network, stdlib only).

Public API, stable for the Django side::

    from triage.engine import triage, TriageResult, impact_score

    result = triage("De login knop werkt niet op mobiel", page="/login")
    result.category      # "bug" | "feature" | "question"   (Fluister)
    result.item_type     # "bug" | "idea" | "question" | "praise"   (Minolith)
    result.sentiment     # "positive" | "neutral" | "negative"
    result.impact_score  # int, 0..14
    result.language      # "en" | "nl" | "de" | "fr" | "es"
    result.signals       # dict explaining the score

The model weights (model.json) load lazily on the first triage() call. Method, data and
measured accuracy: docs/triage.md.
"""

from triage.engine.engine import TriageResult, triage
from triage.engine.scoring import impact_score

__all__ = ["TriageResult", "impact_score", "triage"]
