"""Workspaces: soft delete with a grace period (tokens 401, sessions 403), restore by the
OWNER (both back to 200), purge after the grace period; memberships and their tokens."""

from __future__ import annotations

from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from accounts import services
from accounts.audit import Actor
from accounts.errors import NotWorkspaceOwner, WorkspaceGracePeriodOver
from accounts.models import ApiToken, AuditLog, Membership, Role, Workspace
from projects.models import Project
from tests.config.helpers import assert_gf_401, assert_wb_401, csrf_client, tokens_url
from tests.conftest import bearer_client
from tests.factories import mint_token

SITES = "/api/v1/sites"
DELETED_FOR_SESSION = {
    "detail": "This workspace has been deleted; its owner can restore it within the grace period."
}


def test_workspace_create_makes_the_creator_owner(owner):
    workspace = services.workspace_create(owner=owner, name="Acme")
    assert len(workspace.pk) == 32
    assert Membership.objects.get(workspace=workspace).role == Role.OWNER
    audit = AuditLog.objects.get(workspace=workspace)
    assert (audit.action, audit.actor_id) == ("workspace.create", f"user:{owner.pk}")


def test_deleted_workspace_is_401_for_tokens_403_for_sessions_until_restored(
    owner, workspace, project, gf_token, wk_sk_key
):
    gf = bearer_client(gf_token.raw)
    wb = bearer_client(wk_sk_key.raw)
    session = csrf_client(owner, workspace)
    assert gf.get(SITES).status_code == 200
    assert session.get(SITES).status_code == 200

    services.workspace_soft_delete(workspace=workspace, user=owner)

    assert_gf_401(gf.get(SITES), "Workspace has been deleted.")
    assert_wb_401(wb.get("/v1/projects"), "Workspace has been deleted.")
    for url in (SITES, tokens_url(workspace), f"/api/widget/sites/{project.pk}/secrets"):
        response = session.get(url)
        assert response.status_code == 403, url
        assert response.json() == DELETED_FOR_SESSION

    services.workspace_restore(workspace=Workspace.objects.get(pk=workspace.pk), user=owner)

    assert gf.get(SITES).status_code == 200
    assert wb.get("/v1/projects").status_code == 200
    assert session.get(SITES).status_code == 200
    assert session.get(tokens_url(workspace)).status_code == 200
    actions = list(AuditLog.objects.filter(workspace=workspace).values_list("action", "actor_id"))
    assert ("workspace.delete", f"user:{owner.pk}") in actions
    assert ("workspace.restore", f"user:{owner.pk}") in actions


@pytest.mark.parametrize("persona", ["member", "guest", "outsider"])
def test_only_the_owner_deletes_or_restores(request, workspace, owner, persona):
    user = request.getfixturevalue(persona)
    with pytest.raises(NotWorkspaceOwner) as excinfo:
        services.workspace_soft_delete(workspace=workspace, user=user)
    assert excinfo.value.status == 403
    assert Workspace.objects.get(pk=workspace.pk).deleted_at is None

    services.workspace_soft_delete(workspace=workspace, user=owner)
    with pytest.raises(NotWorkspaceOwner):
        services.workspace_restore(workspace=workspace, user=user)
    assert Workspace.objects.get(pk=workspace.pk).is_deleted


def test_deleting_twice_keeps_the_first_grace_start(workspace, owner):
    services.workspace_soft_delete(workspace=workspace, user=owner)
    first = Workspace.objects.get(pk=workspace.pk).deleted_at
    services.workspace_soft_delete(workspace=Workspace.objects.get(pk=workspace.pk), user=owner)
    assert Workspace.objects.get(pk=workspace.pk).deleted_at == first
    assert AuditLog.objects.filter(action="workspace.delete").count() == 1


def test_restore_after_the_grace_period_is_410(workspace, owner, settings):
    services.workspace_soft_delete(workspace=workspace, user=owner)
    Workspace.objects.filter(pk=workspace.pk).update(
        deleted_at=timezone.now() - timedelta(days=settings.WORKSPACE_DELETE_GRACE_DAYS, seconds=1)
    )
    with pytest.raises(WorkspaceGracePeriodOver) as excinfo:
        services.workspace_restore(workspace=Workspace.objects.get(pk=workspace.pk), user=owner)
    assert excinfo.value.status == 410
    assert Workspace.objects.get(pk=workspace.pk).is_deleted


