"""The only place accounts rows are written. Each write records its audit row in the same
durable transaction (STYLE 3.2, ZU zerver/actions)."""

from __future__ import annotations

import logging
import secrets
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from accounts import audit
from accounts.audit import Actor
from accounts.errors import (
    InvitationGone,
    LastOwner,
    NotWorkspaceOwner,
    WorkspaceGracePeriodOver,
)
from accounts.models import (
    TOKEN_PREFIXES,
    TOKEN_ROLES,
    ApiToken,
    Invitation,
    InvitationEmailStatus,
    Membership,
    Role,
    TokenFamily,
    User,
    Workspace,
)
from accounts.signals import workspace_created
from accounts.tasks import invitation_email_send
from config.ids import new_secret, secret_digest
from config.site import site_url as default_site_url

if TYPE_CHECKING:
    from projects.models import Project  # projects.models imports accounts.models

logger = logging.getLogger("backtalk.accounts")


def user_create(*, email: str, password: str | None, name: str = "") -> User:
    return User.objects.create_user(email=email, password=password, name=name)


def _record_workspace(
    workspace: Workspace, *, actor: Actor, action: str, data: dict[str, Any] | None = None
) -> None:
    """The audit row of a change to the workspace itself (its own log names it)."""
    audit.record(
        actor=actor,
        workspace=workspace,
        action=action,
        target_type="workspace",
        target_id=workspace.pk,
        data=data,
    )


def workspace_create(*, owner: User, name: str, actor: Actor | None = None) -> Workspace:
    actor = actor or Actor.for_user(owner)
    with transaction.atomic(durable=True):
        workspace = Workspace.objects.create(name=name)
        Membership.objects.create(workspace=workspace, user=owner, role=Role.OWNER)
        _record_workspace(workspace, actor=actor, action="workspace.create", data={"name": name})
        workspace_created.send(sender=Workspace, workspace=workspace)
    return workspace


def workspace_rename(*, workspace: Workspace, name: str, actor: Actor) -> Workspace:
    with transaction.atomic(durable=True):
        old = workspace.name
        workspace.name = name
        workspace.save(update_fields=["name"])
        _record_workspace(
            workspace, actor=actor, action="workspace.rename", data={"from": old, "to": name}
        )
    return workspace


def _require_owner(workspace: Workspace, user: User | None) -> None:
    if (
        user is None
        or not Membership.objects.filter(workspace=workspace, user=user, role=Role.OWNER).exists()
    ):
        raise NotWorkspaceOwner()


def workspace_soft_delete(*, workspace: Workspace, user: User) -> Workspace:
    """OWNER only. Tokens answer 401 and sessions 403 until restore or purge. Deleting an
    already deleted workspace changes nothing (the grace period keeps its first start)."""
    _require_owner(workspace, user)
    if not workspace.is_deleted:
        _set_deleted(workspace, user, deleted=True)
    return workspace


def workspace_restore(*, workspace: Workspace, user: User) -> Workspace:
    """OWNER only, within the grace period: after it the workspace is awaiting its purge and
    stays deleted (410), whether or not purge_workspaces has run yet."""
    _require_owner(workspace, user)
    if not workspace.is_deleted:
        return workspace
    purge_after = workspace.purge_after
    if purge_after is not None and purge_after <= timezone.now():
        raise WorkspaceGracePeriodOver()
    _set_deleted(workspace, user, deleted=False)
    return workspace


def _set_deleted(workspace: Workspace, user: User, *, deleted: bool) -> None:
    with transaction.atomic(durable=True):
        workspace.deleted_at = timezone.now() if deleted else None
        workspace.deleted_by = user if deleted else None
        workspace.save(update_fields=["deleted_at", "deleted_by"])
        _record_workspace(
            workspace,
            actor=Actor.for_user(user),
            action="workspace.delete" if deleted else "workspace.restore",
        )


