"""The workspace overview (/w/<ws>/): what arrived in the last 7 days per project, what waits
for a person, and the getting-started checklist, filled in by the feedback and reports
sections of accounts.overview."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

from django.utils import timezone

from accounts.models import TokenFamily
from feedback.models import ItemSource, ItemStatus
from reports.models import Outcome
from tests.dashboard.helpers import signed_in
from tests.factories import ProjectFactory, mint_token
from tests.feedback.factories import ItemFactory
from tests.reports.factories import ReportFactory


def overview_url(workspace) -> str:
    return f"/w/{workspace.pk}/"


def noon(days_ago: int) -> datetime:
    return datetime.combine(timezone.now().date() - timedelta(days=days_ago), time(12), tzinfo=UTC)


def cells(response, project) -> dict[str, tuple[int, list[int]]]:
    """{section key: (total, daily counts)} of one project's row."""
    row = next(r for r in response.context["overview"].rows if r.project.pk == project.pk)
    return {c.section.key: (c.total, [b.value for b in c.spark.bars]) for c in row.cells}


def test_overview_counts_items_and_reports_per_project_over_7_utc_days(
    owner, workspace, project, other_project
):
    quiet = ProjectFactory.create(workspace=workspace, name="Quiet")
    ItemFactory.create(project=project, created_at=noon(0))
    ItemFactory.create(project=project, created_at=noon(0))
    ItemFactory.create(project=project, created_at=noon(6))  # the first day shown
    ItemFactory.create(project=project, created_at=noon(7))  # day 8: not counted
    ReportFactory.create(project=project, created_at=noon(2))
    ItemFactory.create(project=other_project, created_at=noon(0))  # another workspace
    ReportFactory.create(project=other_project, created_at=noon(0))

    response = signed_in(owner).get(overview_url(workspace))

    assert response.status_code == 200
    assert [s.key for s in response.context["overview"].sections] == ["feedback", "reports"]
    assert cells(response, project) == {
        "feedback": (3, [1, 0, 0, 0, 0, 0, 2]),
        "reports": (1, [0, 0, 0, 0, 1, 0, 0]),
    }
    assert cells(response, quiet) == {
        "feedback": (0, [0] * 7),
        "reports": (0, [0] * 7),
    }
    html = response.content.decode()
    assert "What arrived" in html
    today = timezone.now().date()
    period = f"{(today - timedelta(days=6)).isoformat()} to {today.isoformat()}"
    # The sparkline's accessible name carries every value, not just the drawing.
    assert f"3 items from {period}; per day: 1, 0, 0, 0, 0, 0, 2." in html
    assert f'href="/w/{workspace.pk}/inbox/?project={project.pk}"' in html
    assert f'href="/w/{workspace.pk}/projects/{project.pk}/reports/"' in html


def test_overview_lists_open_items_and_tools_failing_in_the_last_7_days(owner, workspace, project):
    ItemFactory.create_batch(2, project=project, status=ItemStatus.OPEN)
    ItemFactory.create(project=project, status=ItemStatus.COMPLETED)
    for days_ago in (0, 1, 3):
        ReportFactory.create(
            project=project,
            outcome=Outcome.FAILURE,
            tool_name="search_index",
            created_at=noon(days_ago),
        )
    ReportFactory.create(
        project=project, outcome=Outcome.FAILURE, tool_name="fetch_page", created_at=noon(8)
    )
    ReportFactory.create(project=project, outcome=Outcome.SUCCESS, tool_name="fetch_page")

    response = signed_in(owner).get(overview_url(workspace))

    unhandled = [
        (u.section.key, u.item.text, u.item.subject, u.item.count)
        for u in response.context["overview"].unhandled
    ]
    assert unhandled == [
        ("feedback", "open items", "", 2),
        ("reports", "failures of tool", "search_index", 3),
    ]
    html = response.content.decode()
    assert f'href="/w/{workspace.pk}/inbox/?project={project.pk}&amp;status=open"' in html
    first = (timezone.now().date() - timedelta(days=6)).isoformat()
    assert (
        f'href="/w/{workspace.pk}/projects/{project.pk}/reports/'
        f'?outcome=failure&amp;tool_name=search_index&amp;from={first}"'
    ) in html
    assert "fetch_page" not in html  # its only failure is older than the window


def test_overview_names_a_single_waiting_thing_in_the_singular(owner, workspace, project):
    ItemFactory.create(project=project)
    ReportFactory.create(project=project, outcome=Outcome.FAILURE, tool_name="search_index")

    html = signed_in(owner).get(overview_url(workspace)).content.decode()

    assert "<strong>1</strong> open item</a>" in html
    assert "<strong>1</strong> failure of tool <code>search_index</code>" in html


