"""POST /v1/reports: the ingest key in the body, every field rule, limits, replay, CORS."""

from __future__ import annotations

import json

import pytest

from accounts.models import AuditLog
from config.ids import is_hex32
from projects.services import project_rotate_ingest_key
from reports.models import Report
from tests.factories import ProjectFactory

URL = "/v1/reports"
OUTCOMES = "success, failure, confusing, gave_up, request"
INGEST_CHALLENGE = 'IngestKey realm="writeback", field="ingest_key"'


def post(client, body, **extra):
    return client.post(URL, data=json.dumps(body), content_type="application/json", **extra)


def error(code, message, field=None):
    payload = {"code": code, "message": message}
    if field is not None:
        payload["field"] = field
    return {"ok": False, "error": payload}


@pytest.fixture
def body(project):
    return {
        "ingest_key": project.ingest_key,
        "outcome": "confusing",
        "tool_name": "search_index",
        "source": "my-mcp-server",
        "details": "Parameter name in docs says query but the actual field name is q.",
    }


def test_create_report_returns_ok_and_id_and_stores_it(api_client, project, body):
    audit_before = AuditLog.objects.count()

    response = post(api_client, body)

    assert response.status_code == 200, response.content
    data = response.json()
    assert set(data) == {"ok", "id"}
    assert data["ok"] is True
    assert is_hex32(data["id"])
    report = Report.objects.get(pk=data["id"])
    assert report.project_id == project.pk
    assert (report.outcome, report.tool_name, report.source) == (
        "confusing",
        "search_index",
        "my-mcp-server",
    )
    assert report.details == body["details"]
    # Decision (docs/api/writeback.md): anonymous ingest writes no audit row.
    assert AuditLog.objects.count() == audit_before


def test_create_report_without_content_type_is_read_as_json(api_client, project, body):
    # `curl -d '{...}'` sends application/x-www-form-urlencoded.
    response = api_client.post(
        URL, data=json.dumps(body), content_type="application/x-www-form-urlencoded"
    )

    assert response.status_code == 200, response.content
    assert Report.objects.filter(pk=response.json()["id"]).exists()


@pytest.mark.parametrize("outcome", ["success", "failure", "confusing", "gave_up", "request"])
def test_create_report_accepts_every_documented_outcome(api_client, body, outcome):
    response = post(api_client, {**body, "outcome": outcome})

    assert response.status_code == 200, response.content
    assert Report.objects.get().outcome == outcome


def test_create_report_with_only_required_fields_stores_blank_optionals(api_client, project):
    response = post(
        api_client, {"ingest_key": project.ingest_key, "outcome": "success", "details": "ok"}
    )

    assert response.status_code == 200, response.content
    report = Report.objects.get()
    assert (report.tool_name, report.source) == ("", "")


def test_create_report_treats_null_optionals_as_absent_and_trims_them(api_client, body):
    response = post(api_client, {**body, "tool_name": None, "source": "  my-server  "})

    assert response.status_code == 200, response.content
    report = Report.objects.get()
    assert (report.tool_name, report.source) == ("", "my-server")


@pytest.mark.parametrize("blank", ["", "   ", "\t\n"])
def test_create_report_stores_empty_or_whitespace_optionals_as_not_given(api_client, body, blank):
    response = post(api_client, {**body, "tool_name": blank, "source": blank})

    assert response.status_code == 200, response.content
    report = Report.objects.get()
    assert (report.tool_name, report.source) == ("", "")


def test_create_report_trims_optionals_before_the_length_check(api_client, body):
    response = post(api_client, {**body, "tool_name": "  " + "t" * 200 + "  "})

    assert response.status_code == 200, response.content
    assert Report.objects.get().tool_name == "t" * 200


def test_create_report_ignores_unknown_fields(api_client, body):
    response = post(api_client, {**body, "model": "gpt-x", "project": "someone-elses"})

    assert response.status_code == 200, response.content
    assert Report.objects.count() == 1


