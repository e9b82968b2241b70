"""Writes to an annotation and its thread: the one implementation the REST API, the
dashboard, the MCP server and the resolution notifier all call.

Each write runs in a durable transaction with its audit row (``accounts.audit``), naming the
caller as the ``Actor`` it came in as (``user:``, ``token:``, ``mcp:``, ``widget:``,
``system``). Validation that only the data can answer (is the assignee a member of this
workspace?) lives here; shapes and sizes are checked again here too, so a caller that skips
its serializer (MCP, a task) still cannot store what the document forbids.
"""

from __future__ import annotations

from enum import Enum
from typing import Final

from django.db import transaction
from django.utils import timezone

from accounts.audit import Actor
from accounts.models import Membership
from annotations import constants as C
from annotations.audit import record_annotation
from annotations.models import Annotation, AnnotationStatus, Reply, ReplyAuthorKind
from config.api.errors import ApiError, ErrorCode


class _Unset(Enum):
    UNSET = "unset"


UNSET: Final = _Unset.UNSET
"""A PATCH field the client left out (``None`` is a value: it clears the assignee)."""


def unknown_status(value: object) -> ApiError:
    accepted = ", ".join(AnnotationStatus.values)
    shown = repr(value) if len(repr(value)) <= 64 else repr(value)[:60] + "..."
    return ApiError(
        ErrorCode.BAD_REQUEST, f"Unknown status {shown}. Accepted values are: {accepted}.", 400
    )


def summary_too_long() -> ApiError:
    return ApiError(ErrorCode.BAD_REQUEST, "summary must be at most 4 KB (4,096 bytes).", 400)


# User ids are BigAutoField: a larger number names no one (and would overflow the query).
_USER_ID_MAX = 2**63 - 1


def _check_assignee(annotation: Annotation, assignee_id: int | None) -> int | None:
    if assignee_id is None:
        return None
    if not 1 <= assignee_id <= _USER_ID_MAX:
        raise ApiError(
            ErrorCode.BAD_REQUEST, "assignee_id must be a member of this workspace.", 400
        )
    member = Membership.objects.filter(
        workspace_id=annotation.project.workspace_id, user_id=assignee_id
    ).exists()
    if not member:
        raise ApiError(
            ErrorCode.BAD_REQUEST, "assignee_id must be a member of this workspace.", 400
        )
    return assignee_id


def annotation_update(
    *,
    annotation: Annotation,
    actor: Actor,
    status: object = UNSET,
    summary: str | _Unset = UNSET,
    assignee_id: int | _Unset | None = UNSET,
) -> Annotation:
    """PATCH: change ``status``, ``summary`` ("" clears) and/or ``assignee_id`` (None clears).

    Unchanged fields are left out; with nothing left the annotation is returned untouched (no
    write, no audit row, ``updated_at`` kept), so a retried PATCH is harmless.
    """
    changes: dict[str, object] = {}
    if status is not UNSET:
        if not isinstance(status, str) or status not in AnnotationStatus.values:
            raise unknown_status(status)
        changes["status"] = status
    if summary is not UNSET:
        if len(summary.encode()) > C.SUMMARY_MAX_BYTES:
            raise summary_too_long()
        changes["summary"] = summary
    if assignee_id is not UNSET:
        changes["assignee_id"] = _check_assignee(annotation, assignee_id)
    diff = {
        name: (getattr(annotation, name), value)
        for name, value in changes.items()
        if getattr(annotation, name) != value
    }
    if not diff:
        return annotation
    with transaction.atomic(durable=True):
        for name, (_, value) in diff.items():
            setattr(annotation, name, value)
        annotation.updated_at = timezone.now()
        annotation.save(update_fields=[*diff, "updated_at"])
        record_annotation(
            actor=actor,
            annotation=annotation,
            action="annotation.update",
            data={"changes": {name: [old, new] for name, (old, new) in diff.items()}},
        )
    return annotation


def author_kind_for(actor: Actor) -> ReplyAuthorKind:
    """Who a reply is from follows how the caller came in (the document: "Author is agent
    for token callers")."""
    kind = actor.actor_id.split(":", 1)[0]
    return {
        "token": ReplyAuthorKind.AGENT,
        "mcp": ReplyAuthorKind.AGENT,
        "user": ReplyAuthorKind.USER,
        "widget": ReplyAuthorKind.SUBMITTER,
    }.get(kind, ReplyAuthorKind.SYSTEM)


def reply_create(
    *,
    annotation: Annotation,
    actor: Actor,
    body: str,
    author_name: str = "",
    author_kind: ReplyAuthorKind | None = None,
) -> Reply:
    """Append a reply to the thread. ``author_kind`` defaults to the caller's
    (``author_kind_for``); the notifier passes ``system``. The annotation's ``updated_at``
    moves too: a reply is activity on it."""
    if not body.strip():
        raise ApiError(ErrorCode.BAD_REQUEST, "body must not be blank.", 400)
    if len(body) > C.BODY_MAX:
        raise ApiError(
            ErrorCode.BAD_REQUEST, f"body must be at most {C.BODY_MAX:,} characters.", 400
        )
    if len(author_name) > C.AUTHOR_NAME_MAX:
        raise ApiError(
            ErrorCode.BAD_REQUEST,
            f"author_name must be at most {C.AUTHOR_NAME_MAX} characters.",
            400,
        )
    kind = author_kind or author_kind_for(actor)
    now = timezone.now()
    with transaction.atomic(durable=True):
        reply = Reply.objects.create(
            annotation=annotation,
            body=body,
            author_kind=kind,
            author_name=author_name,
            author_user=actor.user if kind == ReplyAuthorKind.USER else None,
            actor_id=actor.actor_id,
            created_at=now,
        )
        Annotation.objects.filter(pk=annotation.pk).update(updated_at=now)
        annotation.updated_at = now
        record_annotation(
            actor=actor,
            annotation=annotation,
            action="annotation.reply.create",
            data={"reply_id": reply.pk, "author_kind": kind},
        )
    return reply
