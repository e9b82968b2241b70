"""Dashboard view helper for pages under ``/w/<ws>/projects/<project_id>/``, shared by the
projects, reports and feedback pages (domain apps may import projects, not each other)."""

from __future__ import annotations

from django.http import Http404

from accounts.dashboard import WorkspaceMixin
from projects.models import Project
from projects.selectors import project_get


class ProjectMixin(WorkspaceMixin):
    """Resolves ``<project_id>`` inside the URL's workspace; another workspace's is a 404."""

    project: Project

    def get_project(self) -> Project:
        project = project_get(workspace=self.workspace, project_id=self.kwargs["project_id"])
        if project is None:
            raise Http404("Project not found")
        project.workspace = self.workspace  # the same row: reading it costs no query
        return project
