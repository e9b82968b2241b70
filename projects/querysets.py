"""Project querysets. ``for_workspace`` is the entry point every view starts from."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db import models

if TYPE_CHECKING:
    from accounts.models import Workspace


class ProjectQuerySet(models.QuerySet):
    def for_workspace(self, workspace: Workspace) -> ProjectQuerySet:
        return self.filter(workspace=workspace)

    def alive(self) -> ProjectQuerySet:
        return self.filter(workspace__deleted_at__isnull=True)
