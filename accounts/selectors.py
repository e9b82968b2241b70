"""Account reads shared by the JSON API and the dashboard."""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import Case, IntegerField, QuerySet, Value, When
from django.utils import timezone

from accounts.audit import ACTOR_KINDS
from accounts.models import (
    ApiToken,
    AuditLog,
    Invitation,
    Membership,
    Role,
    TokenFamily,
    User,
    Workspace,
)
from config.ids import secret_digest


def api_token_list(
    *, workspace: Workspace, user: User | None, sees_all: bool
) -> QuerySet[ApiToken]:
    """The workspace's gfat_ tokens a caller may see and revoke: every one for an OWNER
    (``sees_all``), otherwise only the ones ``user`` created. One rule for
    ``/api/workspaces/{ws}/api-tokens`` and the dashboard's token page."""
    tokens = (
        ApiToken.objects.for_workspace(workspace)
        .filter(family=TokenFamily.GREATFEEDBACK)
        .select_related("created_by")
    )
    if not sees_all:
        tokens = tokens.filter(created_by=user)
    return tokens


def membership_list(*, workspace: Workspace) -> QuerySet[Membership]:
    """The workspace's members: owners first, then by role, then by email."""
    rank = Case(
        *(When(role=r, then=Value(i)) for i, r in enumerate(Role.values)),
        output_field=IntegerField(),
    )
    return (
        Membership.objects.for_workspace(workspace)
        .select_related("user", "workspace")
        .annotate(role_order=rank)
        .order_by("role_order", "user__email")
    )


def invitation_pending_list(*, workspace: Workspace) -> QuerySet[Invitation]:
    """Invitations that can still be accepted (not accepted, revoked or expired), newest first."""
    return (
        Invitation.objects.filter(
            workspace=workspace,
            accepted_at__isnull=True,
            revoked_at__isnull=True,
            expires_at__gt=timezone.now(),
        )
        .select_related("invited_by")
        .order_by("-created_at")
    )


def audit_action_list(*, workspace: Workspace) -> list[str]:
    """The actions recorded in this workspace, for the audit page's filter."""
    rows = AuditLog.objects.filter(workspace=workspace).values_list("action", flat=True)
    return sorted(set(rows.distinct()))


def audit_entry_list(
    *, workspace: Workspace, actor_kind: str = "", action: str = ""
) -> QuerySet[AuditLog]:
    """The workspace's audit rows, newest first; ``actor_kind`` is a key of ACTOR_KINDS."""
    rows = AuditLog.objects.filter(workspace=workspace)
    if actor_kind == "system":
        rows = rows.filter(actor_id="system")
    elif actor_kind in ACTOR_KINDS:
        rows = rows.filter(actor_id__startswith=f"{actor_kind}:")
    if action:
        rows = rows.filter(action=action)
    return rows.order_by("-created_at", "-id")


def audit_actor_labels(*, workspace: Workspace, actor_ids: Iterable[str]) -> dict[str, str]:
    """Readable names for ``actor_ids``: three queries at most, however many there are
    (users by id; tokens, and the projects of MCP and widget actors, only from this
    workspace). An actor that no longer resolves keeps its raw id as its label."""
    from projects.models import Project  # projects.models imports accounts.models

    ids: dict[str, set[str]] = {kind: set() for kind in ACTOR_KINDS}
    for actor_id in actor_ids:
        kind, _, ident = actor_id.partition(":")
        if kind in ids and ident:
            ids[kind].add(ident)
    labels: dict[str, str] = {"system": ACTOR_KINDS["system"]}
    user_ids = [int(i) for i in ids["user"] if i.isdigit()]
    if user_ids:
        for pk, email in User.objects.filter(pk__in=user_ids).values_list("pk", "email"):
            labels[f"user:{pk}"] = email
    if ids["token"]:
        for token in ApiToken.objects.for_workspace(workspace).filter(pk__in=ids["token"]):
            labels[f"token:{token.pk}"] = f"{token.name} ({token.prefix}…{token.last4})"
    project_ids = ids["mcp"] | ids["widget"]
    if project_ids:
        names = {
            str(pk): name
            for pk, name in Project.objects.for_workspace(workspace)
            .filter(pk__in=project_ids)
            .values_list("pk", "name")
        }
        for kind, prefix in (("mcp", "MCP"), ("widget", "Widget")):
            for project_id in ids[kind] & names.keys():
                labels[f"{kind}:{project_id}"] = f"{prefix} · {names[project_id]}"
    return labels


def invitation_exists(*, raw: str) -> bool:
    """Whether ``raw`` ever was an invitation link (a used one is 410, an unknown one 404)."""
    return Invitation.objects.filter(token_hash=secret_digest(raw)).exists()


def user_email_taken(*, email: str) -> bool:
    return User.objects.filter(email__iexact=email).exists()
