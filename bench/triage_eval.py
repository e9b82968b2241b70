"""Cross-dataset evaluation of the triage engine on real, public, labelled feedback.

Usage (from the repository root)::

    python -m bench.triage_eval                 # rebuilds the sources, then prints the figures
    python -m bench.triage_eval --cache DIR     # rebuilt sources (default var/triage-eval)
    python -m bench.triage_eval --select        # the model-selection table (trains in memory)

The shipped engine is trained on the hand-written set plus the licensed real reviews in
triage/engine/data/real (Maalej et al. 2016, rebuilt by bench/triage_data.py). Every source
here is a *different* source, written by other users and labelled by other people, so every
figure is cross-dataset. These sources state no licence, so they are never shipped or
trained on (docs/triage.md, "Real data: manifest"): this script rebuilds them from their
pinned commits with ``git`` (a local bare mirror named by ``--mirror-root``, else the GitHub
URL), maps their labels to ours and caches the result as JSONL.

``--select`` trains candidate category heads in memory (feature set x learner x with or
without the real training data) and scores each on these sources and, for the candidates
trained without it, on the Maalej reviews: the evidence behind train.CHOSEN_CONFIG.
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import subprocess
import sys
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TEXT_MAX = 2_000  # characters of title + body given to the engine (issue bodies are long)


@dataclass(frozen=True)
class Source:
    """One pinned, labelled public source and how its labels map to ours."""

    name: str
    repo: str  # owner/name on GitHub
    commit: str
    path: str
    licence: str
    kind: str
    rows: Callable[[list[dict[str, str]]], list[dict[str, str]]]


def _nlbse(rows: list[dict[str, str]]) -> list[dict[str, str]]:
    # GitHub issues of 5 projects labelled bug / feature / question (one label each).
    return [
        {"text": f"{r['title']}\n{r['body']}"[:TEXT_MAX], "lang": "en", "gold": r["label"]}
        for r in rows
        if r["label"] in ("bug", "feature", "question")
    ]


_REVIEW_CATEGORY = {
    "bug report": "bug",
    "requirement": "feature",
    "other": "other",
    "noise": "other",
}
_REVIEW_SENTIMENT = {
    "very negative": "negative",
    "negative": "negative",
    "neutral": "neutral",
    "positive": "positive",
    "postive": "positive",
    "positve": "positive",
    "very positive": "positive",
}


def _reviews(rows: list[dict[str, str]]) -> list[dict[str, str]]:
    # App Store reviews labelled by students: bug report / requirement / other / noise.
    out = []
    for r in rows:
        gold = _REVIEW_CATEGORY.get(r["category_final"].strip().lower())
        if not gold or not r["review"].strip():
            continue
        text = f"{r['topic']}\n{r['review']}" if r.get("topic") else r["review"]
        sentiment = _REVIEW_SENTIMENT.get(r["sentiment_final"].strip().lower(), "")
        out.append({"text": text[:TEXT_MAX], "lang": "en", "gold": gold, "sentiment": sentiment})
    return out


SOURCES = (
    Source(
        name="nlbse24-issues",
        repo="nlbse2024/issue-report-classification",
        commit="2927bc67eb42db8affd16eaf3e5a6d74f3063961",
        path="data/issues_test.csv",
        licence="none stated (empty LICENSE file): evaluation only, not shipped or trained on",
        kind="issue tracker (facebook/react, tensorflow, vscode, bitcoin, opencv)",
        rows=_nlbse,
    ),
    Source(
        name="vu-app-reviews",
        repo="ftesla11/review-analysis",
        commit="010d32dd0de15c3b4196bac1601b012c040324e8",
        path="dataset.csv",
        licence="no licence file: used for evaluation only, never shipped or trained on",
        kind="app-store reviews (Facebook, … ; labelled at VU Amsterdam)",
        rows=_reviews,
    ),
)


def _git_show(source: Source, mirror_root: Path) -> str:
    mirror = mirror_root / source.repo.replace("/", "+") / "repo"
    if not mirror.exists():
        mirror = mirror_root / f"{source.repo.replace('/', '+')}.git"
    if not mirror.exists():
        mirror.parent.mkdir(parents=True, exist_ok=True)
        url = f"https://github.com/{source.repo}.git"
        subprocess.run(["git", "clone", "--bare", "-q", url, str(mirror)], check=True)
    show = ["git", "-C", str(mirror), "show", f"{source.commit}:{source.path}"]
    return subprocess.run(show, check=True, capture_output=True, text=True).stdout


def rebuild(source: Source, cache: Path, mirror_root: Path) -> list[dict[str, str]]:
    """The source's rows in our labels, from the cache or rebuilt from the pinned commit."""
    target = cache / f"{source.name}-{source.commit[:12]}.jsonl"
    if target.exists():
        lines = target.read_text(encoding="utf-8").split("\n")  # not splitlines(): U+2028
        return [json.loads(line) for line in lines if line.strip()]
    csv.field_size_limit(10**8)
    raw = list(csv.DictReader(io.StringIO(_git_show(source, mirror_root))))
    rows = source.rows(raw)
    cache.mkdir(parents=True, exist_ok=True)
    target.write_text(
        "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8"
    )
    return rows


