"""Background tasks of the triage app (django-tasks; DESIGN.md 5).

Enqueued with ``transaction.on_commit`` by ``triage.services``, so a task never sees a row
that was rolled back. Idempotent: running it twice, or after its work was done, changes
nothing.
"""

from __future__ import annotations

from django_tasks import task

from triage import llm_pass


@task()
def llm_triage(model_label: str, object_id: str) -> str:
    """Ask the configured LLM to triage one object (``triage.llm_pass.llm_triage_run``).

    Never raises for an LLM problem: the object keeps its built-in triage and its
    ``llm_triage_status`` says ``failed``. Returns the LLM status afterwards.
    """
    return llm_pass.llm_triage_run(model_label=model_label, object_id=object_id)
