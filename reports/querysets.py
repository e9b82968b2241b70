"""Report querysets: every read starts from a project or a workspace."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db import models

if TYPE_CHECKING:
    from accounts.models import Workspace
    from projects.models import Project


class ReportQuerySet(models.QuerySet):
    def for_workspace(self, workspace: Workspace) -> ReportQuerySet:
        return self.filter(project__workspace=workspace)

    def for_project(self, project: Project) -> ReportQuerySet:
        return self.filter(project=project)