def test_purge_removes_only_workspaces_past_their_grace_period(owner, settings):
    grace = timedelta(days=settings.WORKSPACE_DELETE_GRACE_DAYS)
    expired = services.workspace_create(owner=owner, name="expired")
    recent = services.workspace_create(owner=owner, name="recent")
    alive = services.workspace_create(owner=owner, name="alive")
    for ws in (expired, recent):
        services.workspace_soft_delete(workspace=ws, user=owner)
    mint_token(workspace=expired, created_by=owner)
    Project.objects.create(
        workspace=expired,
        name="gone",
        slug="gone",
        ingest_key_hash="a",
        widget_token_hash="b",
        mcp_token_hash="c",
    )
    Workspace.objects.filter(pk=expired.pk).update(
        deleted_at=timezone.now() - grace - timedelta(minutes=1)
    )
    Workspace.objects.filter(pk=recent.pk).update(
        deleted_at=timezone.now() - grace + timedelta(minutes=1)
    )

    out = StringIO()
    call_command("purge_workspaces", stdout=out)

    assert out.getvalue() == f"purged 1 workspace(s)\n  {expired.pk}\n"
    assert set(Workspace.objects.values_list("pk", flat=True)) == {recent.pk, alive.pk}
    assert not ApiToken.objects.filter(workspace_id=expired.pk).exists()
    assert not Project.objects.filter(workspace_id=expired.pk).exists()
    purge = AuditLog.objects.get(action="workspace.purge")
    assert (purge.actor_id, purge.target_id, purge.workspace_id) == ("system", expired.pk, None)

    out = StringIO()
    call_command("purge_workspaces", stdout=out)  # nothing left to purge: idempotent
    assert out.getvalue() == "purged 0 workspace(s)\n"


def test_removing_a_member_revokes_the_tokens_they_minted(workspace, owner, member, project):
    membership = Membership.objects.get(workspace=workspace, user=member)
    services.membership_set_role(
        membership=membership, role=Role.OWNER, actor=Actor.for_user(owner)
    )
    token, raw = mint_token(workspace=workspace, created_by=member)
    assert bearer_client(raw).get(SITES).status_code == 200

    services.membership_remove(
        membership=Membership.objects.get(pk=membership.pk), actor=Actor.for_user(owner)
    )

    assert_gf_401(bearer_client(raw).get(SITES), "Token has been revoked.")
    assert ApiToken.objects.get(pk=token.pk).revoked_at is not None
    audit = AuditLog.objects.get(action="member.remove")
    assert audit.data == {"revoked_tokens": [token.pk]}


def test_a_token_never_outranks_its_creators_current_role(workspace, owner, member, project):
    # Bob mints while he is OWNER, then is demoted to GUEST: his MEMBER token acts as GUEST.
    membership = Membership.objects.get(workspace=workspace, user=member)
    services.membership_set_role(
        membership=membership, role=Role.OWNER, actor=Actor.for_user(owner)
    )
    token, raw = mint_token(workspace=workspace, created_by=member)
    services.membership_set_role(
        membership=Membership.objects.get(pk=membership.pk),
        role=Role.GUEST,
        actor=Actor.for_user(owner),
    )
    from accounts.tokens import resolve_api_token

    assert resolve_api_token(raw, token.family).role == Role.GUEST
    assert ApiToken.objects.get(pk=token.pk).role == Role.MEMBER  # the grant is unchanged
    assert bearer_client(raw).get(SITES).status_code == 200  # GUEST still reads


def test_a_token_whose_creator_left_by_other_means_is_401(workspace, owner, member, project):
    _, raw = mint_token(workspace=workspace, created_by=member)
    Membership.objects.filter(workspace=workspace, user=member).delete()  # e.g. the admin
    assert_gf_401(
        bearer_client(raw).get(SITES), "Token owner is no longer a member of this workspace."
    )
