"""The annotation page's controls: status, assignee and summary, and the reply box, for
members, through the same services as PATCH /api/v1/annotations/{id} and POST .../replies
(htmx swaps in place; a plain POST redirects, so a reload writes nothing)."""

from __future__ import annotations

import re

import pytest

from accounts.models import AuditLog
from annotations import constants as C
from annotations.markdown import annotation_markdown
from annotations.models import Annotation, Reply
from annotations.selectors import annotation_get
from tests.annotations.factories import AnnotationFactory
from tests.dashboard.helpers import HTMX, audit_count, signed_in

HOSTILE = "<script>alert('x')</script>"


@pytest.fixture
def annotation(project):
    return AnnotationFactory.create(project=project, summary="Contrast too low")


def page(workspace, annotation) -> str:
    return f"/w/{workspace.pk}/annotations/{annotation.pk}/"


def update(workspace, annotation) -> str:
    return f"{page(workspace, annotation)}update/"


def reply(workspace, annotation) -> str:
    return f"{page(workspace, annotation)}replies/"


def fresh(annotation) -> Annotation:
    return Annotation.objects.get(pk=annotation.pk)


# --- Status, assignee, summary ---------------------------------------------------------------
def test_member_changes_status_and_is_redirected_back(member, workspace, annotation):
    client = signed_in(member)

    response = client.post(update(workspace, annotation), {"status": "in_progress"})

    assert response.status_code == 302
    assert response["Location"] == f"{page(workspace, annotation)}#triage"
    saved = fresh(annotation)
    assert saved.status == "in_progress"
    assert (saved.summary, saved.assignee_id) == ("Contrast too low", None)  # not sent: kept
    entry = AuditLog.objects.get(action="annotation.update")
    assert entry.actor_id == f"user:{member.pk}"
    assert entry.data == {"changes": {"status": ["new", "in_progress"]}}
    # POST/redirect/GET: reloading the page it lands on writes nothing.
    before = audit_count()
    assert client.get(response["Location"]).status_code == 200
    assert audit_count() == before


def test_htmx_status_change_swaps_the_triage_card_and_the_badge(member, workspace, annotation):
    response = signed_in(member).post(update(workspace, annotation), {"status": "ack"}, **HTMX)

    assert response.status_code == 200
    html = response.content.decode()
    assert html.lstrip().startswith('<section class="card" id="triage"')
    assert '<option value="ack" selected>' in html
    assert 'id="status-badge" hx-swap-oob="true">Acknowledged</span>' in html
    markdown = html[html.index('id="markdown" aria-labelledby="markdown-title" hx-swap-oob') :]
    assert "**Status:** ack" in markdown
    assert fresh(annotation).status == "ack"


def test_member_assigns_a_member_and_clears_it(member, workspace, annotation, owner):
    client = signed_in(member)

    client.post(update(workspace, annotation), {"assignee": str(owner.pk)})
    assert fresh(annotation).assignee_id == owner.pk

    client.post(update(workspace, annotation), {"assignee": ""})
    assert fresh(annotation).assignee_id is None


def test_assignee_select_lists_the_workspace_members(member, workspace, annotation, owner, guest):
    html = signed_in(member).get(page(workspace, annotation)).content.decode()

    select = html[html.index('id="a-assignee"') : html.index("</select>", html.index("a-assignee"))]
    for user in (owner, member, guest):
        assert f'<option value="{user.pk}">{user.email}</option>' in select


def test_assignee_outside_the_workspace_is_refused_with_the_services_message(
    member, workspace, annotation, outsider
):
    before = audit_count()

    response = signed_in(member).post(update(workspace, annotation), {"assignee": outsider.pk})

    assert response.status_code == 400
    assert "assignee_id must be a member of this workspace." in response.content.decode()
    assert fresh(annotation).assignee_id is None
    assert audit_count() == before


@pytest.mark.parametrize("value", ["nope", "-1", "\uff11"])  # the last: a fullwidth one
def test_assignee_that_is_not_an_id_is_refused(member, workspace, annotation, value):
    response = signed_in(member).post(update(workspace, annotation), {"assignee": value})

    assert response.status_code == 400
    assert fresh(annotation).assignee_id is None


