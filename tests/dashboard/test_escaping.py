"""Text people type is shown as text on every dashboard page, never as markup.

Hostile names go in through the dashboard's own forms (workspace rename, token mint,
project key mint, project settings, invitation sign-up), so they also reach the audit
log's details and the htmx confirm prompts. No template uses |safe or mark_safe on them;
this proves the autoescaping holds on every page that shows them.
"""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from accounts import services
from accounts.audit import Actor
from accounts.models import Role, TokenFamily
from tests.dashboard.helpers import signed_in

XSS = '"><img src=x onerror=alert(1)>'
RAW = "<img src=x"
ESCAPED = "&lt;img src=x"


@pytest.fixture
def hostile(owner, workspace, project):
    """Every user-typed field the dashboard shows, set through its form."""
    client = signed_in(owner)
    ws = workspace.pk

    def post(name, data, **kw):
        response = client.post(reverse(name, kwargs={"ws": ws, **kw}), data)
        assert response.status_code in (201, 302), (name, response.status_code)

    post("accounts:workspace-rename", {"name": f"WS {XSS}"})
    post("accounts:token-create", {"name": f"token {XSS}", "role": Role.MEMBER})
    post(
        "projects:key-create",
        {"family": TokenFamily.MINOLITH, "name": f"key {XSS}"},
        project_id=project.pk,
    )
    post(
        "projects:project-update",
        {"name": f"Project {XSS}", "slug": project.slug, "domain": ""},
        project_id=project.pk,
    )
    # A newcomer whose display name is hostile, through the invitation sign-up form.
    _, raw = services.invitation_create(
        workspace=workspace,
        email="mallory@example.com",
        role=Role.MEMBER,
        actor=Actor.for_user(owner),
    )
    newcomer = Client()
    response = newcomer.post(
        reverse("accounts:invitation-accept", kwargs={"token": raw}),
        {
            "name": f"Mallory {XSS}",
            "password1": "long-enough-pass-42",
            "password2": "long-enough-pass-42",
        },
    )
    assert response.status_code == 302
    _, pending = services.invitation_create(
        workspace=workspace,
        email="later@example.com",
        role=Role.GUEST,
        actor=Actor.for_user(owner),
    )
    return {"client": client, "pending": pending}


PAGES = [
    ("accounts:workspace-detail", False),
    ("accounts:workspace-settings", False),
    ("accounts:workspace-delete", False),
    ("accounts:member-list", False),
    ("accounts:token-list", False),
    ("accounts:audit-list", False),
    ("projects:project-list", False),
    ("projects:project-detail", True),
    ("projects:project-update", True),
    ("projects:secrets-detail", True),
]


@pytest.mark.parametrize(("name", "with_project"), PAGES)
def test_user_text_is_escaped_on_every_page(hostile, workspace, project, name, with_project):
    kwargs = {"ws": workspace.pk}
    if with_project:
        kwargs["project_id"] = project.pk
    response = hostile["client"].get(reverse(name, kwargs=kwargs))
    assert response.status_code == 200
    html = response.content.decode()
    assert ESCAPED in html  # the hostile text is on the page...
    assert RAW not in html  # ...only as text


def test_invitation_page_escapes_the_workspace_name(hostile):
    url = reverse("accounts:invitation-accept", kwargs={"token": hostile["pending"]})
    html = Client().get(url).content.decode()
    assert ESCAPED in html
    assert RAW not in html


def test_deleted_workspace_banner_escapes_the_name(hostile, owner, workspace):
    workspace.refresh_from_db()
    services.workspace_soft_delete(workspace=workspace, user=owner)
    response = hostile["client"].get(
        reverse("accounts:workspace-detail", kwargs={"ws": workspace.pk})
    )
    assert response.status_code == 403
    html = response.content.decode()
    assert ESCAPED in html
    assert RAW not in html
