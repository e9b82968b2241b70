"""greatfeedback ``/api/workspaces/{ws}/api-tokens``: session-only token management.

OWNER mints (role clamped to MEMBER/GUEST, plaintext shown once); OWNER lists and revokes
every token, MEMBER only their own; a token can never mint, list or revoke.
"""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.test import override_settings
from django.utils import timezone

from accounts.models import ApiToken, AuditLog, Role, TokenFamily
from config.ids import secret_digest
from tests.config.helpers import assert_gf_401, csrf_client, tokens_url
from tests.conftest import bearer_client
from tests.factories import mint_token

SESSION_REQUIRED = {"detail": "This endpoint needs a dashboard session; API tokens cannot use it."}
INSUFFICIENT_ROLE = {"detail": "Insufficient role"}
OUTPUT_KEYS = {
    "id",
    "workspace_id",
    "name",
    "role",
    "prefix",
    "last4",
    "created_by",
    "created_at",
    "expires_at",
    "last_used_at",
    "revoked_at",
}


def gfat_rows(workspace):
    return ApiToken.objects.filter(workspace=workspace, family=TokenFamily.GREATFEEDBACK)


# --- mint ------------------------------------------------------------------------------------
def test_owner_session_mints_a_token_shown_once(owner, workspace, project):
    client = csrf_client(owner)
    response = client.post(tokens_url(workspace), {"name": "CI"}, format="json")

    assert response.status_code == 201, response.content
    assert response["Cache-Control"] == "no-store"
    body = response.json()
    assert set(body) == OUTPUT_KEYS | {"token"}
    raw = body.pop("token")
    assert re.fullmatch(r"gfat_[0-9a-f]{48}", raw)
    row = ApiToken.objects.get()
    assert body == {
        "id": row.pk,
        "workspace_id": workspace.pk,
        "name": "CI",
        "role": "MEMBER",
        "prefix": "gfat_",
        "last4": raw[-4:],
        "created_by": owner.email,
        "created_at": row.created_at.isoformat().replace("+00:00", "Z"),
        "expires_at": None,
        "last_used_at": None,
        "revoked_at": None,
    }
    assert row.token_hash == secret_digest(raw)
    # The plaintext works at once, and no later read shows it again.
    assert bearer_client(raw).get("/api/v1/sites").status_code == 200
    listed = client.get(tokens_url(workspace)).content.decode()
    assert raw not in listed
    assert row.token_hash not in listed


@pytest.mark.parametrize(
    ("requested", "granted"),
    [
        ("OWNER", "MEMBER"),
        ("ADMIN", "MEMBER"),
        ("MEMBER", "MEMBER"),
        ("GUEST", "GUEST"),
        (None, "MEMBER"),
    ],
)
def test_minted_role_is_clamped_to_member_or_guest(owner, workspace, requested, granted):
    payload = {"name": "ci"} if requested is None else {"name": "ci", "role": requested}
    response = csrf_client(owner).post(tokens_url(workspace), payload, format="json")
    assert response.status_code == 201, response.content
    assert response.json()["role"] == granted
    assert ApiToken.objects.get().role == granted


@pytest.mark.parametrize(
    ("payload", "loc", "msg"),
    [
        (
            {"name": "ci", "role": "superuser"},
            ["body", "role"],
            'role: "superuser" is not a valid choice.',
        ),
        ({}, ["body", "name"], "name: This field is required."),
        ({"name": ""}, ["body", "name"], "name: This field may not be blank."),
        (
            {"name": "x" * 201},
            ["body", "name"],
            "name: Ensure this field has no more than 200 characters.",
        ),
        ({"name": "ci", "expires_at": "yesterday"}, ["body", "expires_at"], None),
        (["name", "ci"], ["body"], "Invalid data. Expected a dictionary, but got list."),
    ],
)
def test_mint_with_invalid_body_is_422_and_creates_nothing(owner, workspace, payload, loc, msg):
    response = csrf_client(owner).post(tokens_url(workspace), payload, format="json")
    assert response.status_code == 422, response.content
    [error] = response.json()["detail"]
    assert error["loc"] == loc
    if msg is not None:
        assert error["msg"] == msg
    assert set(error) == {"loc", "msg", "type"}
    assert not ApiToken.objects.exists()
    assert not AuditLog.objects.filter(action="api_token.create").exists()


