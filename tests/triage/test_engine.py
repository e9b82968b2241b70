"""Tests for the offline triage engine (triage.engine). Pure Python, no database.

Example sentences here are written for the tests (not copied from the labelled data) and
are deliberately unambiguous; each one is classified with high confidence by the shipped
model, so a failure means the model or the pipeline really changed.
"""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest

from triage.engine import TriageResult, impact_score, triage
from triage.engine import dataset as triage_dataset
from triage.engine.model import default_model, load
from triage.engine.scoring import page_weight_for_path, similar_points
from triage.engine.train import data_digest

# (language, text, category, sentiment)
CLEAR_EXAMPLES = [
    ("en", "The app crashes every time I upload a photo.", "bug", "negative"),
    ("en", "Please add an option to export my data to CSV.", "feature", "neutral"),
    ("en", "How do I change my email address?", "question", "neutral"),
    ("nl", "De app crasht elke keer als ik een foto upload.", "bug", "negative"),
    ("nl", "Graag een optie om mijn gegevens naar CSV te exporteren.", "feature", "neutral"),
    ("nl", "Hoe verander ik mijn e-mailadres?", "question", "neutral"),
    ("de", "Die App stürzt jedes Mal ab, wenn ich ein Foto hochlade.", "bug", "negative"),
    (
        "de",
        "Bitte eine Option einbauen, um meine Daten als CSV zu exportieren.",
        "feature",
        "neutral",
    ),
    ("de", "Wie ändere ich meine E-Mail-Adresse?", "question", "neutral"),
    ("fr", "L'application plante à chaque fois que j'envoie une photo.", "bug", "negative"),
    ("fr", "Merci d'ajouter une option pour exporter mes données en CSV.", "feature", "neutral"),
    ("fr", "Comment changer mon adresse e-mail ?", "question", "neutral"),
    ("es", "La aplicación se cierra cada vez que subo una foto.", "bug", "negative"),
    ("es", "Por favor, añadid una opción para exportar mis datos a CSV.", "feature", "neutral"),
    ("es", "¿Cómo cambio mi dirección de correo?", "question", "neutral"),
]

PRAISE_EXAMPLES = [
    ("en", "I love this app, thank you so much!"),
    ("nl", "Ik vind deze app geweldig, heel erg bedankt!"),
    ("de", "Ich liebe diese App, vielen Dank!"),
    ("fr", "J'adore cette application, merci beaucoup !"),
    ("es", "Me encanta esta aplicación, ¡muchas gracias!"),
]

# Phrases from every severity level and every language, to saturate the severity term.
EVERY_SEVERITY_WORD = (
    "data loss, charged twice, cannot pay, security issue, crash, site is down, blank page, "
    "not working, broken, error, slow, wrong, typo. Gegevensverlies, twee keer betaald, "
    "crasht, werkt niet, kapot, traag, typfout. Datenverlust, doppelt abgebucht, stürzt ab, "
    "funktioniert nicht, Fehler, langsam, Tippfehler. Perte de données, plante, ne marche "
    "pas, erreur, lent, faute de frappe. Pérdida de datos, se cuelga, no funciona, error, "
    "lento, errata!!!"
)


@pytest.mark.parametrize(("lang", "text", "category", "sentiment"), CLEAR_EXAMPLES)
def test_triage_clear_examples_get_category_sentiment_and_language(
    lang: str, text: str, category: str, sentiment: str
) -> None:
    result = triage(text)
    assert (result.category, result.sentiment, result.language) == (category, sentiment, lang)


def test_triage_fluister_doc_example_is_negative_bug_with_score_8() -> None:
    result = triage("De login knop werkt niet op mobiel", page="/login")
    assert result.category == "bug"
    assert result.item_type == "bug"
    assert result.sentiment == "negative"
    assert result.language == "nl"
    assert result.impact_score == 8
    assert result.signals["points"] == {"severity": 3, "page": 3, "sentiment": 2, "similar": 0}
    assert result.signals["severity_terms"] == ["werkt niet"]
    assert result.signals["page_keyword"] == "login"


@pytest.mark.parametrize(("lang", "text"), PRAISE_EXAMPLES)
def test_praise_is_labelled_praise_and_never_reported_as_bug_or_feature(
    lang: str, text: str
) -> None:
    result = triage(text)
    assert (result.label, result.item_type) == ("praise", "praise")
    assert result.category == "question"  # Fluister's three values; the label says praise
    assert result.sentiment == "positive"
    assert result.language == lang
    assert result.impact_score == 0


@pytest.mark.parametrize(
    ("text", "item_type"),
    [
        ("The app crashes every time I upload a photo.", "bug"),
        ("Please add an option to export my data to CSV.", "idea"),
        ("How do I change my email address?", "question"),
    ],
)
def test_triage_category_maps_to_minolith_item_type(text: str, item_type: str) -> None:
    assert triage(text).item_type == item_type


def test_triage_praise_about_a_fix_gets_no_severity_points() -> None:
    result = triage("Thanks for fixing the crash so quickly, you are awesome!")
    assert result.item_type == "praise"
    assert result.signals["points"]["severity"] == 0


@pytest.mark.parametrize("text", ["", "   ", "?!?", "\n\t", "12345"])
def test_triage_empty_input_returns_neutral_defaults(text: str) -> None:
    result = triage(text)
    assert result.category in {"bug", "feature", "question"}
    assert result.sentiment == "neutral"
    assert 0 <= result.impact_score <= 14


def test_triage_huge_text_stays_in_range() -> None:
    text = "The checkout crashes and I lost all my data! " * 5_000  # ~225,000 characters
    result = triage(text, page="/checkout", similar_count=10**6)
    assert result.category == "bug"
    assert 0 <= result.impact_score <= 14


