"""Who did a write, and the audit row that records it.

``actor_id`` is ``<kind>:<id>`` for the kinds in ``ACTOR_KINDS`` (or ``system``), so operators
can grep MCP calls and widget submissions apart from people and API tokens. ``record`` must be
called inside the service's transaction so the row and its audit entry commit together.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from accounts.models import AuditLog

if TYPE_CHECKING:
    from accounts.models import ApiToken, User, Workspace

# Every actor kind an audit row can name, with the audit page's label for it.
ACTOR_KINDS: dict[str, str] = {
    "user": "People",
    "token": "API tokens",
    "mcp": "MCP",
    "widget": "Public widget",
    "system": "System",
}


@dataclass(frozen=True)
class Actor:
    actor_id: str
    user: User | None = None
    # The agent an MCP client named (X-Minolith-Agent): kept in every audit row it writes.
    agent: str = ""

    @classmethod
    def for_user(cls, user: User) -> Actor:
        return cls(actor_id=f"user:{user.pk}", user=user)

    @classmethod
    def for_token(cls, token: ApiToken) -> Actor:
        return cls(actor_id=f"token:{token.pk}", user=token.created_by)

    @classmethod
    def for_mcp(cls, site_id: str) -> Actor:
        return cls(actor_id=f"mcp:{site_id}")

    @classmethod
    def for_widget(cls, project_id: str) -> Actor:
        """An anonymous visitor posting through a project's public widget."""
        return cls(actor_id=f"widget:{project_id}")

    @classmethod
    def system(cls) -> Actor:
        return cls(actor_id="system")


def record(
    *,
    actor: Actor,
    workspace: Workspace | None,
    action: str,
    target_type: str = "",
    target_id: str | int = "",
    data: dict[str, Any] | None = None,
) -> AuditLog:
    entry = build(
        actor=actor,
        workspace=workspace,
        action=action,
        target_type=target_type,
        target_id=target_id,
        data=data,
    )
    entry.save(force_insert=True)
    return entry


def build(
    *,
    actor: Actor,
    workspace: Workspace | None,
    action: str,
    target_type: str = "",
    target_id: str | int = "",
    data: dict[str, Any] | None = None,
) -> AuditLog:
    """The unsaved row ``record`` writes, for a write that inserts it in the same statement
    as the change (``config.onestatement``)."""
    return AuditLog(
        workspace=workspace,
        actor_id=actor.actor_id,
        action=action,
        target_type=target_type,
        target_id=str(target_id),
        data={**(data or {}), "agent": actor.agent} if actor.agent else (data or {}),
    )
