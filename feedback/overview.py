"""feedback's section of the workspace overview (accounts.overview): items that arrived per
project and day, open items, and the "install the widget" getting-started step. Three
queries for the whole workspace, however many projects it has."""

from __future__ import annotations

from datetime import UTC

from django.db.models import Count, Exists, OuterRef
from django.db.models.functions import TruncDate
from django.urls import reverse

from accounts.overview import Arrivals, Section, SectionData, Step, Unhandled, Window
from feedback.models import Item, ItemSource, ItemStatus
from projects.models import Project


def collect(window: Window) -> SectionData:
    items = Item.objects.for_workspace(window.workspace).order_by()
    arrived = {
        (row["project_id"], row["day"]): row["n"]
        for row in items.filter(created_at__gte=window.since)
        .annotate(day=TruncDate("created_at", tzinfo=UTC))
        .values("project_id", "day")
        .annotate(n=Count("id"))
    }
    # (project, status, created_at) index: a range count per project.
    open_counts = dict(
        items.filter(status=ItemStatus.OPEN)
        .values("project_id")
        .annotate(n=Count("id"))
        .values_list("project_id", "n")
    )
    # EXISTS stops at the first widget item of each project instead of counting them all.
    widget = Item.objects.filter(project=OuterRef("pk"), source=ItemSource.WIDGET)
    with_widget = set(
        Project.objects.filter(pk__in=window.project_ids)
        .filter(Exists(widget))
        .values_list("pk", flat=True)
    )
    inbox = reverse("feedback:item-list", args=[window.workspace.pk])
    return SectionData(
        arrivals={
            pid: Arrivals(daily=window.daily(arrived, pid), url=f"{inbox}?project={pid}")
            for pid in window.project_ids
        },
        unhandled=[
            Unhandled(
                project_id=pid,
                label=("open item", "open items"),
                count=open_counts[pid],
                url=f"{inbox}?project={pid}&status=open",
            )
            for pid in window.project_ids
            if open_counts.get(pid)
        ],
        steps=[
            Step(
                project_id=pid,
                order=10,
                label="Install the feedback widget",
                url=reverse("projects:project-detail", args=[window.workspace.pk, pid])
                + "#snippets",
                done=pid in with_widget,
            )
            for pid in window.project_ids
        ],
    )


SECTION = Section(
    key="feedback", label="Feedback items", noun=("item", "items"), order=10, collect=collect
)
