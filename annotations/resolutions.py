"""Resolutions: what changed to address an annotation, and the submitter's notice of it.

``resolution_create`` is the only writer of a resolution (REST API and MCP call it). It
claims the before/after upload keys (``annotations.uploads.upload_claim``), stores the row
and its audit entry in one durable transaction, and enqueues the submitter notification on
commit, so a rolled-back write never notifies anyone.

``resolution_notify`` is the task body (``annotations.tasks``): an email when the submitter
left an address, otherwise a ``system`` reply on the thread, which the widget shows the
submitter on their next visit. ``notification_status`` records the outcome: ``pending``
until it succeeds, ``emailed`` / ``replied`` after, ``failed`` once
``NOTIFY_MAX_ATTEMPTS`` attempts have failed. A failed attempt re-enqueues the task with a
growing delay (on a backend that can defer; the immediate test backend retries at once).
"""

from __future__ import annotations

import logging
from datetime import timedelta

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction
from django.db.models import F, QuerySet
from django.utils import timezone

from accounts.audit import Actor
from annotations.audit import record_annotation
from annotations.models import (
    Annotation,
    NotificationStatus,
    ReplyAuthorKind,
    Resolution,
    UploadKind,
)
from annotations.uploads import upload_claim
from config.api.errors import ApiError, ErrorCode
from config.site import site_url

logger = logging.getLogger("backtalk.annotations")

NOTIFY_MAX_ATTEMPTS: int = getattr(settings, "GF_NOTIFY_MAX_ATTEMPTS", 5)
NOTIFY_BACKOFF_SECONDS: int = getattr(settings, "GF_NOTIFY_BACKOFF_SECONDS", 60)
SYSTEM_AUTHOR_NAME = "Backtalk"


# --- reads ---------------------------------------------------------------------------------
def resolution_list(*, annotation: Annotation) -> QuerySet[Resolution]:
    """An annotation's resolutions, oldest first (the document's order)."""
    return Resolution.objects.filter(annotation=annotation).order_by("created_at", "id")


# --- writes --------------------------------------------------------------------------------
def resolution_create(
    *,
    annotation: Annotation,
    actor: Actor,
    before_key: str = "",
    after_key: str = "",
    diff_url: str = "",
    explanation: str = "",
) -> Resolution:
    """Append a resolution to ``annotation`` and notify its submitter once committed.

    The caller validated the fields' formats (https diff URL, 4 KB explanation); the keys
    are checked here because only the upload rows know whom they were minted for.
    """
    if not (before_key or after_key or diff_url or explanation):
        raise ApiError(
            ErrorCode.BAD_REQUEST,
            "At least one of before_key, after_key, diff_url or explanation is required.",
            400,
        )
    with transaction.atomic(durable=True):
        for key, kind in ((before_key, UploadKind.BEFORE), (after_key, UploadKind.AFTER)):
            if key:
                upload_claim(project=annotation.project, key=key, kind=kind, annotation=annotation)
        resolution = Resolution.objects.create(
            annotation=annotation,
            before_key=before_key,
            after_key=after_key,
            diff_url=diff_url,
            explanation=explanation,
            actor_id=actor.actor_id,
        )
        record_annotation(
            actor=actor,
            annotation=annotation,
            action="annotation.resolution.create",
            data={
                "resolution_id": resolution.pk,
                "before_key": before_key,
                "after_key": after_key,
                "diff_url": diff_url,
            },
        )
        pk = resolution.pk
        transaction.on_commit(lambda: enqueue_notification(pk))
    return resolution


def enqueue_notification(resolution_id: str, *, delay_seconds: int = 0) -> None:
    """Runs after commit. An enqueue failure must not turn the stored resolution into an
    error response: it is logged, and the row stays ``pending`` for a later retry."""
    from annotations.tasks import notify_resolution

    try:
        task = notify_resolution
        if delay_seconds and task.get_backend().supports_defer:
            task = task.using(run_after=timezone.now() + timedelta(seconds=delay_seconds))
        task.enqueue(resolution_id)
    except Exception:
        logger.exception("could not enqueue the notification of resolution %s", resolution_id)


