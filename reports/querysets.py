"""Report querysets: every read starts from a project or a workspace."""

from __future__ import annotations

from typing import TYPE_CHECKING

from projects.querysets import ProjectScopedQuerySet

if TYPE_CHECKING:
    from reports.models import Report  # noqa: F401  (named in a string base class)


class ReportQuerySet(ProjectScopedQuerySet["Report"]):
    """for_workspace / for_project come from the shared project-scoped base."""
