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
REPLY_MAX = 4_000  # a short answer; the agent reads it in its context window


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


class RollupGrain(models.TextChoices):
    """Which filters a rollup row can answer: all of a day's reports per outcome, or split
    by tool name, or split by source. One row set per grain keeps each sum small (a
    project's year is ~1,800 rows at grain "all"), where one row per (tool, source) pair
    would be nearly as many rows as reports."""

    ALL = "a", "All reports"
    TOOL = "t", "Per tool name"
    SOURCE = "s", "Per source"


class ReportRollup(models.Model):
    """How many reports one project received per UTC day and outcome, at three grains
    (``RollupGrain``): all of them, per tool name and per source.

    Maintained by database triggers on ``reports_report`` (migration 0005), not by Python:
    every INSERT adds one to its row of each grain in the same statement (``INSERT ... ON
    CONFLICT DO UPDATE`` on the unique key below, safe under concurrent ingest), every DELETE
    takes one away, and an UPDATE of a counted column moves the counts. So the counts stay
    exact whichever code path writes reports (the ingest endpoint, MCP, bulk loads, a
    cascade from a deleted project), and the ingest path stays one statement with no extra
    round trip. ``reports.selectors`` answers stats from these rows for whole days and
    counts only the partial days at the edges of a ``from``/``to`` range from ``Report``.
    """

    project = models.ForeignKey(
        Project, on_delete=models.CASCADE, related_name="report_rollups", db_index=False
    )
    grain = models.CharField(max_length=1, choices=RollupGrain.choices)
    day = models.DateField()
    outcome = models.CharField(max_length=16, choices=Outcome.choices)
    # "" at the grains that do not split by it.
    tool_name = models.CharField(max_length=TOOL_NAME_MAX, blank=True, default="")
    source = models.CharField(max_length=SOURCE_MAX, blank=True, default="")
    report_count = models.BigIntegerField(default=0)

    class Meta:
        constraints = [
            # The triggers' conflict target, and the index of the sums: the equality filters
            # (grain, tool, source) lead so a day range is one contiguous slice of it.
            models.UniqueConstraint(
                fields=["project", "grain", "tool_name", "source", "day", "outcome"],
                name="report_rollup_key",
            )
        ]

    def __str__(self) -> str:
        return f"{self.project_id} {self.grain} {self.day} {self.outcome}: {self.report_count}"


class ReplyStatus(models.TextChoices):
    ACKNOWLEDGED = "acknowledged", "Acknowledged"
    FIXED = "fixed", "Fixed"
    WONT_FIX = "wont_fix", "Won't fix"
    NEEDS_INFO = "needs_info", "Needs more information"


class ReportReply(models.Model):
    """The team's answer to one agent report: a status and a short text, which the agent
    reads back with the MCP tool ``check_report_replies``.

    Its own table rather than columns on ``Report``: ingest stays one narrow INSERT, the
    report row stays immutable (the rollup triggers watch it), and the few answered reports
    are found through a small index of their own instead of a scan of the reports.
    """

    report = models.OneToOneField(
        Report, on_delete=models.CASCADE, primary_key=True, related_name="reply"
    )
    project = models.ForeignKey(
        Project, on_delete=models.CASCADE, related_name="report_replies", db_index=False
    )
    status = models.CharField(max_length=16, choices=ReplyStatus.choices)
    body = models.TextField(blank=True, default="")
    replied_by = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    replied_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-replied_at", "-report_id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=[s.value for s in ReplyStatus]),
                name="report_reply_status_valid",
            ),
        ]
        indexes = [
            models.Index(
                fields=["project", "-replied_at", "-report"], name="report_reply_project_at"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.status} reply to report {self.report_id}"
