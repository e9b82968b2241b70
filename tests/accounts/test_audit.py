"""The audit log: one row per write, in the write's own transaction, with actor_id
``user:<id>`` / ``token:<id>`` / ``mcp:<site_id>`` / ``system``."""

from __future__ import annotations

import pytest
from django.db import IntegrityError

from accounts import services
from accounts.audit import ACTOR_KINDS, Actor
from accounts.models import ApiToken, AuditLog, Membership, Role, TokenFamily
from projects import services as project_services
from projects.models import Project
from tests.config.helpers import csrf_client, tokens_url
from tests.factories import mint_token


def test_actor_ids_name_people_tokens_mcp_widget_and_the_system(owner, gf_token, project):
    assert Actor.for_user(owner).actor_id == f"user:{owner.pk}"
    assert Actor.for_token(gf_token.token).actor_id == f"token:{gf_token.token.pk}"
    assert Actor.for_token(gf_token.token).user == owner
    assert Actor.for_mcp(project.pk).actor_id == f"mcp:{project.pk}"
    assert Actor.for_widget(project.pk).actor_id == f"widget:{project.pk}"
    assert Actor.system().actor_id == "system"
    actors = [
        Actor.for_user(owner),
        Actor.for_token(gf_token.token),
        Actor.for_mcp("x"),
        Actor.for_widget("x"),
        Actor.system(),
    ]
    # Every kind written is one the audit page can filter and label.
    assert [a.actor_id.split(":")[0] for a in actors] == list(ACTOR_KINDS)


def test_every_account_and_project_write_records_its_actor(workspace, owner, member, project):
    me = Actor.for_user(owner)
    token, _ = mint_token(workspace=workspace, created_by=owner)
    by_token = Actor.for_token(token)
    by_mcp = Actor.for_mcp(project.pk)
    membership = Membership.objects.get(workspace=workspace, user=member)
    AuditLog.objects.all().delete()

    services.workspace_rename(workspace=workspace, name="Renamed", actor=me)
    services.membership_set_role(membership=membership, role=Role.GUEST, actor=me)
    invitation, _ = services.invitation_create(
        workspace=workspace, email="x@example.com", role=Role.GUEST, actor=me
    )
    services.invitation_revoke(invitation=invitation, actor=me)
    project_services.project_update(project=project, actor=by_token, name="Shop")
    project_services.project_rotate_mcp_token(project=project, actor=me)
    project_services.project_rotate_ingest_key(project=project, actor=me)
    created = project_services.project_create(workspace=workspace, name="New", actor=by_mcp)
    services.api_token_revoke(token=token, actor=me)
    services.membership_remove(membership=Membership.objects.get(pk=membership.pk), actor=me)

    rows = list(AuditLog.objects.order_by("id").values_list("action", "actor_id", "target_id"))
    assert rows == [
        ("workspace.rename", f"user:{owner.pk}", workspace.pk),
        ("member.role", f"user:{owner.pk}", str(member.pk)),
        ("invitation.create", f"user:{owner.pk}", invitation.pk),
        ("invitation.revoke", f"user:{owner.pk}", invitation.pk),
        ("project.update", f"token:{token.pk}", project.pk),
        ("project.rotate_mcp_token", f"user:{owner.pk}", project.pk),
        ("project.rotate_ingest_key", f"user:{owner.pk}", project.pk),
        ("project.create", f"mcp:{project.pk}", created.pk),
        ("api_token.revoke", f"user:{owner.pk}", token.pk),
        ("member.remove", f"user:{owner.pk}", str(member.pk)),
    ]
    assert all(row.workspace_id == workspace.pk for row in AuditLog.objects.all())


def test_api_writes_are_audited_as_the_session_user(workspace, owner, project):
    client = csrf_client(owner, workspace)
    token_id = client.post(tokens_url(workspace), {"name": "ci"}, format="json").json()["id"]
    client.post(f"/api/widget/sites/{project.pk}/secrets/rotate-mcp-token")
    client.delete(f"{tokens_url(workspace)}/{token_id}")
    rows = list(
        AuditLog.objects.filter(workspace=workspace)
        .exclude(action__in=["workspace.create"])
        .order_by("id")
        .values_list("action", "actor_id")
    )
    assert rows == [
        ("api_token.create", f"user:{owner.pk}"),
        ("project.rotate_mcp_token", f"user:{owner.pk}"),
        ("api_token.revoke", f"user:{owner.pk}"),
    ]
    create = AuditLog.objects.get(action="api_token.create")
    assert create.data == {
        "family": "gfat",
        "name": "ci",
        "role": "MEMBER",
        "last4": ApiToken.objects.get(pk=token_id).last4,
    }


def test_a_failed_write_leaves_no_audit_row(workspace, owner):
    """The row and its audit entry commit together: a Minolith key without a project breaks
    a CheckConstraint, and neither the token nor its audit row remains."""
    before = AuditLog.objects.count()
    with pytest.raises(IntegrityError):
        services.api_token_mint(
            workspace=workspace,
            family=TokenFamily.MINOLITH,
            name="no project",
            actor=Actor.for_user(owner),
        )
    assert AuditLog.objects.count() == before
    assert not ApiToken.objects.exists()


def test_audit_log_never_holds_a_plaintext_secret(workspace, owner, project):
    _, raw = mint_token(workspace=workspace, created_by=owner)
    new_mcp = project_services.project_rotate_mcp_token(
        project=project, actor=Actor.for_user(owner)
    )
    dump = repr(list(AuditLog.objects.values()))
    assert raw not in dump
    assert new_mcp not in dump
    assert Project.objects.get(pk=project.pk).mcp_token == new_mcp
