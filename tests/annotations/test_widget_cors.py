"""CORS on the widget endpoints: the site's allowed origins (every origin when it lists
none), preflight and actual requests, a request without Origin accepted, and the
dashboard/API routes under /api/widget/ never CORS-enabled."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from annotations.models import Annotation
from tests.annotations.test_widget_submit import BODY, url

ALLOWED = "https://shop.example.com"


@pytest.fixture
def site(project):
    project.allowed_origins = [ALLOWED, "https://Bücher.example:443/"]
    project.save(update_fields=["allowed_origins"])
    return project


def preflight(client, path, origin, headers="x-gf-widget-token, content-type, idempotency-key"):
    return client.options(
        path,
        HTTP_ORIGIN=origin,
        HTTP_ACCESS_CONTROL_REQUEST_METHOD="POST",
        HTTP_ACCESS_CONTROL_REQUEST_HEADERS=headers,
    )


@pytest.mark.parametrize("suffix", ["", "/upload-url", "/lookup"])
def test_preflight_from_an_allowed_origin_allows_the_widget_headers(api_client, site, suffix):
    response = preflight(api_client, url(site) + suffix, ALLOWED)

    assert response.status_code == 200
    assert response["Access-Control-Allow-Origin"] == "*"
    allowed = {h.strip() for h in response["Access-Control-Allow-Headers"].split(",")}
    assert {"x-gf-widget-token", "x-gf-submitter-secret", "content-type",
            "idempotency-key"} <= allowed  # fmt: skip
    assert "POST" in response["Access-Control-Allow-Methods"]


def test_preflight_matches_an_origin_in_its_browser_form(api_client, site):
    response = preflight(api_client, url(site), "https://xn--bcher-kva.example")

    assert response["Access-Control-Allow-Origin"] == "*"


def test_preflight_from_another_origin_gets_no_cors_headers(api_client, site):
    response = preflight(api_client, url(site), "https://evil.example")

    assert "Access-Control-Allow-Origin" not in response


def test_site_without_allowed_origins_accepts_every_origin(api_client, project):
    assert preflight(api_client, url(project), "https://anything.example")[
        "Access-Control-Allow-Origin"
    ] == "*"  # fmt: skip
    response = api_client.post(
        url(project), BODY, format="json", HTTP_ORIGIN="https://anything.example",
        HTTP_X_GF_WIDGET_TOKEN=project.widget_token,
    )  # fmt: skip
    assert response.status_code == 201


def test_actual_post_from_an_allowed_origin_carries_cors_headers(api_client, site):
    response = api_client.post(
        url(site), BODY, format="json", HTTP_ORIGIN=ALLOWED,
        HTTP_X_GF_WIDGET_TOKEN=site.widget_token,
    )  # fmt: skip

    assert response.status_code == 201
    assert response["Access-Control-Allow-Origin"] == "*"
    assert "Retry-After" in response["Access-Control-Expose-Headers"]


def test_errors_from_an_allowed_origin_carry_cors_headers_so_the_page_can_read_them(
    api_client, site
):
    response = api_client.post(
        url(site), BODY, format="json", HTTP_ORIGIN=ALLOWED, HTTP_X_GF_WIDGET_TOKEN="wrong"
    )

    assert response.status_code == 401
    assert response["Access-Control-Allow-Origin"] == "*"


def test_actual_post_from_another_origin_is_403_and_stores_nothing(api_client, site):
    response = api_client.post(
        url(site), BODY, format="json", HTTP_ORIGIN="https://evil.example",
        HTTP_X_GF_WIDGET_TOKEN=site.widget_token,
    )  # fmt: skip

    assert response.status_code == 403
    assert response.json() == {
        "detail": "Origin 'https://evil.example' is not allowed to use this site's widget."
    }
    assert "Access-Control-Allow-Origin" not in response
    assert not Annotation.objects.exists()


def test_request_without_origin_is_accepted(api_client, site):
    response = api_client.post(
        url(site), BODY, format="json", HTTP_X_GF_WIDGET_TOKEN=site.widget_token
    )

    assert response.status_code == 201


@pytest.mark.parametrize("suffix", ["stakeholders", "secrets"])
def test_dashboard_routes_under_api_widget_are_not_cors_enabled(api_client, project, suffix):
    response = preflight(api_client, f"/api/widget/sites/{project.pk}/{suffix}", ALLOWED)

    assert "Access-Control-Allow-Origin" not in response


def test_widget_post_reads_the_site_once(api_client, site):
    """The CORS check and the token check share one read of the site; then triage's one
    capped COUNT of similar comments, one insert of the annotation and one of its audit
    row (the rest is the rate-limit cache)."""
    with CaptureQueriesContext(connection) as queries:
        response = api_client.post(
            url(site), BODY, format="json", HTTP_ORIGIN=ALLOWED,
            HTTP_X_GF_WIDGET_TOKEN=site.widget_token,
        )  # fmt: skip
    assert response.status_code == 201
    ours = [q["sql"].split(" (")[0] for q in queries.captured_queries
            if "backtalk_cache" not in q["sql"] and "SAVEPOINT" not in q["sql"]]  # fmt: skip
    assert [q.split(" FROM ")[-1].split(" ")[0] if q.startswith("SELECT") else q for q in ours] == [
        '"projects_project"',
        "SELECT",  # triage's similar COUNT over a LIMIT 100 subquery (triage.similar)
        'INSERT INTO "annotations_annotation"',
        'INSERT INTO "accounts_auditlog"',
    ]
