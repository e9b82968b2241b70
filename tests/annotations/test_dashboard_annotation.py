"""The annotation page (dashboard): what the widget captured, the screenshot with the
element's box (members only), the htmx status/assignee/summary controls and the reply box
(the API's services, audited, POST/redirect/GET), resolutions, the markdown blob, escaping,
and cross-workspace 404s."""

from __future__ import annotations

import re

import pytest
from django.utils.html import escape

from accounts.models import AuditLog
from annotations.models import Reply
from tests.annotations.factories import (
    AnnotationFactory,
    ReplyFactory,
    ResolutionFactory,
)
from tests.dashboard.helpers import HTMX, audit_count, signed_in

HOSTILE = "<script>alert('x')</script>"


def page(workspace, annotation) -> str:
    return f"/w/{workspace.pk}/annotations/{annotation.pk}/"


def update_url(workspace, annotation) -> str:
    return f"{page(workspace, annotation)}update/"


def reply_url(workspace, annotation) -> str:
    return f"{page(workspace, annotation)}replies/"


@pytest.fixture
def annotation(project):
    return AnnotationFactory.create(
        project=project,
        body="The Pay button is grey on white",
        element={
            "tag": "button",
            "text": "Pay now",
            "id": "pay-now",
            "classes": ["btn", "btn-primary"],
            "rect": {"x": 341.5, "y": 192, "width": 136.6, "height": 76.8},
        },
        viewport={
            "width": 1366,
            "height": 768,
            "device_pixel_ratio": 2,
            "scroll_x": 0,
            "scroll_y": 120,
        },
        styles={"color": "rgb(119, 119, 119)", "font-size": "14px"},
    )


def html_of(response) -> str:
    assert response.status_code == 200, response.content[:800]
    return response.content.decode()


# --- Reading ---------------------------------------------------------------------------------
@pytest.mark.parametrize("persona", ["member", "guest"])
def test_annotation_page_shows_what_the_widget_captured(request, persona, workspace, annotation):
    html = html_of(signed_in(request.getfixturevalue(persona)).get(page(workspace, annotation)))

    assert "The Pay button is grey on white" in html
    assert "https://shop.example.com/checkout" in html
    assert '<code id="selector"' in html
    assert 'data-copy="#selector"' in html  # the selector's copy button
    element = html[html.index('id="element-table"') :]
    assert "<code>tag</code></th><td" in element
    assert "btn btn-primary" in element
    assert "rgb(119, 119, 119)" in html[html.index('id="styles-table"') :]
    viewport = html[html.index('id="viewport-table"') :]
    assert "<code>device_pixel_ratio</code>" in viewport
    assert "1366" in viewport


def test_annotation_of_another_workspace_is_404(member, workspace, other_project):
    theirs = AnnotationFactory.create(project=other_project)
    client = signed_in(member)

    assert client.get(page(workspace, theirs)).status_code == 404
    assert client.post(update_url(workspace, theirs), {"status": "ack"}).status_code == 404
    assert client.post(reply_url(workspace, theirs), {"body": "hi"}).status_code == 404
    theirs.refresh_from_db()
    assert theirs.status == "new"
    assert not Reply.objects.exists()


def test_annotation_page_for_an_outsider_is_404(outsider, workspace, annotation):
    assert signed_in(outsider).get(page(workspace, annotation)).status_code == 404


def test_malformed_annotation_id_is_404(member, workspace):
    assert signed_in(member).get(f"/w/{workspace.pk}/annotations/nothex/").status_code == 404


# --- Screenshot ------------------------------------------------------------------------------
def box_style(html: str) -> dict[str, float]:
    found = re.search(r'id="shot-box" style="([^"]+)"', html)
    assert found, "no box drawn"
    return {name: float(value) for name, value in re.findall(r"([a-z]+): ([0-9.]+)%", found[1])}


def test_member_sees_the_screenshot_with_the_box_scaled_to_the_viewport(
    member, workspace, annotation
):
    annotation.screenshot_key = "gf/screens/pay.png"
    annotation.save()

    html = html_of(signed_in(member).get(page(workspace, annotation)))

    assert 'id="shot-image"' in html
    # x 341.5 of 1366 = 25 %, y 192 of 768 = 25 %, 136.6 / 1366 = 10 %, 76.8 / 768 = 10 %.
    assert box_style(html) == pytest.approx(
        {"left": 25.0, "top": 25.0, "width": 10.0, "height": 10.0}
    )


def test_guest_never_gets_the_screenshot(guest, workspace, annotation):
    annotation.screenshot_key = "gf/screens/pay.png"
    annotation.save()

    html = html_of(signed_in(guest).get(page(workspace, annotation)))

    assert 'id="shot-image"' not in html
    assert "gf/screens/pay.png" not in html
    assert "Screenshots are shown to members only." in html


