"""OWNER-only secrets: not in the page's HTML, revealed by an explicit POST that redirects to
the page showing them once (no-store, audited), MCP token rotation with a confirmation; the
old token stops at once."""

from __future__ import annotations

from django.urls import reverse

from accounts.models import AuditLog
from projects.selectors import project_by_mcp_token
from tests.dashboard.helpers import HTMX, audit_count


def purl(name, project):
    return reverse(name, kwargs={"ws": project.workspace_id, "project_id": project.pk})


def test_secrets_page_does_not_contain_the_secrets(owner_client, project):
    response = owner_client.get(purl("projects:secrets-detail", project))
    assert response.status_code == 200
    html = response.content.decode()
    for value in (project.widget_token, project.mcp_token, project.loader_secret_id):
        assert value not in html
    assert "Reveal secrets" in html


def test_reveal_shows_the_values_once_no_store_and_audits(owner_client, owner, project, settings):
    settings.SITE_URL = "https://fb.example.org"
    response = owner_client.post(purl("projects:secrets-reveal", project))
    assert response.status_code == 302
    assert response["Location"] == purl("projects:secrets-detail", project) + "#secrets"
    shown = owner_client.get(response["Location"])
    assert shown["Cache-Control"] == "no-store"
    html = shown.content.decode()
    for value in (project.widget_token, project.mcp_token, project.loader_secret_id):
        assert value in html
    assert f"claude mcp add greatfeedback https://fb.example.org/mcp/{project.mcp_token}" in html
    entry = AuditLog.objects.get(action="project.reveal_secrets")
    assert entry.actor_id == f"user:{owner.pk}"
    assert entry.target_id == project.pk
    assert project.mcp_token not in str(entry.data)


def test_reveal_over_htmx_navigates_to_the_page_showing_them(owner_client, project):
    response = owner_client.post(purl("projects:secrets-reveal", project), **HTMX)
    assert response.status_code == 204
    assert response["HX-Redirect"] == purl("projects:secrets-detail", project) + "#secrets"
    assert project.mcp_token not in response.content.decode()
    assert project.mcp_token in owner_client.get(response["HX-Redirect"]).content.decode()


def test_reveal_by_get_is_not_allowed(owner_client, project):
    response = owner_client.get(purl("projects:secrets-reveal", project))
    assert response.status_code == 405
    assert project.mcp_token not in response.content.decode()


def test_rotate_needs_the_confirmation(owner_client, project):
    old = project.mcp_token
    before = audit_count()
    response = owner_client.post(purl("projects:secrets-rotate", project))
    assert response.status_code == 400
    assert "Tick the box to confirm" in response.content.decode()
    project.refresh_from_db()
    assert project.mcp_token == old
    assert audit_count() == before


def test_rotate_replaces_the_mcp_token_and_the_old_one_stops(
    owner_client, owner, project, settings
):
    settings.SITE_URL = "https://fb.example.org"
    old = project.mcp_token
    assert project_by_mcp_token(old) == project
    response = owner_client.post(purl("projects:secrets-rotate", project), {"confirm": "on"})
    assert response.status_code == 302
    assert response["Location"] == purl("projects:secrets-detail", project)
    shown = owner_client.get(response["Location"])
    assert shown["Cache-Control"] == "no-store"
    project.refresh_from_db()
    assert project.mcp_token != old
    assert project_by_mcp_token(old) is None
    assert project_by_mcp_token(project.mcp_token) == project
    html = shown.content.decode()
    assert "New MCP token issued" in html
    assert f"https://fb.example.org/mcp/{project.mcp_token}" in html
    assert old not in html
    entry = AuditLog.objects.get(action="project.rotate_mcp_token")
    assert entry.actor_id == f"user:{owner.pk}"


def test_rotated_token_is_what_the_secrets_api_reveals(owner, owner_client, project, workspace):
    from tests.conftest import session_client

    owner_client.post(purl("projects:secrets-rotate", project), {"confirm": "on"})
    project.refresh_from_db()
    api = session_client(owner, workspace).get(f"/api/widget/sites/{project.pk}/secrets")
    assert api.status_code == 200
    assert api.json()["mcp_token"] == project.mcp_token
