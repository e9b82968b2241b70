"""The client's IP: X-Forwarded-For is believed only from TRUSTED_PROXIES, and the per-IP
rate-limit bucket is keyed on the real client, not on a header anybody can send."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import RequestFactory

from config.api.client_ip import client_ip
from tests.conftest import bearer_client
from tests.factories import mint_token

SITES = "/api/v1/sites"


def ip_of(remote: str, forwarded: str | None = None) -> str:
    extra: dict[str, Any] = {"REMOTE_ADDR": remote}
    if forwarded is not None:
        extra["HTTP_X_FORWARDED_FOR"] = forwarded
    return client_ip(RequestFactory().get("/", **extra))


def test_forwarded_for_is_ignored_without_trusted_proxies(settings):
    settings.TRUSTED_PROXIES = []
    assert ip_of("203.0.113.9", "1.2.3.4") == "203.0.113.9"


@pytest.mark.parametrize(
    ("remote", "forwarded", "expected"),
    [
        ("10.0.0.1", "1.2.3.4", "1.2.3.4"),
        ("10.0.0.1", "6.6.6.6, 1.2.3.4, 10.0.0.2", "1.2.3.4"),  # rightmost untrusted hop
        ("10.0.0.1", "10.0.0.3, 10.0.0.2", "10.0.0.3"),  # every hop trusted: the first
        ("10.0.0.1", "not-an-ip", "10.0.0.1"),  # garbled: the proxy itself
        ("10.0.0.1", "", "10.0.0.1"),
        ("203.0.113.9", "1.2.3.4", "203.0.113.9"),  # remote not trusted: header ignored
        ("10.0.0.1", "2001:db8::1", "2001:db8::1"),
    ],
)
def test_forwarded_for_is_walked_from_the_right_behind_trusted_proxies(
    settings, remote, forwarded, expected
):
    settings.TRUSTED_PROXIES = ["10.0.0.0/8"]
    assert ip_of(remote, forwarded) == expected


def tokens(workspace, owner, n):
    return [mint_token(workspace=workspace, created_by=owner)[1] for _ in range(n)]


def test_spoofed_forwarded_for_does_not_escape_the_ip_bucket(workspace, owner, project, settings):
    settings.TRUSTED_PROXIES = []
    settings.RATE_GREATFEEDBACK_PER_IP = "2/60s"
    codes = [
        bearer_client(raw).get(SITES, HTTP_X_FORWARDED_FOR=f"198.51.100.{i}").status_code
        for i, raw in enumerate(tokens(workspace, owner, 3))
    ]
    assert codes == [200, 200, 429]  # every request came from 127.0.0.1


def test_behind_a_trusted_proxy_each_real_client_has_its_own_bucket(
    workspace, owner, project, settings
):
    settings.TRUSTED_PROXIES = ["127.0.0.1"]
    settings.RATE_GREATFEEDBACK_PER_IP = "2/60s"
    a1, a2, a3, b1 = tokens(workspace, owner, 4)
    via_proxy: dict[str, Any] = {"REMOTE_ADDR": "127.0.0.1"}
    assert (
        bearer_client(a1).get(SITES, HTTP_X_FORWARDED_FOR="198.51.100.1", **via_proxy).status_code
        == 200
    )
    assert (
        bearer_client(a2).get(SITES, HTTP_X_FORWARDED_FOR="198.51.100.1", **via_proxy).status_code
        == 200
    )
    response = bearer_client(a3).get(SITES, HTTP_X_FORWARDED_FOR="198.51.100.1", **via_proxy)
    assert response.status_code == 429
    assert response.json() == {
        "detail": "Rate limit exceeded: 2 requests per 60 seconds per IP address."
    }
    assert (
        bearer_client(b1).get(SITES, HTTP_X_FORWARDED_FOR="198.51.100.2", **via_proxy).status_code
        == 200
    )


def test_drf_throttles_which_trust_forwarded_for_are_not_used(settings):
    # DRF's throttles compute the client from X-Forwarded-For (NUM_PROXIES); rate limits
    # are django-ratelimit keyed by client_ip() instead.
    assert settings.REST_FRAMEWORK["DEFAULT_THROTTLE_CLASSES"] == []
