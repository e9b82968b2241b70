"""Sign in, first run, home redirect, password change and the password-reset flow."""

from __future__ import annotations

import re

import pytest
from django.contrib.auth import SESSION_KEY
from django.core import mail
from django.test import Client

from accounts import services
from accounts.dashboard import LAST_WORKSPACE_SESSION_KEY
from accounts.models import User
from tests.dashboard.helpers import signed_in
from tests.factories import DEFAULT_PASSWORD


@pytest.mark.django_db
@pytest.mark.parametrize("url", ["/", "/accounts/login/"])
def test_first_run_points_to_bootstrap_when_no_user_exists(client, url):
    response = client.get(url)
    assert response.status_code == 200
    html = response.content.decode()
    assert "python manage.py bootstrap" in html
    assert 'name="password"' not in html


def test_login_page_shows_the_form_once_a_user_exists(client, owner):
    html = client.get("/accounts/login/").content.decode()
    assert "python manage.py bootstrap" not in html
    assert 'name="username"' in html
    assert 'type="email"' in html


def test_anonymous_home_redirects_to_login(client, owner):
    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_sign_in_with_email_lands_on_the_workspace(client, owner, workspace):
    response = client.post(
        "/accounts/login/", {"username": "ALICE@example.com", "password": DEFAULT_PASSWORD}
    )
    assert response.status_code == 302
    assert response["Location"] == "/"
    home = client.get("/")
    assert home.status_code == 302
    assert home["Location"] == f"/w/{workspace.pk}/"


def test_sign_in_with_wrong_password_is_refused(client, owner):
    response = client.post("/accounts/login/", {"username": owner.email, "password": "nope"})
    assert response.status_code == 200
    assert "Please enter a correct" in response.content.decode()
    assert SESSION_KEY not in client.session


def test_home_returns_to_the_last_used_workspace(owner, workspace):
    second = services.workspace_create(owner=owner, name="Zeta")
    client = signed_in(owner)
    client.get(f"/w/{second.pk}/")
    assert client.session[LAST_WORKSPACE_SESSION_KEY] == second.pk
    assert client.get("/")["Location"] == f"/w/{second.pk}/"
    client.get(f"/w/{workspace.pk}/members/")
    assert client.get("/")["Location"] == f"/w/{workspace.pk}/"


def test_home_skips_deleted_workspaces(owner, workspace):
    second = services.workspace_create(owner=owner, name="Zeta")
    client = signed_in(owner)
    client.get(f"/w/{workspace.pk}/")
    services.workspace_soft_delete(workspace=workspace, user=owner)
    assert client.get("/")["Location"] == f"/w/{second.pk}/"


def test_home_without_workspace_offers_to_create_one(db):
    lonely = User.objects.create_user(email="lonely@example.com", password=DEFAULT_PASSWORD)
    response = signed_in(lonely).get("/")
    assert response.status_code == 200
    assert 'action="/workspaces/new/"' in response.content.decode()


def test_sign_out_is_a_post(owner_client):
    response = owner_client.post("/accounts/logout/")
    assert response.status_code == 302
    assert SESSION_KEY not in owner_client.session


def test_password_change(owner_client, owner):
    assert owner_client.get("/accounts/password_change/").status_code == 200
    response = owner_client.post(
        "/accounts/password_change/",
        {
            "old_password": DEFAULT_PASSWORD,
            "new_password1": "a-much-longer-passphrase-42",
            "new_password2": "a-much-longer-passphrase-42",
        },
    )
    assert response.status_code == 302
    owner.refresh_from_db()
    assert owner.check_password("a-much-longer-passphrase-42")


def test_password_reset_by_email_uses_site_url(owner, settings):
    settings.SITE_URL = "https://feedback.example.org"
    client = Client()
    assert client.get("/accounts/password_reset/").status_code == 200
    response = client.post("/accounts/password_reset/", {"email": "alice@example.com"})
    assert response.status_code == 302
    assert client.get(response["Location"]).status_code == 200
    assert len(mail.outbox) == 1
    body = str(mail.outbox[0].body)
    assert mail.outbox[0].subject == "Reset your Backtalk password"
    link = re.search(r"https://feedback\.example\.org(/accounts/reset/\S+/)", body)
    assert link, body
    # Follow the link: Django redirects to the set-password URL, which sets the new one.
    page = client.get(link.group(1), follow=True)
    assert page.status_code == 200
    assert "Choose a new password" in page.content.decode()
    done = client.post(
        page.redirect_chain[-1][0],
        {
            "new_password1": "fresh-passphrase-for-alice",
            "new_password2": "fresh-passphrase-for-alice",
        },
    )
    assert done.status_code == 302
    assert client.get(done["Location"]).status_code == 200
    owner.refresh_from_db()
    assert owner.check_password("fresh-passphrase-for-alice")


def test_password_reset_for_unknown_email_sends_nothing(client, owner):
    response = client.post("/accounts/password_reset/", {"email": "nobody@example.com"})
    assert response.status_code == 302
    assert mail.outbox == []


def test_password_reset_link_with_bad_token_says_so(client, owner):
    html = client.get("/accounts/reset/MQ/bad-token/", follow=True).content.decode()
    assert "This link does not work" in html


def test_password_reset_link_follows_the_served_address_without_site_url(owner, settings):
    settings.SITE_URL = ""
    settings.ALLOWED_HOSTS = ["backtalk.internal"]
    response = Client().post(
        "/accounts/password_reset/",
        {"email": "alice@example.com"},
        HTTP_HOST="backtalk.internal:8765",
    )
    assert response.status_code == 302
    assert "http://backtalk.internal:8765/accounts/reset/" in str(mail.outbox[0].body)


def test_password_reset_with_a_forged_host_sends_nothing(owner, settings):
    """ALLOWED_HOSTS still guards the link: a Host outside it is a 400, never an email."""
    settings.SITE_URL = ""
    settings.ALLOWED_HOSTS = ["backtalk.internal"]
    response = Client().post(
        "/accounts/password_reset/", {"email": "alice@example.com"}, HTTP_HOST="evil.example"
    )
    assert response.status_code == 400
    assert mail.outbox == []
