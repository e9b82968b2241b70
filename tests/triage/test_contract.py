"""The engine's contract on real-world input (issue 13), independent of exact model outputs.

What is pinned: praise and not-actionable text never come back as ``bug`` or ``feature``;
every result names one of the five languages, one of the five fine labels, Fluister's three
categories and an impact score in 0..14; the real training data carries provenance and the
shipped model says what it was trained on. Speed is measured by bench/triage_bench.py, not
here (no timed unit tests).
"""

from __future__ import annotations

import itertools
from collections import Counter

import pytest

from triage.engine import corrections, triage
from triage.engine import dataset as triage_dataset
from triage.engine.engine import FLUISTER_CATEGORY, LABELS
from triage.engine.model import default_model

# Written for this test in the style of short store reviews: ratings, compliments, thanks.
NOT_ACTIONABLE = [
    ("en", "Great app, love it!"),
    ("en", "Five stars, best app I have ever used."),
    ("en", "Thank you so much, this app is awesome!"),
    ("fr", "Super application, je la recommande !"),
    ("fr", "Merci beaucoup, application géniale !"),
    ("nl", "Geweldige app, echt een aanrader!"),
    ("de", "Tolle App, vielen Dank!"),
    ("es", "¡Me encanta esta aplicación, muchas gracias!"),
]


@pytest.mark.parametrize(("lang", "text"), NOT_ACTIONABLE)
def test_praise_and_ratings_are_never_a_bug_or_a_feature(lang: str, text: str) -> None:
    result = triage(text)

    assert result.label in ("praise", "other")
    assert result.category == "question"  # Fluister's value for "nothing to fix or build"
    assert result.item_type in ("praise", "feedback")
    assert result.language == lang
    assert result.signals["points"]["severity"] == 0


def test_every_result_keeps_the_documented_value_sets_on_real_reviews() -> None:
    real = triage_dataset.load_real()
    sample = real[:: max(1, len(real) // 300)]  # a spread over the shipped reviews
    texts = [e.text for e in sample] + ["", "   ", "12345", "?!", "x" * 30_000, "ok"]

    for text, page, similar in zip(
        texts, itertools.cycle(["", "/checkout", "/login"]), itertools.cycle([0, 3, 50])
    ):
        r = triage(text, page=page, similar_count=similar)
        assert r.label in LABELS
        assert r.category == FLUISTER_CATEGORY[r.label]
        assert r.category in ("bug", "feature", "question")
        assert r.sentiment in triage_dataset.SENTIMENTS
        assert r.language in triage_dataset.LANGUAGES
        assert isinstance(r.impact_score, int)
        assert 0 <= r.impact_score <= 14
        if r.label in ("praise", "other"):
            assert r.category not in ("bug", "feature")


def test_real_training_rows_carry_provenance_and_the_model_records_them() -> None:
    real = triage_dataset.load_real()
    sources = Counter(e.source.split(":", 1)[0] for e in real)

    assert real
    assert all(e.source and not e.has_tone for e in real)
    assert {e.category for e in real} <= set(triage_dataset.FINE_CATEGORIES)
    assert default_model().meta["trained_on_real"] == dict(sources)


def test_the_category_head_has_a_not_actionable_class() -> None:
    head = next(h for h in default_model().heads if h.name == "category")

    assert head.classes == ("bug", "feature", "question", "other")


def test_a_real_row_without_provenance_is_refused(tmp_path) -> None:
    (tmp_path / "x.jsonl").write_text(
        '{"text": "Crashes", "lang": "en", "category": "bug", "group": "g"}\n', encoding="utf-8"
    )

    with pytest.raises(ValueError, match="bad row"):
        triage_dataset.load_real(tmp_path)


def test_a_correction_to_not_actionable_trains_the_other_class() -> None:
    row = {
        "text": "lol",
        "language": "en",
        "source": "feedback.item",
        "object_id": "fbk_9",
        "category": "question",
        "sentiment": "neutral",
        "label": "other",
    }

    rows, _ = corrections.convert([row])

    assert rows[0]["category"] == "other"
    assert rows[0]["source"] == "correction:feedback.item:fbk_9"


def test_other_languages_reach_what_the_english_reviews_taught_through_concept_features() -> None:
    from triage.engine.features import analyse

    model = default_model()
    french = analyse("L'appli plante, ajoutez un mode sombre svp", model.config).features
    english = analyse("The app crashes, please add a dark mode", model.config).features

    assert {"t:app", "t:crashes", "t:add", "t:dark", "t:please"} <= french & english


def test_only_the_category_head_weighs_concept_features() -> None:
    model = default_model()
    concept = [f for f in model.weights if f.startswith("t:")]
    offsets = {h.name: (h.offset, len(h.classes)) for h in model.heads}

    assert concept
    for name in ("sentiment", "praise", "language"):
        lo, n = offsets[name]
        assert all(not any(model.weights[f][lo : lo + n]) for f in concept)


def test_authored_review_rows_train_the_category_head_with_provenance() -> None:
    authored = triage_dataset.load_real(triage_dataset.AUTHORED_DIR)

    assert authored
    assert all(e.source.startswith("authored:") for e in authored)
    assert {e.lang for e in authored} == set(triage_dataset.LANGUAGES)
    assert default_model().meta["trained_on_authored"] == len(authored)
