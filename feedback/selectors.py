"""Feedback reads. Every function starts from a workspace (and, for Minolith keys, the key's
project), so another tenant's item is simply not found."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from django.db.models import Count, QuerySet

from accounts.models import Workspace
from feedback import constants as C
from feedback.models import Item, ItemStatus, Note
from feedback.querysets import ItemQuerySet
from projects.cors import looked_up_project
from projects.models import Project, is_slug

ITEM_ID_RE = re.compile(rf"^{C.ITEM_ID_PREFIX}[0-9a-f]{{{C.ID_HEX_CHARS}}}$")


def is_item_id(value: str) -> bool:
    return bool(ITEM_ID_RE.match(value))


def item_queryset(*, workspace: Workspace, project: Project | None = None) -> ItemQuerySet:
    """Items of ``workspace``; of one of its projects when ``project`` is given. A project
    of another workspace yields nothing rather than its items."""
    qs = Item.objects.for_workspace(workspace)
    if project is not None:
        qs = qs.for_project(project)
    return qs


def item_get(*, queryset: QuerySet[Item], item_id: str) -> Item | None:
    """One item from an already scoped queryset; a malformed id costs no query."""
    if not is_item_id(item_id):
        return None
    return queryset.select_related("project__workspace").filter(pk=item_id).first()


def note_rows(*, item: Item) -> list[Mapping[str, Any]]:
    return list(
        Note.objects.for_item(item.pk)
        .order_by("created_at", "id")
        .values("id", "item_id", "body", "created_at")
    )


def note_list(*, item: Item) -> QuerySet[Note]:
    return Note.objects.for_item(item.pk).select_related("author").order_by("created_at", "id")


def status_counts(queryset: QuerySet[Item]) -> dict[str, int]:
    """``{status: n}`` for every status (zeros included) in one GROUP BY."""
    counts = dict.fromkeys(ItemStatus.values, 0)
    for row in queryset.order_by().values("status").annotate(n=Count("id")):
        counts[row["status"]] = row["n"]
    return counts


def public_project_get(*, slug: str, request: object | None = None) -> Project | None:
    """The project behind a widget's ``data-project`` slug; a project in a deleted
    workspace takes no submissions (it answers 404 like an unknown slug).

    With ``request``, the row its CORS check already read (``projects.cors``) is reused
    rather than read again."""
    if not is_slug(slug):
        return None  # also keeps NUL and other junk away from the database
    seen, project = looked_up_project(request, slug)
    if seen:
        if project is None or project.workspace.is_deleted:
            return None
        return project
    return (
        Project.objects.select_related("workspace")
        .filter(slug=slug, workspace__deleted_at__isnull=True)
        .first()
    )


def workspace_projects(*, workspace: Workspace) -> QuerySet[Project]:
    return Project.objects.for_workspace(workspace).order_by("name", "id")