def test_mint_with_past_expiry_is_422(owner, workspace):
    past = (timezone.now() - timedelta(minutes=1)).isoformat()
    response = csrf_client(owner).post(
        tokens_url(workspace), {"name": "ci", "expires_at": past}, format="json"
    )
    assert response.status_code == 422
    assert response.json() == {
        "detail": [
            {
                "loc": ["body", "expires_at"],
                "msg": "expires_at must be in the future.",
                "type": "validation_error",
            }
        ]
    }
    assert not ApiToken.objects.exists()


def test_mint_with_future_expiry_stores_it(owner, workspace):
    later = timezone.now() + timedelta(days=7)
    response = csrf_client(owner).post(
        tokens_url(workspace), {"name": "ci", "expires_at": later.isoformat()}, format="json"
    )
    assert response.status_code == 201
    assert ApiToken.objects.get().expires_at == later


@pytest.mark.parametrize("persona", ["member", "guest"])
def test_non_owner_session_cannot_mint(request, workspace, persona):
    user = request.getfixturevalue(persona)
    response = csrf_client(user).post(tokens_url(workspace), {"name": "ci"}, format="json")
    assert response.status_code == 403
    assert response.json() == INSUFFICIENT_ROLE
    assert not ApiToken.objects.exists()


def test_mint_without_csrf_header_is_403_and_creates_nothing(owner, workspace):
    client = csrf_client(owner)
    client.credentials()  # drop X-CSRFToken
    response = client.post(tokens_url(workspace), {"name": "ci"}, format="json")
    assert response.status_code == 403
    assert response.json() == {"detail": "CSRF Failed: CSRF token missing."}
    assert not ApiToken.objects.exists()


def test_owner_signs_in_with_email_and_password_then_mints(owner, workspace):
    """The real sign-in: Django's login view at /accounts/login/ with username=email."""
    from tests.factories import DEFAULT_PASSWORD

    client = csrf_client()
    response = client.post(
        "/accounts/login/",
        {"username": "ALICE@example.com", "password": DEFAULT_PASSWORD},
        format="multipart",
    )
    assert response.status_code == 302, response.content
    # Signing in rotates the CSRF token; the dashboard reads the new cookie.
    client.credentials(HTTP_X_CSRFTOKEN=client.cookies["csrftoken"].value)
    response = client.post(tokens_url(workspace), {"name": "ci"}, format="json")
    assert response.status_code == 201, response.content


# --- tokens never manage tokens --------------------------------------------------------------
@pytest.mark.parametrize("method", ["get", "post", "delete"])
def test_a_token_cannot_use_token_management(gf_token, workspace, method):
    client = bearer_client(gf_token.raw)
    url = tokens_url(workspace)
    if method == "delete":
        url = f"{url}/{gf_token.token.pk}"
    response = getattr(client, method)(url, {"name": "x"} if method == "post" else None)
    assert response.status_code == 403
    assert response.json() == SESSION_REQUIRED
    assert gfat_rows(workspace).count() == 1
    assert ApiToken.objects.get(pk=gf_token.token.pk).revoked_at is None


def test_missing_credential_on_token_management_is_401(api_client, workspace):
    assert_gf_401(api_client.get(tokens_url(workspace)), "Missing bearer token.")


# --- list ------------------------------------------------------------------------------------
@pytest.fixture
def two_tokens(workspace, owner, member):
    owners, _ = mint_token(workspace=workspace, created_by=owner, name="alice's")
    members, _ = mint_token(workspace=workspace, created_by=member, name="bob's")
    return owners, members


def test_owner_lists_every_token(owner, workspace, two_tokens):
    response = csrf_client(owner).get(tokens_url(workspace))
    assert response.status_code == 200
    body = response.json()
    assert body["next_cursor"] is None
    assert [t["name"] for t in body["items"]] == ["bob's", "alice's"]  # newest first
    assert all(set(t) == OUTPUT_KEYS for t in body["items"])


def test_member_lists_only_their_own_tokens(member, workspace, two_tokens):
    response = csrf_client(member).get(tokens_url(workspace))
    assert response.status_code == 200
    assert [t["name"] for t in response.json()["items"]] == ["bob's"]


def test_guest_cannot_list_tokens(guest, workspace, two_tokens):
    response = csrf_client(guest).get(tokens_url(workspace))
    assert response.status_code == 403
    assert response.json() == INSUFFICIENT_ROLE


def test_listing_lists_only_greatfeedback_tokens(owner, workspace, wk_sk_key, mlth_key):
    mint_token(workspace=workspace, created_by=owner, name="gf")
    response = csrf_client(owner).get(tokens_url(workspace))
    assert [t["name"] for t in response.json()["items"]] == ["gf"]


