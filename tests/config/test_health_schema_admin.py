"""/healthz, the OpenAPI schema and its browsable docs, and the Django admin pages."""

from __future__ import annotations

import json

import pytest
import yaml
from django.contrib import admin
from django.core.management import call_command
from django.db import OperationalError

from accounts.models import ApiToken, AuditLog, Invitation, Membership, User, Workspace
from projects.models import Project
from tests.config.helpers import CLOSED_REDIS
from tests.factories import mint_token

# --- health -----------------------------------------------------------------------------------


def test_healthz_is_200_when_database_and_cache_answer(client, db):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "checks": {"database": "ok", "cache": "ok"}}
    assert "no-cache" in response["Cache-Control"]


def test_healthz_is_503_when_the_cache_is_down(client, db, settings):
    settings.CACHES = CLOSED_REDIS
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json() == {"status": "error", "checks": {"database": "ok", "cache": "error"}}


def test_healthz_is_503_when_the_database_is_down(client, db, monkeypatch):
    class DownConnection:
        def cursor(self):
            raise OperationalError("connection refused")

    monkeypatch.setattr("config.views.connection", DownConnection())
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json() == {"status": "error", "checks": {"database": "error", "cache": "ok"}}


# --- schema -----------------------------------------------------------------------------------
DOCUMENTED = {
    "/api/v1/sites": {"get"},
    "/api/v1/sites/{site_id}": {"get"},
    "/api/workspaces/{ws}/api-tokens": {"get", "post"},
    "/api/workspaces/{ws}/api-tokens/{token_id}": {"delete"},
    "/api/widget/sites/{site_id}/secrets": {"get"},
    "/api/widget/sites/{site_id}/secrets/rotate-mcp-token": {"post"},
    "/v1/projects": {"get"},
}


def test_schema_is_openapi_3_with_the_foundation_endpoints(client, db):
    response = client.get("/api/schema/")
    assert response.status_code == 200
    schema = yaml.safe_load(response.content)
    assert schema["openapi"].startswith("3.")
    for path, methods in DOCUMENTED.items():
        assert methods <= set(schema["paths"][path]), path
    assert set(schema["components"]["securitySchemes"]) >= {
        "greatfeedbackToken",
        "writebackApiKey",
        "cookieAuth",
    }
    mint = schema["paths"]["/api/workspaces/{ws}/api-tokens"]["post"]["responses"]
    assert "201" in mint


def test_schema_as_json(client, db):
    response = client.get("/api/schema/?format=json")
    assert response.status_code == 200
    assert json.loads(response.content)["info"]["title"] == "Backtalk API"


def test_spectacular_validates_the_schema_without_a_warning(tmp_path, db):
    # --fail-on-warn raises on any warning or error; --validate checks it against the spec.
    out = tmp_path / "schema.yaml"
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(out))
    assert yaml.safe_load(out.read_text())["paths"]


def test_browsable_docs_render(client, db):
    response = client.get("/api/docs/")
    assert response.status_code == 200
    assert b"swagger-ui" in response.content
    assert b"/api/schema/" in response.content


# --- admin ------------------------------------------------------------------------------------
@pytest.fixture
def admin_client(client, db):
    superuser = User.objects.create_superuser("root@example.com", "root-password-123")
    client.force_login(superuser)
    return client


@pytest.fixture
def one_of_each(workspace, owner, project, member):
    from accounts import services
    from accounts.audit import Actor

    invitation, _ = services.invitation_create(
        workspace=workspace, email="new@example.com", role="MEMBER", actor=Actor.for_user(owner)
    )
    token, raw = mint_token(workspace=workspace, created_by=owner)
    return {
        User: owner,
        Workspace: workspace,
        Membership: Membership.objects.first(),
        Invitation: invitation,
        ApiToken: token,
        AuditLog: AuditLog.objects.first(),
        Project: project,
        "raw": raw,
    }


OUR_MODELS = [User, Workspace, Membership, Invitation, ApiToken, AuditLog, Project]
ADD_FORBIDDEN = {ApiToken, AuditLog}  # minted / written only through services


def admin_url(model, view, pk=None):
    meta = model._meta
    base = f"/admin/{meta.app_label}/{meta.model_name}/"
    return {"changelist": base, "add": f"{base}add/", "change": f"{base}{pk}/change/"}[view]


def test_every_model_is_registered_in_the_admin():
    assert all(model in admin.site._registry for model in OUR_MODELS)


@pytest.mark.parametrize("model", OUR_MODELS, ids=lambda m: m.__name__)
def test_admin_pages_render_for_a_superuser(admin_client, one_of_each, model):
    assert admin_client.get(admin_url(model, "changelist")).status_code == 200
    add = admin_client.get(admin_url(model, "add"))
    assert add.status_code == (403 if model in ADD_FORBIDDEN else 200)
    obj = one_of_each[model]
    assert admin_client.get(admin_url(model, "change", obj.pk)).status_code == 200


def test_admin_shows_token_digests_read_only_and_never_a_plaintext(admin_client, one_of_each):
    token = one_of_each[ApiToken]
    page = admin_client.get(admin_url(ApiToken, "change", token.pk)).content.decode()
    assert token.token_hash in page
    assert 'name="token_hash"' not in page  # displayed, not an input
    assert one_of_each["raw"] not in page


def test_admin_never_shows_a_projects_secrets(admin_client, one_of_each):
    project = one_of_each[Project]
    page = admin_client.get(admin_url(Project, "change", project.pk)).content.decode()
    for secret in (project.ingest_key, project.widget_token, project.mcp_token):
        assert secret not in page
    assert project.mcp_token_hash in page
    listing = admin_client.get(admin_url(Project, "changelist")).content.decode()
    assert project.ingest_key not in listing


def test_admin_adds_a_project_with_fresh_secrets(admin_client, workspace):
    response = admin_client.post(
        admin_url(Project, "add"),
        {"workspace": workspace.pk, "name": "From admin", "slug": "from-admin", "domain": ""},
    )
    assert response.status_code == 302, response.content[:2000]
    project = Project.objects.get(slug="from-admin")
    assert project.ingest_key.startswith("wk_")
    assert project.mcp_token.startswith("gfmcp_")
    from projects.selectors import ingest_target_get

    target = ingest_target_get(project.ingest_key)
    assert target is not None
    assert target.project_id == project.pk


def test_admin_adds_a_user_with_an_email_and_password(admin_client):
    response = admin_client.post(
        admin_url(User, "add"),
        {
            "email": "dana@example.com",
            "password1": "a-sturdy-password-42",
            "password2": "a-sturdy-password-42",
            "usable_password": "true",
        },
    )
    assert response.status_code == 302, response.content[:3000]
    assert User.objects.get(email="dana@example.com").check_password("a-sturdy-password-42")


def test_every_operation_documents_its_family_error_shape(client, db):
    schema = client.get("/api/schema/?format=json").json()
    expected = {
        "/v1/reports": "WritebackError",
        "/v1/feedback/items": "MinolithError",
        "/v1/feedback": "FluisterError",
        "/api/v1/sites": "GreatfeedbackError",
    }
    for path, component in expected.items():
        for operation in schema["paths"][path].values():
            ref = operation["responses"]["default"]["content"]["application/json"]["schema"]
            assert ref == {"$ref": f"#/components/schemas/{component}"}
    operations = [op for item in schema["paths"].values() for op in item.values()]
    assert all("default" in op["responses"] for op in operations)
    minolith = schema["components"]["schemas"]["MinolithError"]
    assert minolith["properties"]["error"]["required"] == ["code", "message", "docs"]