# --- the notification ----------------------------------------------------------------------
def _notice_lines(resolution: Resolution) -> list[str]:
    lines = []
    if resolution.explanation:
        lines += ["What changed:", resolution.explanation, ""]
    if resolution.diff_url:
        lines += [f"The change: {resolution.diff_url}", ""]
    return lines


def notice_reply_body(resolution: Resolution) -> str:
    """The ``system`` reply a submitter without an email address sees in the widget."""
    lines = ["This feedback has been addressed.", "", *_notice_lines(resolution)]
    return "\n".join(lines).strip()


def notice_email(resolution: Resolution) -> EmailMessage:
    annotation = resolution.annotation
    site = annotation.project
    # One line: a newline in a header is refused by Django (header injection).
    subject = " ".join(f"Your feedback on {site.name} was addressed".split())
    quoted = "\n".join(f"> {line}" for line in annotation.body.splitlines()[:20])
    lines = [
        f"Hello{' ' + annotation.submitter_name if annotation.submitter_name else ''},",
        "",
        f"You left this feedback on {annotation.page_url or site.name}:",
        "",
        quoted,
        "",
        "It has been addressed.",
        "",
        *_notice_lines(resolution),
        f"-- {site.name}, via Backtalk ({site_url()})",
    ]
    return EmailMessage(
        subject=subject,
        body="\n".join(lines),
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[annotation.submitter_email],
    )


def resolution_notify(*, resolution_id: str) -> str:
    """One notification attempt for a pending resolution; returns the status afterwards.

    Idempotent: only a ``pending`` row is worked on, and each attempt is claimed by bumping
    ``notification_attempts`` from the value it read, so a duplicate task run backs off
    instead of notifying twice.
    """
    resolution = (
        Resolution.objects.select_related("annotation__project__workspace")
        .filter(pk=resolution_id)
        .first()
    )
    if resolution is None:
        return "missing"
    if resolution.notification_status != NotificationStatus.PENDING:
        return str(resolution.notification_status)
    attempt = resolution.notification_attempts
    claimed = Resolution.objects.filter(
        pk=resolution_id,
        notification_status=NotificationStatus.PENDING,
        notification_attempts=attempt,
    ).update(notification_attempts=F("notification_attempts") + 1)
    if not claimed:
        return str(
            Resolution.objects.values_list("notification_status", flat=True).get(pk=resolution_id)
        )
    annotation = resolution.annotation
    try:
        if annotation.submitter_email:
            notice_email(resolution).send(fail_silently=False)
            outcome = NotificationStatus.EMAILED
        else:
            from annotations.services import reply_create

            reply_create(
                annotation=annotation,
                actor=Actor.system(),
                body=notice_reply_body(resolution),
                author_kind=ReplyAuthorKind.SYSTEM,
                author_name=SYSTEM_AUTHOR_NAME,
            )
            outcome = NotificationStatus.REPLIED
    except Exception as exc:  # SMTP down, provider refusal, database hiccup: retried
        return _attempt_failed(resolution, attempt + 1, f"{type(exc).__name__}: {exc}")
    with transaction.atomic(durable=True):
        Resolution.objects.filter(pk=resolution_id).update(
            notification_status=outcome, notified_at=timezone.now(), notification_error=""
        )
        record_annotation(
            actor=Actor.system(),
            annotation=annotation,
            action="annotation.resolution.notify",
            data={"resolution_id": resolution_id, "status": outcome, "attempt": attempt + 1},
        )
    return str(outcome)


def _attempt_failed(resolution: Resolution, attempts: int, error: str) -> str:
    final = attempts >= NOTIFY_MAX_ATTEMPTS
    status = NotificationStatus.FAILED if final else NotificationStatus.PENDING
    logger.warning(
        "notification of resolution %s failed (attempt %s): %s", resolution.pk, attempts, error
    )
    with transaction.atomic(durable=True):
        Resolution.objects.filter(pk=resolution.pk).update(
            notification_status=status, notification_error=error[:500]
        )
        if final:
            record_annotation(
                actor=Actor.system(),
                annotation=resolution.annotation,
                action="annotation.resolution.notify",
                data={"resolution_id": resolution.pk, "status": status, "error": error[:200]},
            )
    if not final:
        enqueue_notification(resolution.pk, delay_seconds=NOTIFY_BACKOFF_SECONDS * attempts)
    return str(status)
