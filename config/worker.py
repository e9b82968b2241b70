"""The database task queue seen from the web process: an in-process worker thread, and how
far behind the queue is (for /healthz and the dashboard banner).

With only ``make run``, ``runserver`` or gunicorn running, nothing drained the database
queue: emails and LLM passes waited forever, silently. ``config/wsgi.py`` (which runserver
and gunicorn load, and tests and management commands do not) starts one worker thread per
process when ``TASKS_IN_PROCESS_WORKER`` is on. The thread runs django-tasks-db's own
``db_worker`` loop, so a row is claimed under ``SELECT ... FOR UPDATE SKIP LOCKED`` (an
exclusive transaction on SQLite) and several gunicorn workers, or a real ``db_worker``
beside them, never run a task twice.
"""

from __future__ import annotations

import atexit
import logging
import os
import socket
import threading
import time
from dataclasses import dataclass
from datetime import timedelta
from typing import TYPE_CHECKING

from django.conf import settings
from django.db.models import Case, Count, F, Min, Q, When
from django.utils import timezone

if TYPE_CHECKING:
    from django_tasks_db.management.commands.db_worker import Worker

logger = logging.getLogger("backtalk.tasks")

POLL_INTERVAL = 1.0  # seconds between polls of an empty queue (db_worker's default)
RESTART_PAUSE = 5.0  # seconds before the loop restarts after a database error
STOP_TIMEOUT = 10.0  # seconds a finishing process waits for the running task
STALE_AFTER = timedelta(minutes=1)
# A task RUNNING this long lost its process (SIGKILL, a gunicorn timeout or recycle): no
# task here runs for minutes (the LLM request times out after LLM_TRIAGE_TIMEOUT).
STUCK_AFTER = timedelta(minutes=10)
BACKLOG_MEMO_SECONDS = 5.0

_lock = threading.Lock()
_started = False


def database_queue() -> bool:
    """True when the default task backend is django-tasks-db's (the only one with a queue
    that Backtalk can drain or inspect)."""
    from django_tasks import task_backends
    from django_tasks_db.backend import DatabaseBackend

    return isinstance(task_backends["default"], DatabaseBackend)


def start_in_process_worker() -> threading.Thread | None:
    """Start this process's worker thread, once; None when it is switched off or the backend
    has no database queue. A gunicorn master with ``preload_app`` would run the only thread
    (threads do not survive the fork into workers): tasks still run, just one at a time."""
    global _started
    if not settings.TASKS_IN_PROCESS_WORKER or not database_queue():
        return None
    from django_tasks_db.management.commands.db_worker import Worker

    with _lock:
        if _started:
            return None
        _started = True
    worker = Worker(
        queue_names=["*"],  # every queue: a task on a queue nobody drains would wait forever
        interval=POLL_INTERVAL,
        batch=False,
        backend_name="default",
        startup_delay=True,  # several gunicorn workers booting at once do not poll in step
        max_tasks=None,
        worker_id=f"web-{socket.gethostname()}-{os.getpid()}"[:64],
        excluded_queue_names=[],
    )
    thread = threading.Thread(
        target=_run_forever, args=(worker,), name="backtalk-task-worker", daemon=True
    )
    thread.start()
    atexit.register(_stop, worker, thread)
    return thread


def _run_forever(worker: Worker) -> None:
    """db_worker's loop raises on a database error other than "locked" (database down,
    ``migrate`` not run yet); the thread logs it and starts the loop again."""
    from django.db import connection

    while worker.running:
        try:
            worker.run()
        except Exception as exc:
            logger.warning("in-process task worker: %s; retrying in %ss", exc, RESTART_PAUSE)
            connection.close()
            time.sleep(RESTART_PAUSE)


def _stop(worker: Worker, thread: threading.Thread) -> None:
    """At interpreter exit: stop polling and give a running task a bounded time to finish
    (a daemon thread is otherwise frozen mid-task, leaving its row RUNNING)."""
    worker.running = False
    thread.join(timeout=STOP_TIMEOUT)


@dataclass(frozen=True)
class TaskBacklog:
    """Queued tasks due for longer than ``STALE_AFTER`` (``count``, the oldest's wait), and
    tasks left RUNNING for longer than ``STUCK_AFTER`` by a process that died (``stuck``)."""

    count: int
    oldest_seconds: int
    stuck: int = 0


def task_backlog() -> TaskBacklog | None:
    """The stale part of the queue, or None when nothing has waited over a minute and
    nothing is stuck (or the backend keeps no queue). One query on status-indexed rows."""
    if not database_queue():
        return None
    from django_tasks.base import TaskResultStatus
    from django_tasks_db.models import DBTaskResult, get_date_max

    now = timezone.now()
    # Due since: enqueue time, or run_after for a task deferred to a later time.
    due = Case(When(run_after=get_date_max(), then=F("enqueued_at")), default=F("run_after"))
    stale = Q(status=TaskResultStatus.READY, due__lt=now - STALE_AFTER)
    stuck = Q(status=TaskResultStatus.RUNNING, started_at__lt=now - STUCK_AFTER)
    row = (
        DBTaskResult.objects.annotate(due=due)
        .filter(stale | stuck)
        .aggregate(
            count=Count("id", filter=stale),
            oldest=Min("due", filter=stale),
            stuck=Count("id", filter=stuck),
        )
    )
    if not row["count"] and not row["stuck"]:
        return None
    oldest = int((now - row["oldest"]).total_seconds()) if row["count"] else 0
    return TaskBacklog(count=row["count"], oldest_seconds=oldest, stuck=row["stuck"])


_memo: tuple[float, TaskBacklog | None] = (0.0, None)


def task_backlog_memoised() -> TaskBacklog | None:
    """``task_backlog`` at most once per ``BACKLOG_MEMO_SECONDS`` per process: every
    dashboard page shows it, and a few seconds of lag cannot matter for a one-minute rule."""
    global _memo
    expires, value = _memo
    if time.monotonic() >= expires:
        try:
            value = task_backlog()
        except Exception as exc:  # a banner must never take the page down (no migrate yet...)
            logger.warning("task backlog unavailable: %s", exc)
            value = None
        _memo = (time.monotonic() + BACKLOG_MEMO_SECONDS, value)
    return value
