"""Failed sign-in attempts are rate limited per IP and per email; a throttled attempt is
not even checked against the password, and successful sign-ins never count."""

import pytest
from django.test import Client

from tests.factories import DEFAULT_PASSWORD


def sign_in(email, password=DEFAULT_PASSWORD):
    """One attempt from a fresh browser (a signed-in one is redirected before it counts)."""
    return Client().post("/accounts/login/", {"username": email, "password": password})


def test_fifteen_successful_sign_ins_in_a_row_all_succeed(owner):
    # The documented default of 10 per 15 minutes per email counts failures only.
    for _ in range(15):
        assert sign_in(owner.email).status_code == 302


def test_successful_sign_ins_do_not_use_up_the_ip_limit(owner, member, settings):
    settings.RATE_LOGIN_PER_IP = "2/300s"
    for _ in range(3):
        assert sign_in(owner.email).status_code == 302
        assert sign_in(member.email).status_code == 302


def test_eleventh_attempt_after_ten_failures_is_429_even_with_the_right_password(owner):
    for _ in range(10):
        assert sign_in(owner.email, "nope").status_code == 200
    client = Client()
    response = client.post(
        "/accounts/login/", {"username": owner.email.upper(), "password": DEFAULT_PASSWORD}
    )
    assert response.status_code == 429
    assert b"Too many sign-in attempts for this account" in response.content
    assert "_auth_user_id" not in client.session


def test_a_success_before_the_limit_resets_the_emails_count(owner):
    for _ in range(9):
        assert sign_in(owner.email, "nope").status_code == 200
    assert sign_in(owner.email).status_code == 302
    for _ in range(10):
        assert sign_in(owner.email, "nope").status_code == 200
    assert sign_in(owner.email).status_code == 429


def test_a_success_does_not_buy_an_address_more_guesses(owner, member, settings):
    """The IP bucket gives back only the successful attempt: signing in to one's own account
    between guesses at other accounts does not reset the address's failures."""
    settings.RATE_LOGIN_PER_IP = "3/300s"
    assert sign_in("victim1@example.com", "guess").status_code == 200
    assert sign_in("victim2@example.com", "guess").status_code == 200
    assert sign_in(member.email).status_code == 302
    assert sign_in("victim3@example.com", "guess").status_code == 200
    response = sign_in(owner.email)
    assert response.status_code == 429
    assert b"from this address" in response.content


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
