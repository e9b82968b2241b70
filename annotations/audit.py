"""The audit row of a change to one annotation, written by every annotation writer (the
widget submission, services, resolutions, persona runs) inside the change's own transaction
(STYLE 3.2), so the audit log names the target the same way whoever wrote."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from accounts import audit
from accounts.audit import Actor

if TYPE_CHECKING:
    from accounts.models import Workspace
    from annotations.models import Annotation


def record_annotation(
    *,
    actor: Actor,
    annotation: Annotation,
    action: str,
    data: dict[str, Any],
    workspace: Workspace | None = None,
) -> None:
    """``workspace`` when the caller holds it already (saves reading it off the site)."""
    audit.record(
        actor=actor,
        workspace=workspace or annotation.project.workspace,
        action=action,
        target_type="annotation",
        target_id=annotation.pk,
        data=data,
    )
