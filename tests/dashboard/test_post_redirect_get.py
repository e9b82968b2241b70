"""POST/redirect/GET: every state-changing accounts POST answers with a redirect, and the
page it leads to can be requested again (a second GET, or a browser reload) without
writing anything or showing a minted secret a second time.

Each case performs one POST as a browser would, follows the redirect, then requests the
result page twice more (plainly and as a reload) and compares the database before and
after: tokens, invitations, memberships, workspaces and audit rows.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from accounts import services
from accounts.audit import Actor
from accounts.models import ApiToken, AuditLog, Invitation, Membership, Role, Workspace
from tests.dashboard.helpers import HTMX, signed_in
from tests.factories import UserFactory, mint_token

RELOAD: dict[str, Any] = {"HTTP_CACHE_CONTROL": "max-age=0"}  # what a browser reload sends


def state() -> dict[str, Any]:
    """Everything an accounts POST can change."""
    return {
        "tokens": sorted(ApiToken.objects.values_list("pk", "revoked_at")),
        "invitations": sorted(Invitation.objects.values_list("pk", "accepted_at", "revoked_at")),
        "memberships": sorted(Membership.objects.values_list("workspace_id", "user_id", "role")),
        "workspaces": sorted(Workspace.objects.values_list("pk", "name", "deleted_at")),
        "audit": AuditLog.objects.count(),
    }


@dataclass
class Post:
    client: Client
    url: str
    data: dict[str, Any]
    secret: Callable[[str], str | None] = lambda html: None  # finds a shown-once secret


def ws_url(name: str, workspace: Workspace, **kw: Any) -> str:
    return reverse(name, kwargs={"ws": workspace.pk, **kw})


def invitation_link(html: str) -> str | None:
    match = re.search(r'id="invite-url"[^>]*>([^<]+)<', html)
    return match.group(1) if match else None


def new_token(html: str) -> str | None:
    match = re.search(r'id="new-token"[^>]*>(gfat_[0-9a-f]+)<', html)
    return match.group(1) if match else None


def workspace_create(ctx: dict[str, Any]) -> Post:
    return Post(signed_in(ctx["owner"]), reverse("accounts:workspace-create"), {"name": "New"})


def workspace_rename(ctx: dict[str, Any]) -> Post:
    url = ws_url("accounts:workspace-rename", ctx["workspace"])
    return Post(signed_in(ctx["owner"]), url, {"name": "Renamed"})


def workspace_delete(ctx: dict[str, Any]) -> Post:
    url = ws_url("accounts:workspace-delete", ctx["workspace"])
    return Post(signed_in(ctx["owner"]), url, {"confirm_name": ctx["workspace"].name})


def workspace_restore(ctx: dict[str, Any]) -> Post:
    services.workspace_soft_delete(workspace=ctx["workspace"], user=ctx["owner"])
    return Post(signed_in(ctx["owner"]), ws_url("accounts:workspace-restore", ctx["workspace"]), {})


def member_role(ctx: dict[str, Any]) -> Post:
    url = ws_url("accounts:member-role", ctx["workspace"], user_id=ctx["member"].pk)
    return Post(signed_in(ctx["owner"]), url, {"role": Role.GUEST})


def member_remove(ctx: dict[str, Any]) -> Post:
    url = ws_url("accounts:member-remove", ctx["workspace"], user_id=ctx["member"].pk)
    return Post(signed_in(ctx["owner"]), url, {"confirm": "yes"})


def invitation_create(ctx: dict[str, Any]) -> Post:
    url = ws_url("accounts:invitation-create", ctx["workspace"])
    data = {"email": "new@example.com", "role": Role.MEMBER}
    return Post(signed_in(ctx["owner"]), url, data, secret=invitation_link)


def invite(ctx: dict[str, Any], email: str) -> tuple[Invitation, str]:
    return services.invitation_create(
        workspace=ctx["workspace"], email=email, role=Role.GUEST, actor=Actor.for_user(ctx["owner"])
    )


def invitation_revoke(ctx: dict[str, Any]) -> Post:
    invitation, _ = invite(ctx, "new@example.com")
    url = ws_url("accounts:invitation-revoke", ctx["workspace"], invitation_id=invitation.pk)
    return Post(signed_in(ctx["owner"]), url, {})


def invitation_accept(ctx: dict[str, Any]) -> Post:
    _, raw = invite(ctx, "dora@example.com")
    dora = signed_in(UserFactory.create(email="dora@example.com"))
    return Post(dora, reverse("accounts:invitation-accept", kwargs={"token": raw}), {})


def token_create(ctx: dict[str, Any]) -> Post:
    url = ws_url("accounts:token-create", ctx["workspace"])
    return Post(signed_in(ctx["owner"]), url, {"name": "CI", "role": Role.MEMBER}, new_token)


def token_revoke(ctx: dict[str, Any]) -> Post:
    token, _ = mint_token(workspace=ctx["workspace"], created_by=ctx["owner"], name="ci")
    url = ws_url("accounts:token-revoke", ctx["workspace"], token_id=token.pk)
    return Post(signed_in(ctx["owner"]), url, {"confirm": "yes"})


CASES = [
    workspace_create,
    workspace_rename,
    workspace_delete,
    workspace_restore,
    member_role,
    member_remove,
    invitation_create,
    invitation_revoke,
    invitation_accept,
    token_create,
    token_revoke,
]


@pytest.fixture
def ctx(owner, workspace, member) -> dict[str, Any]:
    return {"owner": owner, "workspace": workspace, "member": member}


@pytest.mark.parametrize("case", CASES, ids=lambda case: case.__name__)
def test_post_redirects_and_the_result_page_changes_nothing_when_requested_again(
    case, ctx, django_capture_on_commit_callbacks
):
    post = case(ctx)
    before = state()
    with django_capture_on_commit_callbacks(execute=True):
        response = post.client.post(post.url, post.data)
    assert response.status_code == 302, response.content.decode()[:300]
    written = state()
    assert written != before  # the POST did its write
    result = response["Location"]

    first = post.client.get(result)
    assert first.status_code in (200, 403)  # 403: the banner page of a deleted workspace
    secret = post.secret(first.content.decode())
    assert state() == written

    for again in (post.client.get(result), post.client.get(result, **RELOAD)):
        assert again.status_code == first.status_code
        assert state() == written
        html = again.content.decode()
        if secret is not None:
            assert secret not in html
            assert post.secret(html) is None
    # The two POSTs that mint a secret showed it on the first GET, and only there.
    assert (secret is not None) == (case in (invitation_create, token_create))


@pytest.mark.parametrize("case", [token_create, invitation_create], ids=lambda c: c.__name__)
def test_a_shown_once_page_is_not_cached(case, ctx):
    post = case(ctx)
    response = post.client.post(post.url, post.data)
    page = post.client.get(response["Location"])
    assert post.secret(page.content.decode())
    assert page["Cache-Control"] == "no-store"


def test_token_mint_over_htmx_redirects_and_a_reload_mints_nothing(ctx):
    post = token_create(ctx)
    response = post.client.post(post.url, post.data, **HTMX)
    assert response.status_code == 204
    written = state()
    assert len(written["tokens"]) == 1
    first = post.client.get(response["HX-Redirect"])
    plaintext = new_token(first.content.decode())
    assert plaintext
    reload = post.client.get(response["HX-Redirect"], **RELOAD)
    assert plaintext not in reload.content.decode()
    assert state() == written


@pytest.mark.parametrize(
    "case", [member_role, invitation_revoke, token_revoke], ids=lambda c: c.__name__
)
def test_htmx_in_place_actions_leave_only_a_page_that_changes_nothing(case, ctx):
    """htmx swaps these answers into the page: the browser's URL stays the list page, so a
    reload is a GET of that list."""
    post = case(ctx)
    before = state()
    response = post.client.post(post.url, post.data, **HTMX)
    assert response.status_code == 200
    assert "HX-Redirect" not in response
    written = state()
    assert written != before
    page = {
        member_role: "accounts:member-list",
        invitation_revoke: "accounts:member-list",
        token_revoke: "accounts:token-list",
    }[case]
    assert post.client.get(ws_url(page, ctx["workspace"]), **RELOAD).status_code == 200
    assert state() == written
