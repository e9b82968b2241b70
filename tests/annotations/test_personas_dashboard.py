"""Persona reviews on the dashboard's annotation page: the results partial for every member,
the "run personas" control for MEMBER and up (same service, credits and 402 as the API), and
a real browser running personas and seeing the findings."""

from __future__ import annotations

import pytest

from annotations.models import Persona, PersonaRun
from projects.models import Project
from tests.annotations.factories import AnnotationFactory
from tests.annotations.test_dashboard_browser import ARTEFACTS, chromium, sign_in  # noqa: F401
from tests.dashboard.helpers import signed_in


@pytest.fixture
def annotation(project):
    return AnnotationFactory.create(
        project=project,
        body="I can't read the <b>pay</b> button",
        styles={"color": "#777777", "background-color": "#ffffff", "font-size": "14px"},
    )


def page_url(workspace, annotation) -> str:
    return f"/w/{workspace.pk}/annotations/{annotation.pk}/"


def run_url(workspace, annotation) -> str:
    return f"/w/{workspace.pk}/annotations/{annotation.pk}/run-personas/"


def test_members_see_the_run_control_and_guests_only_the_results(
    member, guest, workspace, annotation
):
    html = signed_in(member).get(page_url(workspace, annotation)).content.decode()
    assert 'id="run-personas-form"' in html
    assert "Low-vision reader" in html  # the picker lists the workspace's personas
    guest_html = signed_in(guest).get(page_url(workspace, annotation)).content.decode()
    assert 'id="run-personas-form"' not in guest_html
    assert "No persona has reviewed this annotation yet." in guest_html


def test_running_personas_from_the_page_queues_runs_and_shows_findings(
    member, workspace, annotation, django_capture_on_commit_callbacks
):
    client = signed_in(member)
    low_vision = Persona.objects.get(workspace=workspace, slug="low-vision-reader")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(run_url(workspace, annotation), {"persona_ids": [low_vision.pk]})
    assert response.status_code == 302
    assert response["Location"].endswith(f"{page_url(workspace, annotation)}#personas")
    run = PersonaRun.objects.get(annotation=annotation)
    assert run.status == "done"
    html = client.get(page_url(workspace, annotation)).content.decode()
    assert f'id="persona-run-{run.pk}"' in html
    assert "#777777 on #ffffff measures 4.48:1" in html
    assert "<b>pay</b>" not in html  # the comment is escaped everywhere


def test_no_selection_runs_the_default_set(member, workspace, annotation):
    signed_in(member).post(run_url(workspace, annotation), {})
    assert PersonaRun.objects.filter(annotation=annotation).count() == 6


def test_guests_cannot_run_personas_from_the_page(guest, workspace, annotation):
    response = signed_in(guest).post(run_url(workspace, annotation), {})
    assert response.status_code == 403
    assert not PersonaRun.objects.exists()


def test_the_spending_cap_is_shown_and_nothing_is_queued(member, workspace, annotation):
    Project.objects.filter(pk=annotation.project_id).update(spending_cap_credits=0)
    client = signed_in(member)
    response = client.post(run_url(workspace, annotation), {}, follow=True)
    assert "Spending cap exceeded." in response.content.decode()
    assert not PersonaRun.objects.exists()


def test_another_workspaces_annotation_is_404(member, workspace, other_project):
    foreign = AnnotationFactory.create(project=other_project)
    assert signed_in(member).post(run_url(workspace, foreign), {}).status_code == 404
    assert not PersonaRun.objects.exists()


@pytest.mark.browser
def test_a_member_runs_personas_in_the_browser_and_sees_the_findings(
    chromium,  # noqa: F811
    live_server,
    member,
    workspace,
    annotation,
):
    context = chromium.new_context(viewport={"width": 1366, "height": 900})
    page = context.new_page()
    sign_in(page, live_server, member)
    page.goto(f"{live_server.url}{page_url(workspace, annotation)}")
    page.select_option("#persona-ids", label="Low-vision reader")
    page.click("#run-personas")
    page.wait_for_selector(".persona-run")
    text = page.inner_text("#personas")
    assert "Low-vision reader" in text
    assert "4.48:1" in text
    assert "Done" in text
    ARTEFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTEFACTS / "personas_1366.png"), full_page=True)
    context.close()
