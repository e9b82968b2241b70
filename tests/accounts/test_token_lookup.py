"""resolve_api_token's hand-written lookup (accounts/tokens.py): one query per request, which
loads the workspace, the project and the creator (without the password hash) and the
creator's current role, with the same values a plain ORM fetch gives (so a new column cannot
drift), and checks revocation on every call; last_used_at costs a write once a minute."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.db.models import Model
from django.utils import timezone

from accounts.models import ApiToken, Membership, Role, TokenFamily
from accounts.tokens import TokenRejected, resolve_api_token
from tests.factories import mint_token

CREDENTIALS = ["gf_token", "wk_sk_key", "mlth_key"]


def values(obj: Model) -> dict[str, Any]:
    deferred = obj.get_deferred_fields()
    return {
        f.attname: getattr(obj, f.attname)
        for f in obj._meta.concrete_fields
        if f.attname not in deferred
    }


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


@pytest.mark.parametrize("credential", CREDENTIALS)
def test_lookup_returns_what_the_orm_returns(request, credential, project):
    cred = request.getfixturevalue(credential)
    # Values with converters on some backend: JSON, a nullable integer, datetimes, booleans.
    project.allowed_origins = ["https://example.com", "http://localhost:3000"]
    project.spending_cap_credits = 7
    project.save()
    resolve_api_token(cred.raw, cred.token.family)  # writes last_used_at
    token = resolve_api_token(cred.raw, cred.token.family)
    expected = ApiToken.objects.select_related("workspace", "project", "created_by").get(
        pk=cred.token.pk
    )

    assert values(token) == values(expected)
    assert values(token.workspace) == values(expected.workspace)
    if expected.project is None:
        assert token.project is None
    else:
        assert token.project is not None
        assert values(token.project) == values(expected.project)
    assert token.created_by is not None
    assert expected.created_by is not None
    creator = values(expected.created_by)
    del creator["password"]
    assert values(token.created_by) == creator
    for obj in (token, token.workspace, token.project, token.created_by):
        if obj is not None:
            assert obj._state.adding is False
            assert obj._state.db == expected._state.db
