"""The labelled feedback set shipped with the package, and its fixed held-out split.

``data/labelled.jsonl`` is a hand-written, synthetic set authored for Backtalk (see
docs/triage.md): one JSON object per line with ``text``, ``lang`` (en/nl/de/fr/es),
``category`` (bug/feature/question), ``sentiment`` (positive/neutral/negative), ``praise``
(bool) and ``group``.

Most sentences exist in all five languages as translations of one another, and those
translations share a ``group``. The held-out split is decided per *group*, never per
sentence: if "The export button does nothing" were held out in English while its Dutch twin
"De exportknop doet helemaal niets" sat in training, shared tokens ("export") would leak
the answer and inflate the held-out score.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path

DATA_PATH = Path(__file__).with_name("data") / "labelled.jsonl"
# Reviewed corrections exported from the dashboard (triage.engine.corrections), one JSONL file
# per export; every row carries its provenance in ``source`` ("correction:<model>:<id>").
CORRECTIONS_DIR = DATA_PATH.parent / "corrections"
CORRECTION_PREFIX = "correction:"
# Licensed real feedback rebuilt by bench/triage_data.py (docs/triage.md, "Real data"): each
# row has text, lang, a fine ``category`` and its provenance in ``source``, but no tone
# labels, so it trains the category head only.
REAL_DIR = DATA_PATH.parent / "real"
# Hand-written, store-review-style rows with a category only (same format as data/real):
# rants, ratings and requests phrased as complaints, in all five languages, which the
# hand-written set lacks. Category head only, like the real rows (docs/triage.md).
AUTHORED_DIR = DATA_PATH.parent / "authored"

LANGUAGES = ("en", "nl", "de", "fr", "es")
CATEGORIES = ("bug", "feature", "question")
# The category head's classes: "other" is the not-actionable outcome (praise, star ratings,
# noise, off-topic). Hand-written praise rows count as "other" there (see fine_label).
FINE_CATEGORIES = (*CATEGORIES, "other")
SENTIMENTS = ("positive", "neutral", "negative")

# 1 in HELDOUT_MODULUS groups is held out (expected 20%; with this data it is 58 of 231
# groups, 25%). Changing either constant changes the split, so they are frozen.
HELDOUT_MODULUS = 5
HELDOUT_REMAINDER = 0


@dataclass(frozen=True, slots=True)
class Example:
    """One labelled feedback sentence."""

    text: str
    lang: str
    category: str
    sentiment: str
    praise: bool
    group: str
    source: str = ""  # provenance; "" = the hand-written set

    @property
    def has_tone(self) -> bool:
        """False for real-data rows, which carry no sentiment or praise label."""
        return bool(self.sentiment)


def fine_label(e: Example) -> str:
    """The category head's target: praise is not actionable, so it trains "other"."""
    return "other" if e.praise else e.category


def is_heldout(group: str) -> bool:
    """True if ``group`` belongs to the fixed held-out split.

    SHA-256 rather than ``hash()`` because Python salts ``hash()`` per process; the split
    must be identical on every machine and run.
    """
    digest = int(hashlib.sha256(group.encode("utf-8")).hexdigest(), 16)
    return digest % HELDOUT_MODULUS == HELDOUT_REMAINDER


def load(path: Path = DATA_PATH) -> list[Example]:
    """Read and validate every example; a malformed row raises instead of training on junk."""
    examples: list[Example] = []
    with path.open(encoding="utf-8") as fh:
        for lineno, line in enumerate(fh, 1):
            if not line.strip():
                continue
            row = json.loads(line)
            ex = Example(
                text=str(row["text"]),
                lang=str(row["lang"]),
                category=str(row["category"]),
                sentiment=str(row["sentiment"]),
                praise=bool(row.get("praise", False)),
                group=str(row["group"]),
                source=str(row.get("source", "")),
            )
            if (
                ex.lang not in LANGUAGES
                or ex.category not in FINE_CATEGORIES
                or ex.sentiment not in SENTIMENTS
            ):
                raise ValueError(f"{path}:{lineno}: bad label in {row!r}")
            examples.append(ex)
    return examples


def correction_files(directory: Path = CORRECTIONS_DIR) -> list[Path]:
    return sorted(directory.glob("*.jsonl")) if directory.is_dir() else []


def load_training(path: Path = DATA_PATH, corrections: Path = CORRECTIONS_DIR) -> list[Example]:
    """The hand-written set plus every reviewed corrections file, in a fixed order.

    A corrections row without a ``correction:`` provenance raises: a training row whose
    origin is unknown is not trained on.
    """
    examples = load(path)
    for file in correction_files(corrections):
        for ex in load(file):
            if not ex.source.startswith(CORRECTION_PREFIX):
                raise ValueError(f"{file}: row without correction provenance: {ex.text[:40]!r}")
            examples.append(ex)
    return examples


def real_files(directory: Path = REAL_DIR) -> list[Path]:
    return sorted(directory.glob("*.jsonl")) if directory.is_dir() else []


def load_real(directory: Path = REAL_DIR) -> list[Example]:
    """Category-only rows (text, language, fine category, provenance) of every JSONL file in
    ``directory``, in a fixed order: the licensed real feedback by default, or the authored
    review-style rows (``AUTHORED_DIR``).

    A row without provenance or with an unknown label raises: nothing of unknown origin is
    trained on.
    """
    examples: list[Example] = []
    for file in real_files(directory):
        with file.open(encoding="utf-8") as fh:
            for lineno, line in enumerate(fh, 1):
                if not line.strip():
                    continue
                row = json.loads(line)
                ex = Example(
                    text=str(row["text"]),
                    lang=str(row["lang"]),
                    category=str(row["category"]),
                    sentiment="",
                    praise=False,
                    group=str(row["group"]),
                    source=str(row.get("source", "")),
                )
                if ex.lang not in LANGUAGES or ex.category not in FINE_CATEGORIES or not ex.source:
                    raise ValueError(f"{file}:{lineno}: bad row {row!r}")
                examples.append(ex)
    return examples


def split(examples: list[Example]) -> tuple[list[Example], list[Example]]:
    """Return ``(train, heldout)`` using the fixed group hash."""
    train = [ex for ex in examples if not is_heldout(ex.group)]
    heldout = [ex for ex in examples if is_heldout(ex.group)]
    return train, heldout
