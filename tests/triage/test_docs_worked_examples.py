"""docs/triage.md's worked examples are real output of ``triage()``: each row of that table
is pinned here, so a lexicon, model or formula change that alters one fails until the
table is updated too."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.conf import settings

from triage.engine import triage

DOC = Path(settings.BASE_DIR) / "docs" / "triage.md"
MINOLITH_BODY = (
    "When I search for records with more than 10,000 results, the page takes over 15 seconds "
    "to load."
)

# (text, title, page, similar_count, (category, item_type, sentiment),
#  (severity, page, sentiment, similar), score) in the table's order.
WORKED = [
    ("De login knop werkt niet op mobiel", "", "/login", 0,
     ("bug", "bug", "negative"), (3, 3, 2, 0), 8),
    ("I was charged twice and now the checkout page stays blank.", "", "/checkout", 4,
     ("bug", "bug", "negative"), (6, 3, 2, 2), 13),
    ("Die App stürzt beim Bezahlen ab.", "", "/de/kasse", 1,
     ("bug", "bug", "negative"), (5, 3, 2, 1), 11),
    (MINOLITH_BODY, "Search results are slow on large datasets",
     "https://app.example.com/search", 12, ("bug", "bug", "negative"), (2, 2, 2, 3), 9),
    ("Bug in checkout", "", "/checkout", 0, ("bug", "bug", "neutral"), (3, 3, 1, 0), 7),
    ("¿Cómo cambio mi contraseña?", "", "", 0,
     ("question", "question", "neutral"), (0, 2, 1, 0), 3),
    ("Would be great if the dashboard had a dark mode option.", "", "", 0,
     ("feature", "idea", "neutral"), (0, 0, 1, 0), 1),
    ("Merci pour la nouvelle version, elle est géniale !", "", "/", 0,
     ("question", "praise", "positive"), (0, 1, 0, 0), 1),
]  # fmt: skip


@pytest.mark.parametrize(("text", "title", "page", "similar", "labels", "points", "score"), WORKED)
def test_worked_example_matches_the_doc(text, title, page, similar, labels, points, score):
    result = triage(text, title=title, page=page, similar_count=similar)

    assert (result.category, result.item_type, result.sentiment) == labels
    got = result.signals["points"]
    assert (got["severity"], got["page"], got["sentiment"], got["similar"]) == points
    assert result.impact_score == score == sum(points)


def test_every_worked_example_row_is_pinned_here():
    table = DOC.read_text().split("### Worked examples", 1)[1].split("\n## ", 1)[0]
    rows = [line for line in table.splitlines() if line.startswith('| "') or
            line.startswith("| Minolith's")]  # fmt: skip
    assert len(rows) == len(WORKED)
    for row, (*_, score) in zip(rows, WORKED, strict=True):
        assert row.rstrip().endswith(f"**{score}** |")
