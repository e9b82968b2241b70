"""The audit row of a change to one feedback item, written by feedback.services and
triage.audit inside the change's own transaction (STYLE 3.2)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from accounts import audit
from accounts.audit import Actor

if TYPE_CHECKING:
    from feedback.models import Item


def record_item(*, actor: Actor, item: Item, action: str, data: dict[str, Any]) -> None:
    audit.record(
        actor=actor,
        workspace=item.project.workspace,
        action=action,
        target_type="feedback_item",
        target_id=item.pk,
        data=data,
    )
