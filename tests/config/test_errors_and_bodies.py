"""Hostile bodies and paths get a 4xx in the family's shape, never a 500 or Django's
plain-text 400; each family renders the same error its own way; secrets in URLs stay out
of logs and Referer headers."""

from __future__ import annotations

import io
import json
import logging
from types import SimpleNamespace

import pytest
from django.db import InterfaceError, OperationalError
from rest_framework.response import Response

from accounts.models import ApiToken
from config.api.errors import ApiError, FieldError, validation_error
from config.api.exceptions import DATABASE_UNAVAILABLE, exception_handler
from config.api.shapes import FLUISTER, GREATFEEDBACK, MINOLITH, WRITEBACK, family_for_path
from config.logging import RedactSecretsFilter, redact
from tests.config.helpers import csrf_client, tokens_url

JSON = "application/json"


@pytest.fixture
def owner_client(owner, workspace):
    return csrf_client(owner, workspace)


def post_raw(client, url, body: bytes | str, content_type=JSON):
    return client.generic("POST", url, body, content_type=content_type)


# --- bodies -----------------------------------------------------------------------------------
def test_oversized_body_is_413_in_the_family_shape(owner_client, workspace, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 100
    body = '{"name": "' + "x" * 200 + '"}'
    response = post_raw(owner_client, tokens_url(workspace), body)
    assert response.status_code == 413
    assert response.json() == {"detail": "Request body exceeds 100 bytes."}
    assert not ApiToken.objects.exists()


@pytest.mark.parametrize(
    ("body", "detail"),
    [
        ("[" * 100_000 + "]" * 100_000, "JSON nesting is too deep."),
        ('{"a":' * 40 + "1" + "}" * 40, "JSON nesting deeper than 32 levels."),
        ('{"name": "nul\\u0000"}', "A string contains a NUL character."),
        ('{"name": "\\ud800"}', "A string contains an unpaired surrogate."),
        ('{"name\\u0000": "x"}', "A key contains a NUL character."),
        ('{"name": NaN}', "Request body is not valid JSON: NaN is not valid JSON"),
        ('{"name": 1e999}', "A number is out of range."),
        ('{"name": "ci"', None),
        (b'{"name": "\xed\xa0\x80"}', "Request body is not valid UTF-8."),
        (b"\xff\xfe", "Request body is not valid UTF-8."),
        ('{"name": ' + "9" * 5000 + "}", None),
    ],
)
def test_hostile_json_is_400_and_creates_nothing(owner_client, workspace, body, detail):
    response = post_raw(owner_client, tokens_url(workspace), body)
    assert response.status_code == 400, response.content[:200]
    if detail is None:
        assert response.json()["detail"].startswith("Request body is not valid JSON")
    else:
        assert response.json() == {"detail": detail}
    assert not ApiToken.objects.exists()


def test_a_number_with_too_many_digits_is_named_without_python_advice(owner_client, workspace):
    response = post_raw(owner_client, tokens_url(workspace), '{"name": ' + "9" * 5000 + "}")
    assert response.status_code == 400
    assert response.json() == {
        "detail": "Request body is not valid JSON: a number has more than 4300 digits"
    }


def test_nul_in_the_query_string_of_a_post_is_400(owner_client, workspace):
    response = owner_client.post(f"{tokens_url(workspace)}?via=%00", {"name": "ci"}, format="json")
    assert response.status_code == 400
    assert response.json() == {"detail": "Query parameter 'via' contains a NUL character."}
    assert not ApiToken.objects.exists()


def test_wrong_content_type_is_415(owner_client, workspace):
    response = post_raw(owner_client, tokens_url(workspace), "name=ci", "text/plain")
    assert response.status_code == 415
    assert response.json() == {"detail": 'Unsupported media type "text/plain" in request.'}


def test_empty_body_is_a_422_field_error_not_a_500(owner_client, workspace):
    response = post_raw(owner_client, tokens_url(workspace), b"")
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body", "name"]


def test_nul_in_an_idempotency_key_is_400(owner_client, workspace):
    response = owner_client.post(
        tokens_url(workspace), {"name": "ci"}, format="json", HTTP_IDEMPOTENCY_KEY="a\x00b"
    )
    assert response.status_code == 400
    assert response.json() == {"detail": "Idempotency-Key must be 1-255 printable characters."}
    assert not ApiToken.objects.exists()


# --- unknown paths ----------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("path", "body"),
    [
        ("/api/v1/nope", {"detail": "Not found."}),
        ("/api/workspaces/x/nope", {"detail": "Not found."}),
        ("/v1/nope", {"ok": False, "error": {"code": "not_found", "message": "Not found."}}),
        (
            "/v1/feedback/nope/deeper",
            {
                "error": {
                    "code": "not_found",
                    "message": "Resource not found.",
                    "docs": "https://docs.minolith.io/api/feedback#errors",
                }
            },
        ),
    ],
)
def test_unknown_api_paths_are_json_404s_in_the_family_shape(api_client, path, body):
    response = api_client.get(path)
    assert response.status_code == 404
    assert response["Content-Type"] == JSON
    assert response.json() == body


