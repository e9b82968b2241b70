"""Writeback agent reports: one row per outcome an agent reported about a tool."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils import timezone

from config.ids import hex32
from projects.models import Project
from reports.querysets import ReportQuerySet

TOOL_NAME_MAX = 200
SOURCE_MAX = 200
DETAILS_MAX = 50_000


class Outcome(models.TextChoices):
    SUCCESS = "success", "Success"
    FAILURE = "failure", "Failure"
    CONFUSING = "confusing", "Confusing"
    GAVE_UP = "gave_up", "Gave up"
    REQUEST = "request", "Request"


class Report(models.Model):
    """What an agent tried with a tool and how it went, submitted with a project's ingest key.

    Indexes follow the documented filters with the tenant (project) first, and every
    ``ORDER BY`` matches an index direction. There is deliberately no standalone
    ``created_at`` index: on a table shared by projects the planner would pick it for a small
    project's newest-first page and walk a large project's rows instead (PERFORMANCE.md).
    The project foreign key gets no index of its own either: each composite index below
    starts with it, and one index fewer is one write fewer per ingested report.
    """

    id = models.CharField(primary_key=True, max_length=32, default=hex32, editable=False)
    project = models.ForeignKey(
        Project, on_delete=models.CASCADE, related_name="reports", db_index=False
    )
    outcome = models.CharField(max_length=16, choices=Outcome.choices)
    details = models.TextField()
    tool_name = models.CharField(max_length=TOOL_NAME_MAX, blank=True, default="")
    source = models.CharField(max_length=SOURCE_MAX, blank=True, default="")
    created_at = models.DateTimeField(default=timezone.now)

    objects = ReportQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(outcome__in=[o.value for o in Outcome]), name="report_outcome_valid"
            ),
        ]
        indexes = [
            # The list, newest first, with or without from/to.
            models.Index(fields=["project", "-created_at", "-id"], name="report_project_created"),
            # Stats and the daily chart as index-only scans (covering: project, outcome,
            # created_at), and the list filtered by outcome in index order; with id in it, a
            # deep page of that list skips its offset inside the index (reports.selectors).
            models.Index(
                fields=["project", "outcome", "-created_at", "-id"],
                name="report_project_outcome_created",
            ),
            # The list filtered by tool_name and the per-tool breakdown; outcome comes last
            # so stats filtered by tool stay index-only too. (A key column rather than
            # INCLUDE, which SQLite lacks and warns about, W040, on every runserver.)
            models.Index(
                fields=["project", "tool_name", "-created_at", "outcome"],
                name="report_project_tool_outcome",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.outcome} report {self.id}"
