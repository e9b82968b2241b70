"""The audit log page: who did what and when, filtered by actor kind and action, paginated,
scoped to the workspace."""

from __future__ import annotations

from django.urls import reverse
from rest_framework.test import APIClient

from accounts import audit
from accounts.audit import Actor
from accounts.models import AuditLog
from tests.factories import mint_token


def url(workspace, **query):
    base = reverse("accounts:audit-list", kwargs={"ws": workspace.pk})
    if query:
        return base + "?" + "&".join(f"{k}={v}" for k, v in query.items())
    return base


def rows(html: str) -> int:
    return html.count("<tr>") - 1  # minus the header row


def seed(workspace, owner, project):
    token, _ = mint_token(workspace=workspace, created_by=owner, name="ci-bot")
    audit.record(
        actor=Actor.for_token(token),
        workspace=workspace,
        action="annotation.patch",
        target_type="annotation",
        target_id="ann1",
        data={"status": "resolved"},
    )
    for actor, action, target in [
        (Actor.for_mcp(project.pk), "annotation.reply", ("annotation", "ann1")),
        (Actor.for_widget(project.pk), "item.create", ("item", "it1")),
    ]:
        audit.record(
            actor=actor,
            workspace=workspace,
            action=action,
            target_type=target[0],
            target_id=target[1],
        )
    return token


def test_admin_sees_who_did_what(admin_client, workspace, owner, project):
    token = seed(workspace, owner, project)
    html = admin_client.get(url(workspace)).content.decode()
    assert "alice@example.com" in html  # user:<id> shown by email
    assert f"ci-bot (gfat_…{token.last4})" in html  # token:<id> by name
    assert "MCP · Storefront" in html  # mcp:<site_id> by project name
    assert "Widget · Storefront" in html  # widget:<project_id> by project name
    assert "annotation.patch" in html
    assert "status=resolved" in html


def test_filter_by_actor_kind(admin_client, workspace, owner, project):
    seed(workspace, owner, project)
    html = admin_client.get(url(workspace, actor="mcp")).content.decode()
    assert rows(html) == 1
    assert "annotation.reply" in html
    html = admin_client.get(url(workspace, actor="token")).content.decode()
    assert rows(html) == 1
    assert "annotation.patch" in html
    html = admin_client.get(url(workspace, actor="widget")).content.decode()
    assert rows(html) == 1
    assert "item.create" in html
    assert '<option value="widget" selected>Public widget</option>' in html
    user_rows = AuditLog.objects.filter(workspace=workspace, actor_id__startswith="user:").count()
    html = admin_client.get(url(workspace, actor="user")).content.decode()
    assert rows(html) == user_rows


def test_filter_by_action(admin_client, workspace, owner, project):
    seed(workspace, owner, project)
    html = admin_client.get(url(workspace, action="api_token.create")).content.decode()
    assert rows(html) == 1
    assert "ci-bot" in html


def test_unknown_filter_values_show_everything_not_an_error(admin_client, workspace):
    response = admin_client.get(url(workspace, actor="root", action="nope"))
    assert response.status_code == 200
    assert rows(response.content.decode()) == AuditLog.objects.filter(workspace=workspace).count()


def test_other_workspaces_entries_never_show(admin_client, workspace, other_workspace, outsider):
    audit.record(actor=Actor.for_user(outsider), workspace=other_workspace, action="secret.thing")
    html = admin_client.get(url(workspace)).content.decode()
    assert "secret.thing" not in html
    assert "charlie@example.com" not in html


def test_paginated_newest_first_with_filters_kept(admin_client, workspace, owner):
    for i in range(55):
        audit.record(
            actor=Actor.for_user(owner),
            workspace=workspace,
            action="test.bulk",
            target_id=f"n{i:02d}",
        )
    first = admin_client.get(url(workspace, action="test.bulk")).content.decode()
    assert rows(first) == 50
    assert "n54" in first
    assert "action=test.bulk&amp;page=2" in first
    second = admin_client.get(url(workspace, action="test.bulk", page=2)).content.decode()
    assert rows(second) == 5
    assert "n00" in second
    assert admin_client.get(url(workspace, page="999")).status_code == 200


def test_audit_page_query_count_does_not_grow(
    admin_client, workspace, owner, project, django_assert_num_queries
):
    seed(workspace, owner, project)
    admin_client.get(url(workspace))
    with django_assert_num_queries(10):
        admin_client.get(url(workspace))
    for i in range(20):
        token, _ = mint_token(workspace=workspace, created_by=owner, name=f"t{i}")
        audit.record(actor=Actor.for_token(token), workspace=workspace, action="x.y")
    with django_assert_num_queries(10):
        admin_client.get(url(workspace))


def test_widget_submission_through_the_public_endpoint_is_labelled(
    admin_client, workspace, project
):
    """The row the real public widget endpoint writes, not only a hand-made one."""
    response = APIClient().post(
        f"/v1/feedback/public/{project.slug}", {"body": "Button is broken"}, format="json"
    )
    assert response.status_code == 201, response.content
    html = admin_client.get(url(workspace, actor="widget")).content.decode()
    assert rows(html) == 1
    assert "Widget · Storefront" in html
    assert ">widget</span>" in html


def test_actor_of_a_deleted_project_keeps_its_raw_id(admin_client, workspace, project):
    audit.record(actor=Actor.for_widget("0" * 32), workspace=workspace, action="item.create")
    html = admin_client.get(url(workspace, actor="widget")).content.decode()
    assert f"widget:{'0' * 32}" in html
