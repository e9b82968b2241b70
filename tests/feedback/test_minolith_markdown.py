"""``Accept: text/markdown``: each kind of response (list, item with notes, created item,
update, note, widget submission, errors) as markdown, with user text unable to change the
document's structure."""

from __future__ import annotations

import markdown
import pytest

from tests.feedback.conftest import ITEMS
from tests.feedback.factories import ItemFactory, NoteFactory

MD = {"HTTP_ACCEPT": "text/markdown"}
CONTENT_TYPE = "text/markdown; charset=utf-8"


def md(response) -> str:
    assert response["Content-Type"] == CONTENT_TYPE
    return response.content.decode()


def html_of(text: str) -> str:
    return markdown.markdown(text, extensions=["fenced_code"])


def test_list_in_markdown_shows_each_item_and_the_next_cursor(minolith_client, project):
    ItemFactory.create(project=project, title="Older one", body="first body")
    ItemFactory.create(project=project, title="Newer one", body="second body", tags=["ui"])

    response = minolith_client.get(f"{ITEMS}?limit=1", **MD)

    assert response.status_code == 200
    text = md(response)
    assert text.startswith("# Feedback items\n\n1 item on this page · limit 1 · more: yes\n")
    assert "## 1. Newer one\n" in text
    assert "```text\nsecond body\n```" in text
    assert "- **Tags:** `ui`" in text
    cursor = minolith_client.get(f"{ITEMS}?limit=1").json()["pagination"]["next_cursor"]
    assert f"**Next page:** pass `cursor={cursor}`" in text
    assert "Older one" not in text


def test_empty_list_in_markdown_says_so(minolith_client, project):
    text = md(minolith_client.get(ITEMS, **MD))

    assert "_No feedback items match._" in text
    assert text.rstrip().endswith("_This is the last page._")


def test_item_in_markdown_includes_its_notes(minolith_client, project):
    item = ItemFactory.create(
        project=project,
        title="Search is slow",
        type="bug",
        priority="high",
        user_email="alice@example.com",
        user_name="Alice Chen",
        page_url="https://app.example.com/search",
    )
    note = NoteFactory.create(item=item, body="Adding an index should fix it.")

    text = md(minolith_client.get(f"{ITEMS}/{item.pk}", **MD))

    assert text.startswith("# Feedback item\n\n## Search is slow\n")
    for line in [
        f"- **ID:** `{item.pk}`",
        "- **Type:** bug",
        "- **Status:** open",
        "- **Priority:** high",
        "- **Source:** api",
        "- **Page URL:** `https://app.example.com/search`",
        "- **Submitted by:** Alice Chen, `alice@example.com`",
        "### Notes (1)",
        f"#### Note `{note.pk}`",
        "```text\nAdding an index should fix it.\n```",
    ]:
        assert line in text


def test_created_item_in_markdown(minolith_client, project):
    response = minolith_client.post(ITEMS, {"body": "New", "title": "Fresh"}, format="json", **MD)

    assert response.status_code == 201
    assert md(response).startswith("# Feedback item created\n\n## Fresh\n")


def test_updated_item_in_markdown(minolith_client, project):
    item = ItemFactory.create(project=project, title="To triage")

    response = minolith_client.put(f"{ITEMS}/{item.pk}", {"status": "planned"}, format="json", **MD)

    assert response.status_code == 200
    text = md(response)
    assert text.startswith("# Feedback item updated\n\n## To triage\n")
    assert "- **Status:** planned" in text
    assert "Notes" not in text


def test_note_in_markdown(minolith_client, project):
    item = ItemFactory.create(project=project)

    response = minolith_client.post(
        f"{ITEMS}/{item.pk}/notes", {"body": "Looked into it."}, format="json", **MD
    )

    assert response.status_code == 201
    text = md(response)
    assert text.startswith("# Note added\n\n## Note `fbn_")
    assert f"- **Item:** `{item.pk}`" in text
    assert "```text\nLooked into it.\n```" in text


