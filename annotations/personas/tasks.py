"""Persona run tasks (django-tasks; DESIGN.md 5). Enqueued on commit, one per run."""

from __future__ import annotations

from django_tasks import task

from annotations.personas import services


@task()
def run_persona(run_id: str) -> str:
    """Review one annotation as one persona (``services.persona_run_execute``). Idempotent:
    a run already done or failed, or running in another worker, is left alone."""
    return services.persona_run_execute(run_id)
