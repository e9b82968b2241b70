"""The submitter notification task against a real SMTP server (aiosmtpd on a local port):
a refused attempt is retried, and the row says ``failed`` after the last one."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from dataclasses import dataclass, field

import pytest
from aiosmtpd.controller import Controller

from accounts.models import AuditLog
from annotations import resolutions
from annotations.models import NotificationStatus, Resolution
from tests.annotations.factories import AnnotationFactory


@dataclass
class FlakySmtp:
    """Answers 451 (try again later) to the first ``refuse`` messages, then accepts."""

    refuse: int = 0
    received: list[str] = field(default_factory=list)
    seen: int = 0

    async def handle_DATA(self, server, session, envelope) -> str:  # the aiosmtpd hook name
        self.seen += 1
        if self.seen <= self.refuse:
            return "451 4.3.0 Try again later"
        self.received.append(envelope.content.decode("utf-8", "replace"))
        return "250 OK"


@pytest.fixture
def smtp(settings) -> Iterator[FlakySmtp]:
    handler = FlakySmtp()
    with socket.socket() as probe:  # a free port: the controller's start-up check needs one
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = port
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    try:
        yield handler
    finally:
        controller.stop()


@pytest.fixture
def annotation(project):
    return AnnotationFactory.create(project=project, submitter_email="visitor@example.org")


def attach(gf_client, annotation, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = gf_client.post(
            f"/api/v1/annotations/{annotation.pk}/resolutions",
            {"explanation": "Raised the contrast."},
            format="json",
        )
    assert response.status_code == 201
    return Resolution.objects.get(pk=response.json()["id"])


def test_refused_email_is_retried_then_emailed(
    smtp, gf_client, annotation, django_capture_on_commit_callbacks
):
    smtp.refuse = 2

    resolution = attach(gf_client, annotation, django_capture_on_commit_callbacks)

    assert resolution.notification_status == NotificationStatus.EMAILED
    assert resolution.notification_attempts == 3
    assert resolution.notification_error == ""
    assert resolution.notified_at is not None
    assert len(smtp.received) == 1
    assert "visitor@example.org" in smtp.received[0]
    assert "Raised the contrast." in smtp.received[0]


def test_email_refused_on_every_attempt_ends_failed_with_the_error(
    smtp, gf_client, annotation, django_capture_on_commit_callbacks
):
    smtp.refuse = 100

    resolution = attach(gf_client, annotation, django_capture_on_commit_callbacks)

    assert resolution.notification_status == NotificationStatus.FAILED
    assert resolution.notification_attempts == resolutions.NOTIFY_MAX_ATTEMPTS
    assert "451" in resolution.notification_error
    assert smtp.received == []
    assert AuditLog.objects.filter(
        action="annotation.resolution.notify", data__status="failed"
    ).exists()


def test_notify_task_is_idempotent_after_success(
    smtp, gf_client, annotation, django_capture_on_commit_callbacks
):
    resolution = attach(gf_client, annotation, django_capture_on_commit_callbacks)

    again = resolutions.resolution_notify(resolution_id=resolution.pk)

    assert again == NotificationStatus.EMAILED
    assert len(smtp.received) == 1
