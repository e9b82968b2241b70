"""Feedback factories: project -> item -> note chains (STYLE 3.5).

Factories write through the model, not the services, so tests can set timestamps and
states freely; ItemFactory keeps the ItemTag index rows in step with ``tags``.
"""

from __future__ import annotations

from typing import Any

import factory
from factory.django import DjangoModelFactory

from feedback.models import Item, ItemTag, Note
from tests.factories import ProjectFactory


class ItemFactory(DjangoModelFactory[Item]):
    class Meta:
        model = Item
        skip_postgeneration_save = True

    project = factory.SubFactory(ProjectFactory)
    body = factory.Sequence(lambda n: f"Feedback body number {n}")
    title = factory.Sequence(lambda n: f"Feedback {n}")

    @classmethod
    def _create(cls, model_class: type[Item], *args: Any, **kwargs: Any) -> Item:
        item = super()._create(model_class, *args, **kwargs)
        ItemTag.objects.bulk_create(
            [ItemTag(item=item, project_id=item.project_id, tag=tag) for tag in item.tags]
        )
        return item


class NoteFactory(DjangoModelFactory[Note]):
    class Meta:
        model = Note
        skip_postgeneration_save = True

    item = factory.SubFactory(ItemFactory)
    body = factory.Sequence(lambda n: f"Internal note {n}")
