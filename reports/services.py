"""Report writes: the ingest endpoint (and the MCP ``submit_report`` tool) create reports,
the dashboard answers them.

No audit row per report: the immutable report row is already the record of an anonymous
ingest-key write (docs/api/writeback.md, "Decisions"); the human actions around it, such as
rotating the key or answering a report, are audited.
"""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.utils import timezone

from accounts.audit import Actor, record
from config import onestatement
from projects.models import Project
from projects.selectors import ingest_key_cache_forget
from reports.errors import unknown_ingest_key
from reports.models import ReplyStatus, Report, ReportReply


def report_create(
    *,
    project_id: str,
    outcome: str,
    details: str,
    tool_name: str = "",
    source: str = "",
    ingest_key_digest: str | None = None,
) -> Report:
    """Store one agent report for ``project_id`` (already resolved from an ingest key).

    A single INSERT is atomic by itself, so no transaction block is opened (BEGIN/COMMIT
    would be two more round trips on every report). If the cached key lookup named a
    project deleted since, the foreign key refuses the row: the cache entry is dropped and
    the caller gets the unknown-key error instead of a 500.
    """
    report = Report(
        project_id=project_id, outcome=outcome, details=details, tool_name=tool_name, source=source
    )
    try:
        onestatement.insert(report)  # the same INSERT, its SQL text built once
        return report
    except IntegrityError:
        if Project.objects.filter(pk=project_id).exists():
            raise
        if ingest_key_digest:
            ingest_key_cache_forget(ingest_key_digest)
        raise unknown_ingest_key() from None


def report_reply_set(*, report: Report, actor: Actor, status: str, body: str = "") -> ReportReply:
    """Answer ``report`` (or change the answer): the agent that filed it sees the status and
    the text through ``check_report_replies``. Audited as ``report.reply``."""
    if status not in ReplyStatus.values:
        raise ValueError(f"unknown reply status {status!r}")
    with transaction.atomic(durable=True):
        reply, _ = ReportReply.objects.update_or_create(
            report=report,
            defaults={
                "project_id": report.project_id,
                "status": status,
                "body": body.strip(),
                "replied_by": actor.user,
                "replied_at": timezone.now(),
            },
        )
        record(
            actor=actor,
            workspace=report.project.workspace,
            action="report.reply",
            target_type="report",
            target_id=report.pk,
            data={"status": status},
        )
    return reply