def test_triage_every_severity_word_saturates_but_never_exceeds_14() -> None:
    result = triage(EVERY_SEVERITY_WORD, page="/checkout", similar_count=10**6)
    points = result.signals["points"]
    assert result.signals["severity_level"] == 6
    assert points["page"] == 3
    assert points["similar"] == 3
    assert 12 <= result.impact_score <= 14


def test_triage_signals_points_add_up_to_the_score() -> None:
    result = triage("Payment fails with an error", page="/blog", similar_count=4)
    assert sum(result.signals["points"].values()) == result.impact_score


def test_triage_title_is_used_for_classification() -> None:
    result = triage("see title", title="Checkout crashes when I pay with iDEAL")
    assert result.category == "bug"
    assert result.signals["severity_level"] >= 5


def test_triage_is_deterministic_across_calls_and_fresh_model_loads() -> None:
    inputs = [text for _, text, _, _ in CLEAR_EXAMPLES] + [text for _, text in PRAISE_EXAMPLES]
    first = [triage(t, page="/login", similar_count=3) for t in inputs]
    second = [triage(t, page="/login", similar_count=3) for t in inputs]
    fresh = load()
    third = [triage(t, page="/login", similar_count=3, model=fresh) for t in inputs]
    assert first == second == third


def test_triage_result_is_frozen() -> None:
    result = triage("How do I reset my password?")
    assert isinstance(result, TriageResult)
    with pytest.raises(dataclasses.FrozenInstanceError):
        result.category = "bug"  # type: ignore[misc]  # the frozen write under test


@pytest.mark.parametrize(
    ("kwargs", "expected"),
    [
        ({"severity": 0, "page_weight": 0, "sentiment": "positive", "similar_count": 0}, 0),
        ({"severity": 3, "page_weight": 3, "sentiment": "negative", "similar_count": 0}, 8),
        ({"severity": 6, "page_weight": 3, "sentiment": "negative", "similar_count": 10}, 14),
        ({"severity": 99, "page_weight": 99, "sentiment": "negative", "similar_count": 10**9}, 14),
        ({"severity": -50, "page_weight": -50, "sentiment": "positive", "similar_count": -50}, 0),
        ({"severity": 0, "page_weight": 0, "sentiment": "neutral", "similar_count": 0}, 1),
    ],
)
def test_impact_score_is_clamped_to_0_14(kwargs: dict[str, Any], expected: int) -> None:
    score = impact_score(**kwargs)
    assert isinstance(score, int)
    assert score == expected


def test_impact_score_rejects_unknown_sentiment() -> None:
    with pytest.raises(ValueError, match="sentiment"):
        impact_score(severity=1, page_weight=1, sentiment="angry", similar_count=0)


@pytest.mark.parametrize(
    ("count", "points"), [(-3, 0), (0, 0), (1, 1), (2, 1), (3, 2), (9, 2), (10, 3), (10**6, 3)]
)
def test_similar_points_buckets(count: int, points: int) -> None:
    assert similar_points(count) == points


@pytest.mark.parametrize(
    ("page", "weight"),
    [
        ("/login", 3),
        ("/sign-in", 3),
        ("https://shop.example.com/nl/afrekenen?step=2#pay", 3),
        ("/de/warenkorb", 3),
        ("/account/settings", 2),
        ("https://app.example.com/search", 2),
        ("/", 1),
        ("/blog/new-release", 1),
        ("/some/other/page", 0),
        ("", 0),
    ],
)
def test_page_weight_for_path_weights_money_and_access_pages(page: str, weight: int) -> None:
    assert page_weight_for_path(page)[0] == weight


def test_model_json_was_trained_on_the_shipped_data() -> None:
    # Editing labelled.jsonl without re-running `python -m triage.engine.train` fails here.
    assert default_model().meta["data_sha256"] == data_digest()


def test_heldout_split_is_by_group_and_stable() -> None:
    train, heldout = triage_dataset.split(triage_dataset.load())
    train_groups = {e.group for e in train}
    assert heldout
    assert not train_groups & {e.group for e in heldout}
    assert len(heldout) == default_model().meta["heldout"]


def test_reviewed_corrections_are_an_extra_training_source_with_provenance(tmp_path) -> None:
    labelled = tmp_path / "labelled.jsonl"
    labelled.write_text(
        '{"text": "Crash on login", "lang": "en", "category": "bug", "sentiment": "negative",'
        ' "group": "g1"}\n',
        encoding="utf-8",
    )
    corrections = tmp_path / "corrections"
    corrections.mkdir()
    (corrections / "shop.jsonl").write_text(
        '{"text": "Het afrekenen lukt niet", "lang": "nl", "category": "bug",'
        ' "sentiment": "negative", "group": "correction-fbk_1",'
        ' "source": "correction:feedback.item:fbk_1"}\n',
        encoding="utf-8",
    )
    before = data_digest(labelled, tmp_path / "none")

    examples = triage_dataset.load_training(labelled, corrections)

    assert [(e.text, e.source) for e in examples] == [
        ("Crash on login", ""),
        ("Het afrekenen lukt niet", "correction:feedback.item:fbk_1"),
    ]
    assert data_digest(labelled, corrections) != before  # retrain after adding corrections


def test_a_corrections_row_without_provenance_is_refused(tmp_path) -> None:
    labelled = tmp_path / "labelled.jsonl"
    labelled.write_text("", encoding="utf-8")
    corrections = tmp_path / "corrections"
    corrections.mkdir()
    (corrections / "x.jsonl").write_text(
        '{"text": "x", "lang": "en", "category": "bug", "sentiment": "neutral", "group": "g"}\n',
        encoding="utf-8",
    )

    with pytest.raises(ValueError, match="without correction provenance"):
        triage_dataset.load_training(labelled, corrections)