def test_create_report_accepts_fields_at_their_maximum_length(api_client, body):
    response = post(
        api_client,
        {**body, "details": "d" * 50_000, "tool_name": "t" * 200, "source": "s" * 200},
    )

    assert response.status_code == 200, response.content
    assert len(Report.objects.get().details) == 50_000


DETAILS_REQUIRED = "details is required: describe what the agent tried and what happened."
OUTCOME_REQUIRED = f"outcome is required: one of {OUTCOMES}."


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        pytest.param(
            {"outcome": None},
            error("validation_error", OUTCOME_REQUIRED, "outcome"),
            id="outcome-null",
        ),
        pytest.param(
            {"outcome": "great"},
            error("invalid_outcome", f"outcome must be one of {OUTCOMES}.", "outcome"),
            id="outcome-unknown",
        ),
        pytest.param(
            {"outcome": "SUCCESS"},
            error("invalid_outcome", f"outcome must be one of {OUTCOMES}.", "outcome"),
            id="outcome-wrong-case",
        ),
        pytest.param(
            {"outcome": 1},
            error("validation_error", "outcome must be a string.", "outcome"),
            id="outcome-number",
        ),
        pytest.param(
            {"outcome": ""},
            error("validation_error", OUTCOME_REQUIRED, "outcome"),
            id="outcome-empty",
        ),
        pytest.param(
            {"details": ""},
            error("validation_error", DETAILS_REQUIRED, "details"),
            id="details-empty",
        ),
        pytest.param(
            {"details": "  \n\t "},
            error("validation_error", DETAILS_REQUIRED, "details"),
            id="details-whitespace",
        ),
        pytest.param(
            {"details": None},
            error("validation_error", DETAILS_REQUIRED, "details"),
            id="details-null",
        ),
        pytest.param(
            {"details": 42},
            error("validation_error", "details must be a string.", "details"),
            id="details-number",
        ),
        pytest.param(
            {"details": ["a", "b"]},
            error("validation_error", "details must be a string.", "details"),
            id="details-list",
        ),
        pytest.param(
            {"details": "x" * 50_001},
            error(
                "validation_error",
                "details must be at most 50,000 characters (got 50,001).",
                "details",
            ),
            id="details-too-long",
        ),
        pytest.param(
            {"tool_name": 7},
            error("validation_error", "tool_name must be a string.", "tool_name"),
            id="tool-number",
        ),
        pytest.param(
            {"tool_name": True},
            error("validation_error", "tool_name must be a string.", "tool_name"),
            id="tool-bool",
        ),
        pytest.param(
            {"tool_name": "t" * 201},
            error(
                "validation_error",
                "tool_name must be at most 200 characters (got 201).",
                "tool_name",
            ),
            id="tool-too-long",
        ),
        pytest.param(
            {"source": {"name": "x"}},
            error("validation_error", "source must be a string.", "source"),
            id="source-object",
        ),
        pytest.param(
            {"source": "s" * 201},
            error("validation_error", "source must be at most 200 characters (got 201).", "source"),
            id="source-too-long",
        ),
        pytest.param(
            {"ingest_key": 12345},
            error("validation_error", "ingest_key must be a string.", "ingest_key"),
            id="ingest-key-number",
        ),
    ],
)
def test_create_report_with_bad_field_is_400_naming_it_and_stores_nothing(
    api_client, body, change, expected
):
    response = post(api_client, {**body, **change})

    assert response.status_code == 400, response.content
    assert response.json() == expected
    assert Report.objects.count() == 0


@pytest.mark.parametrize("missing", ["outcome", "details"])
def test_create_report_without_required_field_is_400(api_client, body, missing):
    del body[missing]

    response = post(api_client, body)

    assert response.status_code == 400
    message = OUTCOME_REQUIRED if missing == "outcome" else DETAILS_REQUIRED
    assert response.json() == error("validation_error", message, missing)
    assert Report.objects.count() == 0


def test_create_report_reports_the_first_bad_field_in_document_order(api_client, body):
    response = post(api_client, {**body, "outcome": "nope", "details": ""})

    assert response.status_code == 400
    assert response.json()["error"]["field"] == "outcome"


