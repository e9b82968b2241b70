"""The built-in reviewer's checks against known answers (WCAG's published examples and
hand-computed values), and the reviewer's verdict rules. Pure functions: no database."""

from __future__ import annotations

import json

import pytest

from annotations.personas import checks as C
from annotations.personas.catalogue import DEFAULTS_PATH, load_defaults, parse_defaults
from annotations.personas.checks import Capture, contrast_ratio, parse_colour
from annotations.personas.reviewer import capture_of, review


def cap(element=None, styles=None, viewport=None, comment="", page_url="") -> Capture:
    return capture_of(
        element=element or {},
        styles=styles or {},
        viewport=viewport or {},
        comment=comment,
        page_url=page_url,
    )


def text(colour, background="#ffffff", size="16px", weight="400", **styles) -> Capture:
    return cap(
        {"tag": "p", "text": "Total due today"},
        {
            "color": colour,
            "background-color": background,
            "font-size": size,
            "font-weight": weight,
            **styles,
        },
    )


# --- colour and contrast -------------------------------------------------------------------
@pytest.mark.parametrize(
    ("fg", "bg", "ratio"),
    [
        ("#000000", "#ffffff", 21.0),
        ("#ffffff", "#ffffff", 1.0),
        ("#767676", "#ffffff", 4.54),
        ("#777777", "#ffffff", 4.48),
        ("#595959", "#ffffff", 7.0),
        ("#ff0000", "#ffffff", 4.0),
        ("#0000ff", "#ffffff", 8.59),
    ],
)
def test_contrast_ratio_known_answers(fg, bg, ratio):
    fg_rgba, bg_rgba = parse_colour(fg), parse_colour(bg)
    assert fg_rgba is not None
    assert bg_rgba is not None
    assert round(contrast_ratio(fg_rgba, bg_rgba), 2) == ratio


@pytest.mark.parametrize(
    ("raw", "rgba"),
    [
        ("#fff", (255, 255, 255, 1.0)),
        ("#00000080", (0, 0, 0, 128 / 255)),
        ("rgb(119, 119, 119)", (119, 119, 119, 1.0)),
        ("rgba(0, 0, 0, 0.5)", (0, 0, 0, 0.5)),
        ("rgb(0 0 0 / 50%)", (0, 0, 0, 0.5)),
        ("white", (255, 255, 255, 1)),
        ("transparent", (0, 0, 0, 0)),
    ],
)
def test_colour_parsing(raw, rgba):
    assert parse_colour(raw) == pytest.approx(rgba)


@pytest.mark.parametrize("raw", ["", "#12", "rgb(1,2)", "hsl(0, 0%, 0%)", "#ggg", 5, None])
def test_unreadable_colours_are_none(raw):
    assert parse_colour(raw) is None


def test_767676_on_white_passes_aa_at_4_54():
    result = C.check_text_contrast(text("#767676"))
    assert result.outcome == "concern"  # AA yes, AAA (7:1) no
    assert result.evidence["ratio_shown"] == "4.54:1"
    assert "passes AA" in result.message


def test_777777_on_white_fails_aa_at_4_48():
    result = C.check_text_contrast(text("rgb(119, 119, 119)"))
    assert result.outcome == "fail"
    assert result.severity == "high"
    assert result.evidence["ratio_shown"] == "4.48:1"
    assert "1.4.3" in result.source


def test_large_text_needs_3_to_1_and_bold_counts_from_14pt():
    # #949494 on white is 3.03:1: fails normal text, passes large text.
    assert C.check_text_contrast(text("#949494", size="16px")).outcome == "fail"
    assert C.check_text_contrast(text("#949494", size="24px")).outcome == "concern"
    assert C.check_text_contrast(text("#949494", size="19px", weight="700")).outcome == "concern"
    assert C.check_text_contrast(text("#949494", size="19px", weight="400")).outcome == "fail"


def test_aaa_passes_at_7_to_1():
    result = C.check_text_contrast(text("#595959"))
    assert result.outcome == "pass"


def test_a_ratio_just_under_the_minimum_never_displays_as_reaching_it():
    assert C.shown_ratio(4.4999, 4.5) == "4.49:1"
    assert C.shown_ratio(4.478, 4.5) == "4.48:1"


def test_translucent_text_is_composited_over_its_background():
    # 50% black over white is #808080 (3.95:1): fails AA for normal text.
    result = C.check_text_contrast(text("rgba(0, 0, 0, 0.5)"))
    assert result.evidence["foreground"] in ("#808080", "#7f7f7f")
    assert result.outcome == "fail"


