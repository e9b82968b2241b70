"""The audit row of a change to one feedback item, written by feedback.services and
triage.audit inside the change's own transaction (STYLE 3.2)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from accounts import audit
from accounts.audit import Actor

if TYPE_CHECKING:
    from accounts.models import AuditLog
    from feedback.models import Item


def record_item(*, actor: Actor, item: Item, action: str, data: dict[str, Any]) -> None:
    item_entry(actor=actor, item=item, action=action, data=data).save(force_insert=True)


def item_entry(*, actor: Actor, item: Item, action: str, data: dict[str, Any]) -> AuditLog:
    """The unsaved audit row ``record_item`` writes."""
    return audit.build(
        actor=actor,
        workspace=item.project.workspace,
        action=action,
        target_type="feedback_item",
        target_id=item.pk,
        data=data,
    )
