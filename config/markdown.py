"""Markdown built from user text that must not change the document's structure (the
Minolith markdown renderer and the greatfeedback annotation blob).

Free text (bodies) goes in a fenced block longer than any backtick run inside it, short
values in code spans, and the rest (titles, names, messages) is escaped character by
character (backslash escapes, valid in CommonMark for any ASCII punctuation, and entities for
``<`` and ``&``), so no heading, link, HTML tag or table can be injected.
"""

from __future__ import annotations

import re
from typing import Any

# Characters with a meaning in CommonMark/GFM inline text or at a line start. Quotes,
# commas, colons and the like mean nothing there and stay readable.
_PUNCTUATION = re.compile(r"[\\`*_{}\[\]()#+\-.!|>~]")
_BACKTICKS = re.compile(r"`+")


def escape(text: Any) -> str:
    """Inline text with every markdown-significant character escaped, on one line.

    ``<`` and ``&`` become entities rather than backslash escapes: renderers that are not
    CommonMark (Python-Markdown) do not honour ``\\<`` and would pass an HTML tag through.
    """
    out = []
    for char in " ".join(str(text).split()):
        if char == "&":
            out.append("&amp;")
        elif char == "<":
            out.append("&lt;")
        elif _PUNCTUATION.match(char):
            out.append("\\" + char)
        else:
            out.append(char)
    return "".join(out)


def _longest_backtick_run(text: str) -> int:
    return max((len(m) for m in _BACKTICKS.findall(text)), default=0)


def code(text: Any) -> str:
    """A code span that shows ``text`` verbatim, whatever backticks it holds."""
    value = " ".join(str(text).split())
    ticks = "`" * (_longest_backtick_run(value) + 1)
    if value.startswith("`") or value.endswith("`"):
        value = f" {value} "
    return f"{ticks}{value}{ticks}"


def fenced(text: str, info: str = "text") -> str:
    """A fenced block whose fence is longer than any backtick run in ``text``."""
    fence = "`" * max(3, _longest_backtick_run(text) + 1)
    return f"{fence}{info}\n{text}\n{fence}"


def cell(text: Any) -> str:
    """A table cell: a code span, with ``|`` escaped (GFM splits cells on it even there)."""
    return code(text).replace("|", "\\|")
