"""Assertions and clients shared by the foundation tests (accounts, projects, config)."""

from __future__ import annotations

import secrets
from typing import Any

from rest_framework.test import APIClient

from accounts.models import User, Workspace

# A cache that is down: nothing listens on port 1, so every call fails at once.
CLOSED_REDIS = {
    "default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": "redis://127.0.0.1:1/0",
        "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
    }
}


def challenge(description: str) -> str:
    return f'Bearer error="invalid_token", error_description="{description}"'


def assert_gf_401(response: Any, description: str) -> None:
    """greatfeedback 401: ``{"detail": reason}`` plus the RFC 6750 challenge."""
    assert response.status_code == 401, response.content
    assert response.json() == {"detail": description}
    assert response["WWW-Authenticate"] == challenge(description)


def assert_wb_401(response: Any, description: str) -> None:
    """Writeback 401: ``{"ok": false, "error": {...}}`` plus the same challenge."""
    assert response.status_code == 401, response.content
    assert response.json() == {
        "ok": False,
        "error": {"code": "unauthorized", "message": description},
    }
    assert response["WWW-Authenticate"] == challenge(description)


def csrf_client(user: User | None = None, workspace: Workspace | None = None) -> APIClient:
    """A browser-like client: CSRF enforced, a csrftoken cookie and the matching
    X-CSRFToken header (the double-submit pair the dashboard's htmx sends), optionally
    signed in and naming a workspace with X-GF-Workspace."""
    client = APIClient(enforce_csrf_checks=True)
    if user is not None:
        client.force_login(user)
    token = secrets.token_hex(16)  # CSRF_SECRET_LENGTH characters
    client.cookies["csrftoken"] = token
    headers: dict[str, str] = {"HTTP_X_CSRFTOKEN": token}
    if workspace is not None:
        headers["HTTP_X_GF_WORKSPACE"] = workspace.pk
    client.credentials(**headers)
    return client


def tokens_url(workspace: Workspace | str) -> str:
    ws = workspace if isinstance(workspace, str) else workspace.pk
    return f"/api/workspaces/{ws}/api-tokens"
