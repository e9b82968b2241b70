"""Background tasks of the accounts app (django-tasks; DESIGN.md 5).

Enqueued with ``transaction.on_commit`` by accounts.services, so a task never sees a row
that was rolled back. Each task is idempotent: running it again after its work was done
changes nothing. Each records its own outcome on its row.
"""

from __future__ import annotations

import logging

from django.core.mail import send_mail
from django.template.loader import render_to_string
from django_tasks import task

from accounts.models import Invitation, InvitationEmailStatus

logger = logging.getLogger("backtalk.accounts")


@task()
def invitation_email_send(invitation_id: str, link: str) -> str:
    """Email an invitation's link; returns its ``email_status`` afterwards.

    An invitation already emailed, or no longer pending, is not emailed (again). A mail
    server error is logged and recorded as ``failed``, never raised: the invitation stays
    valid and the owner, who saw the link once, can pass it on.
    """
    invitation = (
        Invitation.objects.select_related("workspace", "invited_by")
        .filter(pk=invitation_id)
        .first()
    )
    if invitation is None:
        return ""
    if invitation.email_status == InvitationEmailStatus.SENT or not invitation.is_pending:
        return invitation.email_status
    context = {"invitation": invitation, "inviter": invitation.invited_by, "link": link}
    try:
        send_mail(
            subject=f"You are invited to {invitation.workspace.name} on Backtalk",
            message=render_to_string("accounts/email/invitation.txt", context),
            from_email=None,
            recipient_list=[invitation.email],
        )
        status = InvitationEmailStatus.SENT
    except Exception:
        logger.exception("invitation email to %s failed", invitation.email)
        status = InvitationEmailStatus.FAILED
    Invitation.objects.filter(pk=invitation.pk).update(email_status=status)
    return status
