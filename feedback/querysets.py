"""Feedback querysets. ``for_workspace`` is where every read starts (STYLE 3.1)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Self

from django.db import models
from django.db.models import Q

from projects.querysets import ProjectScopedQuerySet

if TYPE_CHECKING:
    from feedback.models import Item, Note  # noqa: F401  (named in string base classes)


class ItemQuerySet(ProjectScopedQuerySet["Item"]):
    def open(self) -> Self:
        return self.filter(status="open")

    def with_any_tag(self, tags: Iterable[str]) -> Self:
        """Items carrying at least one of ``tags``: a semi-join on the (project, tag) index
        of ItemTag, scoped by the same project as the outer query."""
        from feedback.models import ItemTag

        tags = list(tags)
        if not tags:
            return self
        rows = ItemTag.objects.filter(tag__in=tags, project_id=models.OuterRef("project_id"))
        return self.filter(models.Exists(rows.filter(item_id=models.OuterRef("pk"))))

    def search(self, text: str) -> Self:
        """Case-insensitive substring match over title and body (the dashboard's search box).

        A LIKE scan, bounded by the workspace's items; full-text search is a later concern.
        """
        text = text.strip()
        if not text:
            return self
        return self.filter(Q(title__icontains=text) | Q(body__icontains=text))


class NoteQuerySet(models.QuerySet["Note"]):
    def for_item(self, item_id: str) -> Self:
        return self.filter(item_id=item_id)
