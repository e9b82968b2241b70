"""Writeback ``GET /v1/projects`` with a ``wk_sk_`` Bearer key."""

from __future__ import annotations

from datetime import UTC, datetime

from django.test import override_settings

from accounts import services
from accounts.audit import Actor
from tests.config.helpers import assert_wb_401
from tests.conftest import bearer_client
from tests.factories import ProjectFactory


def test_projects_lists_the_keys_workspace_newest_first(
    writeback_client, workspace, project, other_project
):
    older = ProjectFactory.create(
        workspace=workspace,
        name="older",
        created_at=datetime(2026, 2, 20, 11, 6, 14, 500, tzinfo=UTC),
    )
    response = writeback_client.get("/v1/projects")
    assert response.status_code == 200
    assert response.json() == [
        {
            "id": project.pk,
            "name": "Storefront",
            "created_at": project.created_at.strftime("%Y-%m-%dT%H:%M:%SZ"),
        },
        {"id": older.pk, "name": "older", "created_at": "2026-02-20T11:06:14Z"},
    ]


def test_projects_of_a_workspace_without_projects_is_an_empty_list(writeback_client, workspace):
    response = writeback_client.get("/v1/projects")
    assert response.status_code == 200
    assert response.json() == []


def test_projects_runs_a_fixed_number_of_queries(
    writeback_client, workspace, project, django_assert_num_queries
):
    writeback_client.get("/v1/projects")  # stamps last_used_at
    for _ in range(5):
        ProjectFactory.create(workspace=workspace)
    with override_settings(RATELIMIT_ENABLE=False), django_assert_num_queries(2):
        assert len(writeback_client.get("/v1/projects").json()) == 6


def test_projects_without_a_key_is_401(api_client, project):
    assert_wb_401(api_client.get("/v1/projects"), "Missing bearer token.")


def test_projects_with_a_revoked_key_is_401(wk_sk_key, owner, project):
    services.api_token_revoke(token=wk_sk_key.token, actor=Actor.for_user(owner))
    assert_wb_401(bearer_client(wk_sk_key.raw).get("/v1/projects"), "Token has been revoked.")


def test_projects_with_an_ingest_key_is_401(project):
    # wk_ is the write-only ingest key; only wk_sk_ reads.
    response = bearer_client(project.ingest_key).get("/v1/projects")
    assert_wb_401(response, "This endpoint does not accept this kind of token.")


def test_projects_with_a_greatfeedback_token_is_401(gf_token, project):
    response = bearer_client(gf_token.raw).get("/v1/projects")
    assert_wb_401(response, "This endpoint does not accept this kind of token.")


def test_projects_rejects_writes_in_the_writeback_shape(writeback_client):
    response = writeback_client.post("/v1/projects", {"name": "x"}, format="json")
    assert response.status_code == 405
    assert response.json() == {
        "ok": False,
        "error": {"code": "method_not_allowed", "message": 'Method "POST" not allowed.'},
    }


def test_unknown_writeback_path_is_a_json_404_in_the_writeback_shape(api_client):
    response = api_client.get("/v1/nope")
    assert response.status_code == 404
    assert response.json() == {"ok": False, "error": {"code": "not_found", "message": "Not found."}}
