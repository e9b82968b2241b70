"""Background tasks of the feedback app (django-tasks; DESIGN.md 5).

Enqueued with ``transaction.on_commit`` by the services, so a task never sees a row that
was rolled back. Each task is idempotent: running it twice, or after its work was done,
changes nothing.
"""

from __future__ import annotations

from django_tasks import task

from feedback import triaging


@task()
def llm_triage_item(item_id: str) -> str:
    """Ask the configured LLM to triage one item (``feedback.triaging.llm_triage_run``).

    Never raises for an LLM problem: the item keeps its built-in triage and its
    ``llm_triage_status`` says ``failed``. Returns the item's LLM status afterwards.
    """
    return triaging.llm_triage_run(item_id=item_id)
