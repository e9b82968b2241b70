"""Project querysets. ``for_workspace`` is the entry point every view starts from."""

from __future__ import annotations

from typing import TYPE_CHECKING, Self

from django.db import models

if TYPE_CHECKING:
    from accounts.models import Workspace
    from projects.models import Project  # noqa: F401  (named in a string base class)


class ProjectQuerySet(models.QuerySet["Project"]):
    def for_workspace(self, workspace: Workspace) -> Self:
        return self.filter(workspace=workspace)

    def alive(self) -> Self:
        return self.filter(workspace__deleted_at__isnull=True)
