"""The role matrix of every dashboard page and action (docs/dashboard.md, "Permissions").

Pages below a persona's role answer 403; forged POSTs below the action's role answer 403
and write nothing; a workspace you are not in is a 404 whatever you try; every form carries
a CSRF token and a POST without one is refused.
"""

from __future__ import annotations

import pytest
from django.urls import reverse

from accounts import services
from accounts.audit import Actor
from accounts.models import ROLE_RANK, ApiToken, Invitation, Membership, Role, TokenFamily
from tests.dashboard.helpers import audit_count, post_forms, signed_in
from tests.factories import mint_token

ROLES = [Role.GUEST, Role.MEMBER, Role.ADMIN, Role.OWNER]

# (url name, needs project, minimum role)
PAGES = [
    ("accounts:workspace-detail", False, Role.GUEST),
    ("accounts:workspace-settings", False, Role.GUEST),
    ("accounts:member-list", False, Role.GUEST),
    ("projects:project-list", False, Role.GUEST),
    ("projects:project-detail", True, Role.GUEST),
    ("accounts:token-list", False, Role.MEMBER),
    ("accounts:audit-list", False, Role.ADMIN),
    ("projects:project-create", False, Role.ADMIN),
    ("projects:project-update", True, Role.ADMIN),
    ("accounts:workspace-delete", False, Role.OWNER),
    ("projects:secrets-detail", True, Role.OWNER),
]


def page_url(name: str, with_project: bool, workspace, project) -> str:
    kwargs = {"ws": workspace.pk}
    if with_project:
        kwargs["project_id"] = project.pk
    return reverse(name, kwargs=kwargs)


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(("name", "with_project", "minimum"), PAGES)
def test_page_answers_by_role(personas, workspace, project, role, name, with_project, minimum):
    response = signed_in(personas[role]).get(page_url(name, with_project, workspace, project))
    expected = 200 if ROLE_RANK[role] >= ROLE_RANK[minimum] else 403
    assert response.status_code == expected


@pytest.mark.parametrize(("name", "with_project", "minimum"), PAGES)
def test_page_in_other_workspace_is_404(
    outsider_client, workspace, project, name, with_project, minimum
):
    response = outsider_client.get(page_url(name, with_project, workspace, project))
    assert response.status_code == 404


@pytest.mark.parametrize(("name", "with_project", "minimum"), PAGES)
def test_page_needs_sign_in(client, workspace, project, name, with_project, minimum):
    url = page_url(name, with_project, workspace, project)
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/?next=")


def test_project_of_other_workspace_under_own_workspace_url_is_404(
    owner_client, workspace, other_project
):
    for name in ("projects:project-detail", "projects:secrets-detail", "projects:project-update"):
        url = reverse(name, kwargs={"ws": workspace.pk, "project_id": other_project.pk})
        assert owner_client.get(url).status_code == 404
    url = reverse(
        "projects:secrets-reveal", kwargs={"ws": workspace.pk, "project_id": other_project.pk}
    )
    response = owner_client.post(url)
    assert response.status_code == 404
    assert other_project.mcp_token not in response.content.decode()


@pytest.fixture
def targets(workspace, project, owner, member):
    """Rows the forged POSTs aim at."""
    invitation, _ = services.invitation_create(
        workspace=workspace,
        email="new@example.com",
        role=Role.MEMBER,
        actor=Actor.for_user(owner),
    )
    key, _ = mint_token(
        workspace=workspace, family=TokenFamily.MINOLITH, project=project, created_by=owner
    )
    return {"invitation": invitation, "key": key, "member": member}


def actions(workspace, project, targets):
    """(url, data) for every POST of the dashboard; ACTION_MINIMUM has their roles."""
    ws = workspace.pk
    pid = project.pk

    def url(name, **kw):
        return reverse(name, kwargs={"ws": ws, **kw})

    return {
        "workspace-rename": (url("accounts:workspace-rename"), {"name": "Hacked"}),
        "workspace-delete": (url("accounts:workspace-delete"), {"confirm_name": workspace.name}),
        "workspace-restore": (url("accounts:workspace-restore"), {}),
        "member-role": (
            url("accounts:member-role", user_id=targets["member"].pk),
            {"role": Role.OWNER},
        ),
        "member-remove": (
            url("accounts:member-remove", user_id=targets["member"].pk),
            {"confirm": "yes"},
        ),
        "invitation-create": (
            url("accounts:invitation-create"),
            {"email": "x@example.com", "role": Role.OWNER},
        ),
        "invitation-revoke": (
            url("accounts:invitation-revoke", invitation_id=targets["invitation"].pk),
            {},
        ),
        "token-create": (url("accounts:token-create"), {"name": "x", "role": Role.MEMBER}),
        "project-create": (url("projects:project-create"), {"name": "Forged"}),
        "project-update": (
            url("projects:project-update", project_id=pid),
            {"name": "Forged", "slug": "forged"},
        ),
        "key-create": (
            url("projects:key-create", project_id=pid),
            {"family": "mlth", "name": "forged"},
        ),
        "key-revoke": (
            url("projects:key-revoke", project_id=pid, key_id=targets["key"].pk),
            {"confirm": "yes"},
        ),
        "ingest-key-rotate": (
            url("projects:ingest-key-rotate", project_id=pid),
            {"confirm": "yes"},
        ),
        "secrets-reveal": (url("projects:secrets-reveal", project_id=pid), {}),
        "secrets-rotate": (url("projects:secrets-rotate", project_id=pid), {"confirm": "on"}),
    }


