"""Score the shipped model on the fixed held-out split, per language.

Run ``python -m triage.engine.evaluate``. Predictions go through the public
:func:`triage.engine.triage` (not the raw heads), so what is measured is exactly what the
Django side gets, including the praise rule. The output is a Markdown table that
docs/triage.md quotes verbatim. ``--split train`` scores the training rows instead (a
sanity check for under-fitting, not an accuracy estimate); ``--file`` scores any other
JSONL file in the same format (e.g. ``data/challenge.jsonl``).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from triage.engine import dataset
from triage.engine.dataset import Example
from triage.engine.engine import FLUISTER_CATEGORY, ITEM_TYPE_FOR_CATEGORY, TriageResult, triage
from triage.engine.learn import accuracy, macro_f1
from triage.engine.model import default_model
from triage.engine.train import data_digest


def gold_item_type(e: Example) -> str:
    """Minolith type implied by the labels: praise wins, else the category mapping."""
    if e.praise:
        return "praise"
    return ITEM_TYPE_FOR_CATEGORY.get(e.category, "feedback")


def gold_category(e: Example) -> str:
    """The Fluister category the labels imply: praise and other are reported as question."""
    return FLUISTER_CATEGORY[dataset.fine_label(e)]


def table(examples: Sequence[Example], results: Sequence[TriageResult]) -> str:
    """Markdown table: per language and overall accuracy / macro-F1 for each output."""
    header = (
        "| lang | n | category acc | category macro-F1 | sentiment acc | sentiment macro-F1 "
        "| item type acc | item type macro-F1 | language acc |\n"
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|"
    )
    lines = [header]
    for lang in (*dataset.LANGUAGES, "all"):
        idx = [i for i, e in enumerate(examples) if lang in ("all", e.lang)]
        if not idx:
            continue
        ex = [examples[i] for i in idx]
        res = [results[i] for i in idx]
        cat_g, cat_p = [gold_category(e) for e in ex], [r.category for r in res]
        sen_g, sen_p = [e.sentiment for e in ex], [r.sentiment for r in res]
        typ_g, typ_p = [gold_item_type(e) for e in ex], [r.item_type for r in res]
        lang_acc = accuracy([e.lang for e in ex], [r.language for r in res])
        lines.append(
            f"| {lang} | {len(ex)} | {accuracy(cat_g, cat_p):.3f} | {macro_f1(cat_g, cat_p):.3f} "
            f"| {accuracy(sen_g, sen_p):.3f} | {macro_f1(sen_g, sen_p):.3f} "
            f"| {accuracy(typ_g, typ_p):.3f} | {macro_f1(typ_g, typ_p):.3f} | {lang_acc:.3f} |"
        )
    return "\n".join(lines)


def errors(examples: Sequence[Example], results: Sequence[TriageResult]) -> list[str]:
    """One line per example with a wrong category or sentiment, for error analysis."""
    out = []
    for e, r in zip(examples, results, strict=True):
        if gold_category(e) != r.category or e.sentiment != r.sentiment:
            out.append(
                f"[{e.lang}] gold {gold_category(e)}/{e.sentiment} "
                f"got {r.category}/{r.sentiment} ({r.label}): "
                f"{e.text}"
            )
    return out


def main(argv: Sequence[str] | None = None) -> int:
    """CLI entry point."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--split", choices=("heldout", "train"), default="heldout")
    parser.add_argument("--file", type=Path, help="score this JSONL file instead")
    parser.add_argument("--errors", action="store_true", help="list misclassified rows")
    args = parser.parse_args(argv)

    model = default_model()
    if model.meta.get("data_sha256") != data_digest():
        print("WARNING: labelled.jsonl changed since model.json was trained; retrain.")
    if args.file:
        examples = dataset.load(args.file)
        label = str(args.file)
    else:
        train, heldout = dataset.split(dataset.load())
        examples = heldout if args.split == "heldout" else train
        label = f"{args.split} split of {dataset.DATA_PATH.name}"
    results = [triage(e.text, model=model) for e in examples]
    print(
        f"{label}: {len(examples)} items; learners: "
        + ", ".join(f"{h.name}={h.method}" for h in model.heads)
    )
    print()
    print(table(examples, results))
    if args.errors:
        print()
        print("\n".join(errors(examples, results)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
