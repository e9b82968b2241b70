"""Dashboard: /w/<ws>/projects/<project_id>/reports/ and /w/<ws>/reports/."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

import pytest
from django.test import Client
from django.utils import timezone

from reports.models import Outcome
from tests.factories import ProjectFactory
from tests.reports.factories import ReportFactory


def page_url(project, query: str = "") -> str:
    return f"/w/{project.workspace_id}/projects/{project.pk}/reports/" + (
        f"?{query}" if query else ""
    )


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def filled(project):
    today = timezone.now().date()
    for i, outcome in enumerate(
        [Outcome.SUCCESS] * 5 + [Outcome.FAILURE] * 3 + [Outcome.CONFUSING] * 2 + [Outcome.REQUEST]
    ):
        ReportFactory.create(
            project=project,
            outcome=outcome,
            tool_name="search_index" if i % 2 else "fetch_page",
            # Noon UTC of each of the last 11 days: one report per day.
            created_at=datetime.combine(today - timedelta(days=i), time(12), tzinfo=UTC),
        )
    return project


def test_report_page_shows_stats_chart_tools_and_list(owner, filled):
    response = signed_in(owner).get(page_url(filled))

    assert response.status_code == 200
    html = response.content.decode()
    stats = response.context["stats"]
    assert stats == {
        "total": 11,
        "success": 5,
        "failure": 3,
        "confusing": 2,
        "gave_up": 0,
        "request": 1,
    }
    assert '<div class="n">11</div>' in html
    assert '<div class="n">5</div><div class="l">Success</div>' in html
    assert "<svg" in html
    assert response.context["chart"].total == 11
    assert len(response.context["chart"].bars) == 30  # last 30 days by default
    assert [t["tool_name"] for t in response.context["tools"]] == ["fetch_page", "search_index"]
    assert len(response.context["reports"]) == 11
    assert "No reports yet" not in html


def test_report_page_filters_with_the_api_filterset(owner, filled):
    response = signed_in(owner).get(page_url(filled, "outcome=failure&tool_name=search_index"))

    assert response.status_code == 200
    assert response.context["stats"]["total"] == 2
    assert {r["outcome"] for r in response.context["reports"]} == {"failure"}
    assert 'value="search_index"' in response.content.decode()


def test_report_page_shows_invalid_filter_and_ignores_it(owner, filled):
    response = signed_in(owner).get(page_url(filled, "from=last-week&outcome=failure"))

    assert response.status_code == 200
    html = response.content.decode()
    assert "from must be an ISO 8601 date or date-time" in html
    assert response.context["stats"]["total"] == 3  # outcome still applies


def test_report_page_paginates_with_links_keeping_filters(owner, project):
    ReportFactory.create_batch(7, project=project, outcome=Outcome.FAILURE)

    first = signed_in(owner).get(page_url(project, "outcome=failure&limit=3"))
    last = signed_in(owner).get(page_url(project, "outcome=failure&limit=3&page=3"))
    beyond = signed_in(owner).get(page_url(project, "outcome=failure&limit=3&page=99"))

    assert len(first.context["reports"]) == 3
    assert "?outcome=failure&amp;limit=3&amp;page=2" in first.content.decode()
    assert len(last.context["reports"]) == 1
    assert "Page 3 of 3" in last.content.decode()
    assert beyond.context["page"] == 3  # the page clamps instead of erroring


def test_report_page_escapes_report_text(owner, project):
    ReportFactory.create(
        project=project,
        details="<script>alert('x')</script> & more",
        tool_name="<b>tool</b>",
        source='"><img src=x onerror=alert(1)>',
    )

    html = signed_in(owner).get(page_url(project)).content.decode()

    assert "<script>alert" not in html
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt; &amp; more" in html
    assert "<b>tool</b>" not in html
    assert "&lt;b&gt;tool&lt;/b&gt;" in html
    assert "<img src=x" not in html


def test_report_page_empty_state_shows_the_real_ingest_key_and_curl(owner, project):
    response = signed_in(owner).get(page_url(project))

    html = response.content.decode()
    assert "No reports yet" in html
    assert project.ingest_key in html
    assert "curl -X POST http://127.0.0.1:8000/v1/reports" in html
    assert f"&quot;ingest_key&quot;: &quot;{project.ingest_key}&quot;" in html


def test_report_page_empty_state_hides_the_ingest_key_from_guests(guest, project):
    response = signed_in(guest).get(page_url(project))

    assert response.status_code == 200
    html = response.content.decode()
    assert "No reports yet" in html
    assert project.ingest_key not in html
    assert "wk_your_ingest_key" in html


def test_report_page_with_filters_matching_nothing_is_not_the_empty_state(owner, filled):
    response = signed_in(owner).get(page_url(filled, "tool_name=nothing-like-this"))

    html = response.content.decode()
    assert "No reports yet" not in html
    assert "No reports match these filters" in html


def test_report_page_for_non_member_is_404(outsider, project):
    response = signed_in(outsider).get(page_url(project))

    assert response.status_code == 404


def test_report_page_for_other_workspace_project_is_404(owner, workspace, other_project):
    url = f"/w/{workspace.pk}/projects/{other_project.pk}/reports/"

    response = signed_in(owner).get(url)

    assert response.status_code == 404


def test_report_page_for_unknown_project_is_404(owner, workspace):
    response = signed_in(owner).get(f"/w/{workspace.pk}/projects/{'0' * 32}/reports/")

    assert response.status_code == 404


def test_report_page_requires_sign_in(project):
    response = Client().get(page_url(project))

    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_report_page_chart_follows_from_and_to(owner, filled):
    today = timezone.now().date()
    start = (today - timedelta(days=6)).isoformat()

    response = signed_in(owner).get(page_url(filled, f"from={start}&to={today.isoformat()}"))

    chart = response.context["chart"]
    assert len(chart.bars) == 7
    assert chart.total == response.context["stats"]["total"] == 7


def test_report_index_lists_projects_with_report_counts(owner, workspace, filled, other_project):
    quiet = ProjectFactory.create(workspace=workspace, name="Quiet one")
    ReportFactory.create(project=other_project)

    response = signed_in(owner).get(f"/w/{workspace.pk}/reports/")

    assert response.status_code == 200
    counts = {p.pk: p.report_count for p in response.context["projects"]}
    assert counts == {filled.pk: 11, quiet.pk: 0}
    assert page_url(filled) in response.content.decode()


def test_report_index_for_non_member_is_404(outsider, workspace):
    assert signed_in(outsider).get(f"/w/{workspace.pk}/reports/").status_code == 404


def test_report_page_chart_counts_each_utc_day_over_the_last_30_days(owner, project):
    today = timezone.now().date()
    midnight = datetime.combine(today, time(0), tzinfo=UTC)
    first_day = today - timedelta(days=29)
    made = [
        (Outcome.SUCCESS, midnight),  # today, on the boundary
        (Outcome.SUCCESS, midnight),
        (Outcome.FAILURE, midnight - timedelta(seconds=1)),  # yesterday, last second
        (Outcome.GAVE_UP, midnight - timedelta(days=29)),  # the first day shown
        (Outcome.REQUEST, midnight - timedelta(days=29, seconds=1)),  # day 31: not shown
    ]
    for outcome, created_at in made:
        ReportFactory.create(project=project, outcome=outcome, created_at=created_at)

    response = signed_in(owner).get(page_url(project))

    chart = response.context["chart"]
    by_day = {bar.label: {s.key: s.count for s in bar.segments} for bar in chart.bars}
    assert [chart.bars[0].label, chart.bars[-1].label] == [first_day.isoformat(), today.isoformat()]
    assert len(by_day) == 30
    assert by_day[today.isoformat()] == {"success": 2}
    assert by_day[(today - timedelta(days=1)).isoformat()] == {"failure": 1}
    assert by_day[first_day.isoformat()] == {"gave_up": 1}
    assert sum(1 for counts in by_day.values() if counts) == 3
    assert chart.total == 4
    # The stats cover every report; only the chart is limited to its 30 days.
    assert response.context["stats"]["total"] == 5


def test_report_page_breaks_reports_down_by_tool_name(owner, filled):
    ReportFactory.create(project=filled, tool_name="", outcome=Outcome.GAVE_UP)

    response = signed_in(owner).get(page_url(filled))

    assert response.context["tools"] == [
        {"tool_name": "fetch_page", "n": 6, "failures": 3},
        {"tool_name": "search_index", "n": 5, "failures": 3},
        {"tool_name": "", "n": 1, "failures": 1},
    ]
    assert "(no tool_name)" in response.content.decode()


def test_report_page_stat_and_tool_links_keep_the_other_filters(owner, filled):
    start = (timezone.now().date() - timedelta(days=20)).isoformat()

    response = signed_in(owner).get(
        page_url(filled, f"outcome=failure&from={start}&limit=3&page=2")
    )

    html = response.content.decode()
    # A stat card swaps the outcome and keeps from/limit; page restarts at 1.
    assert f'href="?from={start}&amp;limit=3&amp;outcome=success"' in html
    # A tool name adds itself to the current filters.
    tool_link = f"?outcome=failure&amp;from={start}&amp;limit=3&amp;tool_name=search_index"
    assert f'href="{tool_link}"' in html


def test_report_page_curl_follows_the_served_address_without_site_url(owner, project, settings):
    settings.SITE_URL = ""
    settings.ALLOWED_HOSTS = ["reports.example.test"]

    html = (
        signed_in(owner).get(page_url(project), HTTP_HOST="reports.example.test").content.decode()
    )

    assert "curl -X POST http://reports.example.test/v1/reports" in html


@pytest.mark.parametrize(
    "query",
    [
        "to=0001-01-01",
        "to=0001-01-05T00:00:00Z",
        "from=0001-03-01&to=0001-03-02",
        "from=9999-12-31",
        "from=9999-12-31&to=9999-12-31",
    ],
)
def test_report_page_with_dates_at_the_calendar_edges_answers_200(owner, project, query):
    response = signed_in(owner).get(page_url(project, query))

    assert response.status_code == 200
    assert response.context["chart"].description.endswith("No reports in this period.")
