"""Project querysets. ``for_workspace`` is the entry point every view starts from."""

from __future__ import annotations

from typing import TYPE_CHECKING, Self, TypeVar

from django.db import models

from config.ids import is_hex32

if TYPE_CHECKING:
    from accounts.models import Workspace
    from projects.models import Project

_Row = TypeVar("_Row", bound=models.Model)


class ProjectQuerySet(models.QuerySet["Project"]):
    def for_workspace(self, workspace: Workspace) -> Self:
        return self.filter(workspace=workspace)

    def with_id(self, project_id: str) -> Self:
        """The project ``project_id`` names. Ids are 32 hex characters: any other value names
        no project, so it costs no query (and a NUL never reaches PostgreSQL)."""
        if not is_hex32(project_id):
            return self.none()
        return self.filter(pk=project_id)

    def alive(self) -> Self:
        return self.filter(workspace__deleted_at__isnull=True)


class ProjectScopedQuerySet(models.QuerySet[_Row]):
    """Rows that belong to one project (items, reports, annotations): every read starts from
    the caller's workspace or from a project already scoped to it."""

    def for_workspace(self, workspace: Workspace) -> Self:
        return self.filter(project__workspace=workspace)

    def for_project(self, project: Project) -> Self:
        return self.filter(project=project)