def test_unknown_page_is_an_html_404(client, db):
    response = client.get("/no-such-page")
    assert response.status_code == 404
    assert response["Content-Type"].startswith("text/html")


# --- one error, four shapes -------------------------------------------------------------------
def test_each_family_renders_a_field_error_in_its_own_shape(settings):
    error = validation_error("type", "type must be one of bug, idea.", code="invalid_feedback_type")
    assert WRITEBACK.render(error) == (
        400,
        {
            "ok": False,
            "error": {
                "code": "invalid_feedback_type",
                "message": "type must be one of bug, idea.",
                "field": "type",
            },
        },
    )
    assert GREATFEEDBACK.render(error) == (
        422,
        {
            "detail": [
                {
                    "loc": ["body", "type"],
                    "msg": "type must be one of bug, idea.",
                    "type": "invalid_feedback_type",
                }
            ]
        },
    )
    assert MINOLITH.render(error) == (
        422,
        {
            "error": {
                "code": "invalid_feedback_type",
                "message": "type must be one of bug, idea.",
                "docs": f"{settings.MINOLITH_DOCS_URL}#errors",
            }
        },
    )
    assert FLUISTER.render(error) == (
        400,
        {
            "error": {
                "code": "invalid_feedback_type",
                "message": "type must be one of bug, idea.",
                "field": "type",
            }
        },
    )


def test_greatfeedback_400_validation_is_a_plain_detail():
    error = ApiError("bad_request", "Unknown status 'done'.", 400, [FieldError("status", "x")])
    assert GREATFEEDBACK.render(error) == (400, {"detail": "Unknown status 'done'."})


def test_an_unexpected_exception_is_the_familys_500_and_is_logged(caplog):
    view = SimpleNamespace(family=MINOLITH)
    with caplog.at_level(logging.ERROR, logger="backtalk.api"):
        response = exception_handler(RuntimeError("boom"), {"view": view})
    assert isinstance(response, Response)
    assert response.status_code == 500
    assert response.data["error"]["code"] == "internal_error"
    assert "Unhandled API error" in caplog.text


@pytest.mark.parametrize("family", [WRITEBACK, MINOLITH, FLUISTER, GREATFEEDBACK])
@pytest.mark.parametrize("exc", [OperationalError("connection refused"), InterfaceError("closed")])
def test_an_unreachable_database_is_a_503_with_retry_after_in_the_family_shape(family, exc):
    """Issue 15 (bench/faults.py): during a PostgreSQL restart clients get a 503 they can
    retry, in their own error shape, never a 500."""
    response = exception_handler(exc, {"view": SimpleNamespace(family=family)})

    assert isinstance(response, Response)
    assert response.status_code == 503
    assert response["Retry-After"] == "5"
    _, expected = family.render(ApiError("service_unavailable", DATABASE_UNAVAILABLE, 503))
    assert response.data == expected


