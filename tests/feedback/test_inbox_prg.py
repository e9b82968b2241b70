"""POST/redirect/GET in the inbox: every state-changing POST answers a plain form with a 302
and htmx with 204 + HX-Redirect (config.htmx.htmx_redirect), except the inline row change,
which swaps a fragment and has no URL to re-submit. Re-requesting the page a POST led to
changes nothing: no second note, no second audit row."""

from __future__ import annotations

from typing import Any

import pytest

from accounts.models import AuditLog
from feedback.models import Item, Note
from tests.feedback.factories import ItemFactory
from tests.feedback.test_inbox_views import HX, signed_in


def state() -> tuple[object, ...]:
    """Everything an inbox POST could write."""
    return (
        AuditLog.objects.count(),
        list(Note.objects.order_by("pk").values_list("pk", "body")),
        list(
            Item.objects.order_by("pk").values_list(
                "pk", "status", "priority", "tags", "updated_at"
            )
        ),
    )


@pytest.fixture
def item(project):
    return ItemFactory.create(project=project, title="Slow search", status="open", tags=["ui"])


def posts(workspace, item) -> dict[str, tuple[str, dict[str, Any], str]]:
    """name -> (POST url, data, where it must redirect)."""
    inbox = f"/w/{workspace.pk}/inbox/"
    page = f"{inbox}{item.pk}/"
    return {
        "update from the item page": (
            f"{page}update/",
            {"status": "planned", "priority": "high", "tags": "ui, search", "from": "detail"},
            page,
        ),
        "update from the list": (f"{page}update/", {"status": "planned", "back": "q=slow"},
                                 f"{inbox}?q=slow"),
        "bulk status": (f"{inbox}bulk/", {"status": "declined", "items": [item.pk],
                                          "back": "type=bug"}, f"{inbox}?type=bug"),
        "note": (f"{page}notes/", {"body": "Reproduced on staging."}, f"{page}#notes"),
        "delete": (f"{page}delete/", {}, inbox),
    }  # fmt: skip


NAMES = ["update from the item page", "update from the list", "bulk status", "note", "delete"]
# htmx from a list row swaps the row instead (the test after this one).
CASES = [(name, htmx) for name in NAMES for htmx in (False, True)
         if not (htmx and name == "update from the list")]  # fmt: skip


@pytest.mark.parametrize(("name", "htmx"), CASES)
def test_inbox_post_redirects_and_reloading_the_result_changes_nothing(
    member, workspace, item, name, htmx
):
    url, data, target = posts(workspace, item)[name]
    client = signed_in(member)
    before = state()

    response = client.post(url, data, **(HX if htmx else {}))

    if htmx:
        assert response.status_code == 204
        assert response["HX-Redirect"] == target
    else:
        assert response.status_code == 302
        assert response["Location"] == target
    after = state()
    assert after != before  # the POST did its work, once
    for _ in range(2):  # reload the result page, twice
        assert client.get(target).status_code == 200
    assert state() == after


def test_inline_row_change_answers_a_fragment_with_nothing_to_resubmit(member, workspace, item):
    client = signed_in(member)

    response = client.post(
        f"/w/{workspace.pk}/inbox/{item.pk}/update/", {"status": "planned"}, **HX
    )

    assert response.status_code == 200
    assert "HX-Redirect" not in response
    assert response.content.decode().lstrip().startswith(f'<tr id="item-{item.pk}"')
    assert AuditLog.objects.filter(action="feedback.item.update").count() == 1


def test_a_refused_bulk_change_also_redirects(member, workspace, item):
    client = signed_in(member)
    before = state()

    response = client.post(f"/w/{workspace.pk}/inbox/bulk/", {"status": "declined"}, **HX)

    assert response.status_code == 204
    assert response["HX-Redirect"] == f"/w/{workspace.pk}/inbox/"
    page = client.get(response["HX-Redirect"]).content.decode()
    assert "Select at least one item." in page
    assert state() == before


def test_an_invalid_note_is_not_redirected_and_writes_nothing(member, workspace, item):
    before = state()

    response = signed_in(member).post(f"/w/{workspace.pk}/inbox/{item.pk}/notes/", {"body": ""})

    assert response.status_code == 422  # the form again, with its error; nothing to reload
    assert state() == before
