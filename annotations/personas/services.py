"""Persona writes: seeding, custom personas, edits, deletes, resets, and persona runs.

Every write takes ``actor=`` and records its audit row in the same durable transaction.
A run is cost-bearing: :func:`persona_runs_start` charges the site's credits (one per run,
``projects.credits``) in the transaction that inserts the runs, so a 402 stores nothing and
queues nothing; each run's task is enqueued on commit. :func:`persona_run_execute` is the
task body: idempotent, and it always ends a run ``done`` or ``failed``, never ``running``.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import timedelta
from functools import partial
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from accounts import audit
from accounts.audit import Actor
from accounts.models import Workspace
from annotations.audit import record_annotation
from annotations.markdown import annotation_markdown
from annotations.models import Annotation, Persona, PersonaRun, PersonaRunStatus
from annotations.personas import llm as persona_llm
from annotations.personas.catalogue import default_by_slug, load_defaults
from annotations.personas.errors import slug_taken
from annotations.personas.reviewer import Review, capture_of, review
from projects.credits import charge_credits

logger = logging.getLogger("backtalk.personas")

CREDITS_PER_RUN = 1
# A run is claimed by one task execution; a run left ``running`` longer than this lost its
# worker (killed process) and a retried task may take it over. Past MAX_ATTEMPTS claims the
# run is failed for good.
STALE_RUNNING = timedelta(minutes=5)
MAX_ATTEMPTS = 3
SEVERITY_RANK = {"none": 0, "low": 1, "medium": 2, "high": 3}
VERDICT_RANK = {"pass": 0, "concerns": 1, "fail": 2}


def _record(
    *, actor: Actor, workspace: Workspace, action: str, target: Persona | PersonaRun, data: dict
) -> None:
    audit.record(
        actor=actor,
        workspace=workspace,
        action=action,
        target_type="persona" if isinstance(target, Persona) else "persona_run",
        target_id=target.pk,
        data=data,
    )


# --- seeding -------------------------------------------------------------------------------
def seed_default_personas(workspace: Workspace) -> int:
    """Create the shipped defaults the workspace does not have (by slug); returns how many.
    Called inside workspace creation's transaction (``accounts.signals.workspace_created``)."""
    existing = set(Persona.objects.filter(workspace=workspace).values_list("slug", flat=True))
    now = timezone.now()
    rows = [
        Persona(workspace=workspace, slug=d.slug, created_at=now, updated_at=now, **d.fields())
        for d in load_defaults()
        if d.slug not in existing
    ]
    Persona.objects.bulk_create(rows)
    return len(rows)


# --- personas ------------------------------------------------------------------------------
def persona_create(*, workspace: Workspace, actor: Actor, **data: Any) -> Persona:
    """A custom persona (``is_default`` false). ``data`` is validated by the API serializer;
    a slug already used in the workspace, or reserved by a shipped default, is a 409."""
    if data["slug"] in default_by_slug():
        raise slug_taken(data["slug"], reserved=True)
    now = timezone.now()
    try:
        with transaction.atomic(durable=True):
            persona = Persona.objects.create(
                workspace=workspace, is_default=False, created_at=now, updated_at=now, **data
            )
            _record(
                actor=actor,
                workspace=workspace,
                action="persona.create",
                target=persona,
                data={"slug": persona.slug, "category": persona.category},
            )
    except IntegrityError as exc:
        raise slug_taken(data["slug"]) from exc
    return persona


def persona_update(*, persona: Persona, actor: Actor, **changes: Any) -> Persona:
    """Edit any persona, default or custom (an edited default stays ``is_default``: reset
    brings back the shipped text)."""
    changed = {k: v for k, v in changes.items() if getattr(persona, k) != v}
    if not changed:
        return persona
    with transaction.atomic(durable=True):
        for field, value in changed.items():
            setattr(persona, field, value)
        persona.updated_at = timezone.now()
        persona.save(update_fields=[*changed, "updated_at"])
        _record(
            actor=actor,
            workspace=persona.workspace,
            action="persona.update",
            target=persona,
            data={"slug": persona.slug, "fields": sorted(changed)},
        )
    return persona


def persona_delete(*, persona: Persona, actor: Actor) -> None:
    """Delete any persona. Its past runs stay (they keep the persona's slug and name)."""
    with transaction.atomic(durable=True):
        _record(
            actor=actor,
            workspace=persona.workspace,
            action="persona.delete",
            target=persona,
            data={"slug": persona.slug, "is_default": persona.is_default},
        )
        persona.delete()


