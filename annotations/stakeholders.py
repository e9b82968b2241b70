"""Stakeholders: named people whose link (``gfst_`` token) lets them annotate a site and,
per their ``auto_fix_default``, authorise unattended fixes.

Members create, edit and revoke them (``/api/widget/sites/{id}/stakeholders``); guests
list them. Each write records its audit row in the same transaction. Revoking keeps the
row (its annotations keep their provenance) and takes effect at once: ``stakeholder_resolve``
only finds active rows, so the next submission with that token is anonymous and lands
``auto_fix: false``.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone

from accounts import audit
from accounts.audit import Actor
from annotations import constants as C
from annotations.models import AutoFixDefault, Stakeholder
from config.api.errors import ApiError, ErrorCode, FieldError, not_found
from config.ids import new_secret, secret_digest
from projects.models import Project

EDITABLE = ("name", "email", "auto_fix_default")


def _record(*, actor: Actor, stakeholder: Stakeholder, project: Project, action: str,
            data: dict[str, Any] | None = None) -> None:  # fmt: skip
    audit.record(
        actor=actor,
        workspace=project.workspace,
        action=action,
        target_type="stakeholder",
        target_id=stakeholder.pk,
        data={"site_id": project.pk, **(data or {})},
    )


def stakeholder_list(*, project: Project) -> Any:
    """The site's active stakeholders, newest first."""
    return Stakeholder.objects.for_project(project).active()


def stakeholder_get(*, project: Project, token: str) -> Stakeholder:
    """The site's active stakeholder with this token; 404 otherwise (revoked included)."""
    row = stakeholder_resolve(project=project, token=token)
    if row is None:
        raise not_found("Stakeholder not found.")
    return row


def stakeholder_resolve(*, project: Project, token: str) -> Stakeholder | None:
    """The active stakeholder of ``project`` whose token this is, or None. Looked up by the
    token's SHA-256 (the unique index); a token of another site names nobody here."""
    if not token.startswith(C.STAKEHOLDER_TOKEN_PREFIX) or len(token) > 128:
        return None
    return (
        Stakeholder.objects.for_project(project)
        .active()
        .filter(token_hash=secret_digest(token))
        .first()
    )


def stakeholder_create(
    *,
    project: Project,
    actor: Actor,
    name: str = "",
    email: str = "",
    auto_fix_default: str = AutoFixDefault.OPTIONAL_OFF,
) -> Stakeholder:
    raw = new_secret(C.STAKEHOLDER_TOKEN_PREFIX)
    with transaction.atomic(durable=True):
        stakeholder = Stakeholder.objects.create(
            project=project,
            token=raw,
            token_hash=secret_digest(raw),
            name=name,
            email=email,
            auto_fix_default=auto_fix_default,
        )
        _record(
            actor=actor,
            stakeholder=stakeholder,
            project=project,
            action="stakeholder.create",
            data={"auto_fix_default": auto_fix_default},
        )
    return stakeholder


def stakeholder_update(
    *, stakeholder: Stakeholder, project: Project, actor: Actor, **changes: Any
) -> Stakeholder:
    unknown = set(changes) - set(EDITABLE)
    if unknown:
        raise ValueError(f"not editable: {sorted(unknown)}")
    changed = {k: v for k, v in changes.items() if getattr(stakeholder, k) != v}
    if not changed:
        return stakeholder
    with transaction.atomic(durable=True):
        for key, value in changed.items():
            setattr(stakeholder, key, value)
        stakeholder.save(update_fields=list(changed))
        _record(
            actor=actor,
            stakeholder=stakeholder,
            project=project,
            action="stakeholder.update",
            data={"fields": sorted(changed)},
        )
    return stakeholder


def stakeholder_revoke(*, stakeholder: Stakeholder, project: Project, actor: Actor) -> None:
    """Revoke at once: the row's ``revoked_at`` is set in a conditional update, so two
    concurrent revokes write one audit row."""
    with transaction.atomic(durable=True):
        now = timezone.now()
        updated = Stakeholder.objects.filter(pk=stakeholder.pk, revoked_at__isnull=True).update(
            revoked_at=now
        )
        if not updated:
            raise not_found("Stakeholder not found.")
        stakeholder.revoked_at = now
        _record(actor=actor, stakeholder=stakeholder, project=project, action="stakeholder.revoke")


def stakeholder_seen(*, stakeholder: Stakeholder) -> None:
    """The link was used (the widget checked it): ``last_seen_at`` is now."""
    now = timezone.now()
    Stakeholder.objects.filter(pk=stakeholder.pk).update(last_seen_at=now)
    stakeholder.last_seen_at = now


def invalid_auto_fix_default() -> ApiError:
    message = f"auto_fix_default must be one of: {', '.join(AutoFixDefault.values)}."
    return ApiError(
        ErrorCode.BAD_REQUEST, message, 400, fields=[FieldError("auto_fix_default", message)]
    )
