"""``POST /v1/feedback/public/:slug``: anonymous widget submissions, the per-IP-per-project
rate limit, CORS for the project's allowed origins, and the cache-outage decision."""

from __future__ import annotations

import pytest
from django.db import connection

from accounts.models import AuditLog
from feedback.models import Item
from tests.config.helpers import CLOSED_REDIS
from tests.factories import ProjectFactory
from tests.feedback.conftest import ITEM_KEYS, assert_error, item_count, minolith_error

DOC_BODY = {
    "body": "The export button doesn't work on Firefox.",
    "title": "Export broken on Firefox",
    "type": "bug",
    "page_url": "https://app.example.com/exports",
    "user_email": "alice@example.com",
    "user_name": "Alice Chen",
    "user_id_external": "usr_12345",
}


def public(slug: str = "storefront") -> str:
    return f"/v1/feedback/public/{slug}"


def test_public_submission_is_201_with_source_widget(api_client, project):
    response = api_client.post(public(), DOC_BODY, format="json")

    assert response.status_code == 201, response.content
    data = response.json()["data"]
    assert set(data) == ITEM_KEYS  # no notes: they are never exposed through the widget
    assert data == {
        **DOC_BODY,
        "id": data["id"],
        "status": "open",
        "priority": None,
        "source": "widget",
        "tags": [],
        "created_at": data["created_at"],
        "updated_at": data["created_at"],
    }
    item = Item.objects.get()
    assert (item.project, item.source) == (project, "widget")
    audit = AuditLog.objects.get(action="feedback.item.create")
    assert audit.actor_id == f"widget:{project.pk}"
    project.refresh_from_db()
    assert project.credits_used == 1


def test_public_submission_ignores_triage_fields_and_source(api_client, project):
    response = api_client.post(
        public(),
        {"body": "hi", "tags": ["spam"], "status": "completed", "priority": "urgent",
         "source": "api"},
        format="json",
    )  # fmt: skip

    data = response.json()["data"]
    assert (data["tags"], data["status"], data["priority"], data["source"]) == (
        [],
        "open",
        None,
        "widget",
    )


def test_public_submission_ignores_any_authorization_header(api_client, project):
    api_client.credentials(HTTP_AUTHORIZATION="Bearer mlth_nonsense")

    assert api_client.post(public(), {"body": "hi"}, format="json").status_code == 201


@pytest.mark.parametrize(
    ("payload", "code", "message"),
    [
        ({}, "body_required", "The body field is required."),
        ({"body": "b", "type": "complaint"}, "invalid_feedback_type",
         "Type 'complaint' is not valid. Accepted values are: feedback, bug, idea, question, "
         "praise."),
        ({"body": "b", "user_email": "nope"}, "validation_error",
         "user_email must be a valid email address."),
        ({"body": "b", "page_url": "u" * 2001}, "validation_error",
         "page_url must be at most 2,000 characters."),
        ({"body": "b", "title": "t" * 501}, "validation_error",
         "title must be at most 500 characters."),
    ],
)  # fmt: skip
def test_public_submission_with_invalid_input_is_422_and_stores_nothing(
    api_client, project, payload, code, message
):
    assert_error(api_client.post(public(), payload, format="json"), 422, code, message)
    assert item_count() == 0
    project.refresh_from_db()
    assert project.credits_used == 0


@pytest.mark.parametrize("slug", ["no-such-project", "bad%00slug", "x" * 65, "a.b"])
def test_public_submission_to_an_unknown_slug_is_404(api_client, project, slug):
    assert_error(
        api_client.post(public(slug), {"body": "hi"}, format="json"),
        404,
        "not_found",
        "Resource not found.",
    )
    assert item_count() == 0


def test_public_submission_to_a_deleted_workspace_is_404(api_client, project, owner):
    from accounts.services import workspace_soft_delete

    workspace_soft_delete(workspace=project.workspace, user=owner)

    assert api_client.post(public(), {"body": "hi"}, format="json").status_code == 404
    assert item_count() == 0


# --- Rate limit ----------------------------------------------------------------------------
def test_public_rate_limit_is_10_per_hour_by_default(api_client, project):
    for _ in range(10):
        assert api_client.post(public(), {"body": "hi"}, format="json").status_code == 201

    response = api_client.post(public(), {"body": "one too many"}, format="json")

    assert_error(
        response,
        429,
        "public_rate_limited",
        "Rate limit exceeded. Maximum 10 submissions per hour.",
        "rate-limiting",
    )
    assert 1 <= int(response["Retry-After"]) <= 3600
    assert item_count() == 10