def test_box_is_clipped_to_the_viewport_and_dropped_when_off_screen(member, workspace, annotation):
    annotation.screenshot_key = "gf/screens/pay.png"
    annotation.element = {"rect": {"x": -683, "y": 700, "width": 1366, "height": 200}}
    annotation.save()
    client = signed_in(member)

    assert box_style(html_of(client.get(page(workspace, annotation)))) == pytest.approx(
        {"left": 0.0, "top": 700 / 768 * 100, "width": 50.0, "height": 68 / 768 * 100}, abs=1e-3
    )

    annotation.element = {"rect": {"x": 2000, "y": 10, "width": 10, "height": 10}}
    annotation.save()
    html = html_of(client.get(page(workspace, annotation)))
    assert 'id="shot-box"' not in html
    assert "is not drawn" in html


def test_box_needs_numbers_not_whatever_was_stored(member, workspace, annotation):
    annotation.screenshot_key = "gf/screens/pay.png"
    annotation.element = {"rect": {"x": "1;background:url(x)", "y": 1, "width": 1, "height": 1}}
    annotation.save()

    html = html_of(signed_in(member).get(page(workspace, annotation)))

    assert 'id="shot-box"' not in html
    assert "url(x)" not in html.split('id="shot"')[1].split("</figure>")[0]


# --- Controls (htmx) -------------------------------------------------------------------------
def audit_rows(action_prefix: str = "annotation") -> list[AuditLog]:
    return list(AuditLog.objects.filter(action__startswith=action_prefix).order_by("id"))


@pytest.mark.parametrize("persona", ["member", "guest"])
def test_htmx_status_change_is_saved_audited_and_redirected(
    request, persona, workspace, annotation
):
    user = request.getfixturevalue(persona)
    before = audit_count()

    response = signed_in(user).post(update_url(workspace, annotation), {"status": "ack"}, **HTMX)

    assert response.status_code == 204
    assert response["HX-Redirect"] == f"{page(workspace, annotation)}#controls"
    annotation.refresh_from_db()
    assert annotation.status == "ack"
    assert audit_count() == before + 1
    assert audit_rows()[-1].actor_id == f"user:{user.pk}"


def test_plain_status_post_redirects_and_a_reload_writes_nothing(member, workspace, annotation):
    client = signed_in(member)

    response = client.post(update_url(workspace, annotation), {"status": "triaged"})

    assert response.status_code == 302
    assert response["Location"] == f"{page(workspace, annotation)}#controls"
    after = audit_count()
    html_of(client.get(page(workspace, annotation)))
    html_of(client.get(page(workspace, annotation)))
    assert audit_count() == after
    annotation.refresh_from_db()
    assert annotation.status == "triaged"


def test_assignee_is_set_to_a_workspace_member_and_unset(owner, member, workspace, annotation):
    client = signed_in(owner)

    assert (
        client.post(
            update_url(workspace, annotation), {"assignee": str(member.pk)}, **HTMX
        ).status_code
        == 204
    )
    annotation.refresh_from_db()
    assert annotation.assignee_id == member.pk

    assert (
        client.post(update_url(workspace, annotation), {"assignee": ""}, **HTMX).status_code == 204
    )
    annotation.refresh_from_db()
    assert annotation.assignee_id is None


def test_assignee_outside_the_workspace_is_refused_and_nothing_changes(
    owner, outsider, workspace, annotation
):
    before = audit_count()
    client = signed_in(owner)

    htmx = client.post(update_url(workspace, annotation), {"assignee": str(outsider.pk)}, **HTMX)
    plain = client.post(update_url(workspace, annotation), {"assignee": str(outsider.pk)})

    assert htmx.status_code == 200  # htmx swaps only 2xx: the controls card with the error
    assert 'id="controls"' in htmx.content.decode()
    assert "<html" not in htmx.content.decode()
    assert "errorlist" in htmx.content.decode()
    assert plain.status_code == 400
    annotation.refresh_from_db()
    assert annotation.assignee_id is None
    assert audit_count() == before


def test_summary_is_saved_and_over_4_kb_is_refused(member, workspace, annotation):
    client = signed_in(member)

    ok = client.post(update_url(workspace, annotation), {"summary": "Duplicate of #12"}, **HTMX)
    too_long = client.post(update_url(workspace, annotation), {"summary": "é" * 2049}, **HTMX)

    assert ok.status_code == 204
    assert too_long.status_code == 200
    assert "at most 4096 bytes" in too_long.content.decode()
    annotation.refresh_from_db()
    assert annotation.summary == "Duplicate of #12"
    assert annotation.status == "new"  # only the posted field changes


def test_unknown_status_is_refused(member, workspace, annotation):
    response = signed_in(member).post(update_url(workspace, annotation), {"status": "done"})

    assert response.status_code == 400
    annotation.refresh_from_db()
    assert annotation.status == "new"


