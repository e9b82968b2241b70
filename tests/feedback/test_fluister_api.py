"""Fluister ``POST /v1/feedback`` through HTTP: the documented example and response, every
credential and error (whole body in the Fluister shape, nothing stored), rate limit, CORS,
idempotent retries, and that the item is an ordinary feedback item afterwards."""

from __future__ import annotations

import json
import re

import pytest
from django.db import connection
from django.test import override_settings

from accounts.models import AuditLog, TokenFamily
from accounts.services import workspace_soft_delete
from feedback.models import Item
from projects.models import Project
from tests.conftest import bearer_client
from tests.factories import mint_token

URL = "/v1/feedback"
CREATED_AT = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$")
ITEM_ID = re.compile(r"^fbk_[0-9a-f]{12}$")
RESPONSE_KEYS = {
    "id",
    "projectId",
    "text",
    "page",
    "category",
    "sentiment",
    "impactScore",
    "createdAt",
    "label",  # extra: the fine category (docs/api/fluister.md)
    "language",  # extra: the detected language
}


def example(project: Project, **changes) -> dict:
    """The document's curl body, for ``project``."""
    body = {
        "projectId": project.pk,
        "text": "De login knop werkt niet op mobiel",
        "page": "/login",
        "userEmail": "user@example.com",
    }
    body.update(changes)
    return {k: v for k, v in body.items() if v is not ...}


def fluister_error(code: str, message: str, field: str | None = None) -> dict:
    error = {"code": code, "message": message}
    if field is not None:
        error["field"] = field
    return {"error": error}


def assert_nothing_stored(project: Project) -> None:
    assert Item.objects.count() == 0
    project.refresh_from_db()
    assert project.credits_used == 0


# --- the documented happy path ----------------------------------------------------------------
def test_praise_is_reported_as_question_with_the_praise_label_never_feature(
    minolith_client, project
):
    text = "Thank you so much, the new dashboard is wonderful! Great work."
    response = minolith_client.post(URL, example(project, text=text, page=...), format="json")

    data = response.json()
    assert (data["category"], data["label"], data["language"]) == ("question", "praise", "en")
    assert Item.objects.get().type == "feedback"  # Minolith's documented default


def test_submit_the_documents_example_answers_201_with_ai_triage(minolith_client, project):
    response = minolith_client.post(URL, example(project), format="json")

    assert response.status_code == 201, response.content
    data = response.json()
    assert set(data) == RESPONSE_KEYS
    assert data == {
        "id": data["id"],
        "projectId": project.pk,
        "text": "De login knop werkt niet op mobiel",
        "page": "/login",
        "category": "bug",
        "sentiment": "negative",
        "impactScore": data["impactScore"],
        "createdAt": data["createdAt"],
        "label": "bug",
        "language": "nl",
    }
    assert ITEM_ID.match(data["id"])
    assert type(data["impactScore"]) is int
    assert data["impactScore"] == 8  # the document's own figure (docs/triage.md works it out)
    assert CREATED_AT.match(data["createdAt"])


def test_submission_is_stored_as_a_feedback_item(minolith_client, mlth_key, project):
    data = minolith_client.post(URL, example(project), format="json").json()

    item = Item.objects.get(pk=data["id"])
    assert (item.project_id, item.source, item.body, item.page_url, item.user_email) == (
        project.pk,
        "api",
        "De login knop werkt niet op mobiel",
        "/login",
        "user@example.com",
    )
    assert (item.category, item.sentiment, item.impact_score) == (
        data["category"],
        data["sentiment"],
        data["impactScore"],
    )
    assert item.type == "feedback"  # Fluister has no type: the Minolith default
    assert item.triage_engine == "builtin"
    assert item.triage_language == "nl"
    assert item.created_at.strftime("%Y-%m-%dT%H:%M:%SZ") == data["createdAt"]
    project.refresh_from_db()
    assert project.credits_used == 1
    audit = AuditLog.objects.get(action="feedback.item.create")
    assert (audit.actor_id, audit.target_id) == (f"token:{mlth_key.token.pk}", item.pk)


