"""Background tasks of the accounts app (django-tasks; DESIGN.md 5).

Enqueued with ``transaction.on_commit`` by the services, so a task never sees a row that
was rolled back. Each task is idempotent: running it again after its work was done changes
nothing.
"""

from __future__ import annotations

from django_tasks import task

from accounts import services


@task()
def invitation_email_send(invitation_id: str, link: str) -> str:
    """Email an invitation's link (``accounts.services.invitation_email_send``). Never raises
    for a mail problem: ``email_status`` says ``failed``. Returns that status."""
    return services.invitation_email_send(invitation_id=invitation_id, link=link)