def test_token_list_runs_a_fixed_number_of_queries(
    owner, workspace, two_tokens, django_assert_num_queries
):
    for n in range(5):
        mint_token(workspace=workspace, created_by=owner, name=f"t{n}")
    client = csrf_client(owner)
    # session, user, membership+workspace, the page with its creators joined.
    with override_settings(RATELIMIT_ENABLE=False), django_assert_num_queries(4):
        response = client.get(tokens_url(workspace))
    assert len(response.json()["items"]) == 7


# --- revoke ----------------------------------------------------------------------------------
def test_owner_revokes_any_token_and_it_stops_at_once(owner, workspace, member, project):
    token, raw = mint_token(workspace=workspace, created_by=member, name="bob's")
    assert bearer_client(raw).get("/api/v1/sites").status_code == 200

    response = csrf_client(owner).delete(f"{tokens_url(workspace)}/{token.pk}")

    assert response.status_code == 204
    assert ApiToken.objects.get(pk=token.pk).revoked_at is not None
    assert_gf_401(bearer_client(raw).get("/api/v1/sites"), "Token has been revoked.")
    audit = AuditLog.objects.get(action="api_token.revoke")
    assert (audit.actor_id, audit.target_id) == (f"user:{owner.pk}", token.pk)


def test_member_revokes_their_own_token(member, workspace, two_tokens):
    _, members = two_tokens
    response = csrf_client(member).delete(f"{tokens_url(workspace)}/{members.pk}")
    assert response.status_code == 204
    assert ApiToken.objects.get(pk=members.pk).revoked_at is not None


def test_member_cannot_revoke_someone_elses_token(member, workspace, two_tokens):
    owners, _ = two_tokens
    response = csrf_client(member).delete(f"{tokens_url(workspace)}/{owners.pk}")
    assert response.status_code == 404
    assert response.json() == {"detail": "Token not found."}
    assert ApiToken.objects.get(pk=owners.pk).revoked_at is None


def test_guest_cannot_revoke(guest, workspace, two_tokens):
    owners, _ = two_tokens
    response = csrf_client(guest).delete(f"{tokens_url(workspace)}/{owners.pk}")
    assert response.status_code == 403
    assert response.json() == INSUFFICIENT_ROLE
    assert ApiToken.objects.get(pk=owners.pk).revoked_at is None


# --- tenancy ---------------------------------------------------------------------------------
def test_another_workspaces_tokens_are_404(owner, workspace, outsider, other_workspace):
    theirs, _ = mint_token(workspace=other_workspace, created_by=outsider)
    client = csrf_client(owner)
    assert client.get(tokens_url(other_workspace)).json() == {"detail": "Workspace not found."}
    assert client.get(tokens_url(other_workspace)).status_code == 404
    response = client.post(tokens_url(other_workspace), {"name": "x"}, format="json")
    assert response.status_code == 404
    # Their token id under our workspace's URL: not ours, so it does not exist.
    response = client.delete(f"{tokens_url(workspace)}/{theirs.pk}")
    assert response.status_code == 404
    assert ApiToken.objects.get(pk=theirs.pk).revoked_at is None
    assert not ApiToken.objects.filter(workspace=workspace).exists()


def test_a_token_naming_another_workspace_is_404(gf_token, other_workspace):
    response = bearer_client(gf_token.raw).get(tokens_url(other_workspace))
    assert response.status_code == 404


@pytest.mark.parametrize("ws", ["not-a-workspace", "%00", "0" * 33, "%E2%80%AE" * 3])
def test_malformed_workspace_ids_are_404(owner, workspace, ws):
    response = csrf_client(owner).get(tokens_url(ws))
    assert response.status_code == 404, response.content
    assert response.json()["detail"] in {"Workspace not found.", "Not found."}


@pytest.mark.parametrize("token_id", ["nope", "%00", "1" * 500])
def test_malformed_token_ids_are_404(owner, workspace, token_id):
    response = csrf_client(owner).delete(f"{tokens_url(workspace)}/{token_id}")
    assert response.status_code == 404, response.content


def test_role_clamped_at_mint_cannot_grow_later(owner, workspace):
    """The database itself refuses an OWNER token (CheckConstraint), whatever the caller."""
    from django.db import IntegrityError, transaction

    token, _ = mint_token(workspace=workspace, created_by=owner)
    with pytest.raises(IntegrityError), transaction.atomic():
        ApiToken.objects.filter(pk=token.pk).update(role=Role.OWNER)
