"""POST /v1/reports' lean path (issue 15): the common request skips DRF, everything else is
answered by the DRF view exactly as before (tests/reports/test_ingest_api.py runs both)."""

from __future__ import annotations

import json

import pytest

from reports.api.writeback import views
from reports.models import Report

URL = "/v1/reports"


def post(client, body, **extra):
    return client.post(URL, data=json.dumps(body), content_type="application/json", **extra)


@pytest.fixture
def body(project):
    return {
        "ingest_key": project.ingest_key,
        "outcome": "failure",
        "tool_name": "  search_index ",
        "source": None,
        "details": "The q parameter is documented as query.",
    }


@pytest.fixture
def drf_calls(monkeypatch):
    calls = []
    real = views._ingest_drf

    def spy(request, *args, **kwargs):
        calls.append(request)
        return real(request, *args, **kwargs)

    monkeypatch.setattr(views, "_ingest_drf", spy)
    return calls


def test_a_valid_report_is_stored_without_drf(
    api_client, project, body, drf_calls, locmem_cache, django_assert_num_queries
):
    post(api_client, body)  # the key's lookup is cached from here on
    with django_assert_num_queries(1):  # the INSERT (the key comes from the cache)
        response = post(api_client, body)

    assert drf_calls == []
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    data = response.json()
    assert data == {"ok": True, "id": data["id"]}
    report = Report.objects.get(pk=data["id"])
    assert (report.project_id, report.tool_name, report.source) == (
        project.pk,
        "search_index",
        "",
    )


@pytest.mark.parametrize(
    "change",
    [
        {"outcome": "nope"},
        {"details": "   "},
        {"tool_name": 42},
        {"ingest_key": "wk_" + "0" * 48},
        {"ingest_key": None},
    ],
)
def test_anything_unusual_is_answered_by_the_drf_view(api_client, body, drf_calls, change):
    response = post(api_client, {**body, **change})

    assert len(drf_calls) == 1
    assert response.status_code in (400, 401)
    assert response.json()["ok"] is False
    assert Report.objects.count() == 0


def test_an_idempotency_key_goes_through_the_drf_view(api_client, body, drf_calls):
    first = post(api_client, body, HTTP_IDEMPOTENCY_KEY="k1")
    again = post(api_client, body, HTTP_IDEMPOTENCY_KEY="k1")

    assert len(drf_calls) == 2
    assert again.json() == first.json()
    assert again["Idempotent-Replayed"] == "true"
    assert Report.objects.count() == 1


def test_the_rate_limit_answers_in_the_writeback_shape(api_client, body, drf_calls, settings):
    settings.RATE_WRITEBACK_INGEST_PER_KEY = "1/60s"
    assert post(api_client, body).status_code == 200

    response = post(api_client, body)

    assert drf_calls == []
    assert response.status_code == 429
    assert int(response["Retry-After"]) >= 1
    assert response.json()["ok"] is False
    assert response.json()["error"] == {
        "code": "rate_limit_exceeded",
        "message": "Rate limit exceeded: 1 request per 60 seconds per ingest key.",
    }
    assert Report.objects.count() == 1
