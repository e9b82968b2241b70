"""The inbox layout contract (docs/inbox.md): status tabs, one filter row with the rest
folded, a removable chip per active filter, type and AI badges told apart, and the keyboard
help on both pages."""

from __future__ import annotations

import re
from urllib.parse import parse_qs

import pytest

from tests.feedback.factories import ItemFactory
from tests.feedback.test_inbox_views import inbox, signed_in


def chips(html: str) -> dict[str, dict[str, list[str]]]:
    """Active-filter chips: ``{"Label: value": query of the link that removes it}``."""
    found = re.findall(r'<a class="chip" href="\?([^"]*)" aria-label="Remove filter ([^"]*)"', html)
    return {label: parse_qs(query.replace("&amp;", "&")) for query, label in found}


def test_each_active_filter_has_a_chip_that_drops_only_it(owner, workspace, project):
    query = f"q=dark&status=planned,open&type=idea&project={project.pk}&tags=ui&sort=impact"

    html = signed_in(owner).get(f"{inbox(workspace)}?{query}").content.decode()

    found = chips(html)
    assert set(found) == {
        "Search: dark",
        "Status: Planned, Open",  # in the order asked
        "Project: Storefront",
        "Type: Idea",
        "Tags: ui",
    }
    everything = {"q", "status", "type", "project", "tags", "sort"}
    for label, kept in found.items():
        dropped = {"Search": "q", "Status": "status", "Project": "project", "Type": "type",
                   "Tags": "tags"}[label.split(":")[0]]  # fmt: skip
        assert set(kept) == everything - {dropped}, label
    assert '<a class="chip clear" href="?">Clear all</a>' in html


def test_no_chips_without_filters_and_none_for_an_invalid_one(owner, workspace):
    client = signed_in(owner)

    assert "filter-chips" not in client.get(inbox(workspace)).content.decode()
    html = client.get(f"{inbox(workspace)}?status=bogus&type=bug").content.decode()
    assert set(chips(html)) == {"Type: Bug"}


def test_chip_text_is_escaped(owner, workspace):
    html = signed_in(owner).get(f"{inbox(workspace)}?q=<b>x</b>").content.decode()

    assert "<b>x</b>" not in html
    assert "Search: &lt;b&gt;x&lt;/b&gt;" in html


@pytest.mark.parametrize(
    ("query", "open_", "note"),
    [
        ("", False, ""),
        ("type=bug&q=x", False, ""),  # main-row filters leave the fold closed
        ("tags=ui", True, " (1 set)"),
        ("user_email=a@example.com&created_after=2026-01-01", True, " (2 set)"),
        ("sort=impact", True, ""),
    ],
)
def test_advanced_filters_are_folded_unless_one_is_set(owner, workspace, query, open_, note):
    html = signed_in(owner).get(f"{inbox(workspace)}?{query}").content.decode()

    opening = '<details class="more-filters" open>' if open_ else '<details class="more-filters">'
    assert opening in html
    assert f"<summary>More filters{note}</summary>" in html
    # The main row holds search, status, project and type; the fold the rest.
    start = html.index('<details class="more-filters"')
    fold = html[start : html.index("</details>", start)]
    for name in ("priority", "tags", "user_email", "created_after", "created_before", "sort"):
        assert f'name="{name}"' in fold
    for name in ("q", "status", "project", "type"):
        assert f'name="{name}"' not in fold


def test_type_and_ai_category_badges_are_labelled_apart(owner, workspace, project):
    item = ItemFactory.create(project=project, type="bug", category="bug", sentiment="negative",
                              impact_score=8, triage_engine="builtin")  # fmt: skip
    client = signed_in(owner)

    for url in (inbox(workspace), f"{inbox(workspace)}{item.pk}/"):
        html = client.get(url).content.decode()
        assert (
            '<span class="badge type type-bug" title="Type, as submitted: Bug">type: bug</span>'
            in html
        )
        assert (
            '<span class="badge tri c-bug" title="Category guessed by AI triage (Built-in '
            'engine): Bug">AI: bug</span>' in html
        )
        assert ">Bug</span>" not in html  # no bare, ambiguous "Bug" badge left


def test_guest_triage_card_labels_the_ai_category(guest, workspace, project):
    item = ItemFactory.create(project=project, category="question", sentiment="neutral",
                              triage_engine="builtin")  # fmt: skip

    html = signed_in(guest).get(f"{inbox(workspace)}{item.pk}/").content.decode()

    assert 'title="Category guessed by AI triage: Question">AI: question</span>' in html


def test_keyboard_help_is_on_both_pages_and_lists_only_usable_keys(
    owner, guest, workspace, project
):
    item = ItemFactory.create(project=project)
    for user, writes in ((owner, True), (guest, False)):
        client = signed_in(user)
        for url in (inbox(workspace), f"{inbox(workspace)}{item.pk}/"):
            html = client.get(url).content.decode()
            assert '<dialog id="keys-help"' in html
            assert "dashboard/js/inbox.js" in html
            assert "data-keys-open hidden" in html  # shown by the script only
            assert ("<kbd>s</kbd>" in html) is writes
        assert "<kbd>j</kbd>" in client.get(inbox(workspace)).content.decode()