def persona_reset_defaults(*, workspace: Workspace, actor: Actor, slug: str | None) -> int:
    """Restore shipped defaults: all of them (``slug`` None), recreating deleted ones, or
    the one named. Customs are never touched (their slugs cannot be a default's). Returns
    how many were reset; an unknown slug raises KeyError (the view's 404)."""
    defaults = load_defaults()
    if slug is not None:
        defaults = tuple(d for d in defaults if d.slug == slug)
        if not defaults:
            raise KeyError(slug)
    now = timezone.now()
    with transaction.atomic(durable=True):
        current = {
            p.slug: p
            for p in Persona.objects.select_for_update().filter(
                workspace=workspace, slug__in=[d.slug for d in defaults]
            )
        }
        to_update, to_create = [], []
        for shipped in defaults:
            persona = current.get(shipped.slug)
            if persona is None:
                to_create.append(
                    Persona(
                        workspace=workspace,
                        slug=shipped.slug,
                        created_at=now,
                        updated_at=now,
                        **shipped.fields(),
                    )
                )
                continue
            for field, value in shipped.fields().items():
                setattr(persona, field, value)
            persona.updated_at = now
            to_update.append(persona)
        Persona.objects.bulk_update(to_update, [*load_defaults()[0].fields(), "updated_at"])
        Persona.objects.bulk_create(to_create)
        audit.record(
            actor=actor,
            workspace=workspace,
            action="persona.reset_defaults",
            target_type="workspace",
            target_id=workspace.pk,
            data={"slug": slug, "reset": len(defaults), "recreated": len(to_create)},
        )
    return len(defaults)


# --- runs ----------------------------------------------------------------------------------
def persona_runs_start(
    *, annotation: Annotation, personas: Sequence[Persona], actor: Actor
) -> list[PersonaRun]:
    """Queue one run per persona, charging ``CREDITS_PER_RUN`` each (402 and nothing stored
    when the site's cap is reached); each run's task is enqueued once the rows commit."""
    now = timezone.now()
    project = annotation.project
    with transaction.atomic(durable=True):
        charge_credits(project, CREDITS_PER_RUN * len(personas))
        runs = PersonaRun.objects.bulk_create(
            [
                PersonaRun(
                    annotation=annotation,
                    persona=persona,
                    persona_slug=persona.slug,
                    persona_name=persona.name,
                    status=PersonaRunStatus.QUEUED,
                    actor_id=actor.actor_id,
                    # One microsecond apart: the list (created_at, id) keeps request order.
                    created_at=now + timedelta(microseconds=i),
                )
                for i, persona in enumerate(personas)
            ]
        )
        record_annotation(
            actor=actor,
            annotation=annotation,
            workspace=project.workspace,
            action="persona.run",
            data={
                "runs": [r.pk for r in runs],
                "personas": [p.slug for p in personas],
                "credits": CREDITS_PER_RUN * len(personas),
            },
        )
        for run in runs:
            run_id = run.pk
            transaction.on_commit(partial(enqueue_run, run_id))
    project.credits_used = (project.credits_used or 0) + CREDITS_PER_RUN * len(personas)
    return runs


def enqueue_run(run_id: str) -> None:
    """After commit. An enqueue failure (queue table unreachable) must not leave the run
    queued forever or turn the 202 into an error: the run is failed with a note."""
    from annotations.personas.tasks import run_persona

    try:
        run_persona.enqueue(run_id)
    except Exception:
        logger.exception("could not enqueue persona run %s", run_id)
        _finish_failed(run_id, "The run could not be queued; start it again.")


def _claim(run_id: str) -> PersonaRun | None:
    """Move the run to ``running`` for this execution, or None when another execution owns
    it or it is finished. A run stuck ``running`` past STALE_RUNNING is taken over."""
    now = timezone.now()
    with transaction.atomic(durable=True):
        run = PersonaRun.objects.select_for_update().filter(pk=run_id).first()
        if run is None or run.status in (PersonaRunStatus.DONE, PersonaRunStatus.FAILED):
            return None
        if (
            run.status == PersonaRunStatus.RUNNING
            and run.started_at
            and (now - run.started_at < STALE_RUNNING)
        ):
            return None
        if run.attempts >= MAX_ATTEMPTS:
            run.status = PersonaRunStatus.FAILED
            run.llm_note = f"Gave up after {run.attempts} attempts."
            run.finished_at = now
            run.save(update_fields=["status", "llm_note", "finished_at"])
            return None
        run.status = PersonaRunStatus.RUNNING
        run.started_at = now
        run.attempts += 1
        run.save(update_fields=["status", "started_at", "attempts"])
    return run


def _finish_failed(run_id: str, note: str) -> None:
    PersonaRun.objects.filter(
        pk=run_id, status__in=[PersonaRunStatus.QUEUED, PersonaRunStatus.RUNNING]
    ).update(status=PersonaRunStatus.FAILED, llm_note=note[:500], finished_at=timezone.now())


def _persona_brief(run: PersonaRun) -> tuple[str, list[str], str] | None:
    """(name, checks, instructions) of the run's persona as it is now; a deleted default
    falls back to its shipped version; a deleted custom persona has none."""
    if run.persona is not None:
        return run.persona.name, list(run.persona.checks or []), run.persona.instructions
    shipped = default_by_slug().get(run.persona_slug)
    if shipped is None:
        return None
    return shipped.name, list(shipped.checks), shipped.instructions