def test_controls_need_a_csrf_token(member, workspace, annotation):
    client = signed_in(member, csrf=True)

    response = client.post(update_url(workspace, annotation), {"status": "ack"})

    assert response.status_code == 403
    annotation.refresh_from_db()
    assert annotation.status == "new"


# --- Thread ----------------------------------------------------------------------------------
@pytest.mark.parametrize("persona", ["member", "guest"])
def test_reply_is_posted_as_the_user_audited_and_redirected(
    request, persona, workspace, annotation
):
    user = request.getfixturevalue(persona)
    before = audit_count()

    response = signed_in(user).post(
        reply_url(workspace, annotation), {"body": "Fixed in the next deploy"}, **HTMX
    )

    assert response.status_code == 204
    assert response["HX-Redirect"] == f"{page(workspace, annotation)}#thread"
    reply = Reply.objects.get(annotation=annotation)
    assert reply.body == "Fixed in the next deploy"
    assert reply.author_kind == "user"
    assert reply.actor_id == f"user:{user.pk}"
    assert audit_count() == before + 1


def test_plain_reply_redirects_and_an_empty_one_is_refused(member, workspace, annotation):
    client = signed_in(member)

    assert client.post(reply_url(workspace, annotation), {"body": "Thanks!"}).status_code == 302
    empty = client.post(reply_url(workspace, annotation), {"body": "   "})

    assert empty.status_code == 422
    assert "Write something first." in empty.content.decode()
    assert Reply.objects.filter(annotation=annotation).count() == 1


def test_submitted_and_replied_script_renders_escaped(member, workspace, project):
    annotation = AnnotationFactory.create(
        project=project,
        body=HOSTILE,
        selector=HOSTILE,
        page_url="javascript:alert(1)",
        element={"tag": HOSTILE, "text": HOSTILE},
        styles={"color": HOSTILE},
        submitter_name=HOSTILE,
    )
    ReplyFactory.create(annotation=annotation, body=HOSTILE, author_name=HOSTILE)
    ResolutionFactory.create(annotation=annotation, explanation=HOSTILE, diff_url=HOSTILE)

    html = html_of(signed_in(member).get(page(workspace, annotation)))

    assert "<script>alert(" not in html
    assert html.count("&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;") >= 8
    assert 'href="javascript:' not in html


def test_reply_posted_with_a_script_comes_back_escaped(member, workspace, annotation):
    client = signed_in(member)
    client.post(reply_url(workspace, annotation), {"body": HOSTILE})

    html = html_of(client.get(page(workspace, annotation)))

    assert "<script>alert(" not in html
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;" in html


# --- Resolutions and markdown ----------------------------------------------------------------
def test_resolutions_show_before_and_after_side_by_side_for_members_only(
    member, guest, workspace, annotation
):
    ResolutionFactory.create(
        annotation=annotation, before_key="gf/res/before.png", after_key="gf/res/after.png"
    )

    member_html = html_of(signed_in(member).get(page(workspace, annotation)))
    guest_html = html_of(signed_in(guest).get(page(workspace, annotation)))

    pair = member_html[member_html.index('class="before-after"') :]
    assert pair.index("Before") < pair.index("After")
    assert pair.count("<img ") >= 2
    assert "https://github.com/example/shop/pull/42" in member_html
    assert "Raised the CTA contrast to 7:1." in member_html
    assert "<img " not in guest_html[guest_html.index('id="resolutions"') :]
    assert "Shown to members only." in guest_html
    assert "gf/res/after.png" not in guest_html


def test_markdown_blob_has_a_copy_button_and_escaped_text(member, workspace, project):
    from annotations.markdown import annotation_markdown

    annotation = AnnotationFactory.create(project=project, body=HOSTILE)

    html = html_of(signed_in(member).get(page(workspace, annotation)))

    assert 'data-copy="#markdown-blob"' in html
    blob = html[html.index('id="markdown-blob"') :]
    assert "<script>alert(" not in blob
    first_line = annotation_markdown(annotation).splitlines()[0]
    assert escape(first_line) in blob


def test_annotation_page_runs_a_fixed_number_of_queries(
    member, workspace, project, annotation, django_assert_max_num_queries
):
    for i in range(5):
        ReplyFactory.create(annotation=annotation, body=f"reply {i}")
        ResolutionFactory.create(annotation=annotation)
    client = signed_in(member)
    client.get(page(workspace, annotation))  # warm the session

    with django_assert_max_num_queries(25) as captured:
        html_of(client.get(page(workspace, annotation)))
    few = len(captured)

    for i in range(20):
        ReplyFactory.create(annotation=annotation, body=f"more {i}")
        ResolutionFactory.create(annotation=annotation)
    with django_assert_max_num_queries(few) as captured:
        html_of(client.get(page(workspace, annotation)))
