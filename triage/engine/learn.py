"""Pure-Python learners (multinomial Naive Bayes, softmax logistic regression) and metrics.

Both learners produce the same artefact, a :class:`Head`: a bias per class plus a weight
vector per feature, so inference is one code path (sum the weights of the features present)
whatever the training method. This is used only by ``train.py`` and ``evaluate.py``; the
run-time engine never imports it.
"""

from __future__ import annotations

import math
import random
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

Features = set[str]


@dataclass(slots=True)
class Head:
    """A linear classifier over sparse binary features.

    ``score[c] = bias[c] + scale * sum(weights[f][c] for f in features)`` where ``scale`` is
    ``1/sqrt(#features)`` when ``scaled`` (logistic regression was trained on L2-normalised
    rows) and 1 otherwise (Naive Bayes sums log-likelihoods).
    """

    name: str
    classes: tuple[str, ...]
    method: str
    bias: list[float]
    weights: dict[str, list[float]]
    scaled: bool

    def scores(self, feats: Features) -> list[float]:
        """Raw class scores for one example (training-time twin of model.Model.predict)."""
        n_classes = len(self.classes)
        acc = [0.0] * n_classes
        for f in feats:
            w = self.weights.get(f)
            if w is not None:
                for c in range(n_classes):
                    acc[c] += w[c]
        scale = 1.0 / math.sqrt(len(feats)) if self.scaled and feats else 1.0
        return [b + scale * a for b, a in zip(self.bias, acc, strict=True)]

    def predict(self, feats: Features) -> str:
        """Arg-max class label."""
        s = self.scores(feats)
        return self.classes[max(range(len(s)), key=s.__getitem__)]


def _class_weights(y: Sequence[int], n_classes: int) -> list[float]:
    """'Balanced' example weights: each class contributes equally in total.

    The data has three times more negative bug reports than positive questions; without
    this the rarer classes (which macro-F1 weighs equally) would be under-predicted.
    """
    counts = Counter(y)
    total = len(y)
    return [total / (n_classes * counts[c]) if counts[c] else 0.0 for c in range(n_classes)]


def train_nb(
    name: str,
    X: Sequence[Features],
    y: Sequence[int],
    classes: tuple[str, ...],
    *,
    alpha: float = 0.3,
    balanced: bool = True,
) -> Head:
    """Multinomial Naive Bayes on binary features with Lidstone smoothing ``alpha``.

    With ``balanced`` the class prior is uniform and every document is weighted so each
    class has the same total mass (same intent as in :func:`train_lr`). Per-feature weights
    are centred across classes: a constant added to all classes never changes the arg-max,
    and centring lets near-uninformative features be pruned from model.json.
    """
    n_classes = len(classes)
    cw = _class_weights(y, n_classes) if balanced else [1.0] * n_classes
    counts: dict[str, list[float]] = defaultdict(lambda: [0.0] * n_classes)
    totals = [0.0] * n_classes
    for feats, label in zip(X, y, strict=True):
        w = cw[label]
        for f in feats:
            counts[f][label] += w
        totals[label] += w * len(feats)
    vocab = len(counts)
    denominators = [math.log(t + alpha * vocab) for t in totals]
    weights: dict[str, list[float]] = {}
    for f, cnt in counts.items():
        logp = [math.log(cnt[c] + alpha) - denominators[c] for c in range(n_classes)]
        mean = sum(logp) / n_classes
        weights[f] = [v - mean for v in logp]
    if balanced:
        bias = [0.0] * n_classes
    else:
        freq = Counter(y)
        bias = [math.log(freq[c] / len(y)) if freq[c] else -1e9 for c in range(n_classes)]
    return Head(name, classes, "nb", bias, weights, scaled=False)


