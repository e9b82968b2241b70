"""CSRF on every form, beyond the workspace pages test_permissions.py walks.

Two halves: every POST form the dashboard can render carries a token (sign-in and
password pages, confirmation pages, the invitation page, the deleted-workspace banner,
htmx fragments), and every POST endpoint refuses a request without one, writing nothing.
"""

from __future__ import annotations

import pytest
from django.contrib.auth.tokens import default_token_generator
from django.test import Client
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from accounts import services
from accounts.audit import Actor
from accounts.models import ApiToken, Role, TokenFamily, User
from tests.dashboard import test_permissions as matrix
from tests.dashboard.helpers import HTMX, post_forms, signed_in
from tests.factories import DEFAULT_PASSWORD, mint_token

# The rows and POSTs test_permissions.py forges, reused so both files aim at the same list.
targets = matrix.targets


def assert_every_form_has_a_token(html: str) -> None:
    assert post_forms(html) >= 1, html[:500]
    assert html.count("csrfmiddlewaretoken") == post_forms(html)


@pytest.mark.parametrize(
    "path",
    ["/accounts/login/", "/accounts/password_reset/", "/workspaces/new/"],
)
def test_signed_out_and_account_pages_carry_tokens(owner, path):
    client = signed_in(owner) if path == "/workspaces/new/" else Client()
    assert_every_form_has_a_token(client.get(path).content.decode())


def test_password_change_and_reset_confirm_carry_tokens(owner):
    assert_every_form_has_a_token(
        signed_in(owner).get("/accounts/password_change/").content.decode()
    )
    uid = urlsafe_base64_encode(force_bytes(owner.pk))
    token = default_token_generator.make_token(owner)
    page = Client().get(f"/accounts/reset/{uid}/{token}/", follow=True)
    assert "Choose a new password" in page.content.decode()
    assert_every_form_has_a_token(page.content.decode())


def test_home_create_form_carries_a_token(db):
    user = User.objects.create_user(email="solo@example.com", password=DEFAULT_PASSWORD)
    assert_every_form_has_a_token(signed_in(user).get("/").content.decode())


def test_confirmation_pages_carry_tokens(owner, workspace, project, member):
    client = signed_in(owner)
    ws = workspace.pk
    token, _ = mint_token(workspace=workspace, created_by=owner, name="t")
    key, _ = mint_token(
        workspace=workspace, family=TokenFamily.MINOLITH, project=project, created_by=owner
    )
    for url in (
        reverse("accounts:token-revoke", kwargs={"ws": ws, "token_id": token.pk}),
        reverse("accounts:member-remove", kwargs={"ws": ws, "user_id": member.pk}),
        reverse(
            "projects:key-revoke", kwargs={"ws": ws, "project_id": project.pk, "key_id": key.pk}
        ),
    ):
        assert_every_form_has_a_token(client.get(url).content.decode())


def test_invitation_page_carries_a_token_in_each_variant(owner, workspace, member, outsider):
    def link(email):
        _, raw = services.invitation_create(
            workspace=workspace, email=email, role=Role.GUEST, actor=Actor.for_user(owner)
        )
        return reverse("accounts:invitation-accept", kwargs={"token": raw})

    # new account, existing account signed out, signed in
    assert_every_form_has_a_token(Client().get(link("new@example.com")).content.decode())
    assert_every_form_has_a_token(Client().get(link(outsider.email)).content.decode())
    url = link("someone@example.com")
    assert_every_form_has_a_token(signed_in(outsider).get(url).content.decode())


def test_deleted_workspace_banner_carries_a_token(owner, workspace):
    services.workspace_soft_delete(workspace=workspace, user=owner)
    response = signed_in(owner).get(
        reverse("accounts:workspace-detail", kwargs={"ws": workspace.pk})
    )
    assert response.status_code == 403
    assert_every_form_has_a_token(response.content.decode())


def test_htmx_fragments_carry_tokens(owner, workspace, member):
    client = signed_in(owner)
    ws = workspace.pk
    # A mint with errors answers the fragment (a valid one redirects: test_post_redirect_get).
    refused = client.post(
        reverse("accounts:token-create", kwargs={"ws": ws}),
        {"name": "", "role": Role.MEMBER},
        **HTMX,
    )
    assert refused.status_code == 200
    assert_every_form_has_a_token(refused.content.decode())
    token, _ = mint_token(workspace=workspace, created_by=owner, name="frag")
    revoked = client.post(
        reverse("accounts:token-revoke", kwargs={"ws": ws, "token_id": token.pk}),
        {"confirm": "yes"},
        **HTMX,
    )
    assert revoked.status_code == 200
    assert_every_form_has_a_token(revoked.content.decode())
    row = client.post(
        reverse("accounts:member-role", kwargs={"ws": ws, "user_id": member.pk}),
        {"role": Role.GUEST},
        **HTMX,
    )
    assert_every_form_has_a_token(row.content.decode())


ACTIONS = [
    "workspace-rename",
    "workspace-delete",
    "member-role",
    "member-remove",
    "invitation-create",
    "invitation-revoke",
    "token-create",
    "project-create",
    "project-update",
    "key-create",
    "key-revoke",
    "ingest-key-rotate",
    "secrets-reveal",
    "secrets-rotate",
]


@pytest.mark.parametrize("action", ACTIONS)
def test_owner_post_without_csrf_token_is_refused_and_writes_nothing(
    owner, workspace, project, targets, action
):
    url, data = matrix.actions(workspace, project, targets)[action]
    before = matrix.snapshot(workspace, project)
    response = signed_in(owner, csrf=True).post(url, data)
    assert response.status_code == 403
    assert project.mcp_token not in response.content.decode()
    assert matrix.snapshot(workspace, project) == before


def test_token_revoke_and_restore_without_csrf_token_are_refused(owner, workspace):
    token, _ = mint_token(workspace=workspace, created_by=owner, name="keep")
    client = signed_in(owner, csrf=True)
    url = reverse("accounts:token-revoke", kwargs={"ws": workspace.pk, "token_id": token.pk})
    assert client.post(url, {"confirm": "yes"}).status_code == 403
    assert ApiToken.objects.get(pk=token.pk).revoked_at is None
    services.workspace_soft_delete(workspace=workspace, user=owner)
    restore = reverse("accounts:workspace-restore", kwargs={"ws": workspace.pk})
    assert client.post(restore).status_code == 403
    workspace.refresh_from_db()
    assert workspace.is_deleted


def test_sign_in_and_invitation_accept_without_csrf_token_are_refused(owner, workspace):
    client = Client(enforce_csrf_checks=True)
    response = client.post(
        "/accounts/login/", {"username": owner.email, "password": DEFAULT_PASSWORD}
    )
    assert response.status_code == 403
    _, raw = services.invitation_create(
        workspace=workspace, email="new@example.com", role=Role.MEMBER, actor=Actor.for_user(owner)
    )
    url = reverse("accounts:invitation-accept", kwargs={"token": raw})
    data = {"name": "New", "password1": "long-enough-pass-42", "password2": "long-enough-pass-42"}
    assert client.post(url, data).status_code == 403
    assert not User.objects.filter(email="new@example.com").exists()
