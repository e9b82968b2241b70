"""``triage()``: category, Minolith item type, sentiment, language and impact score.

Pipeline for one item (all local, no I/O after the first call loads model.json):

1. Title and text are joined and normalised once (text.py).
2. Lexicons (lexicon.py) find severity phrases and tone/intent cues.
3. The trained linear heads (model.json, see train.py) predict category, sentiment,
   praise and language from word n-grams plus the lexicon cues.
4. scoring.py turns severity, page, sentiment and the caller's ``similar_count`` into the
   0..14 impact score, and every term is reported in ``signals`` for display.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from triage.engine.features import analyse
from triage.engine.model import Model, default_model
from triage.engine.scoring import (
    MAX_SEVERITY,
    SENTIMENT_POINTS,
    clamp,
    impact_score,
    page_weight_for_path,
    page_weight_for_text,
    similar_points,
)

# Fluister category -> Minolith item type. "praise" overrides this map (see _item_type).
ITEM_TYPE_FOR_CATEGORY = {"bug": "bug", "feature": "idea", "question": "question"}

# The engine's own labels -> the documented Fluister category. Praise and "other" (noise,
# ratings, off-topic: nothing to act on) are reported as "question", never as bug or
# feature; the fine label travels beside it (docs/triage.md, "Categories").
FLUISTER_CATEGORY = {
    "bug": "bug",
    "feature": "feature",
    "question": "question",
    "praise": "question",
    "other": "question",
}
LABELS = tuple(FLUISTER_CATEGORY)

# What an item with no words at all gets: nothing to classify, so the most neutral answer.
_EMPTY = {"category": "other", "sentiment": "neutral", "language": "en"}


@dataclass(frozen=True, slots=True)
class TriageResult:
    """The triage verdict for one feedback item.

    ``signals`` explains the score for display (JSON-serialisable, a fresh dict per call):
    ``points`` per impact term, the ``severity_terms`` found, the matched ``page_keyword``
    and where it came from, the classifiers' ``confidence`` and the ``model`` methods.
    """

    category: str  # Fluister's three: bug / feature / question
    item_type: str  # suggested Minolith type (bug / idea / question / praise / feedback)
    sentiment: str
    impact_score: int
    language: str
    signals: dict[str, Any] = field(default_factory=dict)
    label: str = ""  # the fine label: bug / feature / question / praise / other


def is_praise(sentiment: str, praise_head: bool, category: str = "") -> bool:
    """Praise = the praise head fires, the sentiment head agrees the tone is positive, and
    the category head does not read a feature request.

    The sentiment check keeps a message the sentiment head calls negative from being filed
    as a compliment. The category check keeps "Great app, a tablet version would be
    welcome" a feature request: on the cross-dataset evaluation it changed nothing on the
    real reviews and gained one to three points on the hand-written sets (docs/triage.md).
    A bug with thanks in it ("thanks for fixing the crash") is still praise.
    """
    return praise_head and sentiment == "positive" and category != "feature"


def triage(
    text: str,
    *,
    title: str = "",
    page: str = "",
    similar_count: int = 0,
    model: Model | None = None,
) -> TriageResult:
    """Triage one piece of feedback.

    ``page`` is the path or URL the feedback came from; ``similar_count`` is how many
    similar items the project already has (the caller decides what "similar" means).
    ``model`` is for tests and benchmarks; by default the shipped model is used. Never
    raises for any string input and always returns an impact score in 0..14.
    """
    model = model or default_model()
    text = text or ""
    title = title or ""
    combined = f"{title}\n{text}" if title.strip() else text
    analysis = analyse(combined, model.config)
    found = analysis.cues

    if any(w.isalpha() for w in analysis.words):  # digits alone ("12345") say nothing
        preds = model.predict(analysis.features)
        category = preds["category"].label
        sentiment = preds["sentiment"].label
        language = preds["language"].label
        praise = preds["praise"].label == "yes"
        confidence = {name: round(p.confidence, 3) for name, p in preds.items()}
    else:
        category, sentiment, language = _EMPTY["category"], _EMPTY["sentiment"], _EMPTY["language"]
        praise = False
        confidence = {}
    if is_praise(sentiment, praise, category):
        label, item_type = "praise", "praise"
    elif category == "other":
        label, item_type = "other", "feedback"
    else:
        label, item_type = category, ITEM_TYPE_FOR_CATEGORY[category]
    category = FLUISTER_CATEGORY[label]

    # Severity words count fully for bugs, half for ideas/questions (a request that
    # mentions "crash" is less urgent than a crash) and not at all for praise ("thanks for
    # fixing the crash").
    if label in ("praise", "other"):
        severity = 0
    elif label == "bug":
        severity = found.severity
    else:
        severity = found.severity // 2
    severity = clamp(severity, 0, MAX_SEVERITY)

    path_weight, path_keyword = page_weight_for_path(page)
    text_weight, text_keyword = page_weight_for_text(analysis.words)
    if text_weight > path_weight:
        page_weight, page_keyword, page_source = text_weight, text_keyword, "text"
    else:
        page_weight, page_keyword, page_source = path_weight, path_keyword, "page"
    if not page_weight:
        page_source = ""

    similar = max(0, int(similar_count))
    score = impact_score(
        severity=severity, page_weight=page_weight, sentiment=sentiment, similar_count=similar
    )
    signals: dict[str, Any] = {
        "points": {
            "severity": severity,
            "page": page_weight,
            "sentiment": SENTIMENT_POINTS[sentiment],
            "similar": similar_points(similar),
        },
        "severity_level": found.severity,
        "severity_terms": list(found.severity_terms),
        "page_keyword": page_keyword,
        "page_source": page_source,
        "similar_count": similar,
        "confidence": confidence,
        "model": {h.name: h.method for h in model.heads},
    }
    return TriageResult(
        category=category,
        item_type=item_type,
        sentiment=sentiment,
        impact_score=score,
        language=language,
        signals=signals,
        label=label,
    )
