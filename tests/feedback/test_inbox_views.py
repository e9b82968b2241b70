"""The triage inbox (dashboard): filters shared with the API, search, status counts, filter
chips, inline htmx triage, bulk status, notes, and who may do what."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from django.test import Client

from accounts.models import AuditLog
from feedback.models import Item, Note
from tests.factories import ProjectFactory
from tests.feedback.factories import ItemFactory, NoteFactory

HX: dict[str, Any] = {"HTTP_HX_REQUEST": "true"}  # **extra for the test client


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def inbox(workspace) -> str:
    return f"/w/{workspace.pk}/inbox/"


def at(minutes: int) -> datetime:
    return datetime(2026, 3, 17, 12, 0, tzinfo=UTC) + timedelta(minutes=minutes)


@pytest.fixture
def items(project, workspace):
    second = ProjectFactory.create(workspace=workspace, name="Backoffice", slug="backoffice")
    return {
        "bug": ItemFactory.create(project=project, title="Checkout crashes",
                                  body="Stack trace inside", type="bug", status="open",
                                  priority="urgent", tags=["checkout"],
                                  user_email="dana@example.com", created_at=at(0)),
        "idea": ItemFactory.create(project=project, title="Dark mode",
                                   body="Please add a dark theme", type="idea", status="planned",
                                   tags=["ui"], created_at=at(1)),
        "praise": ItemFactory.create(project=second, title="Love it", body="The export is great",
                                     type="praise", status="completed", created_at=at(2)),
    }  # fmt: skip


def listed(response) -> list[str]:
    assert response.status_code == 200, response.content[:500]
    return [
        pk
        for pk in Item.objects.values_list("pk", flat=True)
        if f'id="item-{pk}"' in response.content.decode()
    ]


# --- Reading -------------------------------------------------------------------------------
def tab(label: str, count: int) -> str:
    """A status tab as rendered: its label and count."""
    return f'{label} <span class="count">{count}</span></a>'


def test_inbox_lists_items_of_every_project_with_status_counts(owner, workspace, project, items):
    project.spending_cap_credits = 500
    project.credits_used = 120
    project.save()

    response = signed_in(owner).get(inbox(workspace))

    html = response.content.decode()
    assert set(listed(response)) == {i.pk for i in items.values()}
    assert html.index(items["praise"].pk) < html.index(items["bug"].pk)  # newest first
    assert tab("All", 3) in html
    assert tab("Planned", 1) in html
    # Credits live on the project page now, not above the items.
    assert "Spending cap" not in html
    assert ">120<" not in html
    # Items come first: the tabs and the filter row are all that precede them.
    assert html.index('aria-label="Items by status"') < html.index('id="items-title"')


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("status=planned", ["idea"]),
        ("type=bug,praise", ["bug", "praise"]),
        ("priority=urgent", ["bug"]),
        ("tags=ui,checkout", ["bug", "idea"]),
        ("user_email=dana@example.com", ["bug"]),
        ("created_after=2026-03-17T12:00:30Z", ["idea", "praise"]),
        ("q=dark", ["idea"]),
        ("q=STACK TRACE", ["bug"]),
        ("q=export&type=praise", ["praise"]),
    ],
)
def test_inbox_filters_and_search(owner, workspace, items, query, expected):
    response = signed_in(owner).get(f"{inbox(workspace)}?{query}")

    assert set(listed(response)) == {items[k].pk for k in expected}


def test_inbox_project_filter(owner, workspace, project, items):
    response = signed_in(owner).get(f"{inbox(workspace)}?project={project.pk}")

    assert set(listed(response)) == {items["bug"].pk, items["idea"].pk}


def test_inbox_counts_follow_the_other_filters(owner, workspace, items):
    html = signed_in(owner).get(f"{inbox(workspace)}?type=bug,idea").content.decode()

    assert tab("All", 2) in html
    assert tab("Open", 1) in html
    assert tab("Completed", 0) in html


def test_inbox_shows_an_invalid_filter_and_ignores_only_it(owner, workspace, items):
    response = signed_in(owner).get(f"{inbox(workspace)}?status=bogus&type=idea")

    html = response.content.decode()
    assert "Status &#x27;bogus&#x27; is not valid." in html
    assert listed(response) == [items["idea"].pk]


def test_inbox_pages_with_a_cursor(owner, workspace, project):
    made = [ItemFactory.create(project=project, created_at=at(i)) for i in range(30)]
    client = signed_in(owner)

    first = client.get(inbox(workspace))
    html = first.content.decode()
    assert len(listed(first)) == 25
    cursor = html.split("cursor=")[1].split('"')[0]
    second = client.get(f"{inbox(workspace)}?cursor={cursor}")

    assert set(listed(second)) == {i.pk for i in made[:5]}
    assert "Newest" in second.content.decode()
    assert "Older" not in second.content.decode()
    # A broken cursor falls back to the first page with a notice, never an error page.
    broken = client.get(f"{inbox(workspace)}?cursor=garbage")
    assert len(listed(broken)) == 25
    assert "That page link has expired" in broken.content.decode()


def test_inbox_list_runs_a_fixed_number_of_queries(
    owner, workspace, project, locmem_cache, django_assert_num_queries
):
    client = signed_in(owner)
    ItemFactory.create(project=project)
    client.get(inbox(workspace))
    with django_assert_num_queries(7) as first:
        client.get(inbox(workspace))
    for _ in range(20):
        ItemFactory.create(project=ProjectFactory.create(workspace=workspace), tags=["x"])
    with django_assert_num_queries(len(first.captured_queries)):
        response = client.get(inbox(workspace))
    assert len(listed(response)) == 21


def test_item_page_shows_submitter_context_and_notes(owner, workspace, project):
    item = ItemFactory.create(
        project=project,
        title="Broken link",
        body="Line one\nLine two",
        user_email="erin@example.com",
        user_name="Erin",
        user_id_external="usr_9",
        page_url="https://shop.example.com/cart?x=1&y=2",
        source="widget",
    )
    NoteFactory.create(item=item, body="Reproduced.", author=owner)

    html = signed_in(owner).get(f"{inbox(workspace)}{item.pk}/").content.decode()

    for fragment in [
        "erin@example.com",
        "Erin",
        "usr_9",
        '<a href="https://shop.example.com/cart?x=1&amp;y=2" rel="noopener noreferrer nofollow"',
        "Public widget",
        "Line one<br>Line two",
        "Reproduced.",
        "alice@example.com",  # the note's author
        "0 used, no cap",
    ]:
        assert fragment in html


def test_item_page_does_not_link_a_non_web_page_url(owner, workspace, project):
    item = ItemFactory.create(project=project, page_url="javascript:alert(document.cookie)")

    html = signed_in(owner).get(f"{inbox(workspace)}{item.pk}/").content.decode()

    assert 'href="javascript:' not in html
    assert "<code>javascript:alert(document.cookie)</code>" in html


def test_untrusted_text_is_escaped_in_the_list_and_the_item_page(owner, workspace, project):
    hostile = '<script>window.__pwned=1</script><img src=x onerror="alert(1)">'
    item = ItemFactory.create(project=project, title=hostile, body=hostile, user_name=hostile,
                       user_email=hostile, tags=["<b>tag</b>"])  # fmt: skip
    NoteFactory.create(item=item, body=hostile)
    client = signed_in(owner)

    for url in [inbox(workspace), f"{inbox(workspace)}{item.pk}/"]:
        html = client.get(url).content.decode()
        assert "<script>window.__pwned" not in html
        assert "<img src=x" not in html
        assert "<b>tag</b>" not in html
        assert "&lt;script&gt;window.__pwned=1&lt;/script&gt;" in html


# --- Who may see and change what -------------------------------------------------------------
def test_guest_sees_the_inbox_read_only(guest, workspace, items):
    client = signed_in(guest)
    html = client.get(inbox(workspace)).content.decode()
    detail = client.get(f"{inbox(workspace)}{items['bug'].pk}/").content.decode()

    assert items["bug"].pk in html
    assert "hx-post" not in html
    assert "bulk-form" not in html
    assert "Guests can read the inbox but not triage it." in detail
    assert "Add note" not in detail


def test_guest_forged_posts_are_403_and_change_nothing(guest, workspace, items):
    client = signed_in(guest)
    item = items["bug"]
    base = f"{inbox(workspace)}{item.pk}/"

    for url, data in [
        (f"{base}update/", {"status": "declined"}),
        (f"{inbox(workspace)}bulk/", {"status": "declined", "items": [item.pk]}),
        (f"{base}notes/", {"body": "sneaky"}),
        (f"{base}delete/", {}),
    ]:
        assert client.post(url, data, **HX).status_code == 403
    item.refresh_from_db()
    assert item.status == "open"
    assert not Note.objects.exists()
    assert not AuditLog.objects.filter(action__startswith="feedback.").exists()


def test_outsider_gets_404_for_the_inbox_and_its_items(outsider, workspace, items):
    client = signed_in(outsider)
    item = items["bug"]

    assert client.get(inbox(workspace)).status_code == 404
    assert client.get(f"{inbox(workspace)}{item.pk}/").status_code == 404
    assert client.post(f"{inbox(workspace)}{item.pk}/update/", {"status": "declined"}
                       ).status_code == 404  # fmt: skip
    item.refresh_from_db()
    assert item.status == "open"


def test_an_item_of_another_workspace_is_404_through_your_own_inbox(
    owner, workspace, other_project
):
    foreign = ItemFactory.create(project=other_project)
    client = signed_in(owner)

    assert client.get(f"{inbox(workspace)}{foreign.pk}/").status_code == 404
    assert client.post(f"{inbox(workspace)}{foreign.pk}/update/", {"status": "declined"}
                       ).status_code == 404  # fmt: skip
    response = client.post(f"{inbox(workspace)}bulk/", {"status": "declined",
                                                       "items": [foreign.pk]})  # fmt: skip
    assert response.status_code == 404
    foreign.refresh_from_db()
    assert foreign.status == "open"


def test_anonymous_visitors_are_sent_to_sign_in(client, workspace):
    response = client.get(inbox(workspace))

    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_triage_post_without_a_csrf_token_is_refused(member, workspace, items):
    client = Client(enforce_csrf_checks=True)
    client.force_login(member)

    response = client.post(f"{inbox(workspace)}{items['bug'].pk}/update/", {"status": "declined"})

    assert response.status_code == 403
    items["bug"].refresh_from_db()
    assert items["bug"].status == "open"


# --- Inline and bulk triage ----------------------------------------------------------------
def test_inline_status_change_returns_the_row(member, workspace, items):
    item = items["bug"]

    response = signed_in(member).post(
        f"{inbox(workspace)}{item.pk}/update/", {"status": "in_progress", "back": "type=bug"}, **HX
    )

    assert response.status_code == 200
    html = response.content.decode()
    assert html.strip().startswith(f'<tr id="item-{item.pk}"')
    assert '<option value="in_progress" selected>' in html
    assert "?back=type%3Dbug" in html
    item.refresh_from_db()
    assert (item.status, item.priority, item.tags) == ("in_progress", "urgent", ["checkout"])
    audit = AuditLog.objects.get(action="feedback.item.update")
    assert audit.actor_id == f"user:{member.pk}"
    assert audit.data == {"changes": {"status": ["open", "in_progress"]}}


def test_inline_priority_and_tags_changes(member, workspace, items):
    item = items["bug"]
    client = signed_in(member)

    client.post(f"{inbox(workspace)}{item.pk}/update/", {"priority": ""}, **HX)
    client.post(f"{inbox(workspace)}{item.pk}/update/", {"tags": "checkout, payments ,"}, **HX)

    item.refresh_from_db()
    assert (item.priority, item.tags) == ("", ["checkout", "payments"])
    assert list(Item.objects.with_any_tag(["payments"])) == [item]


@pytest.mark.parametrize(
    ("tags", "message"),
    [
        (",".join(f"t{i}" for i in range(11)), "tags may hold at most 10 tags."),
        ("ok, " + "x" * 101, "Tag 2 must be at most 100 characters."),
    ],
)
def test_inline_triage_with_invalid_tags_shows_the_error_in_the_row(
    member, workspace, items, tags, message
):
    item = items["bug"]

    response = signed_in(member).post(f"{inbox(workspace)}{item.pk}/update/", {"tags": tags}, **HX)

    assert response.status_code == 200
    assert message in response.content.decode()
    item.refresh_from_db()
    assert item.tags == ["checkout"]


def test_triage_without_htmx_redirects_back(member, workspace, items):
    item = items["idea"]

    response = signed_in(member).post(
        f"{inbox(workspace)}{item.pk}/update/",
        {"status": "declined", "priority": "low", "tags": "ui", "from": "detail"},
    )

    assert response.status_code == 302
    assert response["Location"] == f"{inbox(workspace)}{item.pk}/"
    item.refresh_from_db()
    assert (item.status, item.priority) == ("declined", "low")


def test_bulk_status_change(member, workspace, items):
    chosen = [items["bug"].pk, items["praise"].pk]

    response = signed_in(member).post(
        f"{inbox(workspace)}bulk/", {"status": "under_review", "items": chosen, "back": "q=x"}
    )

    assert response.status_code == 302
    assert response["Location"] == f"{inbox(workspace)}?q=x"
    assert dict(Item.objects.values_list("pk", "status")) == {
        items["bug"].pk: "under_review",
        items["praise"].pk: "under_review",
        items["idea"].pk: "planned",
    }
    assert AuditLog.objects.filter(action="feedback.item.update").count() == 2


def test_bulk_change_with_nothing_selected_changes_nothing(member, workspace, items):
    client = signed_in(member)

    response = client.post(f"{inbox(workspace)}bulk/", {"status": "declined"}, follow=True)

    assert "Select at least one item." in response.content.decode()
    assert not Item.objects.filter(status="declined").exists()


def test_bulk_redirect_never_leaves_the_inbox(member, workspace, items):
    response = signed_in(member).post(
        f"{inbox(workspace)}bulk/",
        {"status": "open", "items": [items["bug"].pk], "back": "https://evil.example/"},
    )

    assert response["Location"].startswith(inbox(workspace) + "?")


# --- Notes and delete ----------------------------------------------------------------------
def test_member_adds_a_note(member, workspace, items):
    item = items["bug"]

    response = signed_in(member).post(f"{inbox(workspace)}{item.pk}/notes/", {"body": "On it"})

    assert response.status_code == 302
    note = Note.objects.get()
    assert (note.item_id, note.body, note.author) == (item.pk, "On it", member)


def test_an_empty_note_is_refused_with_the_form_error(member, workspace, items):
    response = signed_in(member).post(f"{inbox(workspace)}{items['bug'].pk}/notes/", {"body": " "})

    assert response.status_code == 422
    assert "Write something first." in response.content.decode()
    assert not Note.objects.exists()


def test_notes_view_refuses_get(member, workspace, items):
    assert signed_in(member).get(f"{inbox(workspace)}{items['bug'].pk}/notes/").status_code == 405


def test_member_deletes_an_item(member, workspace, items):
    item = items["bug"]
    NoteFactory.create(item=item)

    response = signed_in(member).post(f"{inbox(workspace)}{item.pk}/delete/")

    assert response.status_code == 302
    assert not Item.objects.filter(pk=item.pk).exists()
    assert not Note.objects.exists()