def test_submission_shows_through_the_minolith_api(minolith_client, project):
    data = minolith_client.post(URL, example(project), format="json").json()

    listed = minolith_client.get("/v1/feedback/items")
    fetched = minolith_client.get(f"/v1/feedback/items/{data['id']}")

    assert [row["id"] for row in listed.json()["data"]] == [data["id"]]
    assert fetched.status_code == 200
    assert fetched.json()["data"]["body"] == "De login knop werkt niet op mobiel"
    assert fetched.json()["data"]["user_email"] == "user@example.com"


def test_user_email_is_stored_but_not_echoed(minolith_client, project):
    data = minolith_client.post(URL, example(project), format="json").json()

    assert "userEmail" not in data
    assert Item.objects.get().user_email == "user@example.com"


def test_optional_fields_may_be_left_out_and_page_answers_null(minolith_client, project):
    response = minolith_client.post(
        URL, {"projectId": project.pk, "text": "Can I export to CSV?"}, format="json"
    )

    assert response.status_code == 201
    assert response.json()["page"] is None
    item = Item.objects.get()
    assert (item.page_url, item.user_email) == ("", "")


def test_null_optional_fields_mean_not_given(minolith_client, project):
    response = minolith_client.post(URL, example(project, page=None, userEmail=None), format="json")

    assert response.status_code == 201
    assert response.json()["page"] is None


def test_text_is_stored_exactly_as_sent(minolith_client, project):
    text = "  Two spaces first.\nSecond line\t"

    response = minolith_client.post(URL, example(project, text=text), format="json")

    assert response.json()["text"] == text
    assert Item.objects.get().body == text


def test_unknown_fields_are_ignored(minolith_client, project):
    response = minolith_client.post(
        URL,
        example(project, category="praise", impactScore=14, id="fbk_000000000000"),
        format="json",
    )

    assert response.status_code == 201
    assert response.json()["category"] == "bug"
    assert response.json()["id"] != "fbk_000000000000"


def test_body_without_content_type_is_read_as_json(minolith_client, project):
    response = minolith_client.generic(
        "POST", URL, json.dumps(example(project)), content_type="text/plain"
    )

    assert response.status_code == 201


def test_gfat_member_token_of_the_workspace_may_submit(gf_client, gf_token, project):
    response = gf_client.post(URL, example(project), format="json")

    assert response.status_code == 201
    assert Item.objects.get().project_id == project.pk
    assert AuditLog.objects.get(action="feedback.item.create").actor_id == (
        f"token:{gf_token.token.pk}"
    )


def test_gfat_member_token_reaches_every_project_of_its_workspace(gf_client, sibling_project):
    response = gf_client.post(URL, example(sibling_project), format="json")

    assert response.status_code == 201
    assert response.json()["projectId"] == sibling_project.pk


def project_selects(captured: list[dict]) -> list[str]:
    """The queries that read a project row on its own (not joined to the key's lookup)."""
    return [q["sql"] for q in captured if q["sql"].startswith('SELECT "projects_project"."id"')]


def test_mlth_key_reuses_the_project_its_lookup_loaded(
    minolith_client, project, django_assert_num_queries
):
    # 11 before: the view read the key's own project again by projectId. On PostgreSQL the
    # write is one statement (feedback.services): the key, last_used_at, the similar COUNT,
    # the write, and here the savepoint (+2) a test's transaction needs around it.
    queries = 6 if connection.vendor == "postgresql" else 10
    with override_settings(RATELIMIT_ENABLE=False), django_assert_num_queries(queries) as ctx:
        response = minolith_client.post(URL, example(project), format="json")

    assert response.status_code == 201
    assert project_selects(ctx.captured_queries) == []
    item = Item.objects.get()
    assert (item.project_id, AuditLog.objects.get(action="feedback.item.create").workspace_id) == (
        project.pk,
        project.workspace_id,
    )


