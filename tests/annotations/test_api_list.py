"""GET /api/v1/sites/{id}/annotations: the documented filters, limit and cursor rules, roles
and workspace scoping, in a fixed number of queries."""

from datetime import UTC, datetime, timedelta

import pytest

from annotations.models import AnnotationKind, AnnotationStatus
from tests.annotations.factories import AnnotationFactory
from tests.conftest import bearer_client

T0 = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)


def url(site, query: str = "") -> str:
    return f"/api/v1/sites/{site.pk}/annotations{query}"


def ids(response) -> list[str]:
    assert response.status_code == 200, response.content
    return [item["id"] for item in response.json()["items"]]


@pytest.fixture
def seeded(project):
    """One annotation per status, a minute apart (the oldest first), kinds and auto_fix
    varied."""
    rows = {}
    for i, status in enumerate(AnnotationStatus.values):
        rows[status] = AnnotationFactory.create(
            project=project,
            status=status,
            kind=AnnotationKind.BUG if i % 2 else AnnotationKind.COMMENT,
            auto_fix=i % 3 == 0,
            created_at=T0 + timedelta(minutes=i),
        )
    return rows


def newest_first(rows):
    return [a.pk for a in sorted(rows, key=lambda a: (a.created_at, a.pk), reverse=True)]


def test_list_answers_items_newest_first_and_a_null_cursor_on_the_last_page(
    gf_client, project, seeded
):
    response = gf_client.get(url(project))

    assert ids(response) == newest_first(seeded.values())
    assert response.json()["next_cursor"] is None
    item = response.json()["items"][0]
    assert item["site_id"] == project.pk
    assert {"status", "kind", "auto_fix", "summary", "assignee_id", "triage"} <= set(item)


@pytest.mark.parametrize("status", AnnotationStatus.values)
def test_status_filter_keeps_only_that_status(gf_client, project, seeded, status):
    assert ids(gf_client.get(url(project, f"?status={status}"))) == [seeded[status].pk]


def test_kind_filter(gf_client, project, seeded):
    bugs = [a for a in seeded.values() if a.kind == AnnotationKind.BUG]
    assert ids(gf_client.get(url(project, "?kind=bug"))) == newest_first(bugs)


@pytest.mark.parametrize("value", ["true", "false"])
def test_auto_fix_filter_restricts_to_or_excludes_authorised_submissions(
    gf_client, project, seeded, value
):
    wanted = [a for a in seeded.values() if a.auto_fix == (value == "true")]
    assert ids(gf_client.get(url(project, f"?auto_fix={value}"))) == newest_first(wanted)


def test_since_in_epoch_ms_keeps_annotations_created_at_or_after_it(gf_client, project, seeded):
    since = int((T0 + timedelta(minutes=4)).timestamp() * 1000)
    wanted = [a for a in seeded.values() if a.created_at >= T0 + timedelta(minutes=4)]

    assert ids(gf_client.get(url(project, f"?since={since}"))) == newest_first(wanted)
    assert len(wanted) == 3


def test_filters_combine(gf_client, project, seeded):
    response = gf_client.get(url(project, "?status=ack&kind=bug"))
    assert ids(response) == [seeded["ack"].pk]
    assert ids(gf_client.get(url(project, "?status=ack&kind=comment"))) == []


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("?status=open", "Unknown status 'open'."),
        ("?status=NEW", "Unknown status 'NEW'."),
        ("?kind=rant", "Unknown kind 'rant'."),
        ("?since=yesterday", "since must be a time in epoch milliseconds"),
        ("?since=-5", "since must be a time in epoch milliseconds"),
        ("?since=1e12", "since must be a time in epoch milliseconds"),
        ("?since=" + "9" * 40, "since must be a time in epoch milliseconds"),
        ("?auto_fix=yes", "auto_fix must be true or false."),
        ("?auto_fix=True", "auto_fix must be true or false."),
        ("?limit=0", "limit"),
        ("?limit=201", "limit"),
        ("?limit=ten", "limit"),
    ],
)
def test_bad_filter_or_limit_is_a_400_naming_it(gf_client, project, seeded, query, message):
    response = gf_client.get(url(project, query))

    assert response.status_code == 400
    assert message in response.json()["detail"]


