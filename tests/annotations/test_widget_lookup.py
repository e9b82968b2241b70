"""``POST /api/widget/sites/{site_id}/annotations/lookup``: a submitter reads their own
threads (status, team replies, system notices) with the secrets the widget kept; any pair
that does not match is silently left out."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from annotations.models import ReplyAuthorKind
from tests.annotations.factories import AnnotationFactory, ReplyFactory
from tests.annotations.test_widget_submit import BODY, submit, url


def lookup(client, project, items, token=None):
    return client.post(
        url(project) + "/lookup",
        {"items": items},
        format="json",
        HTTP_X_GF_WIDGET_TOKEN=project.widget_token if token is None else token,
    )


@pytest.fixture
def submitted(api_client, project):
    data = submit(api_client, project).json()
    return data["id"], data["submitter_secret"]


def test_lookup_returns_the_thread_with_team_replies_and_system_notices(
    api_client, project, submitted
):
    ann_id, secret = submitted
    now = timezone.now()
    ReplyFactory.create(annotation_id=ann_id, body="Fixed, thanks!", author_name="Alice",
                        author_kind=ReplyAuthorKind.USER, created_at=now)  # fmt: skip
    ReplyFactory.create(annotation_id=ann_id, body="A fix was published.", author_name="",
                        author_kind=ReplyAuthorKind.SYSTEM,
                        created_at=now + timedelta(seconds=1))  # fmt: skip

    response = lookup(api_client, project, [{"id": ann_id, "secret": secret}])

    assert response.status_code == 200, response.content
    (item,) = response.json()["items"]
    assert item == {
        "id": ann_id,
        "status": "new",
        "body": BODY["body"],
        "page_url": BODY["page_url"],
        "created_at": item["created_at"],
        "replies": [
            {"author_kind": "user", "author_name": "Alice", "body": "Fixed, thanks!",
             "created_at": item["replies"][0]["created_at"]},
            {"author_kind": "system", "author_name": None, "body": "A fix was published.",
             "created_at": item["replies"][1]["created_at"]},
        ],
    }  # fmt: skip
    assert response["Cache-Control"] == "no-store"


def test_lookup_silently_omits_pairs_whose_secret_does_not_match(api_client, project, submitted):
    ann_id, secret = submitted
    other = AnnotationFactory.create(project=project)
    items = [
        {"id": ann_id, "secret": secret + "x"},
        {"id": other.pk, "secret": secret},
        {"id": other.pk, "secret": ""},
        {"id": "0" * 32, "secret": secret},
        {"id": "not-hex", "secret": secret},
    ]

    response = lookup(api_client, project, items)

    assert response.status_code == 200
    assert response.json() == {"items": []}


def test_lookup_keeps_only_the_matching_pairs_in_the_order_asked(api_client, project):
    first = submit(api_client, project).json()
    second = submit(api_client, project, {**BODY, "body": "second"}).json()
    items = [
        {"id": second["id"], "secret": second["submitter_secret"]},
        {"id": first["id"], "secret": "gfss_wrong"},
        {"id": first["id"], "secret": first["submitter_secret"]},
    ]

    response = lookup(api_client, project, items)

    assert [i["id"] for i in response.json()["items"]] == [second["id"], first["id"]]


def test_lookup_never_reads_another_sites_annotation(api_client, project, other_project):
    data = submit(api_client, other_project).json()

    response = lookup(api_client, project, [{"id": data["id"], "secret": data["submitter_secret"]}])

    assert response.json() == {"items": []}


def test_lookup_needs_the_sites_widget_token(api_client, project, submitted):
    ann_id, secret = submitted

    response = lookup(api_client, project, [{"id": ann_id, "secret": secret}], token="gfwt_x")

    assert response.status_code == 401


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({}, "items"),
        ({"items": "x"}, "items"),
        ({"items": [{"id": "a", "secret": "s"}] * 51}, "items"),
        ({"items": [{"id": 1, "secret": "s"}]}, "items.0"),
        ({"items": ["x"]}, "items.0"),
    ],
)
def test_lookup_malformed_body_is_422_naming_the_field(api_client, project, payload, field):
    response = api_client.post(
        url(project) + "/lookup", payload, format="json",
        HTTP_X_GF_WIDGET_TOKEN=project.widget_token,
    )  # fmt: skip

    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body", *field.split(".")]


def test_lookup_of_50_pairs_costs_a_fixed_number_of_queries(api_client, project):
    rows = [submit(api_client, project, {**BODY, "body": f"n{i}"}, REMOTE_ADDR=f"10.0.{i}.1")
            .json() for i in range(3)]  # fmt: skip
    for row in rows:
        ReplyFactory.create(annotation_id=row["id"])
    items = [{"id": r["id"], "secret": r["submitter_secret"]} for r in rows] * 16

    with CaptureQueriesContext(connection) as queries:
        response = lookup(api_client, project, items[:50])

    assert len(response.json()["items"]) == 3
    tables = [q["sql"].split(" FROM ")[1].split(" ")[0] for q in queries.captured_queries
              if q["sql"].startswith("SELECT") and "backtalk_cache" not in q["sql"]]  # fmt: skip
    assert tables == ['"projects_project"', '"annotations_annotation"', '"annotations_reply"']
