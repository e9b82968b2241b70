"""Triage writes for any model built on ``TriagedFields``: the inline verdict, the LLM pass's
enqueue, and people's corrections. Domain apps call these from their own services
(``feedback.services.item_create``, the annotation widget) and never touch the columns.

Import direction: services -> tasks -> llm_pass; nothing imports services back, so the old
tasks <-> triaging cycle is gone.
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.utils import timezone

from accounts.audit import Actor
from config.llm import llm_configured
from triage import tasks
from triage.audit import record_triage
from triage.engine import TriageResult, impact_score, triage
from triage.engine.scoring import similar_points
from triage.models import (
    CorrectableField,
    LLMTriageStatus,
    TriageCategory,
    TriageCorrection,
    TriagedFields,
    TriageEngine,
    TriageSentiment,
)
from triage.similar import count_similar, similar_key

logger = logging.getLogger("backtalk.triage")

CORRECTABLE_VALUES = {
    CorrectableField.CATEGORY: TriageCategory.values,
    CorrectableField.SENTIMENT: TriageSentiment.values,
}


# --- inline (built-in) triage ----------------------------------------------------------------
def triage_apply(
    obj: TriagedFields, *, text: str, page: str = "", title: str = "", now: datetime | None = None
) -> TriageResult:
    """Run the engine on ``text`` and set ``obj``'s triage columns; does not save.

    Call it before the INSERT (or before a ``save()`` naming the columns) so the verdict
    goes into the same write. ``obj.project_id`` must be set: the engine's impact score gets
    the similar points of the project's rows of the same model, counted with one indexed
    COUNT, so the stored score equals ``triage(text, page=..., similar_count=n)``.
    """
    now = now or timezone.now()
    result = triage(text, title=title, page=page)
    signals = dict(result.signals)
    key = similar_key(category=result.category, page=page, signals=signals)
    similar = count_similar(
        model=type(obj),
        project_id=obj.project_id,  # type: ignore[attr-defined]
        key=key,
        now=now,
    )
    points = dict(signals.get("points", {}))
    score = impact_score(
        severity=points.get("severity", 0),
        page_weight=points.get("page", 0),
        sentiment=result.sentiment,
        similar_count=similar,
    )
    points["similar"] = similar_points(similar)
    signals.update(points=points, similar_count=similar, similar_key=key)
    obj.category = result.category
    obj.triage_label = result.label
    obj.sentiment = result.sentiment
    obj.impact_score = score
    obj.triage_language = result.language
    obj.triage_engine = TriageEngine.BUILTIN
    obj.triage_signals = signals
    obj.triage_similar_key = key
    obj.triaged_at = now
    obj.llm_triage_status = LLMTriageStatus.PENDING if llm_configured() else LLMTriageStatus.NONE
    return result


TRIAGE_COLUMNS = (
    "category",
    "triage_label",
    "sentiment",
    "impact_score",
    "triage_language",
    "triage_engine",
    "triage_signals",
    "triage_similar_key",
    "triaged_at",
    "llm_triage_status",
)


def after_insert(obj: TriagedFields) -> None:
    """Inside the creating transaction: enqueue the LLM pass once the row is committed."""
    if obj.llm_triage_status == LLMTriageStatus.PENDING:
        model, pk = type(obj), obj.pk
        label = model._meta.label_lower
        transaction.on_commit(lambda: _enqueue_llm(model, label, pk))


def _enqueue_llm(model: type[TriagedFields], label: str, pk: Any) -> None:
    """Runs after commit. An enqueue failure (queue table unreachable) must not turn the
    already stored object into an error response: it is logged and the row marked failed."""
    try:
        tasks.llm_triage.enqueue(label, str(pk))
    except Exception:
        logger.exception("could not enqueue LLM triage for %s %s", label, pk)
        model._default_manager.filter(pk=pk, llm_triage_status=LLMTriageStatus.PENDING).update(
            llm_triage_status=LLMTriageStatus.FAILED
        )


# --- corrections -----------------------------------------------------------------------------
def triage_correct(
    obj: TriagedFields, *, actor: Actor, field: str, value: str
) -> TriageCorrection | None:
    """A person sets ``category`` or ``sentiment``; returns the correction (None when the
    value was already that, so nothing is written).

    The value changes and ``triage_engine`` becomes ``manual``; the fine label follows a
    new category. ``impact_score`` is kept: it is the engine's estimate of urgency, and the
    inbox order should not jump because a label was fixed. The correction keeps the text the
    engine read (``obj.triage_input()``) as a training row. Raises ``ValueError`` for a
    field or value outside the allowed sets (the form checks first).
    """
    field = CorrectableField(field)
    if value not in CORRECTABLE_VALUES[field]:
        raise ValueError(f"{value!r} is not a valid {field.value}")
    old = getattr(obj, field.value)
    if old == value:
        return None
    text, _title, page = obj.triage_input()
    with transaction.atomic(durable=True):
        changes: dict[str, list[str]] = {field.value: [old, value]}
        setattr(obj, field.value, value)
        update = [field.value, "triage_engine", "triaged_at"]
        if field == CorrectableField.CATEGORY:
            obj.triage_label = value  # a person's category is the label
            update.append("triage_label")
        obj.triage_engine = TriageEngine.MANUAL
        obj.triaged_at = timezone.now()
        obj.save(update_fields=update)
        correction = TriageCorrection.objects.create(
            content_type=ContentType.objects.get_for_model(type(obj)),
            object_id=str(obj.pk),
            project_id=obj.project_id,  # type: ignore[attr-defined]
            field=field.value,
            old_value=old,
            new_value=value,
            text=text,
            page=page[:2048],
            language=obj.triage_language,
            category_after=obj.category,
            sentiment_after=obj.sentiment,
            label_after=obj.triage_label,
            corrected_by=actor.user,
            created_at=obj.triaged_at,
        )
        record_triage(
            actor=actor,
            obj=obj,
            action="triage_correct",
            data={"changes": changes, "correction": correction.pk},
        )
    return correction