def test_a_write_that_loses_the_database_answers_503(api_client, project, monkeypatch):
    from reports import services

    def refuse(**_kwargs):
        raise OperationalError("the database system is shutting down")

    monkeypatch.setattr(services, "report_create", refuse)
    response = api_client.post(
        "/v1/reports",
        {"ingest_key": project.ingest_key, "outcome": "failure", "details": "x"},
        format="json",
    )

    assert response.status_code == 503
    assert response["Retry-After"] == "5"
    assert response.json() == {
        "ok": False,
        "error": {"code": "service_unavailable", "message": DATABASE_UNAVAILABLE},
    }


@pytest.mark.parametrize(
    ("path", "family"),
    [
        ("/v1/feedback/public/shop", MINOLITH),
        ("/v1/reports", WRITEBACK),
        ("/v1/feedback", FLUISTER),
    ],
)
def test_a_database_error_outside_a_view_is_also_a_503(rf, path, family):
    """The public endpoint's CORS check reads the project in a middleware, before any view:
    with PostgreSQL down that read failed as the family's 500 (bench/faults.py found it)."""
    from config.views import internal_error

    try:
        raise OperationalError("connection refused")
    except OperationalError:  # Django calls handler500 inside its except block
        response = internal_error(rf.post(path))

    assert response.status_code == 503
    assert response["Retry-After"] == "5"
    _, expected = family.render(ApiError("service_unavailable", DATABASE_UNAVAILABLE, 503))
    assert json.loads(response.content) == expected


def test_family_for_path_routes_errors_outside_views():
    assert family_for_path("/v1/reports") is WRITEBACK
    assert family_for_path("/v1/feedback") is FLUISTER
    assert family_for_path("/v1/feedback/items/fbk_1") is MINOLITH
    assert family_for_path("/api/v1/sites") is GREATFEEDBACK
    assert family_for_path("/mcp/gfmcp_x") is GREATFEEDBACK


# --- secrets in URLs --------------------------------------------------------------------------
def test_api_responses_send_no_referrer(gf_client, client, project):
    for response in (
        gf_client.get("/api/v1/sites"),
        client.get("/v1/projects"),
        client.get("/mcp/gfmcp_" + "a" * 48),
        client.get("/api/v1/nope"),
    ):
        assert response["Referrer-Policy"] == "no-referrer"


def test_html_pages_keep_referers_on_our_own_origin(client, db):
    # no-referrer on pages would make browsers send "Origin: null" with form POSTs, which
    # Django's CSRF check refuses; same-origin still keeps URLs from other sites.
    for response in (client.get("/healthz"), client.get("/no-such-page")):
        assert response["Referrer-Policy"] == "same-origin"


def test_mcp_token_in_a_path_is_redacted():
    token = "gfmcp_" + "ab" * 24
    line = f'"GET /mcp/{token} HTTP/1.1" 200 15'
    assert redact(line) == '"GET /mcp/[redacted] HTTP/1.1" 200 15'
    assert redact(f"/mcp/{token}/sse?x=1") == "/mcp/[redacted]/sse?x=1"
    assert redact("/invitations/s3cr3t-link/accept/") == "/invitations/[redacted]/accept/"
    assert redact("/api/v1/sites") == "/api/v1/sites"


def test_log_records_through_the_configured_handler_are_redacted():
    """The console handler that settings.LOGGING installs carries the filter, so any logger
    (django.server, django.request, gunicorn via the same filter) writes no MCP token."""
    token = "gfmcp_" + "cd" * 24
    handler = next(
        h
        for h in logging.getLogger().handlers
        if isinstance(h, logging.StreamHandler)
        and any(isinstance(f, RedactSecretsFilter) for f in h.filters)
    )
    stream = io.StringIO()
    old = handler.setStream(stream)
    try:
        logging.getLogger("django.server").info(
            '"%s %s %s" %s', "GET", f"/mcp/{token}", "HTTP/1.1", 200
        )
        logging.getLogger("django.request").error("Internal Server Error: %s", f"/mcp/{token}")
    finally:
        handler.setStream(old)
    output = stream.getvalue()
    assert token not in output
    assert output.count("/mcp/[redacted]") == 2


def test_a_request_to_an_mcp_url_is_not_cached(client, db):
    response = client.get("/mcp/gfmcp_" + "a" * 48)
    assert "no-store" in response["Cache-Control"]
