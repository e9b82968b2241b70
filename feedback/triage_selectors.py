"""Item triage reads for the dashboard: inbox sort orders and the per-project breakdown over
time (the counting itself is ``triage.selectors``). Every function starts from a project or
queryset the caller already scoped to its workspace."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any

from django.db.models import Count, Q

from accounts.models import Workspace
from feedback.models import Item
from projects.models import Project
from triage import selectors as triage_selectors
from triage.selectors import datetime_at

# --- inbox order -------------------------------------------------------------------------------
# Keyset keys per order; "impact" is served by the (project, -impact_score, -created_at, -id)
# index once a project is chosen. A cursor of one order is refused by the other (its arity
# differs), and the inbox then shows the first page.
SORT_KEYS: dict[str, tuple[str, ...]] = {
    "newest": ("created_at", "id"),
    "impact": ("impact_score", "created_at", "id"),
}
SORT_CHOICES = [("newest", "Newest first"), ("impact", "Highest impact first")]
DEFAULT_SORT = "newest"


def inbox_sort(params: Mapping[str, Any]) -> str:
    """The inbox order from ``?sort=``; anything unknown is the default (newest first)."""
    value = params.get("sort") or DEFAULT_SORT
    return value if value in SORT_KEYS else DEFAULT_SORT


BREAKDOWN_DAYS = triage_selectors.BREAKDOWN_DAYS


def triage_breakdown(
    *, project: Project, now: datetime, bucket: str = "day", days: int = BREAKDOWN_DAYS
) -> triage_selectors.Breakdown:
    """The project's items by category and sentiment over time (triage.selectors)."""
    return triage_selectors.triage_breakdown(
        queryset=Item.objects.filter(project=project), now=now, bucket=bucket, days=days
    )


def project_recent_counts(*, workspace: Workspace, now: datetime) -> list[Project]:
    """The workspace's projects by name, each annotated with ``recent_items``: items created
    in the breakdown's window (the same days triage_breakdown counts), in one query."""
    first = now.date() - timedelta(days=BREAKDOWN_DAYS - 1)
    recent = Q(feedback_items__created_at__gte=datetime_at(first, now))
    return list(
        Project.objects.for_workspace(workspace)
        .annotate(recent_items=Count("feedback_items", filter=recent))
        .order_by("name", "id")
    )