MISSING_KEY = "ingest_key is required: send your project's ingest key (wk_...) in the JSON body."
UNKNOWN_KEY = "ingest_key is not a valid ingest key for any project."


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        pytest.param(
            {"ingest_key": None}, error("missing_ingest_key", MISSING_KEY, "ingest_key"), id="null"
        ),
        pytest.param(
            {"ingest_key": ""}, error("missing_ingest_key", MISSING_KEY, "ingest_key"), id="empty"
        ),
        pytest.param(
            {"ingest_key": "nope"},
            error("invalid_ingest_key", UNKNOWN_KEY, "ingest_key"),
            id="garbage",
        ),
        pytest.param(
            {"ingest_key": "wk_" + "0" * 48},
            error("invalid_ingest_key", UNKNOWN_KEY, "ingest_key"),
            id="unknown",
        ),
        pytest.param(
            {"ingest_key": "wk_" + "A" * 48},
            error("invalid_ingest_key", UNKNOWN_KEY, "ingest_key"),
            id="malformed",
        ),
        pytest.param(
            {"ingest_key": "gfat_" + "0" * 48},
            error("invalid_ingest_key", UNKNOWN_KEY, "ingest_key"),
            id="other-family",
        ),
    ],
)
def test_create_report_with_bad_ingest_key_is_401_and_stores_nothing(
    api_client, body, change, expected
):
    response = post(api_client, {**body, **change})

    assert response.status_code == 401, response.content
    assert response.json() == expected
    assert response["WWW-Authenticate"] == INGEST_CHALLENGE
    assert Report.objects.count() == 0


def test_create_report_without_ingest_key_is_401(api_client, body):
    del body["ingest_key"]

    response = post(api_client, body)

    assert response.status_code == 401
    assert response.json() == error("missing_ingest_key", MISSING_KEY, "ingest_key")
    assert Report.objects.count() == 0


def test_create_report_with_api_key_as_ingest_key_is_rejected(api_client, body, wk_sk_key):
    # wk_sk_ starts with wk_: each family must accept only its own prefix.
    response = post(api_client, {**body, "ingest_key": wk_sk_key.raw})

    assert response.status_code == 401
    assert response.json() == error(
        "invalid_ingest_key",
        "ingest_key holds an API key (wk_sk_...), which only reads reports; "
        "submit reports with the project's ingest key (wk_...).",
        "ingest_key",
    )
    assert Report.objects.count() == 0


def test_create_report_with_api_key_in_authorization_header_still_needs_ingest_key(
    api_client, body, wk_sk_key
):
    del body["ingest_key"]

    response = post(api_client, body, HTTP_AUTHORIZATION=f"Bearer {wk_sk_key.raw}")

    assert response.status_code == 401
    assert response.json()["error"]["code"] == "missing_ingest_key"
    assert Report.objects.count() == 0


DELETED = error(
    "workspace_deleted",
    "ingest_key belongs to a project whose workspace has been deleted; "
    "reports are not accepted unless the workspace owner restores it.",
    "ingest_key",
)


def test_create_report_for_deleted_workspace_is_401_saying_so(api_client, body, workspace, owner):
    from accounts.services import workspace_soft_delete

    workspace_soft_delete(workspace=workspace, user=owner)

    response = post(api_client, body)

    assert response.status_code == 401
    assert response.json() == DELETED
    assert Report.objects.count() == 0


def test_deleting_workspace_stops_a_cached_ingest_key_at_once(
    api_client, body, workspace, owner, django_capture_on_commit_callbacks
):
    from accounts.services import workspace_restore, workspace_soft_delete

    assert post(api_client, body).status_code == 200  # the lookup is now cached
    with django_capture_on_commit_callbacks(execute=True):
        workspace_soft_delete(workspace=workspace, user=owner)

    response = post(api_client, body)

    assert response.status_code == 401
    assert response.json() == DELETED
    with django_capture_on_commit_callbacks(execute=True):
        workspace_restore(workspace=workspace, user=owner)
    assert post(api_client, body).status_code == 200
    assert Report.objects.count() == 2


