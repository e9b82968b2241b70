"""Turn the dashboard's triage-corrections CSV into rows for ``data/labelled.jsonl``.

One row per corrected object (its labels after every correction), in the training format,
with the group ``correction-<object id>`` so the fixed held-out split applies to it and its
provenance (``correction:<source>:<object id>``, e.g. ``correction:feedback.item:fbk_…``)
in ``source``; unknown languages
and texts already in the set are skipped, and the export's formula guard is removed.
Standard library only. Commands and review steps: docs/triage.md, "Corrections as
training data".
"""

from __future__ import annotations

import argparse
import csv
import json
import sys
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any, TextIO

from triage.engine import dataset

REQUIRED_COLUMNS = ("text", "language", "source", "object_id", "category", "sentiment", "label")
# A leading = + - @ (or tab/CR) makes a spreadsheet run the cell as a formula (OWASP CSV
# injection); a leading ' is guarded too, so that unguard() is guard()'s exact inverse.
_GUARDED_START = ("=", "+", "-", "@", "\t", "\r", "'")


def guard(value: str) -> str:
    """A CSV cell a spreadsheet will not run as a formula: ``=SUM(1)`` -> ``'=SUM(1)``."""
    return f"'{value}" if value.startswith(_GUARDED_START) else value


def unguard(value: str) -> str:
    """Undo ``guard``: ``'=SUM(1)`` -> ``=SUM(1)``."""
    if value.startswith("'") and value[1:].startswith(_GUARDED_START):
        return value[1:]
    return value


def convert(
    rows: Iterable[dict[str, str]], *, known_texts: frozenset[str] = frozenset()
) -> tuple[list[dict[str, Any]], dict[str, int]]:
    """Training rows from exported correction rows, and counts of what was skipped."""
    latest: dict[str, dict[str, str]] = {}
    for row in rows:
        missing = [c for c in REQUIRED_COLUMNS if c not in row]
        if missing:
            raise ValueError(f"not a corrections export: missing columns {missing}")
        # later rows carry the labels after the later corrections
        latest[f"{row['source']}:{row['object_id']}"] = row
    out: list[dict[str, Any]] = []
    skipped = {"language": 0, "labels": 0, "known": 0}
    for key, row in latest.items():
        text = unguard(row["text"])
        lang = row["language"]
        if lang not in dataset.LANGUAGES:
            skipped["language"] += 1
            continue
        if row["category"] not in dataset.CATEGORIES or row["sentiment"] not in dataset.SENTIMENTS:
            skipped["labels"] += 1
            continue
        if not text.strip() or text in known_texts:
            skipped["known"] += 1
            continue
        out.append(
            {
                "text": text,
                "lang": lang,
                # "other" (not actionable) is reported as question; the fine label keeps it
                # apart, and the category head learns it as its own class.
                "category": "other" if row["label"] == "other" else row["category"],
                "sentiment": row["sentiment"],
                "praise": row["label"] == "praise",
                "group": f"correction-{row['object_id']}",
                "source": f"correction:{key}",
            }
        )
    return out, skipped


def write_jsonl(rows: Iterable[dict[str, Any]], out: TextIO) -> None:
    for row in rows:
        out.write(json.dumps(row, ensure_ascii=False) + "\n")


def main(argv: Sequence[str] | None = None) -> int:
    """CLI entry point."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("csv", type=Path, help="the dashboard's corrections CSV")
    parser.add_argument(
        "--data",
        type=Path,
        default=dataset.DATA_PATH,
        help="labelled set whose texts are skipped (default: the shipped one)",
    )
    args = parser.parse_args(argv)
    known = (
        frozenset(e.text for e in dataset.load(args.data)) if args.data.exists() else frozenset()
    )
    with args.csv.open(encoding="utf-8", newline="") as fh:
        rows, skipped = convert(csv.DictReader(fh), known_texts=known)
    write_jsonl(rows, sys.stdout)
    print(
        f"{len(rows)} training rows; skipped: {skipped['language']} unknown language, "
        f"{skipped['labels']} without both labels, {skipped['known']} empty or already known",
        file=sys.stderr,
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