def train_lr(
    name: str,
    X: Sequence[Features],
    y: Sequence[int],
    classes: tuple[str, ...],
    *,
    epochs: int = 12,
    learning_rate: float = 1.0,
    l2: float = 1e-4,
    seed: int = 13,
    balanced: bool = True,
) -> Head:
    """Softmax (multinomial logistic) regression trained with plain SGD.

    Rows are L2-normalised (each present feature has value ``1/sqrt(n)``) so a long
    message does not produce larger scores than a short one. L2 regularisation is applied
    as multiplicative weight decay once per epoch, which is cheap in pure Python and, with
    this few epochs, behaves like a standard L2 penalty. The shuffle is seeded, so training
    is reproducible bit for bit.
    """
    n_classes = len(classes)
    cw = _class_weights(y, n_classes) if balanced else [1.0] * n_classes
    weights: dict[str, list[float]] = defaultdict(lambda: [0.0] * n_classes)
    bias = [0.0] * n_classes
    rows = [(sorted(feats), label) for feats, label in zip(X, y, strict=True)]
    rng = random.Random(seed)  # noqa: S311 -- reproducible shuffling, not security
    for epoch in range(epochs):
        rng.shuffle(rows)
        lr = learning_rate / (1.0 + 0.5 * epoch)
        for feats, label in rows:
            if not feats:
                continue
            scale = 1.0 / math.sqrt(len(feats))
            vecs = [weights[f] for f in feats]
            sums = [sum(col) for col in zip(*vecs, strict=True)]
            scores = [b + scale * s for b, s in zip(bias, sums, strict=True)]
            top = max(scores)
            exps = [math.exp(s - top) for s in scores]
            z = sum(exps)
            grad = [e / z for e in exps]
            grad[label] -= 1.0
            step = lr * cw[label]
            deltas = [step * g * scale for g in grad]
            for vec in vecs:
                for c in range(n_classes):
                    vec[c] -= deltas[c]
            for c in range(n_classes):
                bias[c] -= step * grad[c]
        decay = 1.0 - lr * l2 * len(rows)
        for vec in weights.values():
            for c in range(n_classes):
                vec[c] *= decay
    return Head(name, classes, "lr", bias, dict(weights), scaled=True)


def average(heads: Sequence[Head]) -> Head:
    """The mean of several heads of the same classes and method (e.g. SGD runs with
    different seeds): scores of the mean are the mean of the scores, with less variance."""
    first = heads[0]
    n, k = len(first.classes), len(heads)
    weights: dict[str, list[float]] = {}
    for h in heads:
        for f, w in h.weights.items():
            acc = weights.setdefault(f, [0.0] * n)
            for c in range(n):
                acc[c] += w[c] / k
    bias = [sum(h.bias[c] for h in heads) / k for c in range(n)]
    return Head(first.name, first.classes, first.method, bias, weights, first.scaled)


def prune(head: Head, threshold: float) -> Head:
    """Drop features whose largest absolute weight is below ``threshold``.

    Keeps model.json small and inference fast; the threshold is chosen so held-out
    predictions do not change (checked by train.py).
    """
    kept = {f: w for f, w in head.weights.items() if max(abs(v) for v in w) >= threshold}
    return Head(head.name, head.classes, head.method, head.bias, kept, head.scaled)


# --- metrics ---------------------------------------------------------------------------


def accuracy(gold: Sequence[str], pred: Sequence[str]) -> float:
    """Share of exact matches."""
    if not gold:
        return float("nan")
    return sum(g == p for g, p in zip(gold, pred, strict=True)) / len(gold)


def macro_f1(gold: Sequence[str], pred: Sequence[str]) -> float:
    """Unweighted mean F1 over the labels that occur in gold or prediction.

    Same definition as scikit-learn's ``f1_score(average="macro")`` with default labels, so
    the numbers are comparable with what people expect.
    """
    labels = sorted(set(gold) | set(pred))
    if not labels:
        return float("nan")
    total = 0.0
    for label in labels:
        tp = sum(g == label and p == label for g, p in zip(gold, pred, strict=True))
        fp = sum(g != label and p == label for g, p in zip(gold, pred, strict=True))
        fn = sum(g == label and p != label for g, p in zip(gold, pred, strict=True))
        denom = 2 * tp + fp + fn
        total += (2 * tp / denom) if denom else 0.0
    return total / len(labels)
