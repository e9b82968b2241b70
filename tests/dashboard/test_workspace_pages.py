"""Workspaces in the dashboard: overview, switcher, create, rename, typed-confirmation
delete, the deleted banner and 403s, restore by the owner within the grace period."""

from __future__ import annotations

from datetime import timedelta

from django.urls import reverse
from django.utils import timezone

from accounts import services
from accounts.models import AuditLog, Membership, Role, Workspace
from tests.dashboard.helpers import audit_count, signed_in
from tests.factories import ProjectFactory


def ws_url(name: str, workspace: Workspace, **kwargs) -> str:
    return reverse(name, kwargs={"ws": workspace.pk, **kwargs})


def test_overview_lists_projects_with_links(owner_client, workspace, project):
    other = ProjectFactory.create(workspace=workspace, name="<b>Docs</b>", slug="docs")
    html = owner_client.get(ws_url("accounts:workspace-detail", workspace)).content.decode()
    detail = reverse(
        "projects:project-detail", kwargs={"ws": workspace.pk, "project_id": project.pk}
    )
    assert f'href="{detail}"' in html
    assert f"/w/{workspace.pk}/projects/{project.pk}/reports/" in html
    assert "&lt;b&gt;Docs&lt;/b&gt;" in html  # names are escaped
    assert "<b>Docs</b>" not in html
    assert other.slug in html


def test_overview_does_not_list_other_workspace_projects(owner_client, workspace, other_project):
    html = owner_client.get(ws_url("accounts:workspace-detail", workspace)).content.decode()
    assert other_project.name not in html


def test_switcher_lists_only_own_workspaces_and_marks_deleted(owner, workspace, other_workspace):
    second = services.workspace_create(owner=owner, name="Second space")
    services.workspace_soft_delete(workspace=second, user=owner)
    html = signed_in(owner).get(ws_url("accounts:workspace-detail", workspace)).content.decode()
    assert f'href="/w/{second.pk}/"' in html
    assert "deleted</span>" in html
    assert other_workspace.name not in html


def test_nav_links_other_apps_by_path(owner_client, workspace):
    html = owner_client.get(ws_url("accounts:workspace-detail", workspace)).content.decode()
    assert f'href="/w/{workspace.pk}/inbox/"' in html
    assert f'href="/w/{workspace.pk}/reports/"' in html


def test_nav_hides_pages_above_the_role(guest_client, workspace):
    html = guest_client.get(ws_url("accounts:workspace-detail", workspace)).content.decode()
    assert "/tokens/" not in html
    assert "/audit/" not in html
    assert f'href="/w/{workspace.pk}/members/"' in html


def test_create_workspace_makes_the_creator_owner(owner_client, owner):
    response = owner_client.post(reverse("accounts:workspace-create"), {"name": "  New space "})
    created = Workspace.objects.get(name="New space")
    assert response.status_code == 302
    assert response["Location"] == f"/w/{created.pk}/"
    assert Membership.objects.get(workspace=created, user=owner).role == Role.OWNER
    assert AuditLog.objects.filter(workspace=created, action="workspace.create").exists()


def test_create_workspace_with_blank_name_is_refused(owner_client):
    before = Workspace.objects.count()
    response = owner_client.post(reverse("accounts:workspace-create"), {"name": "   "})
    assert response.status_code == 400
    assert "This field is required." in response.content.decode()
    assert Workspace.objects.count() == before


def test_admin_renames_workspace(admin_client, workspace, admin):
    response = admin_client.post(ws_url("accounts:workspace-rename", workspace), {"name": "Acme"})
    assert response.status_code == 302
    workspace.refresh_from_db()
    assert workspace.name == "Acme"
    entry = AuditLog.objects.get(action="workspace.rename")
    assert entry.actor_id == f"user:{admin.pk}"
    assert entry.data == {"from": "Alice's workspace", "to": "Acme"}


def test_rename_to_blank_is_400_and_changes_nothing(owner_client, workspace):
    before = audit_count()
    response = owner_client.post(ws_url("accounts:workspace-rename", workspace), {"name": ""})
    assert response.status_code == 400
    workspace.refresh_from_db()
    assert workspace.name == "Alice's workspace"
    assert audit_count() == before