def test_a_translucent_background_is_composited_over_the_nearest_opaque_ancestor():
    capture = cap(
        {"tag": "p", "text": "x"},
        {
            "color": "#ffffff",
            "background-color": "rgba(255, 255, 255, 0)",
            "ancestor-background-colors": ["rgba(0,0,0,0)", "#000000", "#ffffff"],
            "font-size": "16px",
        },
    )
    result = C.check_text_contrast(capture)
    assert result.evidence["background"] == "#000000"
    assert result.evidence["ratio_shown"] == "21.00:1"
    assert result.outcome == "pass"


def test_no_opaque_background_falls_back_to_the_white_canvas_and_says_so():
    result = C.check_text_contrast(text("#000000", background="transparent"))
    assert result.evidence["background"] == "#ffffff"
    assert "canvas" in result.evidence["background_source"]


def test_missing_colours_skip_the_contrast_check():
    assert C.check_text_contrast(cap({"tag": "p"}, {"font-size": "16px"})).outcome == "skipped"


def test_non_text_contrast_of_a_control_border_needs_3_to_1():
    def field(border):
        return cap(
            {"tag": "input", "attributes": {"type": "text"}},
            {
                "border-style": "solid",
                "border-width": "1px",
                "border-color": border,
                "background-color": "#ffffff",
            },
        )

    weak = C.check_non_text_contrast(field("#cccccc"))  # 1.61:1
    assert (weak.outcome, weak.evidence["ratio_shown"]) == ("fail", "1.61:1")
    assert C.check_non_text_contrast(field("#767676")).outcome == "pass"
    assert "1.4.11" in weak.source


# --- target size ---------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("width", "height", "outcome"),
    [(23.9, 40, "fail"), (24, 24, "concern"), (43, 44, "concern"), (44, 44, "pass")],
)
def test_target_size_thresholds(width, height, outcome):
    capture = cap(
        {"tag": "button", "text": "Go", "rect": {"x": 0, "y": 0, "width": width, "height": height}}
    )
    result = C.check_target_size(capture)
    assert result.outcome == outcome
    assert "2.5.8" in result.source


def test_target_size_skips_what_is_not_clickable():
    capture = cap({"tag": "p", "text": "Hi", "rect": {"x": 0, "y": 0, "width": 5, "height": 5}})
    assert C.check_target_size(capture).outcome == "skipped"
    role_button = cap(
        {
            "tag": "div",
            "attributes": {"role": "button"},
            "rect": {"x": 0, "y": 0, "width": 10, "height": 10},
        }
    )
    assert C.check_target_size(role_button).outcome == "fail"


# --- text size and spacing -----------------------------------------------------------------
def test_font_size_under_12px_is_a_concern():
    assert C.check_font_size(text("#000", size="11px")).outcome == "concern"
    assert C.check_font_size(text("#000", size="12px")).outcome == "pass"


def test_small_form_fields_on_phones_are_flagged_for_ios_zoom():
    phone = {"width": 375, "height": 667}
    field = cap({"tag": "input"}, {"font-size": "14px"}, phone)
    assert C.check_font_size(field).outcome == "concern"
    desktop = cap({"tag": "input"}, {"font-size": "14px"}, {"width": 1280, "height": 800})
    assert C.check_font_size(desktop).outcome == "pass"


def test_line_height_of_paragraphs():
    paragraph = "This paragraph has enough words in it to count as running text for the check."
    tight = cap({"tag": "p", "text": paragraph}, {"font-size": "16px", "line-height": "18px"})
    result = C.check_line_height(tight)
    assert (result.outcome, result.evidence["ratio"]) == ("concern", 1.12)
    assert (
        C.check_line_height(
            cap({"tag": "p", "text": paragraph}, {"font-size": "16px", "line-height": "24px"})
        ).outcome
        == "pass"
    )
    assert (
        C.check_line_height(
            cap({"tag": "p", "text": paragraph}, {"font-size": "16px", "line-height": "normal"})
        ).outcome
        == "concern"
    )
    assert C.check_line_height(cap({"tag": "p", "text": "Short"}, {})).outcome == "skipped"


# --- focus, names, links -------------------------------------------------------------------
def test_outline_none_on_a_focusable_element_is_a_concern():
    button = cap({"tag": "button", "text": "Save"}, {"outline": "rgb(0, 0, 0) none 0px"})
    result = C.check_focus_visible(button)
    assert result.outcome == "concern"
    assert "2.4.7" in result.source
    kept = cap({"tag": "button", "text": "Save"}, {"outline": "rgb(0, 0, 0) solid 2px"})
    assert C.check_focus_visible(kept).outcome == "pass"
    shadowed = cap({"tag": "button"}, {"outline": "none", "box-shadow": "0 0 0 3px #005fcc"})
    assert C.check_focus_visible(shadowed).outcome == "pass"


