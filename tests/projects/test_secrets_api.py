"""greatfeedback site secrets: OWNER session only; rotating the MCP token kills the old one."""

from __future__ import annotations

import pytest

from accounts.models import AuditLog
from projects.models import Project
from projects.selectors import project_by_mcp_token
from tests.config.helpers import assert_gf_401, csrf_client
from tests.conftest import bearer_client

INSUFFICIENT_ROLE = {"detail": "Insufficient role"}


def secrets_url(project):
    return f"/api/widget/sites/{project.pk}/secrets"


def rotate_url(project):
    return f"/api/widget/sites/{project.pk}/secrets/rotate-mcp-token"


def test_owner_session_reads_the_secrets(owner, workspace, project):
    response = csrf_client(owner, workspace).get(secrets_url(project))
    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"
    assert response.json() == {
        "widget_token": project.widget_token,
        "mcp_token": project.mcp_token,
        "loader_secret_id": project.loader_secret_id,
    }
    audit = AuditLog.objects.get(action="project.reveal_secrets")
    assert (audit.actor_id, audit.target_id) == (f"user:{owner.pk}", project.pk)
    assert project.mcp_token not in str(audit.data)


@pytest.mark.parametrize("persona", ["member", "guest"])
def test_non_owner_sessions_get_403(request, workspace, project, persona):
    client = csrf_client(request.getfixturevalue(persona), workspace)
    for response in (client.get(secrets_url(project)), client.post(rotate_url(project))):
        assert response.status_code == 403
        assert response.json() == INSUFFICIENT_ROLE
    assert Project.objects.get(pk=project.pk).mcp_token == project.mcp_token
    assert not AuditLog.objects.filter(action__startswith="project.").exists()


@pytest.mark.parametrize("fixture", ["gf_token", "gf_guest_token"])
def test_tokens_get_403_insufficient_role(request, project, fixture):
    client = bearer_client(request.getfixturevalue(fixture).raw)
    for response in (client.get(secrets_url(project)), client.post(rotate_url(project))):
        assert response.status_code == 403
        assert response.json() == INSUFFICIENT_ROLE
    assert Project.objects.get(pk=project.pk).mcp_token == project.mcp_token


def test_rotated_mcp_url_follows_the_served_address_without_site_url(
    owner, workspace, project, settings
):
    settings.SITE_URL = ""
    response = csrf_client(owner, workspace).post(rotate_url(project))
    assert response.status_code == 200
    body = response.json()
    assert body["mcp_url"] == f"http://testserver/mcp/{body['mcp_token']}"


def test_secrets_without_credential_are_401(api_client, project):
    assert_gf_401(api_client.get(secrets_url(project)), "Missing bearer token.")


def test_rotating_the_mcp_token_kills_the_old_one_at_once(owner, workspace, project):
    old = project.mcp_token
    assert project_by_mcp_token(old) == project

    response = csrf_client(owner, workspace).post(rotate_url(project))

    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"
    body = response.json()
    new = body["mcp_token"]
    assert new != old
    assert new.startswith("gfmcp_")
    assert body == {
        "widget_token": project.widget_token,
        "mcp_token": new,
        "loader_secret_id": project.loader_secret_id,
        "mcp_url": f"http://127.0.0.1:8000/mcp/{new}",
    }
    assert project_by_mcp_token(old) is None
    assert project_by_mcp_token(new) == project
    audit = AuditLog.objects.get(action="project.rotate_mcp_token")
    assert (audit.actor_id, audit.target_id) == (f"user:{owner.pk}", project.pk)
    assert new not in str(audit.data)


def test_rotation_without_csrf_is_403_and_changes_nothing(owner, workspace, project):
    client = csrf_client(owner, workspace)
    client.credentials(HTTP_X_GF_WORKSPACE=workspace.pk)  # no X-CSRFToken
    response = client.post(rotate_url(project))
    assert response.status_code == 403
    assert response.json() == {"detail": "CSRF Failed: CSRF token missing."}
    assert Project.objects.get(pk=project.pk).mcp_token == project.mcp_token


def test_another_workspaces_site_secrets_are_404(owner, workspace, other_project):
    client = csrf_client(owner, workspace)
    for response in (
        client.get(secrets_url(other_project)),
        client.post(rotate_url(other_project)),
    ):
        assert response.status_code == 404
        assert response.json() == {"detail": "Site not found."}
    assert Project.objects.get(pk=other_project.pk).mcp_token == other_project.mcp_token


def test_outsider_session_naming_our_workspace_is_404(outsider, workspace, project):
    response = csrf_client(outsider, workspace).get(secrets_url(project))
    assert response.status_code == 404
    assert response.json() == {"detail": "Workspace not found."}


@pytest.mark.parametrize("site_id", ["%00", "nope", "%ED%A0%80"])
def test_malformed_site_ids_are_404(owner, workspace, site_id):
    response = csrf_client(owner, workspace).get(f"/api/widget/sites/{site_id}/secrets")
    assert response.status_code == 404
