"""API views whose rows are projects of the caller's workspace (every family has some)."""

from __future__ import annotations

from typing import ClassVar, cast

from accounts.models import Workspace
from config.api.errors import not_found
from config.api.families import WorkspaceScopedMixin
from projects import selectors
from projects.models import Project
from projects.querysets import ProjectQuerySet


class ProjectScopedMixin(WorkspaceScopedMixin):
    """Put before the family's base view. ``scoped_queryset`` is the workspace's projects,
    so ``get_project`` looks up through the family's tenant guard, with the id-shape rule
    of projects.selectors.project_get (ProjectQuerySet.with_id)."""

    project_not_found: ClassVar[str] = "Project not found."

    def scoped_queryset(self, workspace: Workspace) -> ProjectQuerySet:
        return selectors.project_list(workspace=workspace)

    def get_project(self, project_id: str) -> Project:
        project = cast(ProjectQuerySet, self.get_queryset()).with_id(project_id).first()
        if project is None:
            raise not_found(self.project_not_found)
        project.workspace = self.caller.workspace  # the same row: reading it costs no query
        return project