def test_overview_with_nothing_waiting_says_so(owner, workspace, project):
    html = signed_in(owner).get(overview_url(workspace)).content.decode()

    assert "Nothing waiting" in html


def test_overview_checklist_links_each_step_of_an_empty_project(owner, workspace, project):
    response = signed_in(owner).get(overview_url(workspace))

    (row,) = response.context["overview"].checklists
    assert [(s.label, s.done) for s in row.steps] == [
        ("Install the feedback widget", False),
        ("Send a first agent report", False),
        ("Mint an API token", False),
    ]
    html = response.content.decode()
    assert "Getting started" in html
    assert 'Storefront <span class="muted small">3 of 3 left</span>' in html
    assert f'href="/w/{workspace.pk}/projects/{project.pk}/#snippets"' in html
    assert (
        f'href="/w/{workspace.pk}/projects/{project.pk}/reports/">Send a first agent report' in html
    )
    assert f'href="/w/{workspace.pk}/tokens/">Mint an API token' in html


def test_overview_checklist_ticks_steps_and_disappears_once_all_are_done(owner, workspace, project):
    ItemFactory.create(project=project, source=ItemSource.API)  # not the widget
    ReportFactory.create(project=project)
    client = signed_in(owner)

    (row,) = client.get(overview_url(workspace)).context["overview"].checklists
    assert [s.done for s in row.steps] == [False, True, False]

    ItemFactory.create(project=project, source=ItemSource.WIDGET)
    mint_token(workspace=workspace, created_by=owner, family=TokenFamily.MINOLITH, project=project)
    response = client.get(overview_url(workspace))

    assert response.context["overview"].checklists == []
    assert "Getting started" not in response.content.decode()


def test_overview_token_of_another_project_does_not_tick_the_step(owner, workspace, project):
    elsewhere = ProjectFactory.create(workspace=workspace, name="Elsewhere")
    mint_token(
        workspace=workspace, created_by=owner, family=TokenFamily.MINOLITH, project=elsewhere
    )

    response = signed_in(owner).get(overview_url(workspace))

    done = {row.project.name: row.steps[-1].done for row in response.context["overview"].checklists}
    assert done == {"Storefront": False, "Elsewhere": True}


def test_overview_checklist_is_not_shown_to_guests(guest, workspace, project):
    response = signed_in(guest).get(overview_url(workspace))

    assert response.status_code == 200
    assert response.context["overview"].checklists == []
    assert "Getting started" not in response.content.decode()
    assert "What arrived" in response.content.decode()


def test_overview_without_projects_shows_no_feedback_sections(owner):
    from accounts.services import workspace_create

    empty = workspace_create(owner=owner, name="Empty")

    response = signed_in(owner).get(overview_url(empty))

    assert response.status_code == 200
    assert response.context["overview"].rows == []
    html = response.content.decode()
    assert "What arrived" not in html
    assert "Create the first project" in html


def test_overview_escapes_project_and_tool_names(owner, workspace):
    project = ProjectFactory.create(workspace=workspace, name="<b>bold</b> & co")
    ReportFactory.create(
        project=project, outcome=Outcome.FAILURE, tool_name="<img src=x onerror=alert(1)>"
    )

    html = signed_in(owner).get(overview_url(workspace)).content.decode()

    assert "<b>bold</b>" not in html
    assert "&lt;b&gt;bold&lt;/b&gt; &amp; co" in html
    assert "<img src=x" not in html
    assert "&lt;img src=x onerror=alert(1)&gt;" in html


def test_overview_for_non_member_is_404(outsider, workspace):
    assert signed_in(outsider).get(overview_url(workspace)).status_code == 404


def test_overview_runs_the_same_number_of_queries_for_one_project_or_many(
    owner, workspace, project, django_assert_num_queries
):
    def fill(p):
        ItemFactory.create(project=p, created_at=noon(1), source=ItemSource.WIDGET)
        ReportFactory.create(project=p, outcome=Outcome.FAILURE, created_at=noon(2))

    fill(project)
    client = signed_in(owner)
    client.get(overview_url(workspace))
    # session, user, membership, projects, members, tokens, workspace switcher; feedback:
    # arrivals, open, widget; reports: arrivals, failing tools, any report; token step
    with django_assert_num_queries(14) as one:
        client.get(overview_url(workspace))
    for n in range(5):
        fill(ProjectFactory.create(workspace=workspace, name=f"Project {n}"))
    with django_assert_num_queries(len(one.captured_queries)):
        response = client.get(overview_url(workspace))
    assert len(response.context["overview"].rows) == 6
