"""Report querysets: every read starts from a project or a workspace."""

from __future__ import annotations

from typing import TYPE_CHECKING, Self

from django.db import models

if TYPE_CHECKING:
    from accounts.models import Workspace
    from projects.models import Project
    from reports.models import Report  # noqa: F401  (named in a string base class)


class ReportQuerySet(models.QuerySet["Report"]):
    def for_workspace(self, workspace: Workspace) -> Self:
        return self.filter(project__workspace=workspace)

    def for_project(self, project: Project) -> Self:
        return self.filter(project=project)
