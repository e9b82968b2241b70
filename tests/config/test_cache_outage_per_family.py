"""Redis down (REDIS_URL pointing at a closed port): every family behaves as
docs/operations.md says. Authenticated endpoints and Writeback ingest fail open (served, no
500 and no 429 from a counter that cannot count); the anonymous Minolith widget endpoint
fails closed (tests/feedback/test_minolith_public.py). Also: an oversized body is a 413 in
each family's own shape, never Django's plain-text 400."""

from __future__ import annotations

import json

import pytest

from feedback.models import Item
from reports.models import Report
from tests.config.helpers import CLOSED_REDIS


@pytest.fixture
def redis_down(settings):
    settings.CACHES = CLOSED_REDIS
    # Limits of one request: if anything still counted, the second request would be a 429.
    for name in (
        "RATE_WRITEBACK_INGEST_PER_KEY",
        "RATE_MINOLITH_PER_KEY",
        "RATE_FLUISTER_PER_KEY",
    ):
        setattr(settings, name, "1/60s")


def ingest(client, project, **extra):
    body = {"ingest_key": project.ingest_key, "outcome": "failure", "details": "it broke"}
    return client.post(
        "/v1/reports", data=json.dumps(body), content_type="application/json", **extra
    )


def test_writeback_ingest_fails_open_and_stores_every_report(api_client, project, redis_down):
    responses = [ingest(api_client, project) for _ in range(3)]
    assert [r.status_code for r in responses] == [200, 200, 200]
    assert all(r.json()["ok"] is True for r in responses)
    assert Report.objects.count() == 3


def test_writeback_ingest_with_an_idempotency_key_still_runs(api_client, project, redis_down):
    response = ingest(api_client, project, HTTP_IDEMPOTENCY_KEY="during-outage")
    assert response.status_code == 200, response.content
    assert Report.objects.count() == 1


def test_minolith_items_fail_open(minolith_client, redis_down):
    codes = [
        minolith_client.post("/v1/feedback/items", {"body": "slow"}, format="json").status_code
        for _ in range(3)
    ]
    assert codes == [201, 201, 201]
    assert minolith_client.get("/v1/feedback/items").status_code == 200
    assert Item.objects.count() == 3


def test_fluister_fails_open(minolith_client, project, redis_down):
    body = {"projectId": project.pk, "text": "De login knop werkt niet", "page": "/login"}
    codes = [
        minolith_client.post("/v1/feedback", body, format="json").status_code for _ in range(3)
    ]
    assert codes == [201, 201, 201]
    assert Item.objects.count() == 3


# --- 413 in each family's shape ---------------------------------------------------------------
def big(settings) -> str:
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    return "x" * 2000


def test_oversized_minolith_body_is_413_in_the_minolith_shape(minolith_client, settings):
    response = minolith_client.post("/v1/feedback/items", {"body": big(settings)}, format="json")
    assert response.status_code == 413
    assert response.json() == {
        "error": {
            "code": "payload_too_large",
            "message": "Request body exceeds 1000 bytes.",
            "docs": f"{settings.MINOLITH_DOCS_URL}#errors",
        }
    }
    assert not Item.objects.exists()


def test_oversized_fluister_body_is_413_in_the_fluister_shape(minolith_client, project, settings):
    body = {"projectId": project.pk, "text": big(settings), "page": "/"}
    response = minolith_client.post("/v1/feedback", body, format="json")
    assert response.status_code == 413
    assert response.json() == {
        "error": {"code": "payload_too_large", "message": "Request body exceeds 1000 bytes."}
    }
    assert not Item.objects.exists()


def test_oversized_public_widget_body_is_413_in_the_minolith_shape(api_client, project, settings):
    response = api_client.post(
        f"/v1/feedback/public/{project.slug}", {"body": big(settings)}, format="json"
    )
    assert response.status_code == 413
    assert response.json()["error"]["code"] == "payload_too_large"
    assert not Item.objects.exists()
