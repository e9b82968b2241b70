"""Run-time side of the trained classifiers: load ``model.json`` once, score feature sets.

``model.json`` holds several linear *heads* (category, sentiment, praise, language), each with
the weights of the features it kept. At load time they are merged into one table in which
each feature maps to one flat tuple with the weights of every head side by side (zeros where
a head has no weight), so scoring a text costs one dict lookup per feature, not one per head.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from triage.engine.features import FeatureConfig

MODEL_PATH = Path(__file__).with_name("model.json")
FORMAT_VERSION = 2


@dataclass(frozen=True, slots=True)
class HeadSpec:
    """Where one head's classes live in the flat weight vector and how to scale them."""

    name: str
    classes: tuple[str, ...]
    method: str
    offset: int
    bias: tuple[float, ...]
    scaled: bool


@dataclass(frozen=True, slots=True)
class Prediction:
    """Arg-max label and its softmax probability for one head."""

    label: str
    confidence: float


class Model:
    """Immutable bundle of feature config, heads and weights."""

    __slots__ = ("config", "heads", "meta", "weights", "width")

    def __init__(
        self,
        config: FeatureConfig,
        heads: tuple[HeadSpec, ...],
        weights: dict[str, tuple[float, ...]],
        meta: dict[str, object],
    ) -> None:
        self.config = config
        self.heads = heads
        self.weights = weights
        self.meta = meta
        self.width = sum(len(h.classes) for h in heads)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Model:
        """Build from the parsed model.json, refusing formats this code does not know."""
        if data.get("format") != FORMAT_VERSION:
            raise ValueError(f"unsupported model format {data.get('format')!r}")
        heads = tuple(
            HeadSpec(
                name=h["name"],
                classes=tuple(h["classes"]),
                method=h["method"],
                offset=int(h["offset"]),
                bias=tuple(float(b) for b in h["bias"]),
                scaled=bool(h["scaled"]),
            )
            for h in data["heads"]
        )
        width = sum(len(h.classes) for h in heads)
        per_head: dict[str, dict[str, list[float]]] = data["weights"]
        if set(per_head) != {h.name for h in heads}:
            raise ValueError("weights do not match the heads")
        flat: dict[str, list[float]] = {}
        for h in heads:
            n = len(h.classes)
            for f, w in per_head[h.name].items():
                if len(w) != n:
                    raise ValueError(f"weight vector of {f!r} does not match head {h.name}")
                vec = flat.setdefault(f, [0.0] * width)
                vec[h.offset : h.offset + n] = w
        weights = {f: tuple(w) for f, w in flat.items()}
        return cls(FeatureConfig.from_dict(data["config"]), heads, weights, data.get("meta", {}))

    def predict(self, feats: set[str]) -> dict[str, Prediction]:
        """Score every head for one feature set.

        Unknown features are ignored (they carry no evidence). Probabilities are a softmax
        over the head's scores; for Naive Bayes heads they are over-confident and only
        meant for display, never for thresholds.
        """
        get = self.weights.get
        vecs = [w for w in map(get, feats) if w is not None]
        sums = [sum(col) for col in zip(*vecs, strict=True)] if vecs else [0.0] * self.width
        inv_sqrt = 1.0 / math.sqrt(len(feats)) if feats else 1.0
        out: dict[str, Prediction] = {}
        for head in self.heads:
            scale = inv_sqrt if head.scaled else 1.0
            lo = head.offset
            scores = [b + scale * sums[lo + i] for i, b in enumerate(head.bias)]
            top = max(scores)
            exps = [math.exp(s - top) for s in scores]
            best = max(range(len(scores)), key=scores.__getitem__)
            out[head.name] = Prediction(head.classes[best], exps[best] / sum(exps))
        return out


def load(path: Path = MODEL_PATH) -> Model:
    """Parse a model file (uncached; the engine uses :func:`default_model`)."""
    with path.open(encoding="utf-8") as fh:
        return Model.from_dict(json.load(fh))


@lru_cache(maxsize=1)
def default_model() -> Model:
    """The shipped model, loaded on first use and then shared.

    Lazy so that importing ``triage.engine`` (e.g. from Django's app registry) costs
    nothing until the first triage() call; cached so later calls pay no I/O.
    """
    return load()
