"""Helpers shared by the dashboard tests."""

from __future__ import annotations

from typing import Any

from django.core.mail.backends.base import BaseEmailBackend
from django.test import Client

from accounts.models import AuditLog, User

HTMX: dict[str, Any] = {"HTTP_HX_REQUEST": "true"}  # **extra for the test client


def signed_in(user: User, *, csrf: bool = False) -> Client:
    """A dashboard session; ``csrf=True`` enforces CSRF like a browser would."""
    client = Client(enforce_csrf_checks=csrf)
    client.force_login(user)
    return client


def audit_count() -> int:
    """Every write records an audit row: an unchanged count means nothing was written."""
    return AuditLog.objects.count()


def post_forms(html: str) -> int:
    return html.count('method="post"')


class BrokenEmailBackend(BaseEmailBackend):
    """A mail server that refuses everything (settings.EMAIL_BACKEND in a test)."""

    def send_messages(self, email_messages: Any) -> int:
        raise ConnectionRefusedError("SMTP is down")
