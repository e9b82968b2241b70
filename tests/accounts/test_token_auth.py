"""Bearer authentication of every family, through HTTP: each 401 reason and its challenge,
prefix discipline (wk_sk_ starts with wk_), storage of digests only, last_used_at."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from accounts import services
from accounts.audit import Actor
from accounts.models import ApiToken, Role, TokenFamily
from accounts.tokens import TokenRejected, resolve_api_token
from config.ids import secret_digest
from projects.selectors import ingest_target_get
from tests.config.helpers import assert_gf_401, assert_wb_401, csrf_client
from tests.conftest import bearer_client
from tests.factories import mint_token

SITES = "/api/v1/sites"
PROJECTS = "/v1/projects"
MALFORMED_HEADER = "Malformed Authorization header; expected 'Bearer <token>'."
WRONG_FAMILY = "This endpoint does not accept this kind of token."


def test_sites_without_credential_is_401_missing_token(api_client, project):
    assert_gf_401(api_client.get(SITES), "Missing bearer token.")


def test_writeback_projects_without_credential_is_401_missing_token(api_client, project):
    assert_wb_401(api_client.get(PROJECTS), "Missing bearer token.")


@pytest.mark.parametrize(
    ("header", "reason"),
    [
        ("Basic YWxpY2U6c2VjcmV0", MALFORMED_HEADER),
        ("Bearer", MALFORMED_HEADER),
        ("Bearer gfat_abc def", MALFORMED_HEADER),
        ("Bearer not-a-token", "Malformed token."),
        ("Bearer gfat_tooshort", "Malformed token."),
        ("Bearer gfat_" + "G" * 48, "Malformed token."),  # not lowercase hex
        ("Bearer gfat_" + "a" * 49, "Malformed token."),
    ],
)
def test_sites_with_bad_format_credential_is_401(api_client, project, header, reason):
    response = api_client.get(SITES, HTTP_AUTHORIZATION=header)
    assert_gf_401(response, reason)


def test_sites_with_unknown_well_formed_token_is_401_unknown(api_client, project):
    response = api_client.get(SITES, HTTP_AUTHORIZATION="Bearer gfat_" + "0" * 48)
    assert_gf_401(response, "Unknown token.")


def test_revoked_token_is_rejected_with_401_immediately(gf_token, gf_client, owner, project):
    assert gf_client.get(SITES).status_code == 200
    services.api_token_revoke(token=gf_token.token, actor=Actor.for_user(owner))
    assert_gf_401(gf_client.get(SITES), "Token has been revoked.")


def test_expired_token_is_rejected_with_401(gf_token, gf_client, project):
    ApiToken.objects.filter(pk=gf_token.token.pk).update(
        expires_at=timezone.now() - timedelta(seconds=1)
    )
    assert_gf_401(gf_client.get(SITES), "Token has expired.")


def test_token_with_future_expiry_works_until_then(workspace, owner, project):
    _, raw = mint_token(
        workspace=workspace, created_by=owner, expires_at=timezone.now() + timedelta(hours=1)
    )
    assert bearer_client(raw).get(SITES).status_code == 200


def test_token_of_deleted_workspace_is_401(gf_client, workspace, owner, project):
    services.workspace_soft_delete(workspace=workspace, user=owner)
    assert_gf_401(gf_client.get(SITES), "Workspace has been deleted.")


def test_token_of_deactivated_owner_is_401(gf_client, owner, project):
    owner.is_active = False
    owner.save(update_fields=["is_active"])
    assert_gf_401(gf_client.get(SITES), "Token owner is deactivated.")


@pytest.mark.parametrize("credential", ["ingest_key", "mlth", "wk_sk"])
def test_sites_reject_other_families_credentials_with_401(
    credential, project, mlth_key, wk_sk_key, api_client
):
    raw = {"ingest_key": project.ingest_key, "mlth": mlth_key.raw, "wk_sk": wk_sk_key.raw}[
        credential
    ]
    response = api_client.get(SITES, HTTP_AUTHORIZATION=f"Bearer {raw}")
    assert_gf_401(response, WRONG_FAMILY)


@pytest.mark.parametrize("credential", ["ingest_key", "mlth", "gfat"])
def test_writeback_projects_reject_other_families_credentials_with_401(
    credential, project, mlth_key, gf_token, api_client
):
    raw = {"ingest_key": project.ingest_key, "mlth": mlth_key.raw, "gfat": gf_token.raw}[credential]
    response = api_client.get(PROJECTS, HTTP_AUTHORIZATION=f"Bearer {raw}")
    assert_wb_401(response, WRONG_FAMILY)


def test_read_key_is_never_taken_for_an_ingest_key(project, wk_sk_key):
    # wk_sk_<hex> starts with "wk_": prefix matching is longest-first and the body must be
    # 48 hex characters, so a read key never resolves as an ingest key.
    assert wk_sk_key.raw.startswith("wk_")
    assert ingest_target_get(wk_sk_key.raw) is None
    target = ingest_target_get(project.ingest_key)
    assert target is not None
    assert target.project_id == project.pk


def test_resolve_rejects_a_token_presented_to_the_wrong_family(gf_token):
    with pytest.raises(TokenRejected, match="Malformed token"):
        resolve_api_token(gf_token.raw, TokenFamily.WRITEBACK_READ)


def test_session_with_a_foreign_bearer_header_is_401_not_the_session(owner, workspace, project):
    # An explicit Authorization header wins over a cookie the browser also sends.
    client = csrf_client(owner, workspace)
    assert client.get(SITES).status_code == 200
    response = client.get(SITES, HTTP_AUTHORIZATION=f"Bearer {project.ingest_key}")
    assert_gf_401(response, WRONG_FAMILY)


def test_guest_token_reads_sites(gf_guest_token, project):
    response = bearer_client(gf_guest_token.raw).get(SITES)
    assert response.status_code == 200
    assert [s["id"] for s in response.json()["items"]] == [project.pk]


@pytest.mark.parametrize(
    ("family", "pattern"),
    [
        (TokenFamily.GREATFEEDBACK, r"^gfat_[0-9a-f]{48}$"),
        (TokenFamily.WRITEBACK_READ, r"^wk_sk_[0-9a-f]{48}$"),
        (TokenFamily.MINOLITH, r"^mlth_[0-9a-f]{48}$"),
    ],
)
def test_minting_stores_only_the_digest_and_last4(workspace, owner, project, family, pattern):
    token, raw = services.api_token_mint(
        workspace=workspace,
        family=family,
        name="ci",
        actor=Actor.for_user(owner),
        project=project if family == TokenFamily.MINOLITH else None,
    )
    assert re.match(pattern, raw)
    row = ApiToken.objects.get(pk=token.pk)
    assert row.token_hash == secret_digest(raw)
    assert row.last4 == raw[-4:]
    stored = [str(getattr(row, f.attname)) for f in ApiToken._meta.concrete_fields]
    assert not any(raw in value or raw[-48:] in value for value in stored)


def test_owner_and_admin_roles_are_clamped_to_member_at_issuance(workspace, owner):
    for requested in (Role.OWNER, Role.ADMIN, "", None):
        token, _ = mint_token(workspace=workspace, created_by=owner, role=requested)
        assert token.role == Role.MEMBER
    token, _ = mint_token(workspace=workspace, created_by=owner, role=Role.GUEST)
    assert token.role == Role.GUEST


def test_last_used_at_is_written_at_most_once_a_minute(gf_token, gf_client, project):
    assert gf_token.token.last_used_at is None
    assert gf_client.get(SITES).status_code == 200
    first = ApiToken.objects.get(pk=gf_token.token.pk).last_used_at
    assert first is not None

    recent = timezone.now() - timedelta(seconds=30)
    ApiToken.objects.filter(pk=gf_token.token.pk).update(last_used_at=recent)
    gf_client.get(SITES)
    assert ApiToken.objects.get(pk=gf_token.token.pk).last_used_at == recent

    stale = timezone.now() - timedelta(seconds=61)
    ApiToken.objects.filter(pk=gf_token.token.pk).update(last_used_at=stale)
    gf_client.get(SITES)
    last_used = ApiToken.objects.get(pk=gf_token.token.pk).last_used_at
    assert last_used is not None
    assert last_used > stale


def test_repeat_request_within_a_minute_writes_nothing(
    gf_client, project, django_assert_num_queries
):
    gf_client.get(SITES)  # first use stamps last_used_at
    # token lookup + the page of sites; no UPDATE of last_used_at, no rate-limit queries
    # (the cache is not the database under test here: RATELIMIT_ENABLE is the switch).
    from django.test import override_settings

    with override_settings(RATELIMIT_ENABLE=False), django_assert_num_queries(2):
        assert gf_client.get(SITES).status_code == 200
