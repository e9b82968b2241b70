"""Reads of annotations. Every read starts from the caller's workspace
(``AnnotationQuerySet.for_workspace``), so another workspace's id is "not found"."""

from __future__ import annotations

from django.db.models import Prefetch

from accounts.models import Workspace
from annotations.models import Annotation, PersonaRun, Reply, Resolution
from annotations.querysets import AnnotationQuerySet
from projects.models import Project


def annotation_list(*, project: Project) -> AnnotationQuerySet:
    """A site's annotations; the list view orders and pages them (newest first)."""
    return Annotation.objects.filter(project=project)


def annotation_get(
    *, workspace: Workspace, annotation_id: str, detail: bool = False
) -> Annotation | None:
    """One annotation of ``workspace`` (None for a malformed or foreign id).

    With ``detail``, its thread, resolutions and persona runs come in one query each, in the
    document's order (oldest first), as ``replies_list``, ``resolutions_list`` and
    ``persona_runs_list``: the detail, the markdown blob and the dashboard page read them
    without further queries.
    """
    queryset = (
        Annotation.objects.for_workspace(workspace)
        .with_id(annotation_id)
        .select_related("project__workspace", "assignee")
    )
    if detail:
        queryset = queryset.prefetch_related(
            Prefetch(
                "replies",
                queryset=Reply.objects.order_by("created_at", "id"),
                to_attr="replies_list",
            ),
            Prefetch(
                "resolutions",
                queryset=Resolution.objects.order_by("created_at", "id"),
                to_attr="resolutions_list",
            ),
            Prefetch(
                "persona_runs",
                queryset=PersonaRun.objects.order_by("created_at", "id"),
                to_attr="persona_runs_list",
            ),
        )
    return queryset.one()
