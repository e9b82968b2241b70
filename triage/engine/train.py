"""Train the triage classifiers and write ``triage/engine/model.json``.

Run ``python -m triage.engine.train`` from the repository root. Steps:

1. Load ``data/labelled.jsonl`` (plus reviewed corrections) and drop the fixed held-out
   split (``dataset.is_heldout``); nothing below ever sees it. Load the licensed real
   feedback in ``data/real/`` (bench/triage_data.py rebuilds it) and the authored
   review-style rows in ``data/authored/``: they have category labels only, so they train
   the category head, never sentiment, praise or language.
2. Model selection by grouped 5-fold cross-validation *inside the training split*: every
   feature configuration in :data:`GRID` x {Naive Bayes, logistic regression} x head, plus a
   rules-only baseline for reference. Folds are by translation group, like the held-out
   split, so a sentence and its translation are never on both sides.
3. The feature configuration and the category learner are fixed by the *cross-dataset*
   evaluation (:data:`CHOSEN_CONFIG`, :data:`CATEGORY_METHOD`; ``python -m bench.triage_eval
   --select`` prints the evidence): the in-set CV above rewards the hand-written style and
   chose a model that did not hold on real feedback. Per tone head, CV picks the learner.
4. Fit the winners on the whole training split, prune near-zero weights, round, verify the
   pruned model predicts the training split exactly like the unpruned one, and write JSON.

Everything is seeded and ordered, so two runs on the same data give byte-identical files.
``--quick`` skips step 2 and reuses the choice recorded in the current model.json.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from triage.engine import dataset
from triage.engine.dataset import Example
from triage.engine.features import FeatureConfig, analyse, extract_many
from triage.engine.learn import Head, average, macro_f1, prune, train_lr, train_nb
from triage.engine.lexicon import Cues
from triage.engine.model import FORMAT_VERSION, MODEL_PATH, Model

Label = Callable[[Example], str]

HEADS: tuple[tuple[str, tuple[str, ...], Label], ...] = (
    ("category", dataset.FINE_CATEGORIES, dataset.fine_label),
    ("sentiment", dataset.SENTIMENTS, lambda e: e.sentiment),
    ("praise", ("no", "yes"), lambda e: "yes" if e.praise else "no"),
    ("language", dataset.LANGUAGES, lambda e: e.lang),
)

# Ordered simplest first: on a tie the earlier (cheaper at run time) configuration wins.
GRID: tuple[FeatureConfig, ...] = (
    FeatureConfig(word_ngrams=2, char_min=0, char_max=0, lexicon=False),
    FeatureConfig(word_ngrams=2, char_min=0, char_max=0, lexicon=True),
    FeatureConfig(word_ngrams=2, char_min=0, char_max=0, lexicon=True, translate=True),
    FeatureConfig(word_ngrams=2, char_min=3, char_max=4, lexicon=False),
    FeatureConfig(word_ngrams=2, char_min=3, char_max=4, lexicon=True),
    FeatureConfig(word_ngrams=2, char_min=3, char_max=5, lexicon=True),
)

LEARNERS: dict[str, Callable[..., Head]] = {"nb": train_nb, "lr": train_lr}
# Heads trained on the real data too (it has no sentiment or praise labels; the language head
# needs no more English).
REAL_HEADS = ("category",)
# Chosen on the cross-dataset evaluation (train on the hand-written set + Maalej 2016, test on
# the VU app reviews and the NLBSE'24 issues; docs/triage.md has the table): words 1-2 plus
# the lexicon cues plus the English twins of nl/de/fr/es words (xlate.py; neutral on the
# English sources, and the only way the reviews' vocabulary reaches the other languages),
# logistic regression for the category head. Character n-grams and Naive Bayes both scored
# lower on the unseen sources.
CHOSEN_CONFIG = GRID[2]
CATEGORY_METHOD = "lr"
# The category head is the average of logistic regressions trained with these shuffling
# seeds: one seeded SGD run moved cross-dataset macro-F1 by +-0.02 from seed to seed, the
# average of five by less than 0.005.
CATEGORY_SEEDS = (13, 14, 15, 16, 17)
# A feature seen in fewer real rows than this, and never in the hand-written set, is dropped
# before training: one-off words of long reviews only memorise those reviews, and dropping
# them keeps model.json small (cross-dataset macro-F1 moved by less than a point).
MIN_REAL_DF = 2
# Each hand-written (and corrected) row counts this many times in the category head, so the
# only rows in nl, de, fr and es are not outweighed 3:1 by English reviews (cross-dataset: the
# unseen English sources moved by about one point, the five-language smoke set gained two).
HAND_WEIGHT = 2
CV_FOLDS = 5
PRUNE_THRESHOLD = {"nb": 0.02, "lr": 0.01}
DECIMALS = 4


def cv_fold(group: str, folds: int = CV_FOLDS) -> int:
    """Deterministic fold of a translation group (salted so it is independent of the split)."""
    return int(hashlib.sha256(f"{group}#cv".encode()).hexdigest(), 16) % folds


def rules_baseline(c: Cues, text: str) -> dict[str, str]:
    """Lexicon-only predictions, to show what the learned model adds on top of the rules."""
    is_question = text.rstrip().endswith("?") or c.question_start
    if c.severity >= 2 and not c.request:
        category = "bug"
    elif is_question and not c.request:
        category = "question"
    else:
        category = "feature"
    if c.negative > c.positive or (c.severity >= 3 and not c.positive):
        sentiment = "negative"
    elif c.positive:
        sentiment = "positive"
    else:
        sentiment = "neutral"
    praise = c.positive > 0 and not (c.severity or c.request or c.negative or is_question)
    return {"category": category, "sentiment": sentiment, "praise": "yes" if praise else "no"}


def _fit(
    method: str, name: str, X: Sequence[set[str]], y: Sequence[int], classes: tuple[str, ...]
) -> Head:
    """Train one head with the named learner and its default hyper-parameters."""
    return LEARNERS[method](name, X, y, classes)


def cross_validate(train: list[Example], folds: int = CV_FOLDS) -> dict[str, dict[str, float]]:
    """Grouped k-fold macro-F1 for every (config, learner, head); keys "<cfg>|<learner>"."""
    results: dict[str, dict[str, float]] = {}
    fold_of = [cv_fold(e.group, folds) for e in train]
    # Rules baseline (no training involved, so "CV" is just scoring every training row).
    base = [rules_baseline(analyse(e.text, GRID[1]).cues, e.text) for e in train]
    results["rules|-"] = {
        name: macro_f1([get(e) for e in train], [b[name] for b in base])
        for name, _, get in HEADS
        if name != "language"
    }
    for cfg_index, cfg in enumerate(GRID):
        X_all = extract_many([e.text for e in train], cfg)
        X_tone = [{f for f in feats if not f.startswith("t:")} for feats in X_all]
        for method in LEARNERS:
            row: dict[str, float] = {}
            for name, classes, get in HEADS:
                X = X_all if name in REAL_HEADS else X_tone  # as fit_head trains them
                gold: list[str] = []
                pred: list[str] = []
                for k in range(folds):
                    tr = [i for i, f in enumerate(fold_of) if f != k]
                    te = [i for i, f in enumerate(fold_of) if f == k]
                    head = _fit(
                        method,
                        name,
                        [X[i] for i in tr],
                        [classes.index(get(train[i])) for i in tr],
                        classes,
                    )
                    gold += [get(train[i]) for i in te]
                    pred += [head.predict(X[i]) for i in te]
                row[name] = macro_f1(gold, pred)
            results[f"{cfg_index}|{method}"] = row
            print(f"  cv {describe(cfg):<28} {method}  " + _fmt_row(row), flush=True)
    return results


# Candidate rules for turning the heads' outputs into Minolith's item type. The engine uses
# PRAISE_RULE; train.py re-scores all of them so the choice stays backed by evidence.
PRAISE_RULES: dict[str, Callable[[str, str, str], bool]] = {
    "praise head": lambda cat, sent, praise: praise == "yes",
    "praise head, not bug": lambda cat, sent, praise: praise == "yes" and cat != "bug",
    "praise head, positive": lambda cat, sent, praise: praise == "yes" and sent == "positive",
    "praise head, positive, not bug": lambda cat, sent, praise: (
        praise == "yes" and sent == "positive" and cat != "bug"
    ),
    "praise head, positive, not feature": lambda cat, sent, praise: (
        praise == "yes" and sent == "positive" and cat != "feature"
    ),
}


def praise_rule_cv(
    train: list[Example], cfg: FeatureConfig, methods: dict[str, str], folds: int = CV_FOLDS
) -> dict[str, float]:
    """Grouped-CV item-type macro-F1 of each candidate in :data:`PRAISE_RULES`."""
    X = extract_many([e.text for e in train], cfg)
    fold_of = [cv_fold(e.group, folds) for e in train]
    pred: dict[str, list[str]] = {name: [""] * len(train) for name in ("category", "sentiment")}
    pred["praise"] = [""] * len(train)
    for k in range(folds):
        tr = [i for i, f in enumerate(fold_of) if f != k]
        te = [i for i, f in enumerate(fold_of) if f == k]
        for name, classes, get in HEADS:
            if name not in pred:
                continue
            y = [classes.index(get(train[i])) for i in tr]
            head = _fit(methods[name], name, [X[i] for i in tr], y, classes)
            for i in te:
                pred[name][i] = head.predict(X[i])
    mapping = {"bug": "bug", "feature": "idea", "question": "question", "other": "feedback"}
    gold = ["praise" if e.praise else mapping[e.category] for e in train]
    scores = {}
    for rule_name, rule in PRAISE_RULES.items():
        flags = [
            rule(pred["category"][i], pred["sentiment"][i], pred["praise"][i])
            for i in range(len(train))
        ]
        got = [
            "praise" if flag else mapping[cat]
            for flag, cat in zip(flags, pred["category"], strict=True)
        ]
        scores[f"item type: {rule_name}"] = macro_f1(gold, got)
    scores["category (fine), no override"] = macro_f1(
        [dataset.fine_label(e) for e in train], pred["category"]
    )
    return scores


def describe(cfg: FeatureConfig) -> str:
    """Short human label for a feature configuration."""
    parts = ["words1-2" if cfg.word_ngrams >= 2 else "words1"]
    if cfg.char_max >= cfg.char_min > 0:
        parts.append(f"chars{cfg.char_min}-{cfg.char_max}")
    if cfg.lexicon:
        parts.append("lexicon")
    if cfg.translate:
        parts.append("translate")
    return "+".join(parts)


def _fmt_row(row: dict[str, float]) -> str:
    return "  ".join(f"{k}={v:.3f}" for k, v in row.items())


def select(results: dict[str, dict[str, float]]) -> tuple[int, dict[str, str]]:
    """The cross-dataset configuration, and per tone head the learner with the better CV."""
    best_index = GRID.index(CHOSEN_CONFIG)
    methods = {}
    for name, *_ in HEADS:
        # Ties go to Naive Bayes: same accuracy, fewer moving parts.
        methods[name] = max(
            LEARNERS, key=lambda m: (round(results[f"{best_index}|{m}"][name], 6), m == "nb")
        )
    methods["category"] = CATEGORY_METHOD
    return best_index, methods


def fit_head(name: str, examples: Sequence[Example], X: Sequence[set[str]], method: str) -> Head:
    """Train head ``name`` on the rows that carry its label (tone heads: hand-written only)."""
    classes, get = next((c, g) for n, c, g in HEADS if n == name)
    idx = [i for i, e in enumerate(examples) if e.has_tone]
    if name in REAL_HEADS:
        X = drop_rare_real(examples, X)
        idx = idx * HAND_WEIGHT + [i for i, e in enumerate(examples) if not e.has_tone]
    else:  # concept features (xlate.py) are for the category head only
        X = [{f for f in feats if not f.startswith("t:")} for feats in X]
    Xs, ys = [X[i] for i in idx], [classes.index(get(examples[i])) for i in idx]
    if name == "category" and method == "lr":
        return average([train_lr(name, Xs, ys, classes, seed=s) for s in CATEGORY_SEEDS])
    return _fit(method, name, Xs, ys, classes)


def drop_rare_real(examples: Sequence[Example], X: Sequence[set[str]]) -> list[set[str]]:
    """``X`` without the features seen in fewer than MIN_REAL_DF real rows and never in a
    hand-written or corrected one."""
    known: set[str] = set()
    df: dict[str, int] = {}
    for e, feats in zip(examples, X, strict=True):
        if e.has_tone:
            known |= feats
        else:
            for f in feats:
                df[f] = df.get(f, 0) + 1
    rare = {f for f, n in df.items() if n < MIN_REAL_DF and f not in known}
    return [feats - rare for feats in X]


def fit_model(
    train: list[Example], cfg: FeatureConfig, methods: dict[str, str]
) -> tuple[list[Head], dict[str, Any]]:
    """Train the chosen heads on the full training split (hand-written, corrections and the
    real rows) and build the model.json dict."""
    X = extract_many([e.text for e in train], cfg)
    heads = [fit_head(name, train, X, methods[name]) for name, *_ in HEADS]
    pruned = [prune(h, PRUNE_THRESHOLD[h.method]) for h in heads]
    head_meta = []
    offset = 0
    for h in pruned:
        head_meta.append(
            {
                "name": h.name,
                "classes": list(h.classes),
                "method": h.method,
                "offset": offset,
                "bias": [round(b, DECIMALS) for b in h.bias],
                "scaled": h.scaled,
            }
        )
        offset += len(h.classes)
    # Per head, only the features that head kept: the category head has thousands of review
    # words the tone heads never saw, and a flat table would store zeros for them.
    weights = {
        h.name: {f: [round(v, DECIMALS) for v in h.weights[f]] for f in sorted(h.weights)}
        for h in pruned
    }
    data = {
        "format": FORMAT_VERSION,
        "config": cfg.to_dict(),
        "heads": head_meta,
        "weights": weights,
    }
    return heads, data


def verify(heads: list[Head], model: Model, train: list[Example]) -> int:
    """Count training rows where pruning/rounding changed any head's prediction."""
    changed = 0
    for e in train:
        feats = analyse(e.text, model.config).features
        final = model.predict(feats)
        if any(h.predict(feats) != final[h.name].label for h in heads):
            changed += 1
    return changed