def test_captured_focus_styles_without_an_indicator_fail():
    styles = {"outline": "none", "focus": {"outline-style": "none", "box-shadow": "none"}}
    assert C.check_focus_visible(cap({"tag": "a", "text": "Home"}, styles)).outcome == "fail"


def test_not_focusable_skips_focus_visibility():
    assert C.check_focus_visible(cap({"tag": "p"}, {"outline": "none"})).outcome == "skipped"


@pytest.mark.parametrize(
    ("element", "outcome"),
    [
        ({"tag": "button", "text": ""}, "fail"),
        ({"tag": "button", "text": "", "attributes": {"aria-label": "Close"}}, "pass"),
        ({"tag": "button", "aria_label": "Close"}, "pass"),
        ({"tag": "a", "text": "  "}, "fail"),
        ({"tag": "a", "text": "Pricing"}, "pass"),
        ({"tag": "img"}, "fail"),
        ({"tag": "img", "attributes": {"alt": ""}}, "pass"),
        ({"tag": "img", "attributes": {"alt": "Team photo"}}, "pass"),
        ({"tag": "div"}, "skipped"),
    ],
)
def test_accessible_name(element, outcome):
    result = C.check_accessible_name(cap(element))
    assert result.outcome == outcome
    assert "4.1.2" in result.source


@pytest.mark.parametrize(
    ("label", "outcome"),
    [
        ("Click here", "concern"),
        ("Read more…", "concern"),
        ("Lees meer", "concern"),
        ("Download the 2024 price list", "pass"),
    ],
)
def test_generic_link_text(label, outcome):
    result = C.check_link_text(cap({"tag": "a", "text": label}))
    assert result.outcome == outcome
    assert "2.4.4" in result.source


# --- layout --------------------------------------------------------------------------------
def test_element_overflowing_the_viewport_fails_reflow():
    phone = {"width": 320, "height": 640}
    wide = cap({"tag": "table", "rect": {"x": 0, "y": 0, "width": 480, "height": 100}}, {}, phone)
    result = C.check_viewport_overflow(wide)
    assert (result.outcome, result.evidence["overflow_px"]) == ("fail", 160)
    assert "1.4.10" in result.source
    outside = cap({"tag": "div", "rect": {"x": 400, "y": 0, "width": 50, "height": 50}}, {}, phone)
    assert C.check_viewport_overflow(outside).outcome == "concern"
    inside = cap({"tag": "div", "rect": {"x": 0, "y": 0, "width": 320, "height": 50}}, {}, phone)
    assert C.check_viewport_overflow(inside).outcome == "pass"


def test_fixed_elements_covering_small_viewports():
    phone = {"width": 375, "height": 667}
    banner = cap(
        {"tag": "div", "rect": {"x": 0, "y": 367, "width": 375, "height": 300}},
        {"position": "fixed"},
        phone,
    )
    result = C.check_fixed_covering(banner)
    assert result.outcome == "concern"
    assert result.evidence["covered_share"] == pytest.approx(0.45, abs=0.001)
    header = cap(
        {"tag": "header", "rect": {"x": 0, "y": 0, "width": 375, "height": 56}},
        {"position": "sticky"},
        phone,
    )
    assert C.check_fixed_covering(header).outcome == "pass"
    modal = cap(
        {"tag": "div", "rect": {"x": 0, "y": 0, "width": 375, "height": 667}},
        {"position": "fixed"},
        phone,
    )
    assert C.check_fixed_covering(modal).outcome == "fail"


def test_truncated_text():
    measured = cap(
        {"tag": "span", "text": "Very long product name", "scroll_width": 240, "client_width": 120},
        {"overflow": "hidden", "text-overflow": "ellipsis"},
    )
    assert C.check_truncated_text(measured).outcome == "fail"
    styled = cap(
        {"tag": "span", "text": "Name"},
        {"overflow": "hidden", "text-overflow": "ellipsis", "white-space": "nowrap"},
    )
    assert C.check_truncated_text(styled).outcome == "concern"
    fits = cap({"tag": "span", "text": "Name", "scroll_width": 100, "client_width": 100}, {})
    assert C.check_truncated_text(fits).outcome == "pass"


# --- copy ----------------------------------------------------------------------------------
def test_reading_ease_flesch_known_answer():
    # "The cat sat on the mat." 6 words, 1 sentence, 6 syllables:
    # 206.835 - 1.015 * 6 - 84.6 * 1 = 116.145
    ease = C.reading_ease("The cat sat on the mat.", "en")
    assert ease is not None
    score, n_words, n_sentences, n_syllables = ease
    assert (n_words, n_sentences, n_syllables) == (6, 1, 6)
    assert score == pytest.approx(116.145)