def test_rotated_ingest_key_stops_working_at_once_and_new_one_works(
    api_client, body, project, owner
):
    from accounts.audit import Actor

    assert post(api_client, body).status_code == 200  # the lookup is now cached
    new_key = project_rotate_ingest_key(project=project, actor=Actor.for_user(owner))

    old = post(api_client, body)
    new = post(api_client, {**body, "ingest_key": new_key})

    assert old.status_code == 401
    assert old.json() == error("invalid_ingest_key", UNKNOWN_KEY, "ingest_key")
    assert new.status_code == 200
    assert Report.objects.count() == 2


def test_create_report_with_non_json_body_is_400_and_stores_nothing(api_client, project):
    response = api_client.post(URL, data="outcome=failure&details=x", content_type="text/plain")

    assert response.status_code == 400
    assert response.json() == error(
        "invalid_json",
        "Request body is not valid JSON: Expecting value: line 1 column 1 (char 0)",
        "body",
    )
    assert Report.objects.count() == 0


@pytest.mark.parametrize("payload", ["[1, 2]", '"a string"', "42", "null"])
def test_create_report_with_json_that_is_not_an_object_is_400(db, api_client, payload):
    response = api_client.post(URL, data=payload, content_type="application/json")

    assert response.status_code == 400
    assert response.json() == error(
        "validation_error", "The request body must be a JSON object.", "body"
    )
    assert Report.objects.count() == 0


def test_create_report_with_empty_body_is_400(api_client):
    response = api_client.post(URL, data="", content_type="application/x-www-form-urlencoded")

    assert response.status_code == 400
    assert response.json() == error(
        "invalid_json",
        "The request body is empty: send a JSON object with ingest_key, outcome and details.",
        "body",
    )


def test_create_report_with_nul_in_details_is_400(api_client, body):
    response = post(api_client, {**body, "details": "a\x00b"})

    assert response.status_code == 400
    assert response.json() == error("invalid_json", "A string contains a NUL character.", "body")
    assert Report.objects.count() == 0


