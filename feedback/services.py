"""Feedback writes: the only code that creates, triages or deletes items and notes.

Every function takes ``actor=`` and writes its audit row in the same durable transaction as
the change (STYLE 3.2). Widget submissions are anonymous; their actor is
``widget:<project id>`` (``widget_actor``), so the audit log tells them apart from people,
API keys and MCP calls without inventing a user.

Credits: creating an item costs ``CREDITS_PER_ITEM`` whatever the channel, charged by
``projects.credits.charge_credits`` in the insert's transaction (402 ``spending_cap_exceeded``
and nothing stored when the cap is reached).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from contextlib import nullcontext
from typing import Any

from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from accounts import audit
from accounts.audit import Actor
from config import onestatement
from feedback import constants as C
from feedback.audit import item_entry, record_item
from feedback.errors import ItemNotFound
from feedback.models import Item, ItemSource, ItemStatus, ItemTag, ItemType, Note, new_item_id
from projects.credits import SpendingCapExceeded, charge_credits, charge_sql
from projects.models import Project
from triage import services as triage_services

CREATE_FIELDS = frozenset(
    {
        "body",
        "title",
        "type",
        "tags",
        "page_url",
        "user_email",
        "user_name",
        "user_id_external",
        "status",
        "priority",
    }
)
# A 12-hex id is 48 random bits: collisions are rare but real at millions of rows, so an
# insert that hits an existing primary key retries with a fresh id (in a savepoint).
ID_ATTEMPTS = 3


def widget_actor(project: Project) -> Actor:
    return Actor.for_widget(project.pk)


def _write_tags(item: Item, tags: Sequence[str]) -> None:
    ItemTag.objects.bulk_create(
        [ItemTag(item=item, project_id=item.project_id, tag=tag) for tag in tags]
    )


def item_create(*, project: Project, actor: Actor, source: str, **data: Any) -> Item:
    """Store a new item for ``project`` and charge one credit; 402 when the cap is reached.

    ``data`` holds already validated fields (``api.minolith.serializers``); ``source`` comes
    from the channel (api, mcp, widget), never from the client.
    """
    unknown = set(data) - CREATE_FIELDS
    if unknown:
        raise TypeError(f"item_create got unexpected fields: {sorted(unknown)}")
    source = ItemSource(source)
    tags = list(data.pop("tags", None) or [])
    now = timezone.now()
    if data.get("type") in (None, ""):
        data["type"] = ItemType.FEEDBACK  # Minolith's documented default; triage never sets it
    item = Item(
        project=project,
        source=source,
        tags=tags,
        created_at=now,
        updated_at=now,
        agent_name=actor.agent,
        **data,
    )
    # AI triage, inline for every channel (triage.services): its own columns, same INSERT.
    triage_services.triage_apply(
        item, text=item.body, title=item.title, page=item.page_url, now=now
    )
    audit_data = {"project": project.pk, "source": source.value, "type": item.type}
    if onestatement.supported():
        _insert_one_statement(item, project=project, actor=actor, tags=tags, data=audit_data)
    else:
        with transaction.atomic(durable=True):
            charge_credits(project, C.CREDITS_PER_ITEM)
            for attempt in range(ID_ATTEMPTS):
                item.id = new_item_id()
                try:
                    with transaction.atomic():
                        item.save(force_insert=True)
                    break
                except IntegrityError:
                    if attempt == ID_ATTEMPTS - 1 or not Item.objects.filter(pk=item.pk).exists():
                        raise
            _write_tags(item, tags)
            triage_services.after_insert(item)  # the optional LLM pass, enqueued on commit
            record_item(actor=actor, item=item, action="feedback.item.create", data=audit_data)
    project.credits_used = (project.credits_used or 0) + C.CREDITS_PER_ITEM
    return item


def _insert_one_statement(
    item: Item, *, project: Project, actor: Actor, tags: Sequence[str], data: dict[str, Any]
) -> None:
    """PostgreSQL: the credit charge, the item, its tag rows and its audit row as ONE
    statement (``config.onestatement``): one round trip instead of eight, all or nothing,
    and the project row is locked for that one statement only. Nothing charged means the
    cap is reached (402, nothing stored). An id collision fails the whole statement, which
    is retried with a fresh id."""
    item._state.adding = True
    for attempt in range(ID_ATTEMPTS):
        item.id = new_item_id()
        rows = [
            item,
            *(ItemTag(item_id=item.id, project_id=item.project_id, tag=tag) for tag in tags),
            item_entry(actor=actor, item=item, action="feedback.item.create", data=data),
        ]
        try:
            # In autocommit (a request) the statement commits by itself; inside a caller's
            # transaction (a test's) a savepoint keeps a collision from aborting it.
            with transaction.atomic() if connection.in_atomic_block else nullcontext():
                written = onestatement.run(charge_sql(project, C.CREDITS_PER_ITEM), rows)
        except IntegrityError:
            if attempt == ID_ATTEMPTS - 1 or not Item.objects.filter(pk=item.pk).exists():
                raise
            continue
        if not written:
            raise SpendingCapExceeded()
        item._state.adding = False
        item._state.db = "default"
        triage_services.after_insert(item)  # the optional LLM pass, after commit
        return


def item_update(*, item: Item, actor: Actor, **changes: Any) -> Item:
    """Triage: change ``status``, ``priority`` ("" clears) and/or ``tags`` (replaces).

    Fields whose value does not change are left out; with nothing left, the item is
    returned untouched (no write, no audit row, ``updated_at`` kept).
    """
    unknown = set(changes) - {"status", "priority", "tags"}
    if unknown:
        raise TypeError(f"item_update got unexpected fields: {sorted(unknown)}")
    diff = {
        name: (getattr(item, name), value)
        for name, value in changes.items()
        if getattr(item, name) != (list(value) if name == "tags" else value)
    }
    if not diff:
        return item
    with transaction.atomic(durable=True):
        for name, (_, value) in diff.items():
            setattr(item, name, list(value) if name == "tags" else value)
        item.updated_at = timezone.now()
        item.save(update_fields=[*diff, "updated_at"])
        if "tags" in diff:
            ItemTag.objects.filter(item=item).delete()
            _write_tags(item, item.tags)
        record_item(
            actor=actor,
            item=item,
            action="feedback.item.update",
            data={"changes": {name: [old, new] for name, (old, new) in diff.items()}},
        )
    return item


def item_bulk_set_status(*, items: Iterable[Item], status: str, actor: Actor) -> list[Item]:
    """The inbox's bulk action: one status for several items, in ONE transaction (all or
    nothing), one audit row per changed item."""
    status = ItemStatus(status)
    changed: list[Item] = []
    now = timezone.now()
    with transaction.atomic(durable=True):
        for item in items:
            if item.status == status:
                continue
            old = item.status
            item.status = status
            item.updated_at = now
            item.save(update_fields=["status", "updated_at"])
            record_item(
                actor=actor,
                item=item,
                action="feedback.item.update",
                data={"changes": {"status": [old, status.value]}, "bulk": True},
            )
            changed.append(item)
    return changed


def item_delete(*, item: Item, actor: Actor) -> None:
    """Hard delete, with its notes and tag rows (the document: not recoverable)."""
    with transaction.atomic(durable=True):
        deleted, _ = Item.objects.filter(pk=item.pk, project_id=item.project_id).delete()
        if not deleted:
            raise ItemNotFound(item.pk)
        record_item(
            actor=actor,
            item=item,
            action="feedback.item.delete",
            data={"project": item.project_id, "type": item.type, "source": item.source},
        )


def note_add(*, item: Item, actor: Actor, body: str) -> Note:
    """An internal note. The item's ``updated_at`` moves too: a note is activity on it (the
    document's Get Item example shows the note's time as the item's updated_at)."""
    now = timezone.now()
    with transaction.atomic(durable=True):
        note = Note.objects.create(
            item=item,
            body=body,
            author=actor.user,
            actor_id=actor.actor_id,
            agent_name=actor.agent,
            created_at=now,
        )
        Item.objects.filter(pk=item.pk).update(updated_at=now)
        item.updated_at = now
        audit.record(
            actor=actor,
            workspace=item.project.workspace,
            action="feedback.note.create",
            target_type="feedback_note",
            target_id=note.pk,
            data={"item": item.pk},
        )
    return note