def test_gfat_token_still_reads_the_project_it_names(gf_client, project, django_assert_num_queries):
    # A workspace-scoped token has no project loaded: projectId is looked up in the workspace.
    queries = 7 if connection.vendor == "postgresql" else 11
    with override_settings(RATELIMIT_ENABLE=False), django_assert_num_queries(queries) as ctx:
        response = gf_client.post(URL, example(project), format="json")

    assert response.status_code == 201
    assert len(project_selects(ctx.captured_queries)) == 1


# --- credentials ------------------------------------------------------------------------------
def test_gfat_guest_token_is_403(gf_guest_token, project):
    response = bearer_client(gf_guest_token.raw).post(URL, example(project), format="json")

    assert response.status_code == 403
    assert response.json() == fluister_error("insufficient_role", "Insufficient role")
    assert_nothing_stored(project)


def test_guest_mlth_key_is_403(guest_mlth_client, project):
    response = guest_mlth_client.post(URL, example(project), format="json")

    assert response.status_code == 403
    assert response.json() == fluister_error("insufficient_role", "Insufficient role")
    assert_nothing_stored(project)


def test_no_key_is_401(api_client, project):
    response = api_client.post(URL, example(project), format="json")

    assert response.status_code == 401
    assert response.json() == fluister_error("unauthorized", "Missing bearer token.")
    assert response["WWW-Authenticate"].startswith("Bearer")
    assert_nothing_stored(project)


def test_writeback_read_key_is_the_wrong_family_and_401(writeback_client, project):
    response = writeback_client.post(URL, example(project), format="json")

    assert response.status_code == 401
    assert response.json() == fluister_error(
        "unauthorized", "This endpoint does not accept this kind of token."
    )
    assert_nothing_stored(project)


def test_unknown_key_is_401(project):
    response = bearer_client("mlth_" + "0" * 40).post(URL, example(project), format="json")

    assert response.status_code == 401
    assert response.json()["error"]["code"] == "unauthorized"
    assert set(response.json()["error"]) == {"code", "message"}
    assert_nothing_stored(project)


# --- projectId: 404 for anything the key cannot reach --------------------------------------------
def not_found_body() -> dict:
    return fluister_error("not_found", "Project not found.")


def test_mlth_key_of_another_project_in_the_workspace_is_404(
    minolith_client, project, sibling_project
):
    response = minolith_client.post(URL, example(sibling_project), format="json")

    assert response.status_code == 404
    assert response.json() == not_found_body()
    assert_nothing_stored(sibling_project)


def test_project_of_another_workspace_is_404_for_a_gfat_token(gf_client, other_project):
    response = gf_client.post(URL, example(other_project), format="json")

    assert response.status_code == 404
    assert response.json() == not_found_body()
    assert_nothing_stored(other_project)


def test_project_of_another_workspace_is_404_for_an_outsiders_project_key(outsider_client, project):
    response = outsider_client.post(URL, example(project), format="json")

    assert response.status_code == 404
    assert response.json() == not_found_body()
    assert_nothing_stored(project)


@pytest.mark.parametrize("project_id", ["0" * 32, "proj_xyz", "A" * 32, "../" + "0" * 29])
def test_unknown_or_malformed_project_id_is_404(gf_client, project, project_id):
    response = gf_client.post(URL, example(project, projectId=project_id), format="json")

    assert response.status_code == 404
    assert response.json() == not_found_body()
    assert_nothing_stored(project)