def test_create_report_with_body_over_the_size_limit_is_413(api_client, body, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 10_000

    response = post(api_client, {**body, "details": "x" * 20_000})

    assert response.status_code == 413
    assert response.json() == error("payload_too_large", "Request body exceeds 10000 bytes.")
    assert Report.objects.count() == 0


def test_get_on_ingest_endpoint_is_405_in_writeback_shape(api_client):
    response = api_client.get(URL)

    assert response.status_code == 405
    assert response.json() == error("method_not_allowed", 'Method "GET" not allowed.')


def test_create_report_over_the_rate_limit_is_429_with_retry_after(
    api_client, body, project, settings
):
    settings.RATE_WRITEBACK_INGEST_PER_KEY = "2/60s"
    other = ProjectFactory.create(workspace=project.workspace)

    statuses = [post(api_client, body).status_code for _ in range(2)]
    limited = post(api_client, body)
    other_project = post(api_client, {**body, "ingest_key": other.ingest_key})

    assert statuses == [200, 200]
    assert limited.status_code == 429
    assert limited.json() == error(
        "rate_limit_exceeded", "Rate limit exceeded: 2 requests per 60 seconds per ingest key."
    )
    assert 1 <= int(limited["Retry-After"]) <= 60
    assert other_project.status_code == 200  # the limit is per ingest key
    assert Report.objects.filter(project=project).count() == 2


def test_create_report_with_same_idempotency_key_replays_the_first_response(api_client, body):
    first = post(api_client, body, HTTP_IDEMPOTENCY_KEY="run-42")
    again = post(api_client, body, HTTP_IDEMPOTENCY_KEY="run-42")

    assert first.status_code == again.status_code == 200
    assert again.json() == first.json()
    assert again["Idempotent-Replayed"] == "true"
    assert Report.objects.count() == 1


def test_create_report_reusing_idempotency_key_with_other_body_is_rejected(api_client, body):
    post(api_client, body, HTTP_IDEMPOTENCY_KEY="run-43")

    response = post(api_client, {**body, "outcome": "failure"}, HTTP_IDEMPOTENCY_KEY="run-43")

    assert response.status_code == 400
    assert response.json() == error(
        "idempotency_key_reused",
        "This Idempotency-Key was already used with a different request body.",
    )
    assert Report.objects.count() == 1


def test_failed_request_does_not_burn_its_idempotency_key(api_client, body):
    bad = post(api_client, {**body, "outcome": "nope"}, HTTP_IDEMPOTENCY_KEY="run-44")
    fixed = post(api_client, body, HTTP_IDEMPOTENCY_KEY="run-44")

    assert bad.status_code == 400
    assert fixed.status_code == 200
    assert Report.objects.count() == 1


def test_idempotency_keys_are_scoped_per_project(api_client, body, project):
    other = ProjectFactory.create(workspace=project.workspace)

    first = post(api_client, body, HTTP_IDEMPOTENCY_KEY="same")
    second = post(api_client, {**body, "ingest_key": other.ingest_key}, HTTP_IDEMPOTENCY_KEY="same")

    assert first.status_code == second.status_code == 200
    assert first.json()["id"] != second.json()["id"]
    assert Report.objects.count() == 2


def test_ingest_cors_preflight_allows_any_origin(api_client):
    response = api_client.options(
        URL,
        HTTP_ORIGIN="https://agent.example",
        HTTP_ACCESS_CONTROL_REQUEST_METHOD="POST",
        HTTP_ACCESS_CONTROL_REQUEST_HEADERS="content-type, idempotency-key",
    )

    assert response.status_code == 200
    assert response["Access-Control-Allow-Origin"] == "*"
    assert "POST" in response["Access-Control-Allow-Methods"]
    allowed = response["Access-Control-Allow-Headers"].lower()
    assert "content-type" in allowed
    assert "idempotency-key" in allowed


def test_ingest_response_carries_cors_header(api_client, body):
    response = post(api_client, body, HTTP_ORIGIN="https://agent.example")

    assert response.status_code == 200
    assert response["Access-Control-Allow-Origin"] == "*"


def test_ingest_error_responses_carry_cors_headers_so_browsers_can_read_them(
    api_client, body, settings
):
    # A browser hides a cross-origin error body (and Retry-After) without these headers.
    settings.RATE_WRITEBACK_INGEST_PER_KEY = "1/60s"
    origin = {"HTTP_ORIGIN": "https://agent.example"}

    bad_key = post(api_client, {**body, "ingest_key": "nope"}, **origin)
    bad_field = post(api_client, {**body, "outcome": "great"}, **origin)
    limited = post(api_client, body, **origin)

    assert [bad_key.status_code, bad_field.status_code, limited.status_code] == [401, 400, 429]
    for response in (bad_key, bad_field, limited):
        assert response["Access-Control-Allow-Origin"] == "*"
    assert "retry-after" in limited["Access-Control-Expose-Headers"].lower()
    assert Report.objects.count() == 0


def test_dashboard_read_endpoint_is_not_cors_enabled(writeback_client, project):
    response = writeback_client.get(
        f"/v1/dashboard/{project.pk}/reports", HTTP_ORIGIN="https://evil.example"
    )

    assert response.status_code == 200
    assert "Access-Control-Allow-Origin" not in response


def test_deleted_project_ingest_key_is_401_even_when_cached(
    api_client, body, project, django_capture_on_commit_callbacks
):
    assert post(api_client, body).status_code == 200  # the lookup is now cached
    with django_capture_on_commit_callbacks(execute=True):
        project.delete()

    response = post(api_client, body)

    assert response.status_code == 401
    assert response.json() == error("invalid_ingest_key", UNKNOWN_KEY, "ingest_key")
    assert Report.objects.count() == 0  # the project's reports went with it