def data_digest(
    path: Path = dataset.DATA_PATH,
    corrections: Path = dataset.CORRECTIONS_DIR,
    real: Path = dataset.REAL_DIR,
    authored: Path = dataset.AUTHORED_DIR,
) -> str:
    """SHA-256 of the labelled file (and, when there are any, the corrections and real-data
    files), stored in model.json so evaluate and the tests can detect a model older than its
    data."""
    digest = hashlib.sha256(path.read_bytes())
    for file in dataset.correction_files(corrections):
        digest.update(file.name.encode() + b"\0" + file.read_bytes())
    for file in dataset.real_files(real):
        digest.update(b"real/" + file.name.encode() + b"\0" + file.read_bytes())
    for file in dataset.real_files(authored):
        digest.update(b"authored/" + file.name.encode() + b"\0" + file.read_bytes())
    return digest.hexdigest()


def main(argv: Sequence[str] | None = None) -> int:
    """CLI entry point."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=MODEL_PATH, help="where to write the model")
    parser.add_argument(
        "--quick",
        action="store_true",
        help="skip cross-validation; reuse the configuration recorded in the current model",
    )
    args = parser.parse_args(argv)

    examples = dataset.load_training()
    train, heldout = dataset.split(examples)
    print(f"labelled: {len(examples)}  train: {len(train)}  held-out (never used): {len(heldout)}")
    corrected = sum(1 for e in examples if e.source.startswith(dataset.CORRECTION_PREFIX))
    print(f"  of which from reviewed corrections (data/corrections/*.jsonl): {corrected}")
    real = dataset.load_real()
    authored = dataset.load_real(dataset.AUTHORED_DIR)
    by_source: dict[str, int] = {}
    for e in real:
        name = e.source.split(":", 1)[0]
        by_source[name] = by_source.get(name, 0) + 1
    print(f"real feedback (data/real/*.jsonl, category head only): {by_source}")
    print(
        f"authored review-style rows (data/authored/*.jsonl, category head only): {len(authored)}"
    )

    if args.quick:
        previous = json.loads(MODEL_PATH.read_text(encoding="utf-8"))
        cfg = FeatureConfig.from_dict(previous["config"])
        methods = {h["name"]: h["method"] for h in previous["heads"]}
        selection = previous.get("meta", {}).get("selection", {})
    else:
        print(f"model selection: grouped {CV_FOLDS}-fold CV on the training split (macro-F1)")
        results = cross_validate(train)
        print(f"  rules-only baseline              {_fmt_row(results['rules|-'])}")
        best_index, methods = select(results)
        cfg = GRID[best_index]
        selection = {
            "metric": f"grouped {CV_FOLDS}-fold CV macro-F1 on the training split",
            "results": {
                (
                    k
                    if k == "rules|-"
                    else f"{describe(GRID[int(k.split('|')[0])])}|{k.split('|')[1]}"
                ): {n: round(v, 4) for n, v in row.items()}
                for k, row in results.items()
            },
        }
    print(f"chosen: features={describe(cfg)} learners={methods}")
    if not args.quick:
        print("praise rules (grouped CV macro-F1 on the training split):")
        rule_scores = praise_rule_cv(train, cfg, methods)
        for rule_name, score in rule_scores.items():
            print(f"  {rule_name:<60} {score:.3f}")
        selection["item_type_rules"] = {k: round(v, 4) for k, v in rule_scores.items()}

    heads, data = fit_model(train + real + authored, cfg, methods)
    data["meta"] = {
        "trained_on": len(train),
        "trained_on_real": by_source,
        "trained_on_authored": len(authored),
        "heldout": len(heldout),
        "data_sha256": data_digest(),
        "selection": selection,
    }
    model = Model.from_dict(data)
    changed = verify(heads, model, train + real + authored)
    kept = {name: len(w) for name, w in data["weights"].items()}
    print(f"features kept per head: {kept}; predictions changed by pruning: {changed}")
    args.out.write_text(
        json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":")) + "\n",
        encoding="utf-8",
    )
    print(f"wrote {args.out} ({args.out.stat().st_size // 1024} KiB)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