def test_widget_submission_in_markdown(api_client, project):
    response = api_client.post(
        f"/v1/feedback/public/{project.slug}", {"body": "From the widget"}, format="json", **MD
    )

    assert response.status_code == 201
    text = md(response)
    assert text.startswith("# Feedback item created\n")
    assert "- **Source:** widget" in text


def test_delete_in_markdown_is_an_empty_204(minolith_client, project):
    item = ItemFactory.create(project=project)

    response = minolith_client.delete(f"{ITEMS}/{item.pk}", **MD)

    assert response.status_code == 204
    assert response.content == b""


@pytest.mark.parametrize(
    ("method", "path", "payload", "status", "expected"),
    [
        ("get", f"{ITEMS}/fbk_123456789abc", None, 404,
         "# Error: item\\_not\\_found\n\nFeedback item 'fbk\\_123456789abc' not found\\.\n\n"
         "- **HTTP status:** 404\n"
         "- **Docs:** `https://docs.minolith.io/api/feedback#get-item`\n"),
        ("post", ITEMS, {"type": "bug"}, 422,
         "# Error: body\\_required\n\nThe body field is required\\.\n\n"
         "- **HTTP status:** 422\n- **Docs:** `https://docs.minolith.io/api/feedback#errors`\n"),
        ("get", f"{ITEMS}?status=<b>", None, 422,
         "# Error: invalid\\_status\n\nStatus '&lt;b\\>' is not valid\\. Accepted values are: "
         "open, under\\_review, planned, in\\_progress, completed, declined\\.\n\n"
         "- **HTTP status:** 422\n- **Docs:** `https://docs.minolith.io/api/feedback#errors`\n"),
    ],
)  # fmt: skip
def test_errors_in_markdown(minolith_client, project, method, path, payload, status, expected):
    kwargs = {"format": "json"} if payload is not None else {}
    response = getattr(minolith_client, method)(path, payload, **kwargs, **MD)

    assert response.status_code == status
    assert md(response) == expected


def test_unauthenticated_error_in_markdown(api_client):
    response = api_client.get(ITEMS, **MD)

    assert response.status_code == 401
    assert md(response).startswith("# Error: unauthorized\n\nMissing bearer token\\.")


def test_json_stays_the_default(minolith_client, project):
    for accept in ["application/json", "*/*", "text/html,application/xhtml+xml,*/*;q=0.8"]:
        response = minolith_client.get(ITEMS, HTTP_ACCEPT=accept)
        assert response["Content-Type"] == "application/json"


HOSTILE_BODY = (
    "Closing the fence early:\n```\n# Injected heading\n<script>alert(1)</script>\n"
    "[click](javascript:alert(1))\n````\n| a | b |\n"
)


def test_user_text_cannot_break_the_markdown_structure(minolith_client, project):
    item = ItemFactory.create(
        project=project,
        title="# Title <img src=x onerror=alert(1)> [x](javascript:y) `tick` *bold*",
        body=HOSTILE_BODY,
        tags=["`", "a`b"],
        user_name="Eve\n# Heading",
        page_url="javascript:alert(1)",
    )
    NoteFactory.create(item=item, body="note with ``` fence\n# Not a heading")

    text = md(minolith_client.get(f"{ITEMS}/{item.pk}", **MD))
    html = html_of(text)

    # The body sits in a fence longer than any backtick run it holds.
    assert "`````text\n" + HOSTILE_BODY + "\n`````" in text
    assert "````text\nnote with ``` fence\n# Not a heading\n````" in text
    # Rendered, nothing the user wrote becomes markup.
    assert "<script" not in html
    assert "<img" not in html
    assert "<a " not in html
    assert "Injected heading</h" not in html
    assert "Not a heading</h" not in html
    assert html.count("<h1>") == 1
    assert "<h2>" in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html  # shown, as text
    # One line per field, whatever newlines the user sent.
    assert "- **Submitted by:** Eve \\# Heading" in text
    assert "- **Tags:** `` ` ``, ``a`b``" in text