# --- bad input: 400 naming the field, nothing stored ---------------------------------------------
BAD_INPUT = [
    ({"projectId": ...}, "projectId", "projectId is required and must not be empty."),
    ({"projectId": None}, "projectId", "projectId is required and must not be empty."),
    ({"projectId": ""}, "projectId", "projectId is required and must not be empty."),
    ({"projectId": 42}, "projectId", "projectId must be a string."),
    ({"projectId": ["x"]}, "projectId", "projectId must be a string."),
    ({"text": ...}, "text", "text is required and must not be empty."),
    ({"text": None}, "text", "text is required and must not be empty."),
    ({"text": ""}, "text", "text is required and must not be empty."),
    ({"text": " \n\t "}, "text", "text is required and must not be empty."),
    ({"text": 12345}, "text", "text must be a string."),
    ({"text": {"nl": "kapot"}}, "text", "text must be a string."),
    ({"text": "x" * 50_001}, "text", "text must be at most 50,000 characters (got 50,001)."),
    ({"page": 5}, "page", "page must be a string."),
    ({"page": "/" + "p" * 2_000}, "page", "page must be at most 2,000 characters."),
    ({"userEmail": "not-an-email"}, "userEmail", "userEmail must be a valid email address."),
    ({"userEmail": True}, "userEmail", "userEmail must be a string."),
    (
        {"userEmail": "a" * 250 + "@example.com"},
        "userEmail",
        "userEmail must be at most 255 characters.",
    ),
]


@pytest.mark.parametrize(("changes", "field", "message"), BAD_INPUT)
def test_bad_field_is_400_naming_it(minolith_client, project, changes, field, message):
    response = minolith_client.post(URL, example(project, **changes), format="json")

    assert response.status_code == 400, response.content
    assert response.json() == fluister_error("validation_error", message, field)
    assert_nothing_stored(project)


def test_fields_are_checked_in_document_order(minolith_client, project):
    response = minolith_client.post(
        URL, {"projectId": 1, "text": 2, "page": 3, "userEmail": 4}, format="json"
    )

    assert response.json() == fluister_error(
        "validation_error", "projectId must be a string.", "projectId"
    )


def test_bad_input_with_an_unreachable_project_is_still_400(minolith_client, other_project):
    response = minolith_client.post(URL, example(other_project, text=""), format="json")

    assert response.status_code == 400
    assert response.json()["error"]["field"] == "text"


def test_text_of_exactly_50000_characters_is_accepted(minolith_client, project):
    response = minolith_client.post(URL, example(project, text="x" * 50_000), format="json")

    assert response.status_code == 201


@pytest.mark.parametrize("body", [[], "text", 5, None])
def test_body_that_is_not_an_object_is_400(minolith_client, project, body):
    response = minolith_client.generic(
        "POST", URL, json.dumps(body), content_type="application/json"
    )

    assert response.status_code == 400
    assert response.json() == fluister_error(
        "validation_error", "The request body must be a JSON object.", "body"
    )
    assert_nothing_stored(project)


def test_empty_body_is_400_for_project_id(minolith_client, project):
    response = minolith_client.generic("POST", URL, "", content_type="application/json")

    assert response.status_code == 400
    assert response.json()["error"]["code"] in {"invalid_json", "validation_error"}
    assert_nothing_stored(project)


def test_invalid_json_is_400(minolith_client, project):
    response = minolith_client.generic(
        "POST", URL, '{"projectId": "x",', content_type="application/json"
    )

    assert response.status_code == 400
    assert response.json()["error"]["code"] == "invalid_json"
    assert set(response.json()["error"]) == {"code", "message"}
    assert_nothing_stored(project)


def test_spending_cap_is_402_and_stores_nothing(minolith_client, project):
    project.spending_cap_credits = 0
    project.save()

    response = minolith_client.post(URL, example(project), format="json")

    assert response.status_code == 402
    assert response.json() == fluister_error("spending_cap_exceeded", "Spending cap exceeded.")
    assert Item.objects.count() == 0


@pytest.mark.parametrize("method", ["get", "put", "patch", "delete"])
def test_other_methods_are_405_in_the_fluister_shape(minolith_client, method):
    response = getattr(minolith_client, method)(URL)

    assert response.status_code == 405
    assert response.json()["error"]["code"] == "method_not_allowed"


