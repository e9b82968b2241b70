"""run-personas and persona-runs: roles, workspace scoping, the default set, unknown ids,
credits and the 402 cap, Idempotency-Key, the task that runs on commit, and its retries.

The task backend is immediate in tests: a run's task executes when the request's
transaction commits (``django_capture_on_commit_callbacks(execute=True)``)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from accounts.models import AuditLog
from annotations.models import Persona, PersonaRun, PersonaRunStatus
from annotations.personas import reviewer, services
from annotations.personas.catalogue import default_run_slugs
from annotations.personas.tasks import run_persona
from projects.models import Project
from tests.annotations.factories import AnnotationFactory, PersonaFactory
from tests.conftest import bearer_client


def run_url(annotation) -> str:
    return f"/api/v1/annotations/{annotation.pk}/run-personas"


def runs_url(annotation) -> str:
    return f"/api/v1/annotations/{annotation.pk}/persona-runs"


@pytest.fixture
def annotation(project):
    return AnnotationFactory.create(
        project=project,
        body="The pay button is hard to read and tiny on my phone",
        element={
            "tag": "button",
            "text": "Pay now",
            "rect": {"x": 40, "y": 300, "width": 120, "height": 20},
        },
        styles={"color": "#777777", "background-color": "#ffffff", "font-size": "14px"},
    )


def persona(workspace, slug: str) -> Persona:
    return Persona.objects.get(workspace=workspace, slug=slug)


def credits(project: Project) -> int:
    project.refresh_from_db()
    return project.credits_used


def test_run_personas_answers_202_with_one_queued_run_per_persona(gf_client, workspace, annotation):
    chosen = [persona(workspace, "low-vision-reader"), persona(workspace, "motor-impaired-tapper")]
    response = gf_client.post(
        run_url(annotation), {"persona_ids": [p.pk for p in chosen]}, format="json"
    )
    assert response.status_code == 202, response.content
    runs = response.json()["runs"]
    assert [(r["persona_id"], r["status"]) for r in runs] == [(p.pk, "queued") for p in chosen]
    assert all(r["verdict"] is None and r["engine"] is None for r in runs)
    assert PersonaRun.objects.filter(annotation=annotation).count() == 2
    assert AuditLog.objects.filter(action="persona.run", target_id=annotation.pk).exists()


def test_the_task_runs_on_commit_and_stores_the_builtin_review(
    gf_client, workspace, annotation, django_capture_on_commit_callbacks
):
    low_vision = persona(workspace, "low-vision-reader")
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = gf_client.post(
            run_url(annotation), {"persona_ids": [low_vision.pk]}, format="json"
        )
    assert response.status_code == 202
    assert len(callbacks) == 1  # one task per run
    listed = gf_client.get(runs_url(annotation)).json()
    assert listed["next_cursor"] is None
    (run,) = listed["items"]
    assert run["status"] == "done"
    assert run["engine"] == "builtin"
    assert run["verdict"] == "fail"
    assert run["severity"] == "high"
    assert run["started_at"]
    assert run["finished_at"]
    assert run["attempts"] == 1
    assert run["token_usage"] == {}
    contrast = next(f for f in run["findings"] if f["check"] == "text_contrast")
    assert contrast["outcome"] == "fail"
    assert contrast["evidence"]["ratio_shown"] == "4.48:1"
    assert contrast["message"].startswith("Low-vision reader: ")
    assert contrast["suggested_fix"]
    assert "1.4.3" in contrast["source"]


def test_no_persona_ids_runs_the_documented_default_set(gf_client, workspace, annotation):
    response = gf_client.post(run_url(annotation), {}, format="json")
    assert response.status_code == 202
    slugs = {r["persona_slug"] for r in response.json()["runs"]}
    assert slugs == set(default_run_slugs())
    assert len(slugs) == 6
    empty = gf_client.post(run_url(annotation), {"persona_ids": []}, format="json")
    assert {r["persona_slug"] for r in empty.json()["runs"]} == slugs


def test_the_default_set_deleted_is_a_400(gf_client, workspace, annotation):
    Persona.objects.filter(workspace=workspace, slug__in=default_run_slugs()).delete()
    response = gf_client.post(run_url(annotation), {}, format="json")
    assert response.status_code == 400
    assert "reset the defaults" in response.json()["detail"]


def test_unknown_and_foreign_persona_ids_are_400_naming_them(
    gf_client, workspace, other_workspace, annotation
):
    foreign = Persona.objects.filter(workspace=other_workspace)[0]
    mine = persona(workspace, "power-user")
    response = gf_client.post(
        run_url(annotation),
        {"persona_ids": [mine.pk, foreign.pk, "not-an-id"]},
        format="json",
    )
    assert response.status_code == 400
    assert response.json() == {"detail": f"Unknown persona ids: {foreign.pk}, not-an-id."}
    assert not PersonaRun.objects.exists()
    assert credits(annotation.project) == 0


def test_a_malformed_body_is_422(gf_client, annotation):
    for body in ({"persona_ids": "all"}, {"persona_ids": [1, {}]}, {"other": 1}):
        assert gf_client.post(run_url(annotation), body, format="json").status_code == 422
    assert not PersonaRun.objects.exists()


def test_guests_cannot_run_personas_but_can_list_runs(gf_guest_token, annotation):
    client = bearer_client(gf_guest_token.raw)
    response = client.post(run_url(annotation), {}, format="json")
    assert response.status_code == 403
    assert response.json() == {"detail": "Insufficient role"}
    assert client.get(runs_url(annotation)).status_code == 200
    assert not PersonaRun.objects.exists()


def test_another_workspaces_annotation_is_404(gf_client, other_project):
    foreign = AnnotationFactory.create(project=other_project)
    assert gf_client.post(run_url(foreign), {}, format="json").status_code == 404
    assert gf_client.get(runs_url(foreign)).status_code == 404
    assert gf_client.get("/api/v1/annotations/nothex/persona-runs").status_code == 404
    assert not PersonaRun.objects.exists()


def test_each_run_charges_one_credit(gf_client, workspace, annotation):
    ids = [p.pk for p in Persona.objects.filter(workspace=workspace)[:3]]
    gf_client.post(run_url(annotation), {"persona_ids": ids}, format="json")
    assert credits(annotation.project) == 3


def test_the_spending_cap_answers_402_and_queues_nothing(
    gf_client, workspace, annotation, django_capture_on_commit_callbacks
):
    Project.objects.filter(pk=annotation.project_id).update(spending_cap_credits=4, credits_used=2)
    ids = [p.pk for p in Persona.objects.filter(workspace=workspace)[:3]]
    with django_capture_on_commit_callbacks() as callbacks:
        response = gf_client.post(run_url(annotation), {"persona_ids": ids}, format="json")
    assert response.status_code == 402
    assert response.json() == {"detail": "Spending cap exceeded."}
    assert callbacks == []
    assert not PersonaRun.objects.exists()
    assert credits(annotation.project) == 2
    ok = gf_client.post(run_url(annotation), {"persona_ids": ids[:2]}, format="json")
    assert ok.status_code == 202
    assert credits(annotation.project) == 4


def test_idempotency_key_replays_without_a_second_charge(gf_client, workspace, annotation):
    body = {"persona_ids": [persona(workspace, "form-filler").pk]}
    headers = {"HTTP_IDEMPOTENCY_KEY": "run-1"}
    first = gf_client.post(run_url(annotation), body, format="json", **headers)
    second = gf_client.post(run_url(annotation), body, format="json", **headers)
    assert first.status_code == second.status_code == 202
    assert first.json() == second.json()
    assert PersonaRun.objects.count() == 1
    assert credits(annotation.project) == 1


def test_runs_list_oldest_first_with_the_cursor_shape(gf_client, workspace, annotation):
    ids = [p.pk for p in Persona.objects.filter(workspace=workspace)[:5]]
    gf_client.post(run_url(annotation), {"persona_ids": ids}, format="json")
    first = gf_client.get(runs_url(annotation), {"limit": 3}).json()
    assert len(first["items"]) == 3
    assert first["next_cursor"]
    rest = gf_client.get(runs_url(annotation), {"limit": 3, "cursor": first["next_cursor"]}).json()
    assert rest["next_cursor"] is None
    assert [r["persona_id"] for r in first["items"] + rest["items"]] == ids


def test_a_custom_persona_runs_its_own_checks(
    gf_client, workspace, annotation, django_capture_on_commit_callbacks
):
    custom = PersonaFactory.create(workspace=workspace, name="Tap tester", checks=["target_size"])
    with django_capture_on_commit_callbacks(execute=True):
        gf_client.post(run_url(annotation), {"persona_ids": [custom.pk]}, format="json")
    run = PersonaRun.objects.get()
    assert [f["check"] for f in run.findings] == ["target_size"]
    assert run.findings[0]["message"].startswith("Tap tester: The target is 120x20 CSS px")


def test_a_persona_without_applicable_checks_says_so(
    gf_client, workspace, annotation, django_capture_on_commit_callbacks
):
    analyst = persona(workspace, "core-web-vitals-analyst")
    with django_capture_on_commit_callbacks(execute=True):
        gf_client.post(run_url(annotation), {"persona_ids": [analyst.pk]}, format="json")
    run = PersonaRun.objects.get()
    assert (run.status, run.verdict, run.severity) == ("done", "pass", "none")
    assert run.findings[0]["check"] == "none"
    assert "none of my built-in checks apply" in run.findings[0]["message"]


# --- the task ------------------------------------------------------------------------------
def queued_run(annotation, workspace, slug="low-vision-reader") -> PersonaRun:
    chosen = persona(workspace, slug)
    return PersonaRun.objects.create(
        annotation=annotation,
        persona=chosen,
        persona_slug=chosen.slug,
        persona_name=chosen.name,
        actor_id="system",
    )


def test_running_the_task_twice_changes_nothing_the_second_time(annotation, workspace):
    run = queued_run(annotation, workspace)
    assert services.persona_run_execute(run.pk) == "done"
    run.refresh_from_db()
    finished = run.finished_at
    assert services.persona_run_execute(run.pk) == "done"
    run.refresh_from_db()
    assert (run.finished_at, run.attempts) == (finished, 1)


def test_a_run_another_worker_holds_is_left_alone(annotation, workspace):
    run = queued_run(annotation, workspace)
    PersonaRun.objects.filter(pk=run.pk).update(
        status=PersonaRunStatus.RUNNING, started_at=timezone.now(), attempts=1
    )
    assert services.persona_run_execute(run.pk) == "running"


def test_a_run_left_running_by_a_dead_worker_is_retried(annotation, workspace):
    run = queued_run(annotation, workspace)
    PersonaRun.objects.filter(pk=run.pk).update(
        status=PersonaRunStatus.RUNNING,
        started_at=timezone.now() - services.STALE_RUNNING - timedelta(seconds=1),
        attempts=1,
    )
    assert run_persona.enqueue(run.pk).return_value == "done"
    run.refresh_from_db()
    assert (run.status, run.attempts, run.verdict) == ("done", 2, "fail")


def test_a_crash_is_retried_and_then_succeeds(
    annotation, workspace, monkeypatch, django_capture_on_commit_callbacks
):
    real = reviewer.review
    calls = []

    def crash_once(**kwargs):
        calls.append(1)
        if len(calls) == 1:
            raise RuntimeError("worker lost its database connection")
        return real(**kwargs)

    monkeypatch.setattr(services, "review", crash_once)
    run = queued_run(annotation, workspace)
    with django_capture_on_commit_callbacks(execute=True):
        first = services.persona_run_execute(run.pk)
    assert first == "queued"  # put back in the queue, and re-enqueued on commit
    run.refresh_from_db()
    assert (run.status, run.attempts) == ("done", 2)


def test_a_run_that_keeps_crashing_fails_after_max_attempts_never_stays_running(
    annotation, workspace, monkeypatch, django_capture_on_commit_callbacks
):
    def always_crash(**kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(services, "review", always_crash)
    run = queued_run(annotation, workspace)
    with django_capture_on_commit_callbacks(execute=True):
        services.persona_run_execute(run.pk)
    run.refresh_from_db()
    assert run.status == "failed"
    assert run.attempts == services.MAX_ATTEMPTS
    assert "RuntimeError" in run.llm_note
    assert run.finished_at is not None


def test_a_run_whose_custom_persona_was_deleted_fails_with_a_note(annotation, workspace):
    custom = PersonaFactory.create(workspace=workspace)
    run = PersonaRun.objects.create(
        annotation=annotation,
        persona=custom,
        persona_slug=custom.slug,
        persona_name=custom.name,
        actor_id="system",
    )
    custom.delete()
    assert services.persona_run_execute(run.pk) == "failed"
    run.refresh_from_db()
    assert "deleted" in run.llm_note


def test_a_deleted_default_still_runs_its_shipped_version(annotation, workspace):
    run = queued_run(annotation, workspace, "low-vision-reader")
    Persona.objects.filter(pk=run.persona_id).delete()
    assert services.persona_run_execute(run.pk) == "done"
    run.refresh_from_db()
    assert run.persona_id is None
    assert run.verdict == "fail"


def test_a_malformed_capture_skips_checks_instead_of_crashing(project, workspace):
    broken = AnnotationFactory.create(
        project=project, element=["not", "an", "object"], styles={"color": 5}, viewport={}
    )
    run = queued_run(broken, workspace, "wcag-aa-auditor")
    assert services.persona_run_execute(run.pk) == "done"
    run.refresh_from_db()
    assert run.verdict == "pass"
    assert run.findings[0]["check"] == "none"