def test_dense_copy_is_a_reading_ease_concern():
    dense = (
        "Notwithstanding contractual obligations, organisational implementation necessitates "
        "comprehensive evaluation of interoperability considerations."
    )
    result = C.check_reading_ease(cap({"tag": "p", "text": dense}))
    assert result.outcome == "concern"
    assert result.severity == "medium"
    plain = "We send your order today. You pay when it arrives. Call us if it is late."
    assert C.check_reading_ease(cap({"tag": "p", "text": plain})).outcome == "pass"


def test_all_caps():
    shouting = cap({"tag": "p", "text": "FREE SHIPPING ON ALL ORDERS"})
    assert C.check_all_caps(shouting).outcome == "concern"
    transformed = cap(
        {"tag": "p", "text": "Free shipping on all orders"}, {"text-transform": "uppercase"}
    )
    assert C.check_all_caps(transformed).outcome == "concern"
    assert C.check_all_caps(cap({"tag": "p", "text": "Free shipping on all"})).outcome == "pass"
    assert C.check_all_caps(cap({"tag": "p", "text": "FAQ"})).outcome == "skipped"


def test_jargon_per_language():
    english = C.check_jargon(cap({"tag": "p", "text": "Leverage our API to utilize the payload"}))
    assert english.outcome == "concern"
    assert english.evidence["terms"] == ["api", "leverage", "payload", "utilize"]
    dutch = C.check_jargon(
        cap(
            {
                "tag": "p",
                "text": "U kunt middels dit formulier uw gegevens wijzigen inzake uw account",
            }
        )
    )
    assert dutch.outcome == "concern"
    assert dutch.evidence["language"] == "nl"
    assert set(dutch.evidence["terms"]) == {"middels", "inzake"}


def test_comment_signal_reports_the_triage_engines_reading():
    result = C.check_comment_signal(
        cap(comment="De betaalknop werkt niet, ik kan niet afrekenen", page_url="/checkout")
    )
    assert result.outcome == "note"
    assert result.evidence["language"] == "nl"
    assert result.evidence["category"] == "bug"
    assert result.evidence["sentiment"] == "negative"


# --- the reviewer --------------------------------------------------------------------------
def test_review_verdict_and_severity_are_the_worst_findings():
    capture = cap(
        {"tag": "a", "text": "Click here", "rect": {"x": 0, "y": 0, "width": 30, "height": 30}},
        {"color": "#767676", "background-color": "#ffffff", "font-size": "16px"},
    )
    result = review(
        persona_name="Ada",
        check_names=["text_contrast", "link_text", "target_size"],
        capture=capture,
    )
    assert result.verdict == "concerns"
    assert result.severity == "medium"
    assert next(f["check"] for f in result.findings) == "link_text"
    assert all(f["message"].startswith("Ada: ") for f in result.findings)
    failing = review(
        persona_name="Ada",
        check_names=["text_contrast"],
        capture=cap({"tag": "p"}, {"color": "#777", "background-color": "#fff"}),
    )
    assert (failing.verdict, failing.severity) == ("fail", "high")


def test_an_unknown_check_name_is_reported_not_invented():
    result = review(persona_name="Ada", check_names=["psychic"], capture=cap())
    assert result.verdict == "pass"
    assert result.findings[0]["check"] == "none"
    assert "no built-in check called 'psychic'" in result.findings[0]["message"]
    assert result.findings[1]["outcome"] == "skipped"


def test_the_reviewer_is_deterministic():
    capture = text("#777777")
    first = review(persona_name="A", check_names=list(C.CHECKS), capture=capture)
    second = review(persona_name="A", check_names=list(C.CHECKS), capture=capture)
    assert first == second


# --- the shipped file ----------------------------------------------------------------------
def test_the_shipped_file_is_valid_with_60_unique_personas_using_known_checks():
    defaults = load_defaults()
    assert len(defaults) == 60
    assert len({d.slug for d in defaults}) == 60
    assert all(set(d.checks) <= set(C.CHECK_IDS) for d in defaults)
    used = {check for d in defaults for check in d.checks}
    assert used == set(C.CHECK_IDS)  # every check serves some persona


def test_a_bad_edit_to_the_file_is_caught():
    data = json.loads(DEFAULTS_PATH.read_text())
    data["personas"][1]["slug"] = data["personas"][0]["slug"]
    with pytest.raises(ValueError, match="duplicated"):
        parse_defaults(json.dumps(data))
    data = json.loads(DEFAULTS_PATH.read_text())
    data["personas"][0]["checks"] = ["psychic"]
    with pytest.raises(ValueError, match="unknown checks"):
        parse_defaults(json.dumps(data))
