"""Feedback services: the only writers. Audit rows, tag index rows, no-op updates, bulk
triage, id collisions."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from accounts.audit import Actor
from accounts.models import AuditLog
from feedback import services
from feedback.errors import ItemNotFound
from feedback.models import Item, ItemTag, Note
from tests.feedback.factories import ItemFactory

OLD = datetime(2026, 1, 1, tzinfo=UTC)


@pytest.fixture
def actor(owner) -> Actor:
    return Actor.for_user(owner)


def test_item_create_refuses_fields_it_does_not_know(project, actor):
    with pytest.raises(TypeError, match="workspace"):
        services.item_create(project=project, actor=actor, source="api", body="x", workspace=1)
    with pytest.raises(ValueError, match="'email'"):
        services.item_create(project=project, actor=actor, source="email", body="x")
    assert not Item.objects.exists()


def test_item_create_retries_with_a_fresh_id_on_a_collision(project, actor, monkeypatch):
    taken = ItemFactory.create(project=project, id="fbk_aaaaaaaaaaaa")
    ids = iter(["fbk_aaaaaaaaaaaa", "fbk_bbbbbbbbbbbb"])
    monkeypatch.setattr(services, "new_item_id", lambda: next(ids))

    item = services.item_create(project=project, actor=actor, source="api", body="new")

    assert item.pk == "fbk_bbbbbbbbbbbb"
    assert Item.objects.get(pk=taken.pk).body == taken.body
    project.refresh_from_db()
    assert project.credits_used == 1


def test_item_update_keeps_the_tag_index_in_step(project, actor):
    item = ItemFactory.create(project=project, tags=["a", "b"])

    services.item_update(item=item, actor=actor, tags=["b", "c"])

    assert sorted(ItemTag.objects.filter(item=item).values_list("tag", flat=True)) == ["b", "c"]
    assert Item.objects.get(pk=item.pk).tags == ["b", "c"]
    assert set(Item.objects.with_any_tag(["a"])) == set()
    assert list(Item.objects.with_any_tag(["c", "zzz"])) == [item]


def test_item_update_without_a_change_writes_nothing(project, actor):
    item = ItemFactory.create(project=project, status="planned", tags=["a"], updated_at=OLD)

    services.item_update(item=item, actor=actor, status="planned", tags=["a"])

    assert Item.objects.get(pk=item.pk).updated_at == OLD
    assert not AuditLog.objects.filter(action__startswith="feedback.").exists()


def test_item_bulk_set_status_audits_each_changed_item(project, actor):
    a = ItemFactory.create(project=project, status="open")
    b = ItemFactory.create(project=project, status="planned")
    c = ItemFactory.create(project=project, status="open")

    changed = services.item_bulk_set_status(items=[a, b, c], status="planned", actor=actor)

    assert {i.pk for i in changed} == {a.pk, c.pk}
    assert set(Item.objects.values_list("status", flat=True)) == {"planned"}
    rows = AuditLog.objects.filter(action="feedback.item.update")
    assert {r.target_id for r in rows} == {a.pk, c.pk}
    assert all(r.data == {"changes": {"status": ["open", "planned"]}, "bulk": True} for r in rows)


def test_item_delete_twice_is_item_not_found(project, actor):
    item = ItemFactory.create(project=project)
    services.item_delete(item=item, actor=actor)

    with pytest.raises(ItemNotFound):
        services.item_delete(item=item, actor=actor)
    assert AuditLog.objects.filter(action="feedback.item.delete").count() == 1


def test_note_add_records_its_author_and_touches_the_item(project, actor, owner):
    item = ItemFactory.create(project=project, updated_at=OLD)

    note = services.note_add(item=item, actor=actor, body="Seen.")

    assert (note.author, note.actor_id) == (owner, f"user:{owner.pk}")
    assert Item.objects.get(pk=item.pk).updated_at == note.created_at
    audit = AuditLog.objects.get(action="feedback.note.create")
    assert (audit.target_id, audit.data) == (note.pk, {"item": item.pk})
    assert Note.objects.count() == 1


def test_widget_actor_names_the_project(project):
    assert services.widget_actor(project).actor_id == f"widget:{project.pk}"