# --- metrics ---------------------------------------------------------------------------------
def per_class(gold: Sequence[str], pred: Sequence[str], classes: Sequence[str]):
    out = {}
    for c in classes:
        tp = sum(g == c and p == c for g, p in zip(gold, pred, strict=True))
        fp = sum(g != c and p == c for g, p in zip(gold, pred, strict=True))
        fn = sum(g == c and p != c for g, p in zip(gold, pred, strict=True))
        prec = tp / (tp + fp) if tp + fp else 0.0
        rec = tp / (tp + fn) if tp + fn else 0.0
        f1 = 2 * prec * rec / (prec + rec) if prec + rec else 0.0
        out[c] = (prec, rec, f1, tp + fn)
    return out


def macro_f1(gold: Sequence[str], pred: Sequence[str], classes: Sequence[str]) -> float:
    scores = per_class(gold, pred, classes)
    present = [c for c in classes if scores[c][3]]
    return sum(scores[c][2] for c in present) / len(present) if present else 0.0


def report(title: str, rows: list[dict[str, str]], classes: Sequence[str], project) -> dict:
    """Run the engine on ``rows`` and print the figures; ``project`` maps a result to a
    class of this source's label set."""
    from triage.engine import triage

    results = [triage(r["text"]) for r in rows]
    gold = [r["gold"] for r in rows]
    pred = [project(res) for res in results]
    print(f"\n## {title}: {len(rows)} items, classes {', '.join(classes)}")
    print(f"{'class':<10} {'n':>5} {'precision':>9} {'recall':>7} {'F1':>6}")
    for c, (p, r, f, n) in per_class(gold, pred, classes).items():
        print(f"{c:<10} {n:>5} {p:>9.3f} {r:>7.3f} {f:>6.3f}")
    overall = macro_f1(gold, pred, classes)
    acc = sum(g == p for g, p in zip(gold, pred, strict=True)) / len(gold)
    print(f"macro-F1 {overall:.3f}   accuracy {acc:.3f}")
    by_lang: dict[str, list[int]] = defaultdict(list)
    for i, r in enumerate(rows):
        by_lang[r["lang"]].append(i)
    for lang, idx in sorted(by_lang.items()):
        f = macro_f1([gold[i] for i in idx], [pred[i] for i in idx], classes)
        detected = Counter(results[i].language for i in idx).most_common(1)[0]
        print(
            f"  {lang}: n={len(idx)} macro-F1 {f:.3f} (language detected as {detected[0]} "
            f"{detected[1] / len(idx):.0%})"
        )
    labels = list(classes) + sorted(set(pred) - set(classes))
    print("confusion (rows gold, columns predicted):")
    print(" " * 10 + "".join(f"{c:>10}" for c in labels))
    counts = Counter(zip(gold, pred, strict=True))
    for g in classes:
        print(f"{g:<10}" + "".join(f"{counts[(g, p)]:>10}" for p in labels))
    sent = [
        (r["sentiment"], res.sentiment)
        for r, res in zip(rows, results, strict=True)
        if r.get("sentiment")
    ]
    if sent:
        s_gold, s_pred = zip(*sent, strict=True)
        s_f1 = macro_f1(s_gold, s_pred, ("positive", "neutral", "negative"))
        s_acc = sum(a == b for a, b in sent) / len(sent)
        print(f"sentiment: n={len(sent)} accuracy {s_acc:.3f} macro-F1 {s_f1:.3f}")
        if len(by_lang) > 1:
            for lang, idx in sorted(by_lang.items()):
                hits = sum(rows[i]["sentiment"] == results[i].sentiment for i in idx)
                print(f"  {lang}: sentiment accuracy {hits / len(idx):.3f}")
    return {"macro_f1": overall, "accuracy": acc}


def _issue_class(res) -> str:
    # An issue tracker has no praise: praise / other count as question (the Fluister value).
    return res.category


