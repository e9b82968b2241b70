"""greatfeedback API tokens in the dashboard: OWNER mints (plaintext shown once), OWNER
sees every token and MEMBER their own, exactly like /api/workspaces/{ws}/api-tokens."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta

from django.contrib.messages import get_messages
from django.urls import reverse
from django.utils import timezone

from accounts import dashboard
from accounts.models import ApiToken, AuditLog, Role, TokenFamily
from config.ids import secret_digest
from tests.conftest import bearer_client
from tests.dashboard.helpers import HTMX, audit_count, signed_in
from tests.factories import MembershipFactory, WorkspaceFactory, mint_token


def url(name, workspace, **kw):
    return reverse(name, kwargs={"ws": workspace.pk, **kw})


def mint(client, workspace, headers=None, **data):
    return client.post(
        url("accounts:token-create", workspace), {"role": "MEMBER", **data}, **(headers or {})
    )


def secret_in(html: str, element_id: str) -> str:
    start = html.index(f'id="{element_id}"')
    return html[html.index(">", start) + 1 : html.index("</code>", start)]


def test_owner_mints_and_sees_the_plaintext_once(owner_client, workspace, owner):
    response = mint(owner_client, workspace, name="CI deploy")
    # POST/redirect/GET: the plaintext is on the list page the POST redirects to, once.
    assert response.status_code == 302
    assert response["Location"] == url("accounts:token-list", workspace)
    page = owner_client.get(response["Location"])
    assert page.status_code == 200
    assert page["Cache-Control"] == "no-store"
    token = ApiToken.objects.get(name="CI deploy")
    raw = secret_in(page.content.decode(), "new-token")
    assert raw.startswith("gfat_")
    assert token.token_hash == secret_digest(raw)
    assert token.last4 == raw[-4:]
    assert token.family == TokenFamily.GREATFEEDBACK
    assert token.created_by == owner
    assert token.role == Role.MEMBER
    # The plaintext is nowhere else: not on the next page, in the session or in messages.
    again = owner_client.get(url("accounts:token-list", workspace))
    assert raw not in again.content.decode()
    assert f"gfat_…{raw[-4:]}" in again.content.decode()
    assert raw not in str(dict(owner_client.session))
    assert all(raw not in str(m) for m in get_messages(again.wsgi_request))
    # And it works against the API.
    assert bearer_client(raw).get("/api/v1/sites").status_code == 200
    entry = AuditLog.objects.get(action="api_token.create", target_id=token.pk)
    assert raw not in str(entry.data)


def test_mint_over_htmx_redirects_the_browser_to_the_list(owner_client, workspace):
    response = mint(owner_client, workspace, HTMX, name="agent", role="GUEST")
    assert response.status_code == 204
    assert response["HX-Redirect"] == url("accounts:token-list", workspace)
    assert ApiToken.objects.get(name="agent").role == Role.GUEST
    html = owner_client.get(response["HX-Redirect"]).content.decode()
    assert secret_in(html, "new-token").startswith("gfat_")


def test_owner_role_is_not_assignable(owner_client, workspace):
    for role in ("OWNER", "ADMIN", "ROOT"):
        response = mint(owner_client, workspace, name="too strong", role=role)
        assert response.status_code == 400
        assert "Select a valid choice" in response.content.decode()
    assert not ApiToken.objects.filter(name="too strong").exists()


def test_invalid_mint_over_htmx_is_200_so_the_errors_show(owner_client, workspace):
    response = mint(owner_client, workspace, HTMX, name="")
    assert response.status_code == 200
    assert "This field is required." in response.content.decode()
    assert not ApiToken.objects.exists()


def test_expiry_must_be_in_the_future(owner_client, workspace):
    today = timezone.now().date().isoformat()
    response = mint(owner_client, workspace, name="old", expires_on=today)
    assert response.status_code == 400
    assert "after today" in response.content.decode()
    assert not ApiToken.objects.exists()


def test_expiry_date_means_midnight_utc(owner_client, workspace):
    day = (timezone.now() + timedelta(days=30)).date()
    mint(owner_client, workspace, name="monthly", expires_on=day.isoformat())
    token = ApiToken.objects.get(name="monthly")
    assert token.expires_at == datetime(day.year, day.month, day.day, tzinfo=UTC)


def test_owner_sees_every_token_member_only_their_own(workspace, owner, member, admin):
    mint_token(workspace=workspace, created_by=owner, name="owner-token")
    mint_token(workspace=workspace, created_by=member, name="member-token")
    mint_token(workspace=workspace, created_by=admin, name="admin-token")
    mint_token(workspace=workspace, created_by=owner, name="wb", family=TokenFamily.WRITEBACK_READ)
    owner_html = signed_in(owner).get(url("accounts:token-list", workspace)).content.decode()
    for name in ("owner-token", "member-token", "admin-token"):
        assert name in owner_html
    assert ">wb<" not in owner_html  # only gfat_ tokens on this page
    member_html = signed_in(member).get(url("accounts:token-list", workspace)).content.decode()
    assert "member-token" in member_html
    assert "owner-token" not in member_html
    assert "admin-token" not in member_html
    assert "Mint token" not in member_html
    admin_html = signed_in(admin).get(url("accounts:token-list", workspace)).content.decode()
    assert "admin-token" in admin_html
    assert "member-token" not in admin_html


def test_list_matches_the_json_endpoint(workspace, owner, member):
    mint_token(workspace=workspace, created_by=owner, name="owner-token")
    mint_token(workspace=workspace, created_by=member, name="member-token")
    for user in (owner, member):
        client = signed_in(user)
        api = client.get(
            f"/api/workspaces/{workspace.pk}/api-tokens", HTTP_X_GF_WORKSPACE=workspace.pk
        ).json()["items"]
        html = client.get(url("accounts:token-list", workspace)).content.decode()
        for item in api:
            assert f'id="token-{item["id"]}"' in html
        assert html.count('<tr id="token-') == len(api)


def test_list_shows_name_role_last4_dates(owner_client, workspace, owner):
    expires = timezone.now() + timedelta(days=9)
    token, raw = mint_token(
        workspace=workspace,
        created_by=owner,
        name="nightly",
        role=Role.GUEST,
        expires_at=expires,
    )
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=timezone.now() - timedelta(hours=2))
    html = owner_client.get(url("accounts:token-list", workspace)).content.decode()
    assert "nightly" in html
    assert ">Guest</span>" in html
    assert f"gfat_…{raw[-4:]}" in html
    assert raw not in html
    assert expires.strftime("%Y-%m-%d") in html
    assert "2\xa0hours ago" in html


def test_revoke_needs_confirmation(owner_client, workspace, owner):
    token, raw = mint_token(workspace=workspace, created_by=owner, name="ci")
    target = url("accounts:token-revoke", workspace, token_id=token.pk)
    page = owner_client.get(target)
    assert page.status_code == 200
    assert "Revoke “ci”?" in page.content.decode()
    assert owner_client.post(target).status_code == 200  # the confirmation page again
    token.refresh_from_db()
    assert token.revoked_at is None
    response = owner_client.post(target, {"confirm": "yes"})
    assert response.status_code == 302
    token.refresh_from_db()
    assert token.revoked_at is not None
    assert bearer_client(raw).get("/api/v1/sites").status_code == 401


def test_revoke_over_htmx_returns_the_list(owner_client, workspace, owner):
    token, _ = mint_token(workspace=workspace, created_by=owner, name="ci")
    response = owner_client.post(
        url("accounts:token-revoke", workspace, token_id=token.pk), {"confirm": "yes"}, **HTMX
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "is revoked" in html
    assert "badge-revoked" in html


def test_member_revokes_own_token_not_others(workspace, owner, member):
    own, _ = mint_token(workspace=workspace, created_by=member, name="mine")
    theirs, _ = mint_token(workspace=workspace, created_by=owner, name="theirs")
    client = signed_in(member)
    before = audit_count()
    response = client.post(
        url("accounts:token-revoke", workspace, token_id=theirs.pk), {"confirm": "yes"}
    )
    assert response.status_code == 404
    assert audit_count() == before
    response = client.post(
        url("accounts:token-revoke", workspace, token_id=own.pk), {"confirm": "yes"}
    )
    assert response.status_code == 302
    own.refresh_from_db()
    theirs.refresh_from_db()
    assert own.revoked_at is not None
    assert theirs.revoked_at is None


def test_owner_revokes_a_members_token(owner_client, workspace, member):
    token, _ = mint_token(workspace=workspace, created_by=member, name="bobs")
    owner_client.post(
        url("accounts:token-revoke", workspace, token_id=token.pk), {"confirm": "yes"}
    )
    token.refresh_from_db()
    assert token.revoked_at is not None


def test_token_of_other_workspace_is_404(owner_client, workspace, other_workspace, outsider):
    token, _ = mint_token(workspace=other_workspace, created_by=outsider)
    response = owner_client.post(
        url("accounts:token-revoke", workspace, token_id=token.pk), {"confirm": "yes"}
    )
    assert response.status_code == 404
    token.refresh_from_db()
    assert token.revoked_at is None


def test_token_list_query_count_does_not_grow(
    owner_client, workspace, owner, member, django_assert_num_queries
):
    target = url("accounts:token-list", workspace)
    mint_token(workspace=workspace, created_by=owner, name="t0")
    owner_client.get(target)  # warm the session
    with django_assert_num_queries(6):
        owner_client.get(target)
    for i in range(12):
        mint_token(workspace=workspace, created_by=member if i % 2 else owner, name=f"t{i + 1}")
    with django_assert_num_queries(6):
        response = owner_client.get(target)
    assert response.content.decode().count('<tr id="token-') == 13


def test_curl_check_after_mint_follows_the_served_address(owner_client, workspace, settings):
    settings.SITE_URL = ""
    settings.ALLOWED_HOSTS = ["backtalk.internal"]
    response = mint(owner_client, workspace, {"HTTP_HOST": "backtalk.internal:8765"}, name="ci")
    html = owner_client.get(response["Location"], HTTP_HOST="backtalk.internal:8765")
    assert "http://backtalk.internal:8765/api/v1/sites" in html.content.decode()


def test_plaintext_survives_a_visit_to_another_workspaces_token_page(
    owner_client, workspace, owner
):
    second = WorkspaceFactory.create(name="Second")
    MembershipFactory.create(user=owner, workspace=second, role=Role.OWNER)
    location = mint(owner_client, workspace, name="CI deploy")["Location"]

    other = owner_client.get(url("accounts:token-list", second)).content.decode()
    page = owner_client.get(location).content.decode()

    assert 'id="new-token"' not in other
    raw = secret_in(page, "new-token")
    assert ApiToken.objects.get(name="CI deploy").token_hash == secret_digest(raw)


def test_plaintext_never_read_is_dropped_after_five_minutes(owner_client, workspace, monkeypatch):
    location = mint(owner_client, workspace, name="CI deploy")["Location"]
    later = time.time() + dashboard.SHOW_ONCE_MAX_AGE_SECONDS + 1
    monkeypatch.setattr(dashboard.time, "time", lambda: later)

    page = owner_client.get(location).content.decode()

    assert 'id="new-token"' not in page
    assert "gfat_" not in str(dict(owner_client.session))