def workspace_purge_expired(*, now: datetime | None = None) -> list[str]:
    """Hard-delete workspaces whose grace period is over; returns their ids."""
    now = now or timezone.now()
    cutoff = now - timedelta(days=settings.WORKSPACE_DELETE_GRACE_DAYS)
    ids = list(Workspace.objects.filter(deleted_at__lte=cutoff).values_list("pk", flat=True))
    for workspace_id in ids:
        with transaction.atomic(durable=True):
            Workspace.objects.filter(pk=workspace_id).delete()
            audit.record(
                actor=Actor.system(),
                workspace=None,
                action="workspace.purge",
                target_type="workspace",
                target_id=workspace_id,
            )
    return ids


def _guard_last_owner(membership: Membership) -> None:
    """Call inside the transaction: locks the workspace's OWNER rows so two owners demoting
    each other at the same moment cannot leave the workspace without one."""
    owners = list(
        Membership.objects.select_for_update()
        .filter(workspace_id=membership.workspace_id, role=Role.OWNER)
        .values_list("pk", flat=True)
    )
    if owners == [membership.pk]:
        raise LastOwner()


def membership_set_role(*, membership: Membership, role: str, actor: Actor) -> Membership:
    """Raises LastOwner when it would demote the workspace's only OWNER."""
    with transaction.atomic(durable=True):
        if role != Role.OWNER:
            _guard_last_owner(membership)
        old = membership.role
        membership.role = Role(role)
        membership.save(update_fields=["role"])
        audit.record(
            actor=actor,
            workspace=membership.workspace,
            action="member.role",
            target_type="user",
            target_id=membership.user_id,
            data={"from": old, "to": membership.role},
        )
    return membership


def membership_remove(*, membership: Membership, actor: Actor) -> None:
    """Raises LastOwner when it would remove the workspace's only OWNER. The person leaving
    saw the plaintext of every token they minted here, so those tokens are revoked too."""
    with transaction.atomic(durable=True):
        _guard_last_owner(membership)
        revoked = list(
            ApiToken.objects.active()
            .filter(workspace_id=membership.workspace_id, created_by_id=membership.user_id)
            .values_list("pk", flat=True)
        )
        ApiToken.objects.filter(pk__in=revoked).update(revoked_at=timezone.now())
        audit.record(
            actor=actor,
            workspace=membership.workspace,
            action="member.remove",
            target_type="user",
            target_id=membership.user_id,
            data={"revoked_tokens": revoked},
        )
        membership.delete()


def invitation_link(*, site_url: str, raw: str) -> str:
    """The accept URL that the email carries and the inviting owner sees once."""
    return f"{site_url}{reverse('accounts:invitation-accept', kwargs={'token': raw})}"


def invitation_create(
    *, workspace: Workspace, email: str, role: str, actor: Actor, site_url: str | None = None
) -> tuple[Invitation, str]:
    """Returns the invitation and the raw link secret (never stored). The email with the
    link (built on ``site_url``: the request's, from the view) is a task enqueued once the
    row is committed; its outcome lands in ``email_status``."""
    raw = secrets.token_urlsafe(32)
    link = invitation_link(site_url=site_url or default_site_url(), raw=raw)
    with transaction.atomic(durable=True):
        invitation = Invitation.objects.create(
            workspace=workspace,
            email=email.lower(),
            role=Role(role),
            token_hash=secret_digest(raw),
            invited_by=actor.user,
            expires_at=timezone.now() + timedelta(days=settings.INVITATION_TTL_DAYS),
        )
        audit.record(
            actor=actor,
            workspace=workspace,
            action="invitation.create",
            target_type="invitation",
            target_id=invitation.pk,
            data={"email": invitation.email, "role": invitation.role},
        )
        pk = invitation.pk
        transaction.on_commit(lambda: _enqueue_invitation_email(pk, link))
    return invitation, raw


