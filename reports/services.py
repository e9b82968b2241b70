"""Report writes. The ingest endpoint is the only writer.

No audit row per report: the immutable report row is already the record of an anonymous
ingest-key write (docs/api/writeback.md, "Decisions"); the human actions around it, such as
rotating the key, are audited.
"""

from __future__ import annotations

from django.db import IntegrityError

from projects.models import Project
from projects.selectors import ingest_key_cache_forget
from reports.errors import unknown_ingest_key
from reports.models import Report


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
    try:
        return Report.objects.create(
            project_id=project_id,
            outcome=outcome,
            details=details,
            tool_name=tool_name,
            source=source,
        )
    except IntegrityError:
        if Project.objects.filter(pk=project_id).exists():
            raise
        if ingest_key_digest:
            ingest_key_cache_forget(ingest_key_digest)
        raise unknown_ingest_key() from None
