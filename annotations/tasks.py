"""Background tasks of the annotations app (django-tasks; DESIGN.md 5).

Enqueued on ``transaction.on_commit`` by the services, so a task never sees a row that was
rolled back. Each task is idempotent: running it twice, or after its work was done, changes
nothing.
"""

from __future__ import annotations

from django_tasks import task

from annotations import resolutions


@task()
def notify_resolution(resolution_id: str) -> str:
    """Tell the submitter about a new resolution (email, else a ``system`` reply); a failed
    attempt re-enqueues itself until ``NOTIFY_MAX_ATTEMPTS``. Returns the row's
    ``notification_status`` afterwards."""
    return resolutions.resolution_notify(resolution_id=resolution_id)