def test_unknown_status_is_refused_and_nothing_changes(member, workspace, annotation):
    before = audit_count()

    response = signed_in(member).post(update(workspace, annotation), {"status": "done"})

    assert response.status_code == 400
    html = response.content.decode()
    assert "Unknown status &#x27;done&#x27;. Accepted values are: new, ack," in html
    assert 'id="a-status-error"' in html
    assert fresh(annotation).status == "new"
    assert audit_count() == before


def test_htmx_refusal_is_the_card_with_the_error_as_200(member, workspace, annotation):
    response = signed_in(member).post(update(workspace, annotation), {"status": "done"}, **HTMX)

    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="a-status-error"' in html
    assert "hx-swap-oob" not in html
    assert fresh(annotation).status == "new"


def test_summary_is_saved_with_plain_line_breaks(member, workspace, annotation):
    signed_in(member).post(update(workspace, annotation), {"summary": "Line one\r\nLine two"})

    assert fresh(annotation).summary == "Line one\nLine two"


def test_summary_over_4_kb_is_refused_and_kept_in_the_box(member, workspace, annotation):
    long = "é" * (C.SUMMARY_MAX_BYTES // 2 + 1)  # 2 bytes each: just over 4,096 bytes

    response = signed_in(member).post(update(workspace, annotation), {"summary": long})

    assert response.status_code == 400
    html = response.content.decode()
    assert "summary must be at most 4 KB (4,096 bytes)." in html
    assert long in html  # what was typed is not lost
    assert fresh(annotation).summary == "Contrast too low"


def test_summary_can_be_cleared(member, workspace, annotation):
    signed_in(member).post(update(workspace, annotation), {"summary": ""})

    assert fresh(annotation).summary == ""


def test_unchanged_value_writes_nothing(member, workspace, annotation):
    before = audit_count()

    response = signed_in(member).post(update(workspace, annotation), {"status": "new"})

    assert response.status_code == 302
    assert audit_count() == before


def test_hostile_summary_renders_escaped_in_the_box(member, workspace, annotation):
    signed_in(member).post(update(workspace, annotation), {"summary": f"</textarea>{HOSTILE}"})

    html = signed_in(member).get(page(workspace, annotation)).content.decode()
    assert "<script>alert(" not in html
    assert "&lt;/textarea&gt;&lt;script&gt;" in html


# --- Replies ---------------------------------------------------------------------------------
def test_member_replies_and_is_redirected_to_the_reply(member, workspace, annotation):
    client = signed_in(member)

    response = client.post(reply(workspace, annotation), {"body": "Fixed in the next deploy."})

    saved = Reply.objects.get(annotation=annotation)
    assert response.status_code == 302
    assert response["Location"] == f"{page(workspace, annotation)}#reply-{saved.pk}"
    assert (saved.body, saved.author_kind, saved.author_user) == (
        "Fixed in the next deploy.",
        "user",
        member,
    )
    assert saved.actor_id == f"user:{member.pk}"
    assert AuditLog.objects.filter(action="annotation.reply.create").count() == 1
    assert client.get(response["Location"]).status_code == 200
    assert Reply.objects.count() == 1


def test_htmx_reply_swaps_the_thread_with_an_empty_box(member, workspace, annotation):
    response = signed_in(member).post(
        reply(workspace, annotation), {"body": "On it\r\nThanks"}, **HTMX
    )

    assert response.status_code == 200
    html = response.content.decode()
    assert html.lstrip().startswith('<section class="card" id="thread"')
    assert "On it<br>Thanks" in html
    assert member.email in html
    assert re.search(r'<textarea name="body"[^>]*>\s*</textarea>', html)  # emptied
    markdown = html[html.index('id="markdown" aria-labelledby="markdown-title" hx-swap-oob') :]
    assert "On it\nThanks" in markdown  # the blob out of band, with the new reply
    assert Reply.objects.get().body == "On it\nThanks"


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("   ", "body must not be blank."),
        ("", "body must not be blank."),
        ("x" * (C.BODY_MAX + 1), f"body must be at most {C.BODY_MAX:,} characters."),
    ],
)
def test_reply_the_service_refuses_shows_its_message(member, workspace, annotation, body, message):
    before = audit_count()

    response = signed_in(member).post(reply(workspace, annotation), {"body": body})

    assert response.status_code == 400
    assert message in response.content.decode()
    assert not Reply.objects.exists()
    assert audit_count() == before


