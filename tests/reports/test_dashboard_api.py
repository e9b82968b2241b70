"""GET /v1/dashboard/<projectId>/reports: filters, stats, pagination, tenancy, auth."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from accounts.models import Role, TokenFamily
from reports.models import Report
from tests.conftest import bearer_client
from tests.factories import ProjectFactory, mint_token
from tests.reports.factories import ReportFactory


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


# (key, outcome, tool_name, source, created_at): six reports over five days.
DATA = [
    ("r1", "success", "search_index", "srv-a", "2026-02-18T10:00:00"),
    ("r2", "failure", "search_index", "srv-a", "2026-02-19T09:00:00"),
    ("r3", "confusing", "fetch_page", "srv-b", "2026-02-20T13:02:23"),
    ("r4", "success", "fetch_page", "srv-b", "2026-02-20T23:59:59"),
    ("r5", "request", "", "", "2026-02-21T00:00:00"),
    ("r6", "gave_up", "search_index", "srv-b", "2026-02-22T08:00:00"),
]


@pytest.fixture
def reports(project):
    made = {}
    for key, outcome, tool, source, created in DATA:
        made[key] = ReportFactory.create(
            project=project,
            outcome=outcome,
            tool_name=tool,
            source=source,
            details=f"details of {key}",
            created_at=at(created),
        )
    # Noise that must never show up: another project of the same workspace.
    ReportFactory.create_batch(3, project=ProjectFactory.create(workspace=project.workspace))
    return made


def url(project_id: str, query: str = "") -> str:
    return f"/v1/dashboard/{project_id}/reports" + (f"?{query}" if query else "")


def ids(response, reports) -> list[str]:
    by_pk = {r.pk: key for key, r in reports.items()}
    return [by_pk[item["id"]] for item in response.json()["reports"]]


def error(code, message, field=None):
    payload = {"code": code, "message": message}
    if field is not None:
        payload["field"] = field
    return {"ok": False, "error": payload}


def test_reports_returns_the_documented_body(writeback_client, project, reports):
    response = writeback_client.get(url(project.pk, "limit=2"))

    assert response.status_code == 200, response.content
    r6, r5 = reports["r6"], reports["r5"]
    assert response.json() == {
        "project": {"id": project.pk, "name": "Storefront"},
        "stats": {
            "total": 6,
            "success": 2,
            "failure": 1,
            "confusing": 1,
            "gave_up": 1,
            "request": 1,
        },
        "reports": [
            {
                "id": r6.pk,
                "outcome": "gave_up",
                "tool_name": "search_index",
                "source": "srv-b",
                "details": "details of r6",
                "created_at": "2026-02-22T08:00:00Z",
            },
            {
                "id": r5.pk,
                "outcome": "request",
                "tool_name": None,
                "source": None,
                "details": "details of r5",
                "created_at": "2026-02-21T00:00:00Z",
            },
        ],
        "pagination": {"page": 1, "limit": 2, "total": 6},
    }


def test_reports_defaults_to_page_1_and_limit_50_newest_first(writeback_client, project, reports):
    response = writeback_client.get(url(project.pk))

    assert response.json()["pagination"] == {"page": 1, "limit": 50, "total": 6}
    assert ids(response, reports) == ["r6", "r5", "r4", "r3", "r2", "r1"]


def test_reports_created_at_drops_microseconds(writeback_client, project):
    ReportFactory.create(
        project=project, created_at=datetime(2026, 2, 20, 13, 2, 23, 987654, tzinfo=UTC)
    )

    response = writeback_client.get(url(project.pk))

    assert response.json()["reports"][0]["created_at"] == "2026-02-20T13:02:23Z"


def test_reports_with_same_timestamp_are_ordered_by_id_descending(writeback_client, project):
    moment = at("2026-02-20T10:00:00")
    made = [ReportFactory.create(project=project, created_at=moment) for _ in range(4)]

    response = writeback_client.get(url(project.pk))

    assert [r["id"] for r in response.json()["reports"]] == sorted(
        (r.pk for r in made), reverse=True
    )


@pytest.mark.parametrize(
    ("query", "expected_ids", "expected_stats"),
    [
        pytest.param(
            "outcome=success",
            ["r4", "r1"],
            {"total": 2, "success": 2, "failure": 0, "confusing": 0, "gave_up": 0, "request": 0},
            id="outcome",
        ),
        pytest.param(
            "tool_name=fetch_page",
            ["r4", "r3"],
            {"total": 2, "success": 1, "failure": 0, "confusing": 1, "gave_up": 0, "request": 0},
            id="tool_name",
        ),
        pytest.param(
            "source=srv-b",
            ["r6", "r4", "r3"],
            {"total": 3, "success": 1, "failure": 0, "confusing": 1, "gave_up": 1, "request": 0},
            id="source",
        ),
        pytest.param(
            "from=2026-02-20",
            ["r6", "r5", "r4", "r3"],
            {"total": 4, "success": 1, "failure": 0, "confusing": 1, "gave_up": 1, "request": 1},
            id="from-date",
        ),
        pytest.param(
            "to=2026-02-20",
            ["r4", "r3", "r2", "r1"],
            {"total": 4, "success": 2, "failure": 1, "confusing": 1, "gave_up": 0, "request": 0},
            id="to-date-covers-the-whole-day",
        ),
        pytest.param(
            "to=2026-02-20T13:02:23Z",
            ["r3", "r2", "r1"],
            {"total": 3, "success": 1, "failure": 1, "confusing": 1, "gave_up": 0, "request": 0},
            id="to-datetime-inclusive",
        ),
        pytest.param(
            "from=2026-02-20T13:02:23Z",
            ["r6", "r5", "r4", "r3"],
            {"total": 4, "success": 1, "failure": 0, "confusing": 1, "gave_up": 1, "request": 1},
            id="from-datetime-inclusive",
        ),
        pytest.param(
            "from=2026-02-20T15:02:24%2B02:00",
            ["r6", "r5", "r4"],
            {"total": 3, "success": 1, "failure": 0, "confusing": 0, "gave_up": 1, "request": 1},
            id="from-with-offset",
        ),
        pytest.param(
            "from=2026-02-20T15:02:24+02:00",  # "+" unencoded: arrives as a space
            ["r6", "r5", "r4"],
            {"total": 3, "success": 1, "failure": 0, "confusing": 0, "gave_up": 1, "request": 1},
            id="from-with-unencoded-offset",
        ),
        pytest.param(
            "from=2026-02-20&to=2026-02-20",
            ["r4", "r3"],
            {"total": 2, "success": 1, "failure": 0, "confusing": 1, "gave_up": 0, "request": 0},
            id="one-day",
        ),
        pytest.param(
            "tool_name=search_index&source=srv-a&from=2026-02-19",
            ["r2"],
            {"total": 1, "success": 0, "failure": 1, "confusing": 0, "gave_up": 0, "request": 0},
            id="combined",
        ),
        pytest.param(
            "outcome=failure&tool_name=fetch_page",
            [],
            {"total": 0, "success": 0, "failure": 0, "confusing": 0, "gave_up": 0, "request": 0},
            id="combined-no-match",
        ),
        pytest.param(
            "tool_name=search&source=",
            [],
            {"total": 0, "success": 0, "failure": 0, "confusing": 0, "gave_up": 0, "request": 0},
            id="exact-match-not-prefix",
        ),
        pytest.param(
            "outcome=&tool_name=&unknown=1",
            ["r6", "r5", "r4", "r3", "r2", "r1"],
            {"total": 6, "success": 2, "failure": 1, "confusing": 1, "gave_up": 1, "request": 1},
            id="empty-values-do-not-filter",
        ),
    ],
)
def test_reports_filters_and_stats_follow_them(
    writeback_client, project, reports, query, expected_ids, expected_stats
):
    response = writeback_client.get(url(project.pk, query))

    assert response.status_code == 200, response.content
    assert ids(response, reports) == expected_ids
    assert response.json()["stats"] == expected_stats
    assert response.json()["pagination"]["total"] == expected_stats["total"]


PAGE_RANGE_50 = (
    "page must be an integer from 1 to 200 with limit=50: pages reach the newest 10,000 "
    "matching reports; use from/to to go further back."
)
DATE_HELP = "must be an ISO 8601 date or date-time, such as 2026-02-20 or 2026-02-20T13:02:23Z."


@pytest.mark.parametrize(
    ("query", "field", "message"),
    [
        (
            "outcome=great",
            "outcome",
            "outcome must be one of success, failure, confusing, gave_up, request.",
        ),
        ("from=yesterday", "from", f"from {DATE_HELP}"),
        ("from=2026-02-30", "from", f"from {DATE_HELP}"),
        ("to=2026-13-01", "to", f"to {DATE_HELP}"),
        ("to=20260220T25:00", "to", f"to {DATE_HELP}"),
        ("from=2026-02-21&to=2026-02-20", "to", "to must not be before from."),
        ("tool_name=" + "t" * 201, "tool_name", "tool_name must be at most 200 characters."),
        ("source=" + "s" * 201, "source", "source must be at most 200 characters."),
        ("limit=0", "limit", "limit must be an integer from 1 to 100."),
        ("limit=101", "limit", "limit must be an integer from 1 to 100."),
        ("limit=ten", "limit", "limit must be an integer from 1 to 100."),
        ("limit=-5", "limit", "limit must be an integer from 1 to 100."),
        ("page=0", "page", PAGE_RANGE_50),
        ("page=-1", "page", PAGE_RANGE_50),
        ("page=two", "page", PAGE_RANGE_50),
        ("page=1.5", "page", PAGE_RANGE_50),
        ("page=" + "9" * 5000, "page", PAGE_RANGE_50),
        ("page=201", "page", PAGE_RANGE_50),
        (
            "page=101&limit=100",
            "page",
            "page must be an integer from 1 to 100 with limit=100: pages reach the newest 10,000 "
            "matching reports; use from/to to go further back.",
        ),
    ],
)
def test_reports_with_invalid_parameter_is_400_naming_it(
    writeback_client, project, reports, query, field, message
):
    response = writeback_client.get(url(project.pk, query))

    assert response.status_code == 400, response.content
    assert response.json() == error("bad_request", message, field)


def test_reports_with_nul_in_query_is_400(writeback_client, project):
    response = writeback_client.get(url(project.pk, "tool_name=a%00b"))

    assert response.status_code == 400
    assert response.json() == error(
        "bad_request", "Query parameter 'tool_name' contains a NUL character."
    )


def test_reports_pagination_last_page_and_beyond(writeback_client, project, reports):
    last = writeback_client.get(url(project.pk, "limit=4&page=2"))
    beyond = writeback_client.get(url(project.pk, "limit=4&page=3"))

    assert ids(last, reports) == ["r2", "r1"]
    assert last.json()["pagination"] == {"page": 2, "limit": 4, "total": 6}
    assert beyond.status_code == 200
    assert beyond.json()["reports"] == []
    assert beyond.json()["pagination"] == {"page": 3, "limit": 4, "total": 6}
    assert beyond.json()["stats"]["total"] == 6


def test_reports_limit_100_is_accepted(writeback_client, project, reports):
    response = writeback_client.get(url(project.pk, "limit=100"))

    assert response.status_code == 200
    assert response.json()["pagination"] == {"page": 1, "limit": 100, "total": 6}
    assert len(response.json()["reports"]) == 6


def test_reports_deepest_allowed_page_is_accepted(writeback_client, project, reports):
    response = writeback_client.get(url(project.pk, "page=200"))

    assert response.status_code == 200
    assert response.json()["reports"] == []


def test_reports_of_empty_project_has_zero_stats(writeback_client, project):
    response = writeback_client.get(url(project.pk))

    assert response.json() == {
        "project": {"id": project.pk, "name": "Storefront"},
        "stats": {
            "total": 0,
            "success": 0,
            "failure": 0,
            "confusing": 0,
            "gave_up": 0,
            "request": 0,
        },
        "reports": [],
        "pagination": {"page": 1, "limit": 50, "total": 0},
    }


NOT_FOUND = error("not_found", "Project not found.")


def test_reports_of_other_workspace_project_is_404(writeback_client, other_project):
    ReportFactory.create(project=other_project)

    response = writeback_client.get(url(other_project.pk))

    assert response.status_code == 404
    assert response.json() == NOT_FOUND


@pytest.mark.parametrize(
    "project_id",
    ["0" * 32, "not-a-project", "ABCDEF" + "0" * 26, "0" * 33, "storefront"],
)
def test_reports_of_unknown_or_malformed_project_is_404(writeback_client, project, project_id):
    response = writeback_client.get(url(project_id))

    assert response.status_code == 404
    assert response.json() == NOT_FOUND


def test_reports_with_guest_api_key_can_read(workspace, owner, project, reports):
    _, raw = mint_token(
        workspace=workspace, created_by=owner, family=TokenFamily.WRITEBACK_READ, role=Role.GUEST
    )

    response = bearer_client(raw).get(url(project.pk))

    assert response.status_code == 200
    assert response.json()["stats"]["total"] == 6


def test_reports_without_token_is_401(api_client, project):
    response = api_client.get(url(project.pk))

    assert response.status_code == 401
    assert response.json() == error("unauthorized", "Missing bearer token.")
    assert response["WWW-Authenticate"].startswith("Bearer")


@pytest.mark.parametrize("family", ["gf", "ingest", "mlth"])
def test_reports_with_wrong_family_token_is_401(project, gf_token, mlth_key, family):
    raw = {"gf": gf_token.raw, "mlth": mlth_key.raw, "ingest": project.ingest_key}[family]

    response = bearer_client(raw).get(url(project.pk))

    assert response.status_code == 401
    assert response.json() == error(
        "unauthorized", "This endpoint does not accept this kind of token."
    )
    assert response["WWW-Authenticate"].startswith("Bearer")


def test_reports_with_revoked_api_key_is_401(wk_sk_key, project, owner):
    from accounts.audit import Actor
    from accounts.services import api_token_revoke

    api_token_revoke(token=wk_sk_key.token, actor=Actor.for_user(owner))

    response = bearer_client(wk_sk_key.raw).get(url(project.pk))

    assert response.status_code == 401
    assert response.json() == error("unauthorized", "Token has been revoked.")


def test_reports_with_api_key_of_deleted_workspace_is_401(
    wk_sk_key, workspace, owner, project, reports
):
    from accounts.services import workspace_soft_delete

    workspace_soft_delete(workspace=workspace, user=owner)

    response = bearer_client(wk_sk_key.raw).get(url(project.pk))

    assert response.status_code == 401
    assert response.json() == error("unauthorized", "Workspace has been deleted.")
    assert response["WWW-Authenticate"].startswith("Bearer")


def test_reports_over_the_read_rate_limit_is_429(writeback_client, project, settings):
    settings.RATE_WRITEBACK_READ_PER_KEY = "2/60s"

    statuses = [writeback_client.get(url(project.pk)).status_code for _ in range(2)]
    limited = writeback_client.get(url(project.pk))

    assert statuses == [200, 200]
    assert limited.status_code == 429
    assert int(limited["Retry-After"]) >= 1
    assert limited.json()["error"]["code"] == "rate_limit_exceeded"


def test_reports_runs_a_fixed_number_of_queries(
    writeback_client, project, reports, locmem_cache, django_assert_num_queries
):
    ReportFactory.create_batch(30, project=project)
    writeback_client.get(url(project.pk))  # first use writes last_used_at once

    # token, project, stats (one sum over the rollups: no date filter, no edge rows), page.
    with django_assert_num_queries(4):
        response = writeback_client.get(url(project.pk, "tool_name=search_index&limit=10"))

    assert response.status_code == 200
    # A page past the end skips the list query.
    with django_assert_num_queries(3):
        writeback_client.get(url(project.pk, "page=50"))


def test_reports_deep_pages_keep_the_order_and_filters(writeback_client, project):
    # From offset 500 the page is fetched with a deferred join: same rows, same order.
    base = at("2026-01-01T00:00:00")
    made = Report.objects.bulk_create(
        Report(
            project=project,
            outcome="failure" if i % 3 else "success",
            details=f"r{i}",
            # Pairs share a timestamp, so the id tie-break matters too.
            created_at=base + timedelta(minutes=i // 2),
        )
        for i in range(900)
    )
    newest_first = sorted(made, key=lambda r: (r.created_at, r.pk), reverse=True)
    failures = [r for r in newest_first if r.outcome == "failure"]

    deep = writeback_client.get(url(project.pk, "limit=100&page=6"))
    deep_filtered = writeback_client.get(url(project.pk, "outcome=failure&limit=50&page=11"))
    last = writeback_client.get(url(project.pk, "limit=100&page=9"))

    assert [r["id"] for r in deep.json()["reports"]] == [r.pk for r in newest_first[500:600]]
    assert [r["id"] for r in deep_filtered.json()["reports"]] == [r.pk for r in failures[500:550]]
    assert [r["id"] for r in last.json()["reports"]] == [r.pk for r in newest_first[800:]]
    assert deep_filtered.json()["stats"]["total"] == len(failures)


@pytest.mark.parametrize(
    "query", ["to=9999-12-31", "from=0001-01-01", "to=2026-02-20T23:59:59.999999%2B14:00"]
)
def test_reports_accepts_extreme_but_valid_dates(writeback_client, project, reports, query):
    response = writeback_client.get(url(project.pk, query))

    assert response.status_code == 200, response.content
