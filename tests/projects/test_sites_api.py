"""greatfeedback ``GET /api/v1/sites`` and ``GET /api/v1/sites/{id}``: the caller's
workspace only, never a secret, hostile ids and query strings are 4xx."""

from __future__ import annotations

import re

import pytest
from django.test import override_settings

from accounts.audit import Actor
from projects.services import project_create
from tests.config.helpers import assert_gf_401, csrf_client
from tests.conftest import bearer_client
from tests.factories import ProjectFactory

SITES = "/api/v1/sites"
SITE_KEYS = {"id", "workspace_id", "name", "slug", "domain", "allowed_origins", "created_at"}


def site_body(project):
    return {
        "id": project.pk,
        "workspace_id": project.workspace_id,
        "name": project.name,
        "slug": project.slug,
        "domain": project.domain,
        "allowed_origins": project.allowed_origins,
        "created_at": project.created_at.isoformat().replace("+00:00", "Z"),
    }


def test_sites_list_returns_the_workspaces_sites(gf_client, project, other_project):
    response = gf_client.get(SITES)
    assert response.status_code == 200
    assert response.json() == {"items": [site_body(project)], "next_cursor": None}


def test_site_detail_returns_the_site(gf_client, project):
    response = gf_client.get(f"{SITES}/{project.pk}")
    assert response.status_code == 200
    assert response.json() == site_body(project)


def test_sites_never_carry_a_secret(gf_client, project):
    for body in (
        gf_client.get(SITES).json()["items"][0],
        gf_client.get(f"{SITES}/{project.pk}").json(),
    ):
        assert set(body) == SITE_KEYS
        text = str(body)
        for secret in (
            project.mcp_token,
            project.widget_token,
            project.ingest_key,
            project.loader_secret_id,
        ):
            assert secret not in text


def test_session_caller_names_the_workspace_with_a_header(owner, workspace, project):
    response = csrf_client(owner, workspace).get(SITES)
    assert response.status_code == 200
    assert [s["id"] for s in response.json()["items"]] == [project.pk]


def test_session_caller_without_workspace_header_is_400(owner, workspace, project):
    response = csrf_client(owner).get(SITES)
    assert response.status_code == 400
    assert response.json() == {
        "detail": "The X-GF-Workspace header is required for session callers."
    }


def test_session_caller_naming_another_workspace_is_404(owner, workspace, other_workspace):
    response = csrf_client(owner, other_workspace).get(SITES)
    assert response.status_code == 404
    assert response.json() == {"detail": "Workspace not found."}


def test_site_in_another_workspace_is_404(gf_client, project, other_project):
    response = gf_client.get(f"{SITES}/{other_project.pk}")
    assert response.status_code == 404
    assert response.json() == {"detail": "Site not found."}


@pytest.mark.parametrize(
    "site_id",
    ["nope", "%00", "abc%00def", "%ED%A0%80", "%F0%9F%92%A9", "x" * 2000, "1%27%20OR%201=1--"],
)
def test_malformed_site_ids_are_404(gf_client, project, site_id):
    response = gf_client.get(f"{SITES}/{site_id}")
    assert response.status_code == 404, response.content
    assert response.json() in ({"detail": "Site not found."}, {"detail": "Not found."})


@pytest.mark.parametrize(
    ("site_id", "queries"),
    [
        ("0" * 32, 2),  # a well-formed id: token lookup + the project lookup
        ("not-a-site-id", 1),  # no project can have it: the token lookup only
        ("A" * 32, 1),  # ids are lowercase hex
        ("0" * 32 + "%0A", 1),  # a trailing newline is not part of an id
    ],
)
def test_site_lookup_spends_no_query_on_an_id_no_site_can_have(
    gf_client, project, site_id, queries, django_assert_num_queries
):
    gf_client.get(SITES)  # stamps last_used_at
    with override_settings(RATELIMIT_ENABLE=False), django_assert_num_queries(queries):
        response = gf_client.get(f"{SITES}/{site_id}")
    assert response.status_code == 404
    assert response.json() == {"detail": "Site not found."}


@pytest.mark.parametrize(
    ("query", "detail"),
    [
        ("cursor=%00", "Query parameter 'cursor' contains a NUL character."),
        ("q%00=1", "Query parameter 'q\\x00' contains a NUL character."),
        ("limit=0", "limit must be an integer from 1 to 200."),
        ("limit=201", "limit must be an integer from 1 to 200."),
        ("limit=ten", "limit must be an integer from 1 to 200."),
        ("limit=%00", "Query parameter 'limit' contains a NUL character."),
        ("cursor=not-a-cursor", "The cursor is invalid or was tampered with."),
    ],
)
def test_bad_query_strings_are_400(gf_client, project, query, detail):
    response = gf_client.get(f"{SITES}?{query}")
    assert response.status_code == 400, response.content
    assert response.json() == {"detail": detail}


def test_a_lone_surrogate_in_the_query_string_is_harmless(gf_client, project):
    # Django decodes invalid UTF-8 (%ED%A0%80 is an encoded surrogate) to U+FFFD.
    response = gf_client.get(f"{SITES}?limit=%ED%A0%80")
    assert response.status_code == 400
    assert response.json() == {"detail": "limit must be an integer from 1 to 200."}


def test_sites_list_runs_a_fixed_number_of_queries(
    gf_client, workspace, project, django_assert_num_queries
):
    gf_client.get(SITES)  # stamps last_used_at
    for _ in range(10):
        ProjectFactory.create(workspace=workspace)
    # token lookup + the page: the count does not grow with the number of sites.
    with override_settings(RATELIMIT_ENABLE=False), django_assert_num_queries(2):
        response = gf_client.get(SITES)
    assert len(response.json()["items"]) == 11


def test_sites_reject_a_missing_token_with_401(api_client, project):
    assert_gf_401(api_client.get(f"{SITES}/{project.pk}"), "Missing bearer token.")


def test_sites_reject_a_writeback_key_with_401(wk_sk_key, project):
    response = bearer_client(wk_sk_key.raw).get(f"{SITES}/{project.pk}")
    assert_gf_401(response, "This endpoint does not accept this kind of token.")


def test_sites_are_read_only(gf_client, project):
    response = gf_client.delete(f"{SITES}/{project.pk}")
    assert response.status_code == 405
    assert response.json() == {"detail": 'Method "DELETE" not allowed.'}


def test_project_create_mints_every_secret_and_a_unique_public_slug(workspace, owner):
    first = project_create(workspace=workspace, name="Web Shop", actor=Actor.for_user(owner))
    second = project_create(workspace=workspace, name="Web Shop", actor=Actor.for_user(owner))
    assert re.fullmatch(r"[0-9a-f]{32}", first.pk)
    assert first.slug == "web-shop"
    assert re.fullmatch(r"web-shop-[0-9a-f]{6}", second.slug)
    assert re.fullmatch(r"wk_[0-9a-f]{48}", first.ingest_key)
    assert re.fullmatch(r"gfwt_[0-9a-f]{48}", first.widget_token)
    assert re.fullmatch(r"gfmcp_[0-9a-f]{48}", first.mcp_token)
    assert re.fullmatch(r"gfls_[0-9a-f]{25}", first.loader_secret_id)
    assert first.allowed_origins == []
    assert len({first.ingest_key, second.ingest_key, first.mcp_token, second.mcp_token}) == 4
