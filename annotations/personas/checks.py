"""The built-in reviewer's checks: pure functions over what the widget captured.

Each check reads a :class:`Capture` (the annotated element, its computed styles, the
viewport and the comment) and returns one :class:`CheckResult`, or a ``skipped`` result
saying what was missing. Nothing here touches the database, the network or the clock, so
a check gives the same answer for the same capture every time (the known-answer tests and
bench/personas.py rely on that). Every check, its thresholds and its source (WCAG 2.2
success criterion numbers) are explained in docs/personas.md.

Outcomes: ``fail`` (a WCAG requirement is not met, or the element is plainly broken),
``concern`` (below a recommendation, or a likely problem the capture cannot prove), ``pass``,
``note`` (context that is neither: the comment's triage) and ``skipped`` (the capture lacks
what the check needs). Severities: ``none``, ``low``, ``medium``, ``high``.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

# --- results -------------------------------------------------------------------------------
OUTCOMES = ("pass", "note", "skipped", "concern", "fail")
SEVERITIES = ("none", "low", "medium", "high")


@dataclass(frozen=True, slots=True)
class CheckResult:
    check: str
    outcome: str
    severity: str
    message: str
    evidence: dict[str, Any] = field(default_factory=dict)
    suggested_fix: str = ""
    source: str = ""

    def as_dict(self) -> dict[str, Any]:
        return {
            "check": self.check,
            "outcome": self.outcome,
            "severity": self.severity,
            "message": self.message,
            "evidence": self.evidence,
            "suggested_fix": self.suggested_fix,
            "source": self.source,
        }


# --- the capture ---------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class Capture:
    """What a check may read. ``element``, ``styles`` and ``viewport`` are the annotation's
    JSON as the widget captured it (styles keyed by CSS property name, computed values)."""

    element: Mapping[str, Any]
    styles: Mapping[str, Any]
    viewport: Mapping[str, Any]
    comment: str = ""
    page_url: str = ""

    def attr(self, *names: str) -> str | None:
        """An element attribute, read from the element itself or its ``attributes`` map
        (``aria-label`` and ``aria_label`` are the same attribute)."""
        attributes = self.element.get("attributes")
        attributes = attributes if isinstance(attributes, Mapping) else {}
        for name in names:
            for key in (name, name.replace("-", "_")):
                for source in (self.element, attributes):
                    value = source.get(key)
                    if value is not None and not isinstance(value, Mapping | list):
                        return str(value)
        return None

    @property
    def tag(self) -> str:
        return str(self.element.get("tag") or self.element.get("tagName") or "").lower()

    @property
    def text(self) -> str:
        value = self.element.get("text")
        return " ".join(str(value).split()) if isinstance(value, str) else ""

    def style(self, name: str) -> str:
        value = self.styles.get(name)
        if value is None:
            value = self.styles.get(_camel(name))
        return str(value).strip().lower() if value is not None else ""

    def rect(self) -> tuple[float, float, float, float] | None:
        rect = self.element.get("rect")
        if not isinstance(rect, Mapping):
            return None
        try:
            values = tuple(float(rect[k]) for k in ("x", "y", "width", "height"))
        except (KeyError, TypeError, ValueError):
            return None
        if not all(math.isfinite(v) for v in values):
            return None
        return values  # type: ignore[return-value]

    def viewport_size(self) -> tuple[float, float] | None:
        try:
            width = float(self.viewport["width"])
            height = float(self.viewport["height"])
        except (KeyError, TypeError, ValueError):
            return None
        if not (math.isfinite(width) and math.isfinite(height)) or width <= 0 or height <= 0:
            return None
        return width, height


def _camel(name: str) -> str:
    head, *rest = name.split("-")
    return head + "".join(part.capitalize() for part in rest)


# --- colour --------------------------------------------------------------------------------
RGBA = tuple[float, float, float, float]  # 0-255 channels, alpha 0-1

NAMED_COLOURS: dict[str, RGBA] = {
    "black": (0, 0, 0, 1),
    "white": (255, 255, 255, 1),
    "red": (255, 0, 0, 1),
    "green": (0, 128, 0, 1),
    "blue": (0, 0, 255, 1),
    "gray": (128, 128, 128, 1),
    "grey": (128, 128, 128, 1),
    "silver": (192, 192, 192, 1),
    "yellow": (255, 255, 0, 1),
    "orange": (255, 165, 0, 1),
    "navy": (0, 0, 128, 1),
    "transparent": (0, 0, 0, 0),
}
_FUNCTION = re.compile(r"^rgba?\((.*)\)$")


def _channel(raw: str) -> float:
    raw = raw.strip()
    if raw.endswith("%"):
        return max(0.0, min(255.0, float(raw[:-1]) * 2.55))
    return max(0.0, min(255.0, float(raw)))


def _alpha(raw: str) -> float:
    raw = raw.strip()
    value = float(raw[:-1]) / 100 if raw.endswith("%") else float(raw)
    return max(0.0, min(1.0, value))


def parse_colour(value: Any) -> RGBA | None:
    """``#rgb``, ``#rgba``, ``#rrggbb``, ``#rrggbbaa``, ``rgb()``/``rgba()`` (comma or
    space syntax, ``/ alpha``) and a few names; None for anything else."""
    if not isinstance(value, str):
        return None
    text = value.strip().lower()
    if text in NAMED_COLOURS:
        return NAMED_COLOURS[text]
    if text.startswith("#"):
        digits = text[1:]
        if not re.fullmatch(r"[0-9a-f]+", digits) or len(digits) not in (3, 4, 6, 8):
            return None
        if len(digits) in (3, 4):
            digits = "".join(c * 2 for c in digits)
        channels = [int(digits[i : i + 2], 16) for i in range(0, len(digits), 2)]
        alpha = channels[3] / 255 if len(channels) == 4 else 1.0
        return (channels[0], channels[1], channels[2], alpha)
    match = _FUNCTION.match(text)
    if not match:
        return None
    inner = match.group(1)
    alpha_part = "1"
    if "/" in inner:
        inner, alpha_part = inner.split("/", 1)
    parts = [p for p in re.split(r"[\s,]+", inner.strip()) if p]
    if len(parts) == 4:
        parts, alpha_part = parts[:3], parts[3]
    if len(parts) != 3:
        return None
    try:
        r, g, b = (_channel(p) for p in parts)
        a = _alpha(alpha_part)
    except ValueError:
        return None
    return (r, g, b, a)


def composite(top: RGBA, bottom: RGBA) -> RGBA:
    """``top`` painted over an opaque ``bottom`` (source-over)."""
    a = top[3]
    return (
        top[0] * a + bottom[0] * (1 - a),
        top[1] * a + bottom[1] * (1 - a),
        top[2] * a + bottom[2] * (1 - a),
        1.0,
    )


def relative_luminance(colour: RGBA) -> float:
    """WCAG 2.2 relative luminance of an opaque sRGB colour."""

    def linear(channel: float) -> float:
        c = channel / 255
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (linear(c) for c in colour[:3])
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast_ratio(first: RGBA, second: RGBA) -> float:
    """(L1 + 0.05) / (L2 + 0.05), lighter over darker, unrounded (WCAG compares the exact
    value: 4.499:1 fails 4.5:1)."""
    l1, l2 = relative_luminance(first), relative_luminance(second)
    if l1 < l2:
        l1, l2 = l2, l1
    return (l1 + 0.05) / (l2 + 0.05)


def hex_of(colour: RGBA) -> str:
    return "#{:02x}{:02x}{:02x}".format(*(round(c) for c in colour[:3]))


def shown_ratio(ratio: float, minimum: float | None = None) -> str:
    """Two decimals, rounded (#777777 on white: 4.478 -> "4.48:1"), except that a ratio under
    ``minimum`` never displays as reaching it (4.499 against 4.5 shows "4.49:1")."""
    shown = round(ratio, 2)
    if minimum is not None and ratio < minimum <= shown:
        shown = math.floor(ratio * 100) / 100
    return f"{shown:.2f}:1"


WHITE: RGBA = (255, 255, 255, 1.0)


def resolved_background(capture: Capture) -> tuple[RGBA, str] | None:
    """The opaque colour behind the element's text and where it came from.

    The element's own ``background-color`` when opaque; when it is translucent or
    transparent, it is composited over the nearest opaque colour in
    ``ancestor-background-colors`` (nearest first, as the widget captures them), or over
    the white canvas when no opaque ancestor colour was captured (said in the evidence).
    """
    own = parse_colour(capture.styles.get("background-color") or capture.style("background"))
    ancestors_raw = capture.styles.get("ancestor-background-colors") or []
    layers: list[RGBA] = [own] if own else []
    if isinstance(ancestors_raw, list):
        for raw in ancestors_raw[:20]:
            colour = parse_colour(raw)
            if colour is None:
                continue
            layers.append(colour)
            if colour[3] >= 1:
                break
    if not layers:
        return None
    base, source = WHITE, "canvas (white, no opaque background captured)"
    if layers[-1][3] >= 1:
        base, source = layers.pop(), "captured background"
        if not layers and own is None:
            source = "nearest ancestor background"
        elif layers:
            source = "composited over the nearest opaque ancestor background"
    elif own is not None and own[3] >= 1:
        source = "captured background"
    colour = base
    for layer in reversed(layers):
        colour = composite(layer, colour)
    return colour, source


# --- lengths -------------------------------------------------------------------------------
_PX = re.compile(r"^(-?\d+(?:\.\d+)?)px$")


def px(value: str) -> float | None:
    match = _PX.match(value.strip().lower()) if value else None
    return float(match.group(1)) if match else None


def font_size_px(capture: Capture) -> float | None:
    return px(capture.style("font-size"))


def is_bold(capture: Capture) -> bool:
    weight = capture.style("font-weight")
    if weight in ("bold", "bolder"):
        return True
    try:
        return float(weight) >= 700
    except ValueError:
        return False


def is_large_text(capture: Capture) -> bool:
    """WCAG "large scale": at least 18pt (24 CSS px), or 14pt (18.67 px) when bold."""
    size = font_size_px(capture)
    if size is None:
        return False
    return size >= 24 or (size >= 18.66 and is_bold(capture))


# --- element roles -------------------------------------------------------------------------
INTERACTIVE_TAGS = {"a", "button", "input", "select", "textarea", "summary", "option", "label"}
INTERACTIVE_ROLES = {
    "button",
    "link",
    "checkbox",
    "radio",
    "switch",
    "tab",
    "menuitem",
    "option",
    "combobox",
    "slider",
    "textbox",
}
NAMED_TAGS = {"a", "button", "img", "input", "select", "textarea", "svg", "iframe", "area"}


def role(capture: Capture) -> str:
    return (capture.attr("role") or "").strip().lower()


def is_interactive(capture: Capture) -> bool:
    if capture.tag in INTERACTIVE_TAGS and capture.tag != "label":
        hidden_input = capture.tag == "input" and (capture.attr("type") or "").lower() == "hidden"
        return not hidden_input
    if role(capture) in INTERACTIVE_ROLES:
        return True
    tabindex = capture.attr("tabindex")
    try:
        return tabindex is not None and int(tabindex) >= 0
    except ValueError:
        return False


# --- text ----------------------------------------------------------------------------------
_WORD = re.compile(r"[^\W\d_]+(?:['\u2019-][^\W\d_]+)*", re.UNICODE)
_SENTENCE_END = re.compile(r"[.!?]+(?:\s|$)")
_VOWEL_GROUPS = re.compile(r"[aeiouy]+")
_VOWEL_GROUPS_NL = re.compile(r"[aeiouyáéíóúëïöü]+")


def words(text: str) -> list[str]:
    return _WORD.findall(text)


def syllables(word: str, language: str = "en") -> int:
    """Vowel-group syllable estimate (the usual heuristic for Flesch formulas): English
    drops a silent final ``e``; every word counts at least one."""
    lower = word.lower()
    if language == "nl":
        return max(1, len(_VOWEL_GROUPS_NL.findall(lower)))
    count = len(_VOWEL_GROUPS.findall(lower))
    if lower.endswith("e") and not lower.endswith(("le", "ee", "ye")) and count > 1:
        count -= 1
    return max(1, count)


def reading_ease(text: str, language: str) -> tuple[float, int, int, int] | None:
    """Flesch reading ease (English) or Flesch-Douma (Dutch): (score, words, sentences,
    syllables); None for other languages."""
    found = words(text)
    if not found or language not in ("en", "nl"):
        return None
    sentences = max(1, len(_SENTENCE_END.findall(text.strip() + " ")))
    total = sum(syllables(w, language) for w in found)
    per_sentence = len(found) / sentences
    per_word = total / len(found)
    if language == "nl":
        score = 206.835 - 0.93 * per_sentence - 77 * per_word
    else:
        score = 206.835 - 1.015 * per_sentence - 84.6 * per_word
    return score, len(found), sentences, total


GENERIC_LINK_TEXT: dict[str, frozenset[str]] = {
    "en": frozenset(
        {
            "click here",
            "here",
            "read more",
            "more",
            "learn more",
            "link",
            "this",
            "click",
            "this link",
            "go",
            "details",
            "more info",
            "continue reading",
            "see more",
        }
    ),
    "nl": frozenset({"klik hier", "hier", "lees meer", "meer", "meer info", "deze link", "klik"}),
    "de": frozenset({"hier klicken", "hier", "mehr", "weiterlesen", "mehr erfahren", "klicken"}),
    "fr": frozenset({"cliquez ici", "ici", "en savoir plus", "plus", "lire la suite"}),
    "es": frozenset({"haga clic aquí", "haz clic aquí", "aquí", "más", "leer más"}),
}
ALL_GENERIC_LINK_TEXT = frozenset().union(*GENERIC_LINK_TEXT.values())

JARGON: dict[str, frozenset[str]] = {
    "en": frozenset(
        {
            "utilize",
            "utilise",
            "leverage",
            "synergy",
            "paradigm",
            "actionable",
            "holistic",
            "seamless",
            "frictionless",
            "best-in-class",
            "end-to-end",
            "bandwidth",
            "onboarding",
            "deprecated",
            "null",
            "undefined",
            "nan",
            "exception",
            "payload",
            "endpoint",
            "invalid input",
            "fatal error",
            "unexpected error",
            "authentication failed",
            "sku",
            "kpi",
            "roi",
            "b2b",
            "saas",
            "api",
            "backend",
            "frontend",
            "timeout",
        }
    ),
    "nl": frozenset(
        {
            "middels",
            "inzake",
            "ten behoeve van",
            "conform",
            "teneinde",
            "dienaangaande",
            "onverwijld",
            "alsmede",
            "voornoemd",
            "d.m.v.",
            "t.b.v.",
            "ongeldige invoer",
            "foutcode",
            "null",
            "undefined",
        }
    ),
}


def jargon_in(text: str, language: str) -> list[str]:
    lower = f" {text.lower()} "
    found = []
    for term in sorted(JARGON.get(language, JARGON["en"])):
        if re.search(rf"(?<![\w-]){re.escape(term)}(?![\w-])", lower):
            found.append(term)
    return found


# --- the checks ----------------------------------------------------------------------------
def _skip(check: str, why: str, source: str) -> CheckResult:
    return CheckResult(check, "skipped", "none", why, {}, "", source)


def check_text_contrast(capture: Capture) -> CheckResult:
    source = "WCAG 2.2 SC 1.4.3 Contrast (Minimum), SC 1.4.6 Contrast (Enhanced)"
    name = "text_contrast"
    text_colour = parse_colour(capture.styles.get("color"))
    background = resolved_background(capture)
    if text_colour is None or background is None:
        return _skip(name, "No text colour and background colour were captured.", source)
    bg, bg_source = background
    fg = composite(text_colour, bg) if text_colour[3] < 1 else text_colour
    ratio = contrast_ratio(fg, bg)
    large = is_large_text(capture)
    aa, aaa = (3.0, 4.5) if large else (4.5, 7.0)
    size = font_size_px(capture)
    evidence = {
        "foreground": hex_of(fg),
        "background": hex_of(bg),
        "background_source": bg_source,
        "ratio": round(ratio, 4),
        "ratio_shown": shown_ratio(ratio, aa if ratio < aa else aaa),
        "large_text": large,
        "font_size_px": size,
        "aa_minimum": aa,
        "aaa_minimum": aaa,
    }
    pair = f"{hex_of(fg)} on {hex_of(bg)} measures {evidence['ratio_shown']}"
    kind = "large text" if large else "text this size"
    if ratio < aa:
        return CheckResult(
            name,
            "fail",
            "high",
            f"{pair}; AA needs {aa:g}:1 for {kind}, so the text is hard to read.",
            evidence,
            f"Darken the text or lighten the background until the ratio reaches {aa:g}:1 "
            f"(AAA: {aaa:g}:1).",
            source,
        )
    if ratio < aaa:
        return CheckResult(
            name,
            "concern",
            "low",
            f"{pair}; it passes AA ({aa:g}:1) but not AAA ({aaa:g}:1).",
            evidence,
            f"For AAA raise the ratio to {aaa:g}:1.",
            source,
        )
    return CheckResult(name, "pass", "none", f"{pair}; it passes AA and AAA.", evidence, "", source)


def _border(capture: Capture) -> tuple[RGBA, float, str] | None:
    for prefix in ("outline", "border", "border-top", "border-bottom"):
        style = capture.style(f"{prefix}-style")
        width = px(capture.style(f"{prefix}-width"))
        colour = parse_colour(capture.styles.get(f"{prefix}-color"))
        if colour and width and width > 0 and style not in ("", "none", "hidden"):
            return colour, width, prefix
    return None


def check_non_text_contrast(capture: Capture) -> CheckResult:
    source = "WCAG 2.2 SC 1.4.11 Non-text Contrast"
    name = "non_text_contrast"
    border = _border(capture)
    background = resolved_background(capture)
    if border is None or background is None:
        return _skip(name, "No visible border or outline (and background) was captured.", source)
    colour, width, prefix = border
    bg = background[0]
    # The boundary is seen against what surrounds the element: the nearest opaque ancestor
    # colour when captured, else the element's own resolved background.
    ancestors = capture.styles.get("ancestor-background-colors")
    outer = bg
    if isinstance(ancestors, list):
        for raw in ancestors[:20]:
            parsed = parse_colour(raw)
            if parsed and parsed[3] >= 1:
                outer = parsed
                break
    fg = composite(colour, outer) if colour[3] < 1 else colour
    ratio = contrast_ratio(fg, outer)
    evidence = {
        "property": prefix,
        "colour": hex_of(fg),
        "against": hex_of(outer),
        "width_px": width,
        "ratio": round(ratio, 4),
        "ratio_shown": shown_ratio(ratio, 3.0),
        "minimum": 3.0,
    }
    message = (
        f"The {prefix} ({hex_of(fg)}) against {hex_of(outer)} measures {shown_ratio(ratio, 3.0)}"
    )
    if ratio < 3.0 and is_interactive(capture):
        return CheckResult(
            name,
            "fail",
            "medium",
            f"{message}; a control's boundary needs 3:1 to be seen.",
            evidence,
            "Use a boundary colour with at least 3:1 against its surroundings.",
            source,
        )
    if ratio < 3.0:
        return CheckResult(
            name,
            "concern",
            "low",
            f"{message}; if this boundary is needed to understand the element it needs 3:1.",
            evidence,
            "Darken the boundary to 3:1 or make sure nothing depends on seeing it.",
            source,
        )
    return CheckResult(name, "pass", "none", f"{message}; that meets 3:1.", evidence, "", source)


def check_target_size(capture: Capture) -> CheckResult:
    source = "WCAG 2.2 SC 2.5.8 Target Size (Minimum), SC 2.5.5 Target Size (Enhanced)"
    name = "target_size"
    if not is_interactive(capture):
        return _skip(name, "The element is not something people click or tap.", source)
    rect = capture.rect()
    if rect is None:
        return _skip(name, "The element's size was not captured.", source)
    width, height = rect[2], rect[3]
    evidence = {"width_px": width, "height_px": height, "minimum_px": 24, "recommended_px": 44}
    size = f"The target is {width:g}x{height:g} CSS px"
    if width < 24 or height < 24:
        inline = capture.tag == "a"
        return CheckResult(
            name,
            "fail",
            "high" if min(width, height) < 16 else "medium",
            f"{size}, under the 24x24 minimum; it is easy to miss or to hit its neighbour."
            + (" (A link inside a sentence is exempt.)" if inline else ""),
            evidence,
            "Give the target at least 24x24 px (padding counts), ideally 44x44.",
            source,
        )
    if width < 44 or height < 44:
        return CheckResult(
            name,
            "concern",
            "low",
            f"{size}: it meets the 24x24 minimum but not the 44x44 recommendation.",
            evidence,
            "Grow the hit area to 44x44 px for touch.",
            source,
        )
    return CheckResult(name, "pass", "none", f"{size}, at least 44x44.", evidence, "", source)


def check_font_size(capture: Capture) -> CheckResult:
    source = "Legibility (advisory; WCAG 2.2 SC 1.4.4 Resize Text, SC 1.4.12 Text Spacing)"
    name = "font_size"
    size = font_size_px(capture)
    if size is None:
        return _skip(name, "No font size in px was captured.", source)
    viewport = capture.viewport_size()
    small_screen = viewport is not None and viewport[0] <= 480
    evidence: dict[str, Any] = {"font_size_px": size, "viewport_width_px": viewport and viewport[0]}
    if size < 12:
        return CheckResult(
            name,
            "concern",
            "medium",
            f"The text is {size:g}px; under 12px it is hard to read for many people.",
            evidence,
            "Use at least 12px, 16px for body text.",
            source,
        )
    if (
        viewport is not None
        and small_screen
        and capture.tag in ("input", "select", "textarea")
        and size < 16
    ):
        return CheckResult(
            name,
            "concern",
            "low",
            f"This field's text is {size:g}px on a {viewport[0]:g}px wide screen; iOS zooms "
            "the page when a field under 16px gets focus.",
            evidence,
            "Set form fields to 16px on small screens.",
            source,
        )
    return CheckResult(name, "pass", "none", f"The text is {size:g}px.", evidence, "", source)


def check_line_height(capture: Capture) -> CheckResult:
    source = "WCAG 2.2 SC 1.4.8 Visual Presentation (AAA), SC 1.4.12 Text Spacing"
    name = "line_height"
    if len(words(capture.text)) < 12:
        return _skip(name, "The element has no running text to judge line spacing on.", source)
    size = font_size_px(capture)
    raw = capture.style("line-height")
    if size is None or not raw:
        return _skip(name, "No font size and line height were captured.", source)
    if raw == "normal":
        line = size * 1.2  # what browsers use for "normal" with common fonts
    elif px(raw) is not None:
        line = px(raw) or 0.0
    else:
        try:
            line = float(raw) * size
        except ValueError:
            return _skip(name, f"The line height '{raw[:20]}' could not be read.", source)
    ratio = line / size if size else 0
    evidence = {"font_size_px": size, "line_height_px": round(line, 2), "ratio": round(ratio, 2)}
    if ratio < 1.5:
        return CheckResult(
            name,
            "concern",
            "low" if ratio >= 1.2 else "medium",
            f"The lines are spaced {ratio:.2f} times the font size; paragraphs read more easily "
            "at 1.5.",
            evidence,
            "Set line-height to at least 1.5 for paragraphs.",
            source,
        )
    return CheckResult(
        name,
        "pass",
        "none",
        f"The line height is {ratio:.2f} times the font size.",
        evidence,
        "",
        source,
    )


def check_focus_visible(capture: Capture) -> CheckResult:
    source = "WCAG 2.2 SC 2.4.7 Focus Visible, SC 2.4.13 Focus Appearance (AAA)"
    name = "focus_visible"
    if not is_interactive(capture):
        return _skip(name, "The element does not take keyboard focus.", source)
    focus = capture.styles.get("focus")
    if isinstance(focus, Mapping):
        focused = Capture(capture.element, focus, capture.viewport)
        outline_gone = focused.style("outline-style") in ("none", "hidden") or (
            px(focused.style("outline-width")) == 0
        )
        shadow = focused.style("box-shadow")
        if outline_gone and shadow in ("", "none"):
            return CheckResult(
                name,
                "fail",
                "high",
                "With keyboard focus the element shows no outline and no shadow: I cannot see "
                "where I am.",
                {
                    "focus_outline": focused.style("outline-style") or "none",
                    "focus_box_shadow": "none",
                },
                "Keep a visible :focus-visible outline (2px, 3:1 against the background).",
                source,
            )
        return CheckResult(
            name,
            "pass",
            "none",
            "The focused state draws a visible indicator.",
            {"focus_outline": focused.style("outline-style"), "focus_box_shadow": shadow},
            "",
            source,
        )
    outline = capture.style("outline")
    style = capture.style("outline-style")
    removed = "none" in outline.split() or (outline.strip() in ("0", "0px")) or style == "none"
    if not (outline or style):
        return _skip(name, "No outline style was captured.", source)
    if removed and capture.style("box-shadow") in ("", "none"):
        return CheckResult(
            name,
            "concern",
            "medium",
            "The element's outline is removed (outline: none) and nothing replaces it in the "
            "captured style; unless a :focus-visible rule adds one, keyboard users lose track "
            "of focus here.",
            {"outline": outline or style, "box_shadow": capture.style("box-shadow") or "none"},
            "Check the :focus-visible style; if outline: none is global, restore a visible ring.",
            source,
        )
    return CheckResult(
        name,
        "pass",
        "none",
        "The element keeps an outline.",
        {"outline": outline or style},
        "",
        source,
    )


def accessible_name(capture: Capture) -> tuple[str, str]:
    """(name, where it came from) by the order of the accessible-name computation the
    capture allows: aria-labelledby text, aria-label, alt, the element's text, title."""
    for attribute, label in (
        ("aria-labelledby-text", "aria-labelledby"),
        ("aria-label", "aria-label"),
        ("alt", "alt"),
    ):
        value = capture.attr(attribute)
        if value and value.strip():
            return value.strip(), label
    if capture.text:
        return capture.text, "text content"
    for attribute in ("title", "placeholder", "value"):
        value = capture.attr(attribute)
        if value and value.strip():
            return value.strip(), attribute
    return "", ""


def check_accessible_name(capture: Capture) -> CheckResult:
    source = "WCAG 2.2 SC 4.1.2 Name, Role, Value; SC 1.1.1 Non-text Content"
    name = "accessible_name"
    tag = capture.tag
    needs_name = tag in NAMED_TAGS or role(capture) in INTERACTIVE_ROLES | {"img"}
    if not needs_name:
        return _skip(name, "The element is not a control, link or image.", source)
    if tag == "img" and capture.attr("alt") == "":
        return CheckResult(
            name,
            "pass",
            "none",
            'The image has alt="" so screen readers skip it as decorative; right only if it '
            "carries no information.",
            {"alt": ""},
            "",
            source,
        )
    value, origin = accessible_name(capture)
    if (capture.attr("aria-hidden") or "").lower() == "true":
        return _skip(name, "The element is hidden from assistive technology.", source)
    if not value:
        what = {"img": "image", "a": "link", "button": "button"}.get(tag, "control")
        fix = (
            'Add alt text (alt="" if decorative).'
            if tag == "img"
            else ("Give it visible text or an aria-label that says what it does.")
        )
        return CheckResult(
            name,
            "fail",
            "high",
            f"This {what} has no accessible name: a screen reader announces it as just '{what}'.",
            {"tag": tag, "role": role(capture) or None, "name": None},
            fix,
            source,
        )
    return CheckResult(
        name,
        "pass",
        "none",
        f"The accessible name is '{value[:80]}' (from {origin}).",
        {"tag": tag, "name": value[:200], "from": origin},
        "",
        source,
    )


def check_link_text(capture: Capture) -> CheckResult:
    source = "WCAG 2.2 SC 2.4.4 Link Purpose (In Context), SC 2.4.9 Link Purpose (Link Only)"
    name = "link_text"
    if capture.tag != "a" and role(capture) != "link" and capture.tag != "button":
        return _skip(name, "The element is not a link or button.", source)
    label, _origin = accessible_name(capture)
    normalised = re.sub(r"[^\w\s]", "", label.lower()).strip()
    normalised = " ".join(normalised.split())
    if not normalised:
        return _skip(name, "The element has no text to judge.", source)
    if normalised in ALL_GENERIC_LINK_TEXT:
        return CheckResult(
            name,
            "concern",
            "medium",
            f"The text '{label[:60]}' does not say where it goes; out of context (a screen "
            "reader's list of links) it means nothing.",
            {"text": label[:200]},
            "Name the destination or action ('Download the 2024 price list').",
            source,
        )
    return CheckResult(
        name,
        "pass",
        "none",
        f"The text '{label[:60]}' says what it does.",
        {"text": label[:200]},
        "",
        source,
    )


def check_viewport_overflow(capture: Capture) -> CheckResult:
    source = "WCAG 2.2 SC 1.4.10 Reflow"
    name = "viewport_overflow"
    rect, viewport = capture.rect(), capture.viewport_size()
    if rect is None or viewport is None:
        return _skip(name, "The element's position or the viewport size was not captured.", source)
    x, _y, width, _height = rect
    vw = viewport[0]
    right = x + width
    evidence = {"left_px": x, "right_px": right, "viewport_width_px": vw}
    if right <= 0 or x >= vw:
        return CheckResult(
            name,
            "concern",
            "medium",
            f"The element sits entirely outside the {vw:g}px wide viewport (left {x:g}px, right "
            f"{right:g}px): I would have to scroll sideways to find it.",
            evidence,
            "Check for a fixed width or negative margin that pushes it off screen.",
            source,
        )
    if x < -0.5 or right > vw + 0.5:
        overflow = max(-x, right - vw)
        return CheckResult(
            name,
            "fail",
            "medium",
            f"The element overflows the {vw:g}px viewport by {overflow:g}px, so the page "
            "scrolls sideways.",
            {**evidence, "overflow_px": overflow},
            "Let it wrap or shrink (max-width: 100%, flex-wrap, min-width: 0).",
            source,
        )
    return CheckResult(
        name,
        "pass",
        "none",
        f"The element fits inside the {vw:g}px viewport.",
        evidence,
        "",
        source,
    )


def check_fixed_covering(capture: Capture) -> CheckResult:
    source = "WCAG 2.2 SC 2.4.11 Focus Not Obscured (Minimum), SC 1.4.10 Reflow"
    name = "fixed_covering"
    position = capture.style("position")
    if position not in ("fixed", "sticky"):
        return _skip(name, "The element is not fixed or sticky.", source)
    rect, viewport = capture.rect(), capture.viewport_size()
    if rect is None or viewport is None:
        return _skip(name, "The element's size or the viewport size was not captured.", source)
    vw, vh = viewport
    x, y, width, height = rect
    visible_w = max(0.0, min(x + width, vw) - max(x, 0.0))
    visible_h = max(0.0, min(y + height, vh) - max(y, 0.0))
    share = (visible_w * visible_h) / (vw * vh)
    evidence = {
        "position": position,
        "covered_share": round(share, 3),
        "viewport": f"{vw:g}x{vh:g}",
    }
    small = vw <= 640 or vh <= 500
    if share >= 0.5 or (small and share >= 0.3):
        return CheckResult(
            name,
            "fail" if share >= 0.5 else "concern",
            "high" if share >= 0.5 else "medium",
            f"This {position} element covers {share:.0%} of a {vw:g}x{vh:g} viewport; the content "
            "(and the focused element) hides behind it.",
            evidence,
            "Shrink it on small screens, make it dismissible, or let it scroll away.",
            source,
        )
    return CheckResult(
        name,
        "pass",
        "none",
        f"The {position} element covers {share:.0%} of the viewport.",
        evidence,
        "",
        source,
    )


def check_truncated_text(capture: Capture) -> CheckResult:
    source = "WCAG 2.2 SC 1.4.4 Resize Text, SC 1.4.12 Text Spacing (no loss of content)"
    name = "truncated_text"
    try:
        scroll_width = float(capture.element.get("scroll_width"))  # type: ignore[arg-type]
        client_width = float(capture.element.get("client_width"))  # type: ignore[arg-type]
    except (TypeError, ValueError):
        scroll_width = client_width = float("nan")
    ellipsis = capture.style("text-overflow") == "ellipsis"
    clipped = capture.style("overflow") in ("hidden", "clip") or capture.style("overflow-x") in (
        "hidden",
        "clip",
    )
    measured = math.isfinite(scroll_width) and math.isfinite(client_width)
    if measured and scroll_width > client_width + 1 and (clipped or ellipsis):
        return CheckResult(
            name,
            "fail",
            "medium",
            f"The text needs {scroll_width:g}px but only {client_width:g}px show: part of it is "
            "cut off.",
            {
                "scroll_width_px": scroll_width,
                "client_width_px": client_width,
                "ellipsis": ellipsis,
            },
            "Let the text wrap, or show the full text (title/tooltip is not enough for touch).",
            source,
        )
    if ellipsis and clipped and capture.style("white-space") == "nowrap":
        return CheckResult(
            name,
            "concern",
            "low",
            "The text is set to cut off with an ellipsis on one line; longer translations or "
            "bigger text will lose words.",
            {"text_overflow": "ellipsis", "white_space": "nowrap"},
            "Allow wrapping, or make sure the full text is reachable.",
            source,
        )
    if not (measured or ellipsis):
        return _skip(name, "Nothing in the capture says whether the text fits.", source)
    return CheckResult(name, "pass", "none", "The text fits its box.", {}, "", source)


def _language(capture: Capture) -> str:
    from annotations.personas.language import language_of

    return language_of(capture.text or capture.comment)


def check_reading_ease(capture: Capture) -> CheckResult:
    source = "WCAG 2.2 SC 3.1.5 Reading Level (AAA); Flesch reading ease / Flesch-Douma"
    name = "reading_ease"
    text = capture.text
    if len(words(text)) < 8:
        return _skip(name, "The element has too little text to score.", source)
    language = _language(capture)
    scored = reading_ease(text, language)
    if scored is None:
        return _skip(name, f"No reading-ease formula for language '{language}'.", source)
    score, n_words, n_sentences, n_syllables = scored
    evidence = {
        "score": round(score, 1),
        "language": language,
        "words": n_words,
        "sentences": n_sentences,
        "syllables": n_syllables,
    }
    if score < 30:
        return CheckResult(
            name,
            "concern",
            "medium",
            f"This text scores {score:.0f} on reading ease (under 30 is academic prose); I "
            "would give up halfway.",
            evidence,
            "Shorter sentences and everyday words; split it up.",
            source,
        )
    if score < 50:
        return CheckResult(
            name,
            "concern",
            "low",
            f"This text scores {score:.0f} on reading ease (50-60 is plain language).",
            evidence,
            "Shorten the sentences and swap long words for short ones.",
            source,
        )
    return CheckResult(
        name,
        "pass",
        "none",
        f"The text reads easily (reading ease {score:.0f}).",
        evidence,
        "",
        source,
    )


def check_all_caps(capture: Capture) -> CheckResult:
    source = "Readability (advisory; WCAG 2.2 SC 1.4.8 Visual Presentation)"
    name = "all_caps"
    text = capture.text
    letters = [c for c in text if c.isalpha()]
    if len(letters) < 4:
        return _skip(name, "The element has too little text to judge.", source)
    transformed = capture.style("text-transform") == "uppercase"
    typed = all(c.isupper() for c in letters if c.lower() != c.upper()) and any(
        c.lower() != c.upper() for c in letters
    )
    n_words = len(words(text))
    if (transformed or typed) and n_words >= 3:
        how = "text-transform: uppercase" if transformed else "typed in capitals"
        return CheckResult(
            name,
            "concern",
            "low",
            f"{n_words} words in capitals ({how}) read slower and some screen readers spell "
            "typed capitals out letter by letter.",
            {"words": n_words, "how": how},
            "Use sentence case; if capitals are the style, apply them with CSS, not in the text.",
            source,
        )
    return CheckResult(name, "pass", "none", "The text is not set in capitals.", {}, "", source)


def check_jargon(capture: Capture) -> CheckResult:
    source = "WCAG 2.2 SC 3.1.3 Unusual Words (AAA)"
    name = "jargon"
    text = capture.text
    if len(words(text)) < 1:
        return _skip(name, "The element has no text to read.", source)
    language = _language(capture)
    found = jargon_in(text, language)
    if found:
        return CheckResult(
            name,
            "concern",
            "low",
            f"Words I would not expect a visitor to know: {', '.join(found[:8])}.",
            {"terms": found[:20], "language": language},
            "Say it in the visitor's words, or explain the term where it appears.",
            source,
        )
    return CheckResult(
        name,
        "pass",
        "none",
        "No jargon from the list for this language.",
        {"language": language},
        "",
        source,
    )


def check_comment_signal(capture: Capture) -> CheckResult:
    source = "Backtalk triage engine (docs/triage.md)"
    name = "comment_signal"
    if not capture.comment.strip():
        return _skip(name, "The annotation has no comment.", source)
    from annotations.personas.language import triaged

    result = triaged(capture.comment, capture.page_url)
    evidence = {
        "category": result.category,
        "sentiment": result.sentiment,
        "language": result.language,
        "impact_score": result.impact_score,
    }
    return CheckResult(
        name,
        "note",
        "none",
        f"The visitor's comment reads as a {result.category} ({result.sentiment}, language "
        f"{result.language}, impact {result.impact_score}/10).",
        evidence,
        "",
        source,
    )


CHECKS: dict[str, Callable[[Capture], CheckResult]] = {
    "text_contrast": check_text_contrast,
    "non_text_contrast": check_non_text_contrast,
    "target_size": check_target_size,
    "font_size": check_font_size,
    "line_height": check_line_height,
    "focus_visible": check_focus_visible,
    "accessible_name": check_accessible_name,
    "link_text": check_link_text,
    "viewport_overflow": check_viewport_overflow,
    "fixed_covering": check_fixed_covering,
    "truncated_text": check_truncated_text,
    "reading_ease": check_reading_ease,
    "all_caps": check_all_caps,
    "jargon": check_jargon,
    "comment_signal": check_comment_signal,
}
CHECK_IDS = tuple(CHECKS)