def _review_class(res) -> str:
    return {"bug": "bug", "feature": "feature"}.get(res.label, "other")


def smoke(paths: Iterable[Path]) -> None:
    from triage.engine import dataset

    for path in paths:
        examples = [
            e
            for e in dataset.load(path)
            if path.name != "labelled.jsonl" or dataset.is_heldout(e.group)
        ]
        rows = [
            {
                "text": e.text,
                "lang": e.lang,
                "gold": "praise" if e.praise else e.category,
                "sentiment": e.sentiment,
            }
            for e in examples
        ]
        report(
            f"smoke test, hand-written: {path.name} (fine label)",
            rows,
            ("bug", "feature", "question", "praise", "other"),
            lambda r: r.label,
        )
        # What Fluister clients see: praise is reported as question (docs/triage.md).
        fluister = [
            {**row, "gold": "question" if e.praise or e.category == "other" else e.category}
            for row, e in zip(rows, examples, strict=True)
        ]
        report(
            f"smoke test, hand-written: {path.name} (Fluister category)",
            fluister,
            ("bug", "feature", "question"),
            lambda r: r.category,
        )


def select(args: argparse.Namespace) -> None:
    """Score candidate category heads on every source they were not trained on."""
    from triage.engine import dataset
    from triage.engine import train as tr
    from triage.engine.features import extract_many

    hand, _ = tr.dataset.split(dataset.load_training())
    real = dataset.load_real() + dataset.load_real(dataset.AUTHORED_DIR)
    tests = {s.name: rebuild(s, args.cache, args.mirror_root) for s in SOURCES}
    tests["maalej2016"] = [
        {"text": e.text, "gold": e.category} for e in real if e.source.startswith("maalej2016:")
    ]
    review_like = {"vu-app-reviews", "maalej2016"}
    print("\n## Model selection: category macro-F1 on sources the candidate never saw")
    print(
        f"{'features':<30} {'learner':<7} {'trained on':<34} " + " ".join(f"{n:>15}" for n in tests)
    )
    for cfg in tr.GRID[:5]:
        for method in ("nb", "lr"):
            for with_real in (False, True):
                rows = hand + (real if with_real else [])
                X = extract_many([e.text for e in rows], cfg)
                head = tr.fit_head("category", rows, X, method)
                cells = []
                for name, test in tests.items():
                    if with_real and name == "maalej2016":
                        cells.append(f"{'(trained on)':>15}")
                        continue
                    pred = [head.predict(x) for x in extract_many([r["text"] for r in test], cfg)]
                    if name in review_like:
                        pred = [p if p in ("bug", "feature") else "other" for p in pred]
                        classes: tuple[str, ...] = ("bug", "feature", "other")
                    else:
                        pred = [p if p != "other" else "question" for p in pred]
                        classes = ("bug", "feature", "question")
                    f1 = macro_f1([r["gold"] for r in test], pred, classes)
                    cells.append(f"{f1:>15.3f}")
                trained = "hand-written + maalej + authored" if with_real else "hand-written"
                print(
                    f"{tr.describe(cfg):<30} {method:<7} {trained:<34} " + " ".join(cells),
                    flush=True,
                )


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cache", type=Path, default=ROOT / "var" / "triage-eval")
    parser.add_argument("--mirror-root", type=Path, default=Path("/work/.mirror"))
    parser.add_argument("--no-smoke", action="store_true")
    parser.add_argument("--select", action="store_true", help="print the model-selection table")
    args = parser.parse_args(argv)
    sys.path.insert(0, str(ROOT))
    if args.select:
        select(args)
        return 0
    from triage.engine.model import default_model

    real = default_model().meta.get("trained_on_real")
    names = sorted(real) if isinstance(real, dict) else []
    print(
        "Cross-dataset: the engine was trained on the hand-written set"
        + (f" and {', '.join(names)} (triage/engine/data/real)" if names else " only")
        + "; on none of the sources below."
    )
    for source in SOURCES:
        rows = rebuild(source, args.cache, args.mirror_root)
        classes = (
            ("bug", "feature", "question")
            if source.name.startswith("nlbse")
            else ("bug", "feature", "other")
        )
        project = _issue_class if source.name.startswith("nlbse") else _review_class
        report(
            f"{source.name} ({source.kind}; {source.repo}@{source.commit[:12]})",
            rows,
            classes,
            project,
        )
    if not args.no_smoke:
        data = ROOT / "triage" / "engine" / "data"
        smoke([data / "labelled.jsonl", data / "challenge.jsonl"])
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
