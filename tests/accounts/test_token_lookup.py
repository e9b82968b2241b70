"""resolve_api_token's lookup (accounts/tokens.py): one query per request, which loads the
workspace, the project and the creator (without the password hash) and the creator's
current role, and checks revocation on every call; last_used_at costs a write once a minute."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from accounts.models import ApiToken, Membership, Role, TokenFamily
from accounts.tokens import TokenRejected, resolve_api_token
from tests.factories import mint_token

CREDENTIALS = ["gf_token", "wk_sk_key", "mlth_key"]


@pytest.mark.parametrize("credential", CREDENTIALS)
def test_lookup_is_one_query_and_loads_workspace_project_and_creator(
    request, credential, django_assert_num_queries
):
    cred = request.getfixturevalue(credential)
    with django_assert_num_queries(2):  # the lookup + the first last_used_at write
        resolve_api_token(cred.raw, cred.token.family)
    with django_assert_num_queries(1):
        token = resolve_api_token(cred.raw, cred.token.family)
    with django_assert_num_queries(0):
        assert token.workspace.pk == cred.token.workspace_id
        assert token.created_by is not None
        assert token.created_by.is_active
        if cred.token.family == TokenFamily.MINOLITH:
            assert token.project is not None
            assert token.project.pk == cred.token.project_id
        else:
            assert token.project is None


def test_lookup_of_a_token_without_creator_is_one_query(workspace, django_assert_num_queries):
    _, raw = mint_token(workspace=workspace, created_by=None)
    resolve_api_token(raw, TokenFamily.GREATFEEDBACK)
    with django_assert_num_queries(1):
        token = resolve_api_token(raw, TokenFamily.GREATFEEDBACK)
    with django_assert_num_queries(0):
        assert token.created_by is None
        assert token.project is None
        assert token.workspace.pk == workspace.pk


def test_lookup_does_not_read_the_creators_password_hash(gf_token):
    token = resolve_api_token(gf_token.raw, gf_token.token.family)
    assert token.created_by is not None
    assert token.created_by.get_deferred_fields() == {"password"}


def test_creators_demotion_clamps_the_token_within_the_one_query(
    workspace, member, django_assert_num_queries
):
    _, raw = mint_token(workspace=workspace, created_by=member, role=Role.MEMBER)
    resolve_api_token(raw, TokenFamily.GREATFEEDBACK)  # writes last_used_at
    Membership.objects.filter(workspace=workspace, user=member).update(role=Role.GUEST)
    with django_assert_num_queries(1):
        token = resolve_api_token(raw, TokenFamily.GREATFEEDBACK)
    assert token.role == Role.GUEST
    assert ApiToken.objects.get(pk=token.pk).role == Role.MEMBER  # the row keeps its grant


def test_revocation_is_seen_by_the_very_next_lookup(gf_token):
    resolve_api_token(gf_token.raw, gf_token.token.family)
    ApiToken.objects.filter(pk=gf_token.token.pk).update(revoked_at=timezone.now())
    with pytest.raises(TokenRejected, match="revoked"):
        resolve_api_token(gf_token.raw, gf_token.token.family)


def test_last_used_at_is_written_again_after_a_minute(gf_token, django_assert_num_queries):
    resolve_api_token(gf_token.raw, gf_token.token.family)
    stale = timezone.now() - timedelta(seconds=61)
    ApiToken.objects.filter(pk=gf_token.token.pk).update(last_used_at=stale)
    with django_assert_num_queries(2):  # the lookup + the write
        token = resolve_api_token(gf_token.raw, gf_token.token.family)
    assert token.last_used_at is not None
    assert token.last_used_at > stale
