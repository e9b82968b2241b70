"""The annotations inbox's filters: the API's own FilterSet (status, kind, since in epoch
milliseconds, auto_fix) on the workspace inbox and a site's inbox alike, counts per status
under the other filters, chips, and bad values named and ignored rather than failing."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest

from annotations.views import since_choices
from tests.annotations.factories import AnnotationFactory
from tests.dashboard.helpers import signed_in
from tests.factories import ProjectFactory

BASE = datetime(2026, 3, 17, 12, 0, tzinfo=UTC)


def at(minutes: int) -> datetime:
    return BASE + timedelta(minutes=minutes)


def ms(moment: datetime) -> int:
    return int(moment.timestamp() * 1000)


def listed(response) -> list[str]:
    assert response.status_code == 200, response.content[:800]
    return re.findall(r'id="annotation-([0-9a-f]{32})"', response.content.decode())


def tab(label: str, count: int) -> str:
    return f'{label} <span class="count">{count}</span></a>'


@pytest.fixture
def second_site(workspace):
    return ProjectFactory.create(workspace=workspace, name="Backoffice", slug="backoffice")


@pytest.fixture
def rows(project, second_site):
    return {
        "new_bug": AnnotationFactory.create(
            project=project, kind="bug", status="new", created_at=at(0)
        ),
        "ack_idea": AnnotationFactory.create(
            project=project, kind="idea", status="ack", auto_fix=True, created_at=at(10)
        ),
        "resolved_bug": AnnotationFactory.create(
            project=project, kind="bug", status="resolved", created_at=at(20)
        ),
        "other_new_bug": AnnotationFactory.create(
            project=second_site, kind="bug", status="new", auto_fix=True, created_at=at(30)
        ),
    }


@pytest.fixture(params=["workspace", "site"])
def url(request, workspace, project):
    """Both inboxes share the FilterSet: every filter test runs on each."""
    if request.param == "workspace":
        return f"/w/{workspace.pk}/annotations/?site={project.pk}&"
    return f"/w/{workspace.pk}/projects/{project.pk}/annotations/?"


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("status=new", ["new_bug"]),
        ("status=resolved", ["resolved_bug"]),
        ("kind=bug", ["resolved_bug", "new_bug"]),
        ("kind=idea", ["ack_idea"]),
        (f"since={ms(at(10))}", ["resolved_bug", "ack_idea"]),
        ("auto_fix=true", ["ack_idea"]),
        ("auto_fix=false", ["resolved_bug", "new_bug"]),
        (f"kind=bug&since={ms(at(5))}", ["resolved_bug"]),
        ("status=duplicate", []),
    ],
)
def test_filters_narrow_both_inboxes_newest_first(member, rows, url, query, expected):
    assert listed(signed_in(member).get(url + query)) == [rows[name].pk for name in expected]


def test_workspace_inbox_filters_across_every_site(member, workspace, rows):
    response = signed_in(member).get(f"/w/{workspace.pk}/annotations/?kind=bug&status=new")

    assert listed(response) == [rows["other_new_bug"].pk, rows["new_bug"].pk]


def test_counts_per_status_follow_the_other_filters_not_the_status(member, workspace, rows):
    html = signed_in(member).get(f"/w/{workspace.pk}/annotations/?kind=bug&status=new").content

    text = html.decode()
    assert tab("All", 3) in text  # the three bugs, whatever their status
    assert tab("New", 2) in text
    assert tab("Resolved", 1) in text
    assert tab("Acknowledged", 0) in text
    # The status tabs keep the other filters and mark the current one.
    assert 'href="?kind=bug&amp;status=resolved"' in text
    assert 'class="tab gs-new is-current" href="?kind=bug&amp;status=new" aria-current="true"' in (
        text
    )


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("kind=bug&status=done", "Unknown status &#x27;done&#x27;. Accepted values are: new, ack,"),
        ("auto_fix=false&kind=rant", "Unknown kind &#x27;rant&#x27;."),
        ("kind=bug&since=yesterday", "since must be a time in epoch milliseconds"),
        ("kind=bug&since=-5", "since must be a time in epoch milliseconds"),
        ("kind=bug&auto_fix=yes", "auto_fix must be true or false."),
    ],
)
def test_bad_filter_is_named_and_ignored_not_a_failure(member, workspace, rows, query, message):
    response = signed_in(member).get(f"/w/{workspace.pk}/annotations/?{query}")

    html = response.content.decode()
    assert message in html
    assert "(ignored)" in html
    # The bad parameter is dropped; the good one still applies.
    good = query.split("&")[0]
    expected = {
        "kind=bug": {"new_bug", "resolved_bug", "other_new_bug"},
        "auto_fix=false": {"new_bug", "resolved_bug"},
    }[good]
    assert set(listed(response)) == {rows[name].pk for name in expected}


def test_chips_name_each_filter_and_remove_only_it(member, workspace, project, rows):
    since = ms(at(5))
    html = (
        signed_in(member)
        .get(f"/w/{workspace.pk}/annotations/?site={project.pk}&kind=bug&since={since}")
        .content.decode()
    )

    chips = html[html.index('class="filter-chips"') :]
    assert f'href="?kind=bug&amp;since={since}" aria-label="Remove filter Site: Storefront"' in (
        chips
    )
    assert f'href="?site={project.pk}&amp;since={since}" aria-label="Remove filter Kind: Bug"' in (
        chips
    )
    assert "Since:</span> 2026-03-17 12:05 UTC" in chips


def test_unknown_parameters_are_not_carried_into_links(member, workspace, rows):
    html = (
        signed_in(member)
        .get(f"/w/{workspace.pk}/annotations/?kind=bug&next=https://evil.example")
        .content.decode()
    )

    assert "evil.example" not in html


def test_filtered_inbox_with_no_match_says_so(member, workspace, rows):
    html = signed_in(member).get(f"/w/{workspace.pk}/annotations/?kind=copy").content.decode()

    assert "No annotation matches these filters." in html


def test_cursor_pages_keep_the_filters(member, workspace, project):
    bugs = [
        AnnotationFactory.create(project=project, kind="bug", created_at=at(i)) for i in range(30)
    ]
    AnnotationFactory.create(project=project, kind="idea", created_at=at(100))
    client = signed_in(member)

    first = client.get(f"/w/{workspace.pk}/annotations/?kind=bug")
    link = re.search(r'rel="next" href="\?([^"]+)"', first.content.decode())
    assert link
    second = client.get(f"/w/{workspace.pk}/annotations/?" + link[1].replace("&amp;", "&"))

    assert listed(first) + listed(second) == [b.pk for b in reversed(bugs)]


def test_since_presets_are_epoch_ms_and_a_past_value_stays_selectable():
    now = datetime(2026, 3, 17, 12, 34, 56, tzinfo=UTC)
    hour = datetime(2026, 3, 17, 12, tzinfo=UTC)

    presets = since_choices(now, "")
    assert presets == [
        (str(ms(hour - timedelta(days=1))), "Last 24 hours"),
        (str(ms(hour - timedelta(days=7))), "Last 7 days"),
        (str(ms(hour - timedelta(days=30))), "Last 30 days"),
    ]
    older = str(ms(datetime(2026, 1, 2, 3, 4, tzinfo=UTC)))
    assert since_choices(now, older)[0] == (older, "Since 2026-01-02 03:04 UTC")


def test_filtered_inbox_runs_a_fixed_number_of_queries(
    owner, workspace, project, django_assert_max_num_queries
):
    for i in range(3):
        AnnotationFactory.create(project=project, kind="bug", assignee=owner, created_at=at(i))
    client = signed_in(owner)
    url = f"/w/{workspace.pk}/annotations/?kind=bug&auto_fix=false&since=0"
    client.get(url)

    with django_assert_max_num_queries(30) as few:
        listed(client.get(url))
    for i in range(30):
        AnnotationFactory.create(project=project, kind="bug", assignee=owner, created_at=at(9 + i))
    with django_assert_max_num_queries(len(few)):
        assert len(listed(client.get(url))) == 25


def test_hostile_filter_values_come_back_escaped(member, workspace, rows):
    hostile = "<script>alert(1)</script>"
    response = signed_in(member).get(
        f"/w/{workspace.pk}/annotations/",
        {"status": hostile, "kind": hostile, "site": hostile, "since": "javascript:alert(1)"},
    )

    html = response.content.decode()
    assert response.status_code == 200
    assert "<script>alert(1)" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html  # named in the error, as text
    assert 'href="javascript:' not in html
    assert len(listed(response)) == 4  # every bad filter ignored