def test_htmx_refused_reply_is_the_thread_with_the_error(member, workspace, annotation):
    response = signed_in(member).post(reply(workspace, annotation), {"body": " "}, **HTMX)

    assert response.status_code == 200
    assert "body must not be blank." in response.content.decode()
    assert not Reply.objects.exists()


def test_hostile_reply_renders_escaped(member, workspace, annotation):
    signed_in(member).post(reply(workspace, annotation), {"body": HOSTILE})

    html = signed_in(member).get(page(workspace, annotation)).content.decode()
    assert "<script>alert(" not in html
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;" in html


# --- Who may -------------------------------------------------------------------------------
def test_guest_gets_the_controls_the_api_gives_a_guest(guest, workspace, annotation):
    html = signed_in(guest).get(page(workspace, annotation)).content.decode()

    # The document: GUEST may PATCH an annotation and reply on its thread.
    assert 'id="status-form"' in html
    assert 'id="reply-form"' in html
    assert "Contrast too low" in html


def test_guest_status_change_and_reply_are_audited_as_the_guest(guest, workspace, annotation):
    client = signed_in(guest)

    assert client.post(update(workspace, annotation), {"status": "ack"}).status_code == 302
    assert client.post(reply(workspace, annotation), {"body": "seen"}).status_code == 302

    assert fresh(annotation).status == "ack"
    assert Reply.objects.get().author_user == guest


@pytest.mark.parametrize("route", [update, reply])
def test_outsider_post_is_404(outsider, workspace, annotation, route):
    response = signed_in(outsider).post(
        route(workspace, annotation), {"status": "ack", "body": "x"}
    )

    assert response.status_code == 404
    assert fresh(annotation).status == "new"


@pytest.mark.parametrize("route", [update, reply])
def test_post_to_another_workspaces_annotation_is_404(member, workspace, other_project, route):
    theirs = AnnotationFactory.create(project=other_project)

    response = signed_in(member).post(route(workspace, theirs), {"status": "ack", "body": "x"})

    assert response.status_code == 404
    assert fresh(theirs).status == "new"
    assert not Reply.objects.exists()


@pytest.mark.parametrize("route", [update, reply])
def test_post_without_csrf_token_is_refused(member, workspace, annotation, route):
    response = signed_in(member, csrf=True).post(
        route(workspace, annotation), {"status": "ack", "body": "x"}
    )

    assert response.status_code == 403
    assert fresh(annotation).status == "new"
    assert not Reply.objects.exists()


def test_every_control_form_carries_a_csrf_token(member, workspace, annotation):
    html = signed_in(member).get(page(workspace, annotation)).content.decode()

    forms = html.split('method="post"')[1:]
    assert len(forms) >= 5  # status, assignee, summary, reply, personas
    for form in forms:
        assert "csrfmiddlewaretoken" in form[: form.index("</form>")]


# --- Markdown --------------------------------------------------------------------------------
def test_markdown_blob_is_the_apis_text_with_a_copy_button(guest, workspace, project, rf):
    annotation = AnnotationFactory.create(project=project, body=HOSTILE)
    html = signed_in(guest).get(page(workspace, annotation)).content.decode()

    detailed = annotation_get(workspace=workspace, annotation_id=annotation.pk, detail=True)
    assert detailed is not None
    text = annotation_markdown(detailed, request=rf.get("/"), show_images=False)
    assert '<code id="markdown-blob">' in html
    assert 'data-copy="#markdown-blob"' in html
    blob = html[html.index('<code id="markdown-blob">') + 25 : html.index("</code></pre>")]
    escaped = (
        text.replace("&", "&amp;")
        .replace("<", "&lt;")
        .replace(">", "&gt;")
        .replace('"', "&quot;")
        .replace("'", "&#x27;")
    )
    assert blob == escaped
    assert "<script>alert(" not in html