def test_minolith_items_path_is_not_shadowed(minolith_client, project):
    response = minolith_client.post(
        "/v1/feedback/items", {"body": "Minolith, not Fluister"}, format="json"
    )

    assert response.status_code == 201
    assert set(response.json()) == {"data"}


# --- rate limit, CORS, idempotency ------------------------------------------------------------
def test_101st_request_in_a_minute_is_429_with_retry_after(settings, minolith_client, project):
    settings.RATE_FLUISTER_PER_KEY = "3/60s"
    for _ in range(3):
        assert minolith_client.post(URL, example(project), format="json").status_code == 201

    response = minolith_client.post(URL, example(project), format="json")

    assert response.status_code == 429
    assert response.json() == fluister_error(
        "rate_limit_exceeded", "Rate limit exceeded: 3 requests per 60 seconds per API key."
    )
    assert 1 <= int(response["Retry-After"]) <= 60
    assert Item.objects.count() == 3


def test_rate_limit_is_per_key(settings, minolith_client, gf_client, project):
    settings.RATE_FLUISTER_PER_KEY = "1/60s"
    assert minolith_client.post(URL, example(project), format="json").status_code == 201
    assert minolith_client.post(URL, example(project), format="json").status_code == 429

    assert gf_client.post(URL, example(project), format="json").status_code == 201


def test_default_rate_is_the_documents_100_per_minute(settings):
    assert settings.RATE_FLUISTER_PER_KEY == "100/60s"


def test_cors_preflight_is_answered(api_client):
    response = api_client.options(
        URL,
        HTTP_ORIGIN="https://shop.example.com",
        HTTP_ACCESS_CONTROL_REQUEST_METHOD="POST",
        HTTP_ACCESS_CONTROL_REQUEST_HEADERS="authorization,content-type",
    )

    assert response.status_code == 200
    assert response["Access-Control-Allow-Origin"] in {"https://shop.example.com", "*"}
    assert "POST" in response["Access-Control-Allow-Methods"]
    allowed = response["Access-Control-Allow-Headers"].lower()
    assert "authorization" in allowed
    assert "content-type" in allowed


def test_cors_headers_on_the_post_itself(minolith_client, project):
    response = minolith_client.post(
        URL, example(project), format="json", HTTP_ORIGIN="https://shop.example.com"
    )

    assert response.status_code == 201
    assert response["Access-Control-Allow-Origin"] in {"https://shop.example.com", "*"}


def test_idempotency_key_replays_the_first_answer_and_stores_once(minolith_client, project):
    first = minolith_client.post(URL, example(project), format="json", HTTP_IDEMPOTENCY_KEY="k-1")
    again = minolith_client.post(URL, example(project), format="json", HTTP_IDEMPOTENCY_KEY="k-1")

    assert (first.status_code, again.status_code) == (201, 201)
    assert again.json() == first.json()
    assert again["Idempotent-Replayed"] == "true"
    assert Item.objects.count() == 1


def test_key_of_a_project_in_a_deleted_workspace_is_401(workspace, owner, project):
    _, raw = mint_token(
        workspace=workspace, created_by=owner, family=TokenFamily.MINOLITH, project=project
    )
    workspace_soft_delete(workspace=workspace, user=owner)

    response = bearer_client(raw).post(URL, example(project), format="json")

    assert response.status_code == 401
    assert Item.objects.count() == 0


def test_plain_options_describes_the_body_instead_of_failing(minolith_client):
    response = minolith_client.options(URL)

    assert response.status_code == 200
    assert set(response.json()["actions"]["POST"]) == {"projectId", "text", "page", "userEmail"}


def test_nul_character_in_text_is_400_and_stores_nothing(minolith_client, project):
    body = json.dumps({"projectId": project.pk, "text": "a\x00b"})

    response = minolith_client.generic("POST", URL, body, content_type="application/json")

    assert response.status_code == 400
    assert response.json() == fluister_error("invalid_json", "A string contains a NUL character.")
    assert_nothing_stored(project)