def _enqueue_invitation_email(invitation_id: str, link: str) -> None:
    """Runs after commit. A queue that cannot take the task must not lose the invitation
    (the owner has the link on screen): it is logged and the row says the email failed."""
    try:
        invitation_email_send.enqueue(invitation_id, link)
    except Exception:
        logger.exception("could not enqueue the invitation email for %s", invitation_id)
        Invitation.objects.filter(pk=invitation_id).update(
            email_status=InvitationEmailStatus.FAILED
        )


def invitation_lookup(raw: str) -> Invitation:
    invitation = (
        Invitation.objects.select_related("workspace").filter(token_hash=secret_digest(raw)).first()
    )
    if invitation is None:
        raise InvitationGone("This invitation link is not valid.")
    if not invitation.is_pending or invitation.workspace.is_deleted:
        raise InvitationGone()
    return invitation


def invitation_accept(*, raw: str, user: User) -> Membership:
    """Adds ``user`` with the invited role; a second accept or a revoked link is 410."""
    with transaction.atomic(durable=True):
        invitation = invitation_lookup(raw)
        # Lock the row so two simultaneous accepts cannot both succeed.
        invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
        if invitation.accepted_at is not None or invitation.revoked_at is not None:
            raise InvitationGone()
        membership, created = Membership.objects.get_or_create(
            workspace=invitation.workspace, user=user, defaults={"role": invitation.role}
        )
        invitation.accepted_at = timezone.now()
        invitation.accepted_by = user
        invitation.save(update_fields=["accepted_at", "accepted_by"])
        audit.record(
            actor=Actor.for_user(user),
            workspace=invitation.workspace,
            action="invitation.accept",
            target_type="invitation",
            target_id=invitation.pk,
            data={"new_member": created},
        )
    return membership


def invitation_revoke(*, invitation: Invitation, actor: Actor) -> Invitation:
    _revoke(invitation, workspace=invitation.workspace, actor=actor, target_type="invitation")
    return invitation


def clamp_token_role(role: str | None) -> str:
    """Tokens are MEMBER or GUEST: OWNER and ADMIN requests are clamped down to MEMBER."""
    if not role:
        return Role.MEMBER
    if role in TOKEN_ROLES:
        return role
    return Role.MEMBER


def api_token_mint(
    *,
    workspace: Workspace,
    family: str,
    name: str,
    actor: Actor,
    role: str | None = None,
    expires_at: datetime | None = None,
    project: Project | None = None,
) -> tuple[ApiToken, str]:
    """Mint a token; returns ``(row, plaintext)``. Only the digest and last 4 are stored."""
    family = TokenFamily(family)
    raw = new_secret(TOKEN_PREFIXES[family])
    with transaction.atomic(durable=True):
        token = ApiToken.objects.create(
            family=family,
            workspace=workspace,
            project=project,
            name=name,
            role=clamp_token_role(role),
            created_by=actor.user,
            token_hash=secret_digest(raw),
            last4=raw[-4:],
            expires_at=expires_at,
        )
        audit.record(
            actor=actor,
            workspace=workspace,
            action="api_token.create",
            target_type="api_token",
            target_id=token.pk,
            data={"family": family, "name": name, "role": token.role, "last4": token.last4},
        )
    return token, raw


def api_token_revoke(*, token: ApiToken, actor: Actor) -> ApiToken:
    """Immediate: the next request with this token is a 401."""
    data = {"family": token.family, "last4": token.last4}
    _revoke(token, workspace=token.workspace, actor=actor, target_type="api_token", data=data)
    return token


def _revoke(
    row: ApiToken | Invitation,
    *,
    workspace: Workspace,
    actor: Actor,
    target_type: str,
    data: dict[str, str] | None = None,
) -> None:
    """Stamp ``revoked_at`` (its first time stands) and audit ``<target_type>.revoke``."""
    with transaction.atomic(durable=True):
        if row.revoked_at is None:
            row.revoked_at = timezone.now()
            row.save(update_fields=["revoked_at"])
        audit.record(
            actor=actor,
            workspace=workspace,
            action=f"{target_type}.revoke",
            target_type=target_type,
            target_id=row.pk,
            data=data,
        )