def test_public_rate_limit_counts_per_ip_and_per_project(api_client, project, workspace, settings):
    settings.RATE_MINOLITH_PUBLIC_PER_IP = "2/60s"
    other = ProjectFactory.create(workspace=workspace, slug="second")
    for _ in range(2):
        api_client.post(public(), {"body": "hi"}, format="json", REMOTE_ADDR="198.51.100.1")

    blocked = api_client.post(public(), {"body": "x"}, format="json", REMOTE_ADDR="198.51.100.1")

    assert_error(
        blocked,
        429,
        "public_rate_limited",
        "Rate limit exceeded. Maximum 2 submissions per minute.",
        "rate-limiting",
    )
    # Another address, or the same address on another project, has its own count.
    other_ip = api_client.post(public(), {"body": "x"}, format="json", REMOTE_ADDR="198.51.100.2")
    other_project = api_client.post(
        public("second"), {"body": "x"}, format="json", REMOTE_ADDR="198.51.100.1"
    )
    assert (other_ip.status_code, other_project.status_code) == (201, 201)
    assert Item.objects.filter(project=other).count() == 1


def test_public_rate_limit_counts_invalid_attempts_too(api_client, project, settings):
    settings.RATE_MINOLITH_PUBLIC_PER_IP = "2/3600s"
    assert api_client.post(public(), {}, format="json").status_code == 422
    assert api_client.post(public(), {}, format="json").status_code == 422

    response = api_client.post(public(), {"body": "valid now"}, format="json")

    assert response.status_code == 429
    assert item_count() == 0


def test_public_rate_limit_ignores_a_spoofed_forwarded_for(api_client, project, settings):
    settings.RATE_MINOLITH_PUBLIC_PER_IP = "1/3600s"
    settings.TRUSTED_PROXIES = []
    api_client.post(public(), {"body": "hi"}, format="json", HTTP_X_FORWARDED_FOR="203.0.113.1")

    response = api_client.post(
        public(), {"body": "hi"}, format="json", HTTP_X_FORWARDED_FOR="203.0.113.2"
    )

    assert response.status_code == 429


def test_public_rate_limit_uses_the_client_ip_behind_a_trusted_proxy(api_client, project, settings):
    settings.RATE_MINOLITH_PUBLIC_PER_IP = "1/3600s"
    settings.TRUSTED_PROXIES = ["127.0.0.1"]
    first = api_client.post(
        public(), {"body": "hi"}, format="json", HTTP_X_FORWARDED_FOR="203.0.113.1"
    )
    second = api_client.post(
        public(), {"body": "hi"}, format="json", HTTP_X_FORWARDED_FOR="203.0.113.2"
    )
    again = api_client.post(
        public(), {"body": "hi"}, format="json", HTTP_X_FORWARDED_FOR="203.0.113.1"
    )

    assert [first.status_code, second.status_code, again.status_code] == [201, 201, 429]


def test_public_endpoint_fails_closed_when_the_cache_is_down(api_client, project, settings):
    """The limit is the only spam protection of an anonymous endpoint: no cache, no
    submissions (503), rather than an unlimited endpoint."""
    settings.CACHES = CLOSED_REDIS

    response = api_client.post(public(), {"body": "hi"}, format="json")

    assert_error(
        response,
        503,
        "service_unavailable",
        "Rate limiting is temporarily unavailable; try again shortly.",
    )
    assert response["Retry-After"] == "5"
    assert item_count() == 0


def test_public_submission_respects_the_spending_cap(api_client, project):
    project.spending_cap_credits = 1
    project.save()
    assert api_client.post(public(), {"body": "first"}, format="json").status_code == 201

    response = api_client.post(public(), {"body": "second"}, format="json")

    assert_error(response, 402, "spending_cap_exceeded", "Spending cap exceeded.")
    assert item_count() == 1
    project.refresh_from_db()
    assert project.credits_used == 1


# --- CORS ----------------------------------------------------------------------------------
def preflight(client, slug: str, origin: str):
    return client.options(
        public(slug),
        HTTP_ORIGIN=origin,
        HTTP_ACCESS_CONTROL_REQUEST_METHOD="POST",
        HTTP_ACCESS_CONTROL_REQUEST_HEADERS="content-type",
    )


def test_preflight_from_an_allowed_origin_is_allowed(api_client, project):
    project.allowed_origins = ["https://shop.example.com"]
    project.save()

    response = preflight(api_client, project.slug, "https://shop.example.com")

    assert response.status_code == 200
    assert response["Access-Control-Allow-Origin"] in {"https://shop.example.com", "*"}
    assert "POST" in response["Access-Control-Allow-Methods"]
    assert "content-type" in response["Access-Control-Allow-Headers"]


def test_preflight_from_another_origin_gets_no_cors_headers(api_client, project):
    project.allowed_origins = ["https://shop.example.com"]
    project.save()

    response = preflight(api_client, project.slug, "https://evil.example.net")

    assert "Access-Control-Allow-Origin" not in response


def test_preflight_with_no_origin_list_allows_any_origin(api_client, project):
    assert project.allowed_origins == []

    response = preflight(api_client, project.slug, "https://anywhere.example.org")

    assert response["Access-Control-Allow-Origin"] in {"https://anywhere.example.org", "*"}


