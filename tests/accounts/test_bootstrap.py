"""``manage.py bootstrap``: JSON keys and formats, every printed credential works, and a
second run reuses the user, workspace and project but mints fresh keys."""

from __future__ import annotations

import json
import re
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from rest_framework.test import APIClient

from accounts.models import ApiToken, Role, TokenFamily, User, Workspace
from accounts.tokens import resolve_api_token
from projects.models import Project
from projects.selectors import ingest_target_get, project_by_mcp_token, project_by_widget_token
from tests.conftest import bearer_client

PASSWORD = "a-long-bootstrap-password"
FORMATS = {
    "user_email": r"owner@example\.com",
    "workspace_id": r"[0-9a-f]{32}",
    "project_id": r"[0-9a-f]{32}",
    "project_slug": r"storefront",
    "ingest_key": r"wk_[0-9a-f]{48}",
    "api_key": r"wk_sk_[0-9a-f]{48}",
    "api_token": r"gfat_[0-9a-f]{48}",
    "guest_api_token": r"gfat_[0-9a-f]{48}",
    "project_api_key": r"mlth_[0-9a-f]{48}",
    "mcp_token": r"gfmcp_[0-9a-f]{48}",
    "widget_token": r"gfwt_[0-9a-f]{48}",
}


def bootstrap(*extra: str) -> dict[str, str]:
    out = StringIO()
    call_command(
        "bootstrap",
        "--email",
        "Owner@Example.com",
        "--workspace",
        "Acme",
        "--project",
        "Storefront",
        "--json",
        *extra,
        stdout=out,
    )
    return json.loads(out.getvalue())


def test_bootstrap_prints_one_json_object_with_every_credential(db):
    data = bootstrap("--password", PASSWORD)
    assert list(data) == list(FORMATS)
    for key, pattern in FORMATS.items():
        assert re.fullmatch(pattern, data[key]), (key, data[key])


def test_every_bootstrapped_credential_works(db):
    data = bootstrap("--password", PASSWORD)
    project = Project.objects.get(pk=data["project_id"])

    # greatfeedback member and guest tokens list the site.
    for key, role in (("api_token", Role.MEMBER), ("guest_api_token", Role.GUEST)):
        response = bearer_client(data[key]).get("/api/v1/sites")
        assert response.status_code == 200, key
        assert [s["id"] for s in response.json()["items"]] == [project.pk]
        assert resolve_api_token(data[key], TokenFamily.GREATFEEDBACK).role == role
    # Writeback read key lists the project.
    response = bearer_client(data["api_key"]).get("/v1/projects")
    assert response.status_code == 200
    assert [p["id"] for p in response.json()] == [project.pk]
    # Project-scoped Minolith key, ingest key, MCP and widget tokens resolve to the project.
    assert resolve_api_token(data["project_api_key"], TokenFamily.MINOLITH).project == project
    target = ingest_target_get(data["ingest_key"])
    assert target is not None
    assert target.project_id == project.pk
    assert project_by_mcp_token(data["mcp_token"]) == project
    assert project_by_widget_token(data["widget_token"]) == project
    # The owner signs in with the printed email and the given password.
    client = APIClient()
    response = client.post(
        "/accounts/login/", {"username": data["user_email"], "password": PASSWORD}
    )
    assert response.status_code == 302
    owner = User.objects.get(email="owner@example.com")
    assert client.session["_auth_user_id"] == str(owner.pk)
    assert owner.memberships.get().role == Role.OWNER


def test_second_run_reuses_user_workspace_project_and_mints_fresh_keys(db):
    first = bootstrap("--password", PASSWORD)
    second = bootstrap()

    for key in ("user_email", "workspace_id", "project_id", "project_slug", "ingest_key"):
        assert second[key] == first[key], key
    for key in ("api_key", "api_token", "guest_api_token", "project_api_key"):
        assert second[key] != first[key], key
    assert (User.objects.count(), Workspace.objects.count(), Project.objects.count()) == (1, 1, 1)
    assert ApiToken.objects.count() == 8
    # Earlier keys stay valid: a re-run must not break a running setup.
    assert bearer_client(first["api_token"]).get("/api/v1/sites").status_code == 200
    assert bearer_client(second["api_token"]).get("/api/v1/sites").status_code == 200


def test_new_user_needs_a_password(db):
    with pytest.raises(CommandError, match="--password is required"):
        bootstrap()
    assert not User.objects.exists()


def test_human_readable_output_lists_the_same_keys(db):
    out = StringIO()
    call_command("bootstrap", "--email", "o@example.com", "--password", PASSWORD, stdout=out)
    names = [line.split()[0] for line in out.getvalue().splitlines()]
    assert names == list(FORMATS)