def annotation_context(annotation: Annotation) -> str:
    """What the LLM reads about the annotation: the same markdown blob an agent gets from
    ``GET /api/v1/annotations/{id}/markdown`` (visitor text fenced as quoted data), without
    the screenshot link (the image goes as an image when LLM_VISION is on)."""
    return annotation_markdown(annotation, request=None, show_images=False)


def builtin_review(annotation: Annotation, *, persona_name: str, checks: list[str]) -> Review:
    capture = capture_of(
        element=annotation.element,
        styles=annotation.styles,
        viewport=annotation.viewport,
        comment=annotation.body,
        page_url=annotation.page_url,
    )
    return review(persona_name=persona_name, check_names=checks, capture=capture)


def _worse(a: str, b: str, rank: dict[str, int]) -> str:
    return a if rank.get(a, 0) >= rank.get(b, 0) else b


def persona_run_execute(run_id: str) -> str:
    """The task body: review, optionally ask the LLM, store the result. Returns the run's
    status afterwards ("missing" when it was deleted). Never raises: an unexpected error
    puts the run back in the queue while attempts remain, and fails it after that."""
    run = _claim(run_id)
    if run is None:
        current = PersonaRun.objects.filter(pk=run_id).values_list("status", flat=True).first()
        return current or "missing"
    try:
        return _execute(run)
    except Exception as exc:
        logger.exception("persona run %s crashed", run_id)
        return _after_crash(run_id, exc)


def _after_crash(run_id: str, exc: Exception) -> str:
    with transaction.atomic(durable=True):
        run = PersonaRun.objects.select_for_update().filter(pk=run_id).first()
        if run is None:
            return "missing"
        if run.status != PersonaRunStatus.RUNNING:
            return str(run.status)
        if run.attempts < MAX_ATTEMPTS:
            run.status = PersonaRunStatus.QUEUED
            run.started_at = None
            run.llm_note = f"Attempt {run.attempts} failed ({type(exc).__name__}); retrying."
            run.save(update_fields=["status", "started_at", "llm_note"])
            transaction.on_commit(lambda: enqueue_run(run_id))
            return PersonaRunStatus.QUEUED
        run.status = PersonaRunStatus.FAILED
        run.llm_note = f"Failed after {run.attempts} attempts ({type(exc).__name__})."
        run.finished_at = timezone.now()
        run.save(update_fields=["status", "llm_note", "finished_at"])
        return PersonaRunStatus.FAILED


def _execute(run: PersonaRun) -> str:
    annotation = Annotation.objects.filter(pk=run.annotation_id).first()
    brief = _persona_brief(run)
    if annotation is None or brief is None:
        _finish_failed(run.pk, "The persona was deleted before the run started.")
        return PersonaRunStatus.FAILED
    name, checks, instructions = brief
    result = builtin_review(annotation, persona_name=name, checks=checks)
    fields: dict[str, Any] = {
        "engine": "builtin",
        "verdict": result.verdict,
        "severity": result.severity,
        "findings": result.findings,
        "llm_findings": [],
        "llm_text": "",
        "llm_note": "",
        "token_usage": {},
    }
    config = persona_llm.persona_llm_config()
    if config is not None:
        fields.update(_llm_fields(annotation, name, instructions, result, config))
    fields["status"] = PersonaRunStatus.DONE
    fields["finished_at"] = timezone.now()
    updated = PersonaRun.objects.filter(pk=run.pk, status=PersonaRunStatus.RUNNING).update(**fields)
    return PersonaRunStatus.DONE if updated else "superseded"


def _llm_fields(
    annotation: Annotation, name: str, instructions: str, result: Review, config: Any
) -> dict[str, Any]:
    screenshot = ""
    if getattr(settings, "LLM_VISION", False) and annotation.screenshot_key:
        screenshot = _screenshot_url(annotation.screenshot_key)
    messages = persona_llm.build_messages(
        instructions=instructions,
        persona_name=name,
        context=annotation_context(annotation),
        builtin=result.findings,
        screenshot_url=screenshot,
    )
    try:
        answer = persona_llm.ask(messages, config=config)
    except persona_llm.PersonaLLMError as exc:
        return {
            "llm_note": f"The LLM pass ({config.model}) failed: {exc}. "
            "This is the built-in reviewer's result."[:500],
            "token_usage": exc.usage,
        }
    return {
        "engine": f"llm:{answer.model}"[:120],
        "verdict": _worse(result.verdict, answer.verdict, VERDICT_RANK),
        "severity": _worse(result.severity, answer.severity, SEVERITY_RANK),
        "llm_findings": answer.findings,
        "llm_text": answer.text,
        "llm_note": answer.summary[:500],
        "token_usage": answer.usage,
    }


def _screenshot_url(key: str) -> str:
    """A short-lived URL the model can fetch the screenshot from ("" when storage cannot
    sign one, e.g. local file storage)."""
    try:
        from django.core.files.storage import default_storage

        url = str(default_storage.url(key))
    except Exception:
        return ""
    return url if url.startswith(("https://", "http://")) else ""
