"""The optional LLM pass over one triaged object (``triage.tasks.llm_triage`` runs it).

Idempotent: only a ``pending`` object is asked, and the final write re-checks that under a
row lock, so a duplicate or retried task run changes nothing. docs/triage.md, "Optional LLM
pass".
"""

from __future__ import annotations

import logging
import time
from typing import Any

from django.apps import apps
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from accounts.audit import Actor
from triage.audit import record_triage
from triage.engine.llm import LLMTriageError, LLMVerdict, ask
from triage.models import LLMTriageStatus, TriagedFields, TriageEngine

logger = logging.getLogger("backtalk.triage")

# Attempts per task run, pause between them (tests set it to 0), and the per-request
# timeout when settings.LLM_TRIAGE_TIMEOUT is absent (seconds).
LLM_ATTEMPTS = 2
LLM_RETRY_PAUSE = 1.0
LLM_DEFAULT_TIMEOUT = 20.0


def _model(label: str) -> type[TriagedFields]:
    model = apps.get_model(label)
    if not issubclass(model, TriagedFields):
        raise LookupError(f"{label} is not a triaged model")
    return model


def _llm_timeout() -> float:
    return float(getattr(settings, "LLM_TRIAGE_TIMEOUT", LLM_DEFAULT_TIMEOUT))


def _ask_with_retries(obj: TriagedFields) -> LLMVerdict:
    text, title, page = obj.triage_input()
    last: LLMTriageError | None = None
    for attempt in range(LLM_ATTEMPTS):
        if attempt and LLM_RETRY_PAUSE:
            time.sleep(LLM_RETRY_PAUSE)
        try:
            return ask(text, title=title, page=page, timeout=_llm_timeout())
        except LLMTriageError as exc:
            last = exc
            logger.warning("LLM triage of %s, attempt %d: %s", obj.pk, attempt + 1, exc)
    assert last is not None  # noqa: S101 - the loop ran at least once
    raise last


def llm_triage_run(*, model_label: str, object_id: str) -> str:
    """Ask the model about one pending object and store the outcome. Returns the object's
    LLM status afterwards ("missing" when it was deleted meanwhile)."""
    model = _model(model_label)
    obj = model._default_manager.filter(pk=object_id).first()
    if obj is None:
        return "missing"
    if obj.llm_triage_status != LLMTriageStatus.PENDING:
        return str(obj.llm_triage_status)
    model_name = getattr(settings, "LLM_MODEL", "") or ""
    try:
        verdict = _ask_with_retries(obj)
    except LLMTriageError as exc:
        _llm_failed(model, object_id, str(exc)[:300], model_name)
        return LLMTriageStatus.FAILED
    except Exception as exc:  # never let an unexpected error leave the object pending
        logger.exception("LLM triage of %s crashed", object_id)
        _llm_failed(model, object_id, f"unexpected error: {type(exc).__name__}", model_name)
        return LLMTriageStatus.FAILED
    return _llm_apply(model, object_id, verdict, model_name)


def _llm_failed(model: type[TriagedFields], pk: str, reason: str, model_name: str) -> None:
    with transaction.atomic(durable=True):
        obj = model._default_manager.select_for_update().filter(pk=pk).first()
        if obj is None or obj.llm_triage_status != LLMTriageStatus.PENDING:
            return
        signals = dict(obj.triage_signals)
        signals["llm"] = {"model": model_name, "error": reason}
        obj.triage_signals = signals
        obj.llm_triage_status = LLMTriageStatus.FAILED
        obj.save(update_fields=["triage_signals", "llm_triage_status"])


def _llm_apply(model: type[TriagedFields], pk: str, verdict: LLMVerdict, model_name: str) -> str:
    with transaction.atomic(durable=True):
        # TriagedFields is abstract: the concrete model (Item, Annotation) has the project.
        manager: Any = model._default_manager
        obj = manager.select_for_update().select_related("project__workspace").filter(pk=pk).first()
        if obj is None:
            return "missing"
        if obj.llm_triage_status != LLMTriageStatus.PENDING:
            return str(obj.llm_triage_status)
        signals = dict(obj.triage_signals)
        signals["llm"] = {
            "model": model_name,
            "answer": {
                "category": verdict.category,
                "sentiment": verdict.sentiment,
                "impact_score": verdict.impact_score,
            },
            "builtin": {
                "category": obj.category,
                "sentiment": obj.sentiment,
                "impact_score": obj.impact_score,
            },
        }
        obj.triage_signals = signals
        obj.llm_triage_status = LLMTriageStatus.DONE
        update = ["triage_signals", "llm_triage_status"]
        if obj.triage_engine != TriageEngine.MANUAL:  # a person's correction stands
            changes = {
                name: [getattr(obj, name), value]
                for name, value in (
                    ("category", verdict.category),
                    ("sentiment", verdict.sentiment),
                    ("impact_score", verdict.impact_score),
                )
                if getattr(obj, name) != value
            }
            for name, (_, value) in changes.items():
                setattr(obj, name, value)
            if "category" in changes:
                obj.triage_label = verdict.category
                update.append("triage_label")
            obj.triage_engine = TriageEngine.LLM
            obj.triaged_at = timezone.now()
            update += [*changes, "triage_engine", "triaged_at"]
            record_triage(
                actor=Actor.system(),
                obj=obj,
                action="triage",
                data={"engine": "llm", "model": model_name, "changes": changes},
            )
        obj.save(update_fields=update)
    return LLMTriageStatus.DONE