def test_empty_filter_values_are_no_filter(gf_client, project, seeded):
    response = gf_client.get(url(project, "?status=&kind=&since=&auto_fix="))
    assert len(ids(response)) == len(seeded)


def test_limit_defaults_to_50_and_caps_at_200(gf_client, project):
    AnnotationFactory.create_batch(205, project=project)

    assert len(ids(gf_client.get(url(project)))) == 50
    assert len(ids(gf_client.get(url(project, "?limit=200")))) == 200


def test_cursor_walks_every_annotation_once_in_order(gf_client, project, seeded):
    seen: list[str] = []
    cursor = None
    for _ in range(10):
        query = "?limit=3" + (f"&cursor={cursor}" if cursor else "")
        response = gf_client.get(url(project, query))
        seen += ids(response)
        cursor = response.json()["next_cursor"]
        if cursor is None:
            break

    assert seen == newest_first(seeded.values())


def test_cursor_keeps_the_filter_it_was_issued_under(gf_client, project, seeded):
    first = gf_client.get(url(project, "?kind=bug&limit=1")).json()
    second = gf_client.get(url(project, f"?kind=bug&limit=5&cursor={first['next_cursor']}"))
    bugs = newest_first([a for a in seeded.values() if a.kind == AnnotationKind.BUG])

    assert [first["items"][0]["id"], *ids(second)] == bugs


def test_tampered_cursor_is_a_400(gf_client, project, seeded):
    cursor = gf_client.get(url(project, "?limit=2")).json()["next_cursor"]
    tampered = cursor[:-2] + ("AA" if not cursor.endswith("AA") else "BB")

    response = gf_client.get(url(project, f"?cursor={tampered}"))

    assert response.status_code == 400


def test_cursor_from_the_sites_list_is_refused(gf_client, workspace, project):
    from tests.factories import ProjectFactory

    ProjectFactory.create_batch(2, workspace=workspace)
    cursor = gf_client.get("/api/v1/sites?limit=1").json()["next_cursor"]

    assert gf_client.get(url(project, f"?cursor={cursor}")).status_code == 400


def test_guest_token_may_list(gf_guest_token, project, seeded):
    assert len(ids(bearer_client(gf_guest_token.raw).get(url(project)))) == len(seeded)


def test_another_workspaces_site_is_404_and_shows_nothing(gf_client, other_project):
    AnnotationFactory.create(project=other_project)

    response = gf_client.get(url(other_project))

    assert response.status_code == 404
    assert response.json() == {"detail": "Site not found."}


def test_a_malformed_site_id_is_404(gf_client):
    assert gf_client.get("/api/v1/sites/not-a-site/annotations").status_code == 404


def test_only_this_sites_annotations_are_listed(gf_client, workspace, project):
    from tests.factories import ProjectFactory

    other_site = ProjectFactory.create(workspace=workspace)
    mine = AnnotationFactory.create(project=project)
    AnnotationFactory.create(project=other_site)

    assert ids(gf_client.get(url(project))) == [mine.pk]


def test_no_token_is_a_401(api_client, project):
    response = api_client.get(url(project))

    assert response.status_code == 401
    assert "WWW-Authenticate" in response


def test_list_costs_a_fixed_number_of_queries(
    gf_client, project, django_assert_num_queries, locmem_cache, seeded
):
    AnnotationFactory.create_batch(20, project=project)
    gf_client.get(url(project))  # warm the token's last-used write

    # token + site + page, however many rows
    with django_assert_num_queries(3):
        response = gf_client.get(url(project, "?status=new&limit=50"))
    assert response.status_code == 200
