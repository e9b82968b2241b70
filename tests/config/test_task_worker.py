"""Background tasks run with only the web server up (config/worker.py), and a queue that
nobody drains shows in /healthz and on the dashboard."""

from __future__ import annotations

import json
import time
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from config import worker
from tests.config.subprocess_server import free_port, prepare, runserver

DATABASE_TASKS = {"default": {"BACKEND": "django_tasks_db.backend.DatabaseBackend"}}


# --- with only runserver up (subprocess) --------------------------------------------------------
def test_a_queued_task_completes_with_only_runserver_up(tmp_path):
    """Fluister POST -> item stored -> LLM pass enqueued on commit -> the in-process worker
    runs it. The LLM points at a closed port, so the pass ends quickly as ``failed``; what
    matters is that it ran, in the web process, with no db_worker anywhere."""
    llm = {"LLM_BASE_URL": f"http://127.0.0.1:{free_port()}/v1", "LLM_MODEL": "closed"}
    credentials = prepare(tmp_path, llm)
    with runserver(tmp_path, credentials, llm) as server:
        created = server.request(
            "/v1/feedback",
            json_body={"projectId": credentials["project_id"], "text": "Checkout is broken"},
            headers={"Authorization": f"Bearer {credentials['project_api_key']}"},
        )
        assert created.status == 201, created.text
        deadline = time.monotonic() + 30
        while True:
            rows = server.query(
                "SELECT status, return_value, worker_ids, task_path"
                " FROM django_tasks_database_dbtaskresult"
            )
            if rows and rows[0][0] == "SUCCESSFUL":
                break
            assert time.monotonic() < deadline, (rows, server.log.read_text())
            time.sleep(0.2)
        _, return_value, worker_ids, task_path = rows[0]
        assert task_path == "triage.tasks.llm_triage"
        assert json.loads(return_value) == "failed"  # the LLM was unreachable, as arranged
        assert json.loads(worker_ids)[0].startswith("web-")  # the in-process thread ran it
        health = server.request("/healthz").json()
        assert health["checks"]["tasks"] == "ok"


# --- in process -------------------------------------------------------------------------------
@pytest.fixture
def database_tasks(settings):
    settings.TASKS = DATABASE_TASKS
    worker._memo = (0.0, None)  # the banner's per-process memo must not leak between tests
    yield
    worker._memo = (0.0, None)


def enqueue_waiting(minutes: int) -> None:
    from django_tasks_db.models import DBTaskResult

    from triage.tasks import llm_triage

    result = llm_triage.enqueue("feedback.item", "no-such-item")
    DBTaskResult.objects.filter(pk=result.id).update(
        enqueued_at=timezone.now() - timedelta(minutes=minutes)
    )


def test_in_process_worker_stays_off_when_switched_off(settings, database_tasks):
    settings.TASKS_IN_PROCESS_WORKER = False
    assert worker.start_in_process_worker() is None


def test_in_process_worker_stays_off_without_a_database_queue(settings):
    settings.TASKS_IN_PROCESS_WORKER = True  # the test backend is "immediate": nothing to drain
    assert worker.start_in_process_worker() is None


def test_healthz_reports_tasks_waiting_over_a_minute_and_stays_200(client, db, database_tasks):
    enqueue_waiting(minutes=5)
    enqueue_waiting(minutes=2)
    response = client.get("/healthz")
    assert response.status_code == 200  # a stopped worker is no reason to eject a web node
    body = response.json()
    assert 300 <= body["tasks"]["oldest_seconds"] < 360
    assert body == {
        "status": "degraded",
        "checks": {"database": "ok", "cache": "ok", "tasks": "stale"},
        "tasks": {"stale": 2, "oldest_seconds": body["tasks"]["oldest_seconds"], "stuck": 0},
    }


def test_healthz_reports_a_task_left_running_by_a_dead_process(client, db, database_tasks):
    from django_tasks.base import TaskResultStatus
    from django_tasks_db.models import DBTaskResult

    from triage.tasks import llm_triage

    for started_minutes_ago in (30, 2):  # only the first is past STUCK_AFTER
        result = llm_triage.enqueue("feedback.item", "no-such-item")
        DBTaskResult.objects.filter(pk=result.id).update(
            status=TaskResultStatus.RUNNING,
            started_at=timezone.now() - timedelta(minutes=started_minutes_ago),
        )

    body = client.get("/healthz").json()

    assert body["checks"]["tasks"] == "stale"
    assert body["tasks"] == {"stale": 0, "oldest_seconds": 0, "stuck": 1}


def test_dashboard_page_survives_an_unreadable_task_queue(
    client, owner, workspace, database_tasks, monkeypatch
):
    def broken():
        raise RuntimeError("no such table: django_tasks_database_dbtaskresult")

    monkeypatch.setattr(worker, "task_backlog", broken)
    client.force_login(owner)

    assert client.get(f"/w/{workspace.pk}/members/").status_code == 200


def test_healthz_tasks_are_ok_while_queued_tasks_are_fresh(client, db, database_tasks):
    enqueue_waiting(minutes=0)
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {
        "status": "ok",
        "checks": {"database": "ok", "cache": "ok", "tasks": "ok"},
    }


def test_healthz_ignores_tasks_deferred_to_later(client, db, database_tasks):
    from triage.tasks import llm_triage

    later = llm_triage.using(run_after=timezone.now() + timedelta(hours=1))
    later.enqueue("feedback.item", "no-such-item")
    assert client.get("/healthz").json()["checks"]["tasks"] == "ok"


def test_dashboard_shows_a_banner_while_tasks_wait(client, owner, workspace, database_tasks):
    client.force_login(owner)
    page = client.get(f"/w/{workspace.pk}/members/")
    assert page.status_code == 200
    assert b"waited over a minute" not in page.content

    worker._memo = (0.0, None)
    enqueue_waiting(minutes=3)
    page = client.get(f"/w/{workspace.pk}/members/")
    assert b"1 background task (emails, AI triage) has waited over a minute" in page.content


def test_dashboard_banner_costs_one_query_per_few_seconds(client, owner, workspace, database_tasks):
    client.force_login(owner)
    url = f"/w/{workspace.pk}/members/"
    counts = []
    for _ in range(2):
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        counts.append(sum("dbtaskresult" in q["sql"] for q in queries.captured_queries))
    assert counts == [1, 0]  # the second page within BACKLOG_MEMO_SECONDS reuses the answer