def test_delete_needs_the_typed_workspace_name(owner_client, workspace):
    before = audit_count()
    for typed in ["", "alice's workspace", "Alice's", "delete"]:
        response = owner_client.post(
            ws_url("accounts:workspace-delete", workspace), {"confirm_name": typed}
        )
        assert response.status_code == 400
    assert "nothing was deleted" in response.content.decode()
    workspace.refresh_from_db()
    assert workspace.deleted_at is None
    assert audit_count() == before


def test_owner_deletes_with_the_typed_name(owner_client, workspace, owner):
    response = owner_client.post(
        ws_url("accounts:workspace-delete", workspace), {"confirm_name": "Alice's workspace"}
    )
    assert response.status_code == 302
    workspace.refresh_from_db()
    assert workspace.is_deleted
    assert workspace.deleted_by == owner
    assert AuditLog.objects.filter(workspace=workspace, action="workspace.delete").count() == 1


def test_settings_shows_delete_form_to_owner_only(owner_client, admin_client, workspace):
    url = ws_url("accounts:workspace-settings", workspace)
    assert "Delete this workspace" in owner_client.get(url).content.decode()
    html = admin_client.get(url).content.decode()
    assert "Delete this workspace" not in html
    assert "Save name" in html


def test_deleted_workspace_pages_are_403_with_banner(owner, member, workspace, project):
    services.workspace_soft_delete(workspace=workspace, user=owner)
    urls = [
        ws_url("accounts:workspace-detail", workspace),
        ws_url("accounts:member-list", workspace),
        ws_url("accounts:token-list", workspace),
        ws_url("accounts:workspace-settings", workspace),
        ws_url("projects:project-detail", workspace, project_id=project.pk),
        ws_url("projects:secrets-detail", workspace, project_id=project.pk),
    ]
    for user in (owner, member):
        client = signed_in(user)
        for url in urls:
            response = client.get(url)
            assert response.status_code == 403, url
            html = response.content.decode()
            assert 'class="banner banner-danger"' in html
            assert "This workspace was deleted on" in html
            assert project.ingest_key not in html
    owner_html = signed_in(owner).get(urls[0]).content.decode()
    member_html = signed_in(member).get(urls[0]).content.decode()
    restore = ws_url("accounts:workspace-restore", workspace)
    assert f'action="{restore}"' in owner_html
    assert f'action="{restore}"' not in member_html
    assert "Only its owner can restore it." in member_html


def test_writes_in_deleted_workspace_are_403(owner, workspace, project):
    services.workspace_soft_delete(workspace=workspace, user=owner)
    before = audit_count()
    client = signed_in(owner)
    response = client.post(ws_url("accounts:token-create", workspace), {"name": "x"})
    assert response.status_code == 403
    response = client.post(ws_url("projects:secrets-reveal", workspace, project_id=project.pk))
    assert response.status_code == 403
    assert project.mcp_token not in response.content.decode()
    assert audit_count() == before


def test_member_cannot_restore(owner, member, workspace):
    services.workspace_soft_delete(workspace=workspace, user=owner)
    response = signed_in(member).post(ws_url("accounts:workspace-restore", workspace))
    assert response.status_code == 403
    workspace.refresh_from_db()
    assert workspace.is_deleted


def test_owner_restores_within_grace_period(owner, workspace, gf_client):
    services.workspace_soft_delete(workspace=workspace, user=owner)
    assert gf_client.get("/api/v1/sites").status_code == 401
    client = signed_in(owner)
    response = client.post(ws_url("accounts:workspace-restore", workspace))
    assert response.status_code == 302
    workspace.refresh_from_db()
    assert not workspace.is_deleted
    assert client.get(response["Location"]).status_code == 200
    assert gf_client.get("/api/v1/sites").status_code == 200
    assert AuditLog.objects.filter(workspace=workspace, action="workspace.restore").exists()


def test_restore_after_grace_period_is_410(owner, workspace, settings):
    services.workspace_soft_delete(workspace=workspace, user=owner)
    Workspace.objects.filter(pk=workspace.pk).update(
        deleted_at=timezone.now() - timedelta(days=settings.WORKSPACE_DELETE_GRACE_DAYS + 1)
    )
    client = signed_in(owner)
    page = client.get(ws_url("accounts:workspace-detail", workspace)).content.decode()
    assert "Restore Alice" not in page
    response = client.post(ws_url("accounts:workspace-restore", workspace))
    assert response.status_code == 410
    assert "restore period is over" in response.content.decode()
    workspace.refresh_from_db()
    assert workspace.is_deleted
