"""The audit row of a triage change to any triaged object, inside the change's transaction.

The target type and the action prefix come from the object's model
(``TriagedFields.triage_audit_target`` / ``triage_audit_prefix``), so an item's rows stay
``feedback_item`` / ``feedback.item.triage`` as before the move."""

from __future__ import annotations

from typing import Any

from accounts import audit
from accounts.audit import Actor
from triage.models import TriagedFields


def record_triage(*, actor: Actor, obj: TriagedFields, action: str, data: dict[str, Any]) -> None:
    audit.record(
        actor=actor,
        workspace=obj.project.workspace,  # type: ignore[attr-defined]
        action=f"{obj.triage_audit_prefix}.{action}",
        target_type=obj.triage_audit_target,
        target_id=obj.pk,
        data=data,
    )