ACTION_MINIMUM = {
    "workspace-rename": Role.ADMIN,
    "workspace-delete": Role.OWNER,
    "workspace-restore": Role.OWNER,
    "member-role": Role.OWNER,
    "member-remove": Role.OWNER,
    "invitation-create": Role.OWNER,
    "invitation-revoke": Role.OWNER,
    "token-create": Role.OWNER,
    "project-create": Role.ADMIN,
    "project-update": Role.ADMIN,
    "key-create": Role.ADMIN,
    "key-revoke": Role.ADMIN,
    "ingest-key-rotate": Role.ADMIN,
    "secrets-reveal": Role.OWNER,
    "secrets-rotate": Role.OWNER,
}
ACTION_NAMES = list(ACTION_MINIMUM)
FORGED = [
    (action, role)
    for action, minimum in ACTION_MINIMUM.items()
    for role in ROLES
    if ROLE_RANK[role] < ROLE_RANK[minimum]
]


def snapshot(workspace, project):
    workspace.refresh_from_db()
    project.refresh_from_db()
    return (
        audit_count(),
        workspace.name,
        workspace.deleted_at,
        sorted(Membership.objects.filter(workspace=workspace).values_list("user_id", "role")),
        ApiToken.objects.filter(revoked_at__isnull=True).count(),
        ApiToken.objects.count(),
        Invitation.objects.filter(revoked_at__isnull=True).count(),
        project.name,
        project.ingest_key,
        project.mcp_token,
    )


@pytest.mark.parametrize(("action", "role"), FORGED)
def test_forged_post_below_role_is_403_and_changes_nothing(
    personas, workspace, project, targets, role, action
):
    url, data = actions(workspace, project, targets)[action]
    before = snapshot(workspace, project)
    response = signed_in(personas[role]).post(url, data)
    assert response.status_code == 403
    assert project.mcp_token not in response.content.decode()
    assert project.widget_token not in response.content.decode()
    assert snapshot(workspace, project) == before


@pytest.mark.parametrize("action", ACTION_NAMES)
def test_post_into_other_workspace_is_404(outsider_client, workspace, project, targets, action):
    url, data = actions(workspace, project, targets)[action]
    before = snapshot(workspace, project)
    assert outsider_client.post(url, data).status_code == 404
    assert snapshot(workspace, project) == before


@pytest.mark.parametrize(
    ("name", "with_project"),
    [
        ("accounts:workspace-detail", False),
        ("accounts:workspace-settings", False),
        ("accounts:member-list", False),
        ("projects:project-list", False),
        ("projects:project-detail", True),
    ],
)
def test_guest_pages_have_no_write_forms(guest_client, workspace, project, name, with_project):
    html = guest_client.get(page_url(name, with_project, workspace, project)).content.decode()
    # The only POST form a guest sees is "Sign out".
    assert post_forms(html) == 1
    assert 'action="/accounts/logout/"' in html
    assert project.ingest_key not in html


@pytest.mark.parametrize(("name", "with_project"), [(n, p) for n, p, _ in PAGES])
def test_every_post_form_carries_a_csrf_token(
    owner_client, workspace, project, name, with_project, member
):
    html = owner_client.get(page_url(name, with_project, workspace, project)).content.decode()
    assert post_forms(html) >= 1
    assert html.count("csrfmiddlewaretoken") == post_forms(html)


def test_post_without_csrf_token_is_refused(owner, workspace):
    client = signed_in(owner, csrf=True)
    before = ApiToken.objects.count()
    response = client.post(
        reverse("accounts:token-create", kwargs={"ws": workspace.pk}),
        {"name": "no csrf", "role": Role.MEMBER},
    )
    assert response.status_code == 403
    assert ApiToken.objects.count() == before


def test_post_with_csrf_token_from_the_page_is_accepted(owner, workspace):
    client = signed_in(owner, csrf=True)
    url = reverse("accounts:token-list", kwargs={"ws": workspace.pk})
    client.get(url)
    response = client.post(
        reverse("accounts:token-create", kwargs={"ws": workspace.pk}),
        {
            "name": "with csrf",
            "role": Role.MEMBER,
            "csrfmiddlewaretoken": client.cookies["csrftoken"].value,
        },
    )
    assert response.status_code == 302
    assert ApiToken.objects.filter(name="with csrf").exists()
