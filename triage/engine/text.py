"""Text normalisation shared by the lexicons, the feature extractor and the engine.

Everything downstream (lexicon patterns, n-gram features) works on the output of
:func:`normalize`, so spelling variation is removed exactly once and in one place.
"""

from __future__ import annotations

import re
import unicodedata

# Inputs are truncated to this many characters. Minolith allows 50,000-character bodies;
# the first thousands of characters decide the label in practice, and the cap bounds the
# worst case so triage() can run inline in a request handler.
MAX_CHARS = 20_000

_URL_RE = re.compile(r"https?://\S+|www\.\S+")
_EMAIL_RE = re.compile(r"\S+@\S+\.\w+")
_NUM_RE = re.compile(r"\d+")
# English contractions are expanded so "doesn't work" and "does not work" are one bigram.
_NT_RE = re.compile(r"(\w)n['\u2019]t\b")  # ' or typographic apostrophe
_CANT_RE = re.compile(r"\b(can|won)['\u2019]t\b")
_TOKEN_RE = re.compile(r"[^\W\d_]+|0|[?!¿¡]")
PUNCT_TOKENS = frozenset("?!¿¡")


class _FoldTable(dict[int, str]):
    """``str.translate`` table that folds one code point at a time and remembers it.

    ``translate`` runs in C and only calls ``__missing__`` the first time a character is
    seen, so folding costs a dictionary hit per character instead of a Python-level
    Unicode decomposition (this was the engine's hottest spot).
    """

    def __missing__(self, codepoint: int) -> str:
        decomposed = unicodedata.normalize("NFKD", chr(codepoint))
        folded = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
        self[codepoint] = folded
        return folded


_FOLD_TABLE = _FoldTable()


def fold(text: str) -> str:
    """Lower-case and strip accents ("Ärger" -> "arger", "échoue" -> "echoue").

    Feedback is typed fast on phones, often without accents; folding makes "probleme" and
    "problème" one word. ``casefold`` also maps "ß" to "ss".
    """
    text = text.casefold()
    if text.isascii():
        return text
    return text.translate(_FOLD_TABLE)


def normalize(text: str) -> str:
    """Truncate, fold case/accents, neutralise URLs, e-mail addresses and numbers.

    Numbers become ``0`` so "500 error" and "error 404" share features instead of the model
    memorising particular status codes; URLs and addresses are noise for the labels.
    Punctuation is kept: "?" and "!" are strong cues.
    """
    text = text[:MAX_CHARS]
    text = _URL_RE.sub(" url ", text)
    text = _EMAIL_RE.sub(" email ", text)
    text = fold(text)
    text = _CANT_RE.sub(lambda m: "can not" if m.group(1) == "can" else "will not", text)
    text = _NT_RE.sub(r"\1 not", text)
    return _NUM_RE.sub("0", text)


def tokens(normalized: str) -> list[str]:
    """Word tokens plus ``? ! ¿ ¡`` from already-normalised text.

    Apostrophes split words, which suits French elision ("l'appli" -> "l", "appli").
    """
    return _TOKEN_RE.findall(normalized)
