"""GET /v1/projects (Writeback, Bearer wk_sk_): the workspace's projects, newest first."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from tests.conftest import bearer_client
from tests.factories import ProjectFactory

URL = "/v1/projects"


def test_projects_lists_the_workspace_projects_in_the_documented_shape(
    writeback_client, workspace, project, other_project
):
    newer = ProjectFactory.create(
        workspace=workspace,
        name="my-project",
        created_at=datetime(2030, 2, 20, 11, 6, 14, 123456, tzinfo=UTC),
    )

    response = writeback_client.get(URL)

    assert response.status_code == 200, response.content
    data = response.json()
    assert data[0] == {
        "id": newer.pk,
        "name": "my-project",
        "created_at": "2030-02-20T11:06:14Z",
    }
    assert [p["id"] for p in data] == [newer.pk, project.pk]  # never other_project
    assert all(set(p) == {"id", "name", "created_at"} for p in data)


def test_projects_of_workspace_without_projects_is_empty_list(writeback_client, workspace):
    response = writeback_client.get(URL)

    assert response.status_code == 200
    assert response.json() == []


def test_projects_without_token_is_401(api_client, db):
    response = api_client.get(URL)

    assert response.status_code == 401
    assert response.json() == {
        "ok": False,
        "error": {"code": "unauthorized", "message": "Missing bearer token."},
    }
    assert "WWW-Authenticate" in response


@pytest.mark.parametrize("family", ["gf", "ingest"])
def test_projects_with_wrong_family_token_is_401(project, gf_token, family):
    raw = gf_token.raw if family == "gf" else project.ingest_key

    response = bearer_client(raw).get(URL)

    assert response.status_code == 401
    assert response.json() == {
        "ok": False,
        "error": {
            "code": "unauthorized",
            "message": "This endpoint does not accept this kind of token.",
        },
    }
    assert response["WWW-Authenticate"].startswith("Bearer")


def test_projects_runs_a_fixed_number_of_queries(
    writeback_client, workspace, settings, django_assert_num_queries
):
    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "p"}
    }
    ProjectFactory.create_batch(5, workspace=workspace)
    writeback_client.get(URL)  # first use writes last_used_at once

    with django_assert_num_queries(2):  # token, projects
        response = writeback_client.get(URL)

    assert len(response.json()) == 5