def test_post_from_an_allowed_origin_carries_cors_headers(api_client, project):
    project.allowed_origins = ["https://shop.example.com"]
    project.save()

    response = api_client.post(
        public(), {"body": "hi"}, format="json", HTTP_ORIGIN="https://shop.example.com"
    )

    assert response.status_code == 201
    assert response["Access-Control-Allow-Origin"] in {"https://shop.example.com", "*"}
    assert "Retry-After" in response["Access-Control-Expose-Headers"]


@pytest.mark.parametrize(
    ("listed", "sent"),
    [
        ("https://shop.example.com:443", "https://shop.example.com"),  # default port typed
        ("HTTPS://Shop.Example.com/", "https://shop.example.com"),  # case, trailing slash
        ("https://bücher.example", "https://xn--bcher-kva.example"),  # browsers send punycode
        ("http://localhost:8080", "http://localhost:8080"),
    ],
)
def test_listed_origin_matches_the_form_browsers_send(api_client, project, listed, sent):
    project.allowed_origins = [listed]
    project.save()

    allowed = preflight(api_client, project.slug, sent)
    posted = api_client.post(public(), {"body": "hi"}, format="json", HTTP_ORIGIN=sent)

    assert allowed["Access-Control-Allow-Origin"] in {sent, "*"}
    assert posted.status_code == 201


def test_origin_on_another_port_or_scheme_is_refused(api_client, project):
    project.allowed_origins = ["https://shop.example.com"]
    project.save()

    for sent in ("https://shop.example.com:8443", "http://shop.example.com"):
        response = api_client.post(public(), {"body": "hi"}, format="json", HTTP_ORIGIN=sent)
        assert response.status_code == 403
        assert "Access-Control-Allow-Origin" not in preflight(api_client, project.slug, sent)
    assert item_count() == 0


def test_post_from_a_disallowed_origin_is_403_and_stores_nothing(api_client, project):
    """A text/plain "simple request" skips the preflight; the server refuses it too."""
    project.allowed_origins = ["https://shop.example.com"]
    project.save()

    response = api_client.generic(
        "POST", public(), '{"body": "hi"}', "text/plain", HTTP_ORIGIN="https://evil.example.net"
    )

    assert response.status_code == 403
    assert response.json() == minolith_error(
        "origin_not_allowed",
        "Origin 'https://evil.example.net' is not allowed to submit feedback to this project.",
    )
    assert "Access-Control-Allow-Origin" not in response
    assert item_count() == 0


def test_preflight_for_a_malformed_slug_is_not_a_server_error(api_client, project):
    response = preflight(api_client, "bad%00slug", "https://shop.example.com")

    assert response.status_code < 500
    assert "Access-Control-Allow-Origin" not in response


# --- One project lookup per request ----------------------------------------------------------
def slug_lookups(captured: list[dict]) -> list[str]:
    """The queries that read a project by its slug."""
    return [
        q["sql"]
        for q in captured
        if q["sql"].startswith("SELECT") and '"projects_project"."slug" =' in q["sql"]
    ]


@pytest.mark.parametrize("origin", [None, "https://shop.example.com"])
def test_public_submission_reads_its_project_once(
    api_client, project, locmem_cache, django_assert_num_queries, origin
):
    """The CORS check's row is reused by the view (9 queries before: the view read it again)."""
    project.allowed_origins = ["https://shop.example.com"]
    project.save()
    headers = {"HTTP_ORIGIN": origin} if origin else {}

    # SQLite: BEGIN, credits, SAVEPOINT, insert, RELEASE, audit, COMMIT after the project;
    # PostgreSQL: those as one statement (feedback.services), here inside a savepoint (+2)
    # because the test runs in a transaction; a request in autocommit has none.
    with django_assert_num_queries(4 if connection.vendor == "postgresql" else 8) as ctx:
        response = api_client.post(public(), {"body": "hi"}, format="json", **headers)

    assert response.status_code == 201
    assert len(slug_lookups(ctx.captured_queries)) == 1
    assert Item.objects.get().project_id == project.pk


@pytest.mark.parametrize("deleted", [False, True], ids=["unknown-slug", "deleted-workspace"])
def test_public_404s_read_the_project_once(
    api_client, project, owner, locmem_cache, django_assert_num_queries, deleted
):
    from accounts.services import workspace_soft_delete

    if deleted:
        workspace_soft_delete(workspace=project.workspace, user=owner)
    slug = project.slug if deleted else "no-such-project"

    with django_assert_num_queries(1) as ctx:
        response = api_client.post(public(slug), {"body": "hi"}, format="json")

    assert_error(response, 404, "not_found", "Resource not found.")
    assert len(slug_lookups(ctx.captured_queries)) == 1
    assert item_count() == 0
