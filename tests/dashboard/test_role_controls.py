"""Every control a page renders is one the viewer's role may use.

test_permissions.py proves the server refuses forged POSTs and pages above a role; this
file proves the other half of the rule ("forms that need OWNER are absent for others"):
for every persona and every page they can open, each POST form (``action`` or
``hx-post``) and each link into the workspace resolves to a view whose minimum role the
persona reaches. The minimums are the views' own ``required_role``, so the test follows
the code rather than a second copy of the table.
"""

from __future__ import annotations

from html.parser import HTMLParser
from urllib.parse import urlsplit

import pytest
from django.urls import Resolver404, resolve, reverse

from accounts.models import ROLE_RANK, Role, TokenFamily
from tests.dashboard.helpers import signed_in
from tests.factories import mint_token

ROLES = [Role.GUEST, Role.MEMBER, Role.ADMIN, Role.OWNER]

PAGES = [
    ("accounts:workspace-detail", False),
    ("accounts:workspace-settings", False),
    ("accounts:member-list", False),
    ("accounts:token-list", False),
    ("accounts:audit-list", False),
    ("projects:project-list", False),
    ("projects:project-create", False),
    ("projects:project-detail", True),
    ("projects:project-update", True),
    ("projects:secrets-detail", True),
    ("accounts:workspace-delete", False),
]


class Controls(HTMLParser):
    """Collects (kind, path) for POST forms, hx-post/hx-delete attributes and links."""

    def __init__(self) -> None:
        super().__init__()
        self.found: list[tuple[str, str]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "form" and a.get("method", "get").lower() == "post":
            self.found.append(("post", a.get("action", "")))
        for attr in ("hx-post", "hx-delete", "hx-put", "hx-patch"):
            if attr in a:
                self.found.append(("post", a[attr]))
        if tag == "a" and "href" in a:
            self.found.append(("link", a["href"]))


def minimum_role(path: str) -> str | None:
    """The minimum role of the dashboard view at ``path``; None for paths outside the
    workspace pages (sign-out, anchors, other apps' pages, static files)."""
    parts = urlsplit(path)
    if parts.scheme or not parts.path.startswith("/w/"):
        return None
    try:
        match = resolve(parts.path)
    except Resolver404:
        return None
    view_class = getattr(match.func, "view_class", None)
    if view_class is None or match.namespace not in ("accounts", "projects"):
        return None
    return getattr(view_class, "required_role", Role.GUEST)


@pytest.fixture
def rows(workspace, project, owner, admin, member, guest):
    """Something in every list, so every row-level control is rendered."""
    from accounts import services
    from accounts.audit import Actor

    for user in (owner, admin, member):
        mint_token(workspace=workspace, created_by=user, name=f"{user.email} token")
    mint_token(workspace=workspace, family=TokenFamily.MINOLITH, project=project, created_by=owner)
    mint_token(workspace=workspace, family=TokenFamily.WRITEBACK_READ, created_by=owner)
    services.invitation_create(
        workspace=workspace, email="new@example.com", role=Role.MEMBER, actor=Actor.for_user(owner)
    )


@pytest.mark.parametrize("role", ROLES)
def test_pages_render_only_controls_the_role_may_use(personas, workspace, project, rows, role):
    client = signed_in(personas[role])
    checked = 0
    for name, with_project in PAGES:
        kwargs = {"ws": workspace.pk}
        if with_project:
            kwargs["project_id"] = project.pk
        response = client.get(reverse(name, kwargs=kwargs))
        if response.status_code != 200:
            continue  # above this role: test_permissions.py checks the 403
        parser = Controls()
        parser.feed(response.content.decode())
        for kind, path in parser.found:
            needed = minimum_role(path)
            if needed is None:
                continue
            checked += 1
            assert ROLE_RANK[role] >= ROLE_RANK[needed], (
                f"{role} sees a {kind} to {path} (needs {needed}) on {name}"
            )
    assert checked > 0


@pytest.mark.parametrize("role", [Role.MEMBER, Role.ADMIN])
def test_owner_only_forms_are_absent_below_owner(personas, workspace, project, rows, role):
    """The OWNER-only controls by name, so a template change that drops the role check
    fails here with a readable message, not only in the generic walk above."""
    client = signed_in(personas[role])
    ws = workspace.pk
    members = client.get(reverse("accounts:member-list", kwargs={"ws": ws})).content.decode()
    assert "Send invitation" not in members
    assert "/invitations/" not in members
    assert 'name="role"' not in members
    assert "/remove/" not in members
    tokens = client.get(reverse("accounts:token-list", kwargs={"ws": ws})).content.decode()
    assert "Mint token" not in tokens
    assert reverse("accounts:token-create", kwargs={"ws": ws}) not in tokens
    settings_page = client.get(
        reverse("accounts:workspace-settings", kwargs={"ws": ws})
    ).content.decode()
    assert "Delete this workspace" not in settings_page
    detail = client.get(
        reverse("projects:project-detail", kwargs={"ws": ws, "project_id": project.pk})
    ).content.decode()
    assert "/secrets/" not in detail
