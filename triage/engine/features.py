"""Sparse feature extraction, shared by training and inference.

Training and run-time prediction must see *exactly* the same features, so both call
:func:`extract`; the :class:`FeatureConfig` used for the shipped weights is stored in
``model.json`` and handed back here at load time.

Feature families (prefix in brackets), and why:

* ``w:`` word unigrams and ``b:`` word bigrams. Bigrams carry negation ("werkt_niet",
  "no_funciona", "does_not") which a bag of single words loses.
* ``c:`` character n-grams inside words, meant for compounds ("inlogprobleem") and
  inflections ("crasht" / "gecrasht"). train.py evaluates them, but on this data they lost
  to the lexicon cues in cross-validation, so the shipped model does not use them
  (docs/triage.md has the table).
* ``p:`` punctuation: "?"/"¿" are the strongest single signal for a question, "!" for
  emotion.
* ``x:`` lexicon cues from :mod:`triage.engine.lexicon` (severity level, negative /
  positive / request words, question-word sentence start). They are the same feature in
  every language, so what the model learns about "x:sev5" from German crashes also applies
  to a Spanish one.

Everything is binary presence (a set): in one- or two-sentence feedback, repetition says
little, and sets make the models insensitive to copy-pasted walls of text.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable
from dataclasses import dataclass

from triage.engine.lexicon import Cues, cue_features, cues
from triage.engine.text import PUNCT_TOKENS, normalize, tokens
from triage.engine.xlate import TARGETS, TRANSLATIONS


@dataclass(frozen=True, slots=True)
class FeatureConfig:
    """Which feature families to extract. Stored in model.json next to the weights."""

    word_ngrams: int = 2
    char_min: int = 3
    char_max: int = 5
    lexicon: bool = True
    translate: bool = False  # add the English twin of nl/de/fr/es words (xlate.py)

    def to_dict(self) -> dict[str, int | bool]:
        """Serialise for model.json."""
        return {
            "word_ngrams": self.word_ngrams,
            "char_min": self.char_min,
            "char_max": self.char_max,
            "lexicon": self.lexicon,
            "translate": self.translate,
        }

    @classmethod
    def from_dict(cls, data: dict[str, int | bool]) -> FeatureConfig:
        """Inverse of :meth:`to_dict`."""
        return cls(
            word_ngrams=int(data["word_ngrams"]),
            char_min=int(data["char_min"]),
            char_max=int(data["char_max"]),
            lexicon=bool(data["lexicon"]),
            translate=bool(data.get("translate", False)),
        )


@dataclass(frozen=True, slots=True)
class Analysis:
    """Everything the engine needs from one pass over the text."""

    features: set[str]
    cues: Cues
    words: list[str]


def analyse(text: str, config: FeatureConfig) -> Analysis:
    """Features, lexicon :class:`Cues` and word tokens for ``text``.

    The text is normalised once and shared by the n-gram and lexicon passes and by the
    engine (page words, empty-input check).
    """
    norm = normalize(text)
    found = cues(norm)
    toks = tokens(norm)
    feats: set[str] = set()
    add = feats.add
    words = [t for t in toks if t not in PUNCT_TOKENS]
    for t in toks:
        add(("p:" if t in PUNCT_TOKENS else "w:") + t)
    if config.translate:
        for w in words:
            twin = TRANSLATIONS.get(w)
            if twin:
                for e in twin:
                    add("t:" + e)
            elif w in TARGETS:
                add("t:" + w)
    if config.word_ngrams >= 2:
        for a, b in itertools.pairwise(words):
            add("b:" + a + "_" + b)
    lo, hi = config.char_min, config.char_max
    if hi >= lo > 0:
        for w in words:
            padded = " " + w + " "
            n_chars = len(padded)
            for n in range(lo, min(hi, n_chars) + 1):
                for i in range(n_chars - n + 1):
                    add("c:" + padded[i : i + n])
    if toks and toks[-1] in ("?", "¿"):
        add("p:ends?")
    if not words:
        add("p:empty")
    if config.lexicon:
        feats |= cue_features(found)
    return Analysis(feats, found, words)


def extract(text: str, config: FeatureConfig) -> set[str]:
    """The feature set for ``text`` under ``config``."""
    return analyse(text, config).features


def extract_many(texts: Iterable[str], config: FeatureConfig) -> list[set[str]]:
    """Vectorise a corpus (used by training and evaluation)."""
    return [extract(t, config) for t in texts]
