"""Sign-in attempts are rate limited per IP and per email; a throttled attempt is not
even checked against the password."""

import pytest
from django.test import Client


@pytest.fixture
def tight_login_limits(settings):
    settings.RATE_LOGIN_PER_IP = "100/300s"
    settings.RATE_LOGIN_PER_EMAIL = "3/900s"


def test_login_after_too_many_attempts_for_one_email_returns_429_with_retry_after(
    owner, tight_login_limits
):
    client = Client()
    for _ in range(3):
        response = client.post("/accounts/login/", {"username": owner.email, "password": "nope"})
        assert response.status_code == 200
    response = client.post(
        "/accounts/login/",
        {"username": owner.email, "password": "correct-horse-battery-staple"},
    )
    assert response.status_code == 429
    assert int(response["Retry-After"]) >= 1
    assert b"Too many sign-in attempts for this account" in response.content
    assert "_auth_user_id" not in client.session


def test_login_limit_for_one_email_does_not_block_another_account(
    owner, member, tight_login_limits
):
    client = Client()
    for _ in range(4):
        client.post("/accounts/login/", {"username": owner.email, "password": "nope"})
    response = client.post(
        "/accounts/login/",
        {"username": member.email, "password": "correct-horse-battery-staple"},
    )
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(member.pk)


def test_login_limit_per_ip_applies_across_emails(owner, settings):
    settings.RATE_LOGIN_PER_IP = "2/300s"
    settings.RATE_LOGIN_PER_EMAIL = "100/900s"
    client = Client()
    client.post("/accounts/login/", {"username": "a@example.com", "password": "x"})
    client.post("/accounts/login/", {"username": "b@example.com", "password": "x"})
    response = client.post(
        "/accounts/login/",
        {"username": owner.email, "password": "correct-horse-battery-staple"},
    )
    assert response.status_code == 429
    assert b"from this address" in response.content


def test_forged_page_for_guest_renders_the_styled_403(guest, workspace):
    client = Client()
    client.force_login(guest)
    response = client.post(f"/w/{workspace.pk}/settings/rename/", {"name": "Hijacked"})
    assert response.status_code == 403
    assert b"You can't do that here" in response.content
    workspace.refresh_from_db()
    assert workspace.name == "Alice's workspace"
