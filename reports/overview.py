"""reports' section of the workspace overview (accounts.overview): agent reports that
arrived per project and day, tools that failed in the window, and the "send a first
report" getting-started step. Three queries for the whole workspace."""

from __future__ import annotations

from datetime import UTC
from urllib.parse import urlencode

from django.db.models import Count, Exists, Max, OuterRef
from django.db.models.functions import TruncDate
from django.urls import reverse

from accounts.overview import Arrivals, Section, SectionData, Step, Unhandled, Window
from projects.models import Project
from reports.models import Outcome, Report

FAILING_TOOLS_SHOWN = 10


def collect(window: Window) -> SectionData:
    recent = Report.objects.for_workspace(window.workspace).filter(created_at__gte=window.since)
    arrived = {
        (row["project_id"], row["day"]): row["n"]
        for row in recent.order_by()
        .annotate(day=TruncDate("created_at", tzinfo=UTC))
        .values("project_id", "day")
        .annotate(n=Count("outcome"))
    }
    failing = list(
        recent.filter(outcome=Outcome.FAILURE)
        .order_by()
        .values("project_id", "tool_name")
        .annotate(n=Count("outcome"), last=Max("created_at"))
        .order_by("-n", "-last", "tool_name")[:FAILING_TOOLS_SHOWN]
    )
    with_reports = set(
        Project.objects.filter(pk__in=window.project_ids)
        .filter(Exists(Report.objects.filter(project=OuterRef("pk"))))
        .values_list("pk", flat=True)
    )

    def page(pid: str) -> str:
        return reverse("reports:report-list", args=[window.workspace.pk, pid])

    since = window.days[0].isoformat()
    return SectionData(
        arrivals={
            pid: Arrivals(daily=window.daily(arrived, pid), url=page(pid))
            for pid in window.project_ids
        },
        unhandled=[
            Unhandled(
                project_id=row["project_id"],
                label=("failure of tool", "failures of tool"),
                subject=row["tool_name"] or "(no tool_name)",
                count=row["n"],
                url=page(row["project_id"])
                + "?"
                + urlencode({"outcome": "failure", "tool_name": row["tool_name"], "from": since}),
            )
            for row in failing
        ],
        steps=[
            Step(
                project_id=pid,
                order=20,
                label="Send a first agent report",
                url=page(pid),
                done=pid in with_reports,
            )
            for pid in window.project_ids
        ],
    )


SECTION = Section(
    key="reports", label="Agent reports", noun=("report", "reports"), order=20, collect=collect
)
