"""AI triage of feedback items: the writes (inline triage, the LLM pass, corrections).

``services.item_create`` calls :func:`triage_fields` before its INSERT, so every channel's
item is stored with the built-in verdict, and :func:`after_insert` inside its transaction
to enqueue the optional LLM pass on commit. People correct labels through
:func:`triage_correct`. Why, and the type-from-category rule: docs/triage.md, "In Backtalk".
"""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from accounts.audit import Actor
from config.llm import llm_configured
from feedback.audit import record_item
from feedback.models import Item, ItemType
from feedback.triage import impact_score, triage
from feedback.triage.engine import ITEM_TYPE_FOR_CATEGORY
from feedback.triage.llm import LLMTriageError, LLMVerdict, ask
from feedback.triage.scoring import similar_points, url_path
from feedback.triage_models import (
    CorrectableField,
    LLMTriageStatus,
    TriageCategory,
    TriageCorrection,
    TriageEngine,
    TriageSentiment,
)
from projects.models import Project

logger = logging.getLogger("backtalk.triage")

# "Similar" = same project, same predicted category, same page (or same money/access word
# when no page was given), created in the last SIMILAR_WINDOW. Counting stops at
# SIMILAR_COUNT_CAP: the score's top bucket starts at 10, so more rows change nothing but
# the time the COUNT takes.
SIMILAR_WINDOW = timedelta(days=30)
SIMILAR_COUNT_CAP = 100
SIMILAR_KEY_MAX = 200
# A path segment holding a digit (or a long token) is an id: /orders/123 ~ /orders/456.
_ID_SEGMENT = re.compile(r"\d|^[A-Za-z0-9_-]{24,}$")

# The LLM pass: attempts per task run, pause between them (tests set it to 0), and the
# per-request timeout when settings.LLM_TRIAGE_TIMEOUT is absent (seconds).
LLM_ATTEMPTS = 2
LLM_RETRY_PAUSE = 1.0
LLM_DEFAULT_TIMEOUT = 20.0


# --- inline (built-in) triage ----------------------------------------------------------------
def page_path(page: str) -> str:
    """The comparable part of a page: lower-case path, no host, query, fragment or trailing
    slash, ids folded to ``:id`` (``https://x.test/Orders/123?a=1`` -> ``/orders/:id``)."""
    raw = (page or "").strip()
    if not raw:
        return ""
    path = url_path(raw)
    segments = [s for s in path.lower().split("/") if s]
    segments = [":id" if _ID_SEGMENT.search(s) else s for s in segments]
    return "/" + "/".join(segments)


def similar_key(*, category: str, page: str, signals: Mapping[str, Any]) -> str:
    """What two items of one project must share to count as similar; "" = nothing to go by.

    With a page: category + normalised path ("bug|/login"). Without one: category + the
    money/access word the engine found in the text ("bug|~checkout"). Otherwise no key, so
    the thousandth page-less question is not "similar" to the other 999.
    """
    path = page_path(page)
    if path:
        return f"{category}|{path}"[:SIMILAR_KEY_MAX]
    if signals.get("page_source") == "text" and signals.get("page_keyword"):
        return f"{category}|~{signals['page_keyword']}"[:SIMILAR_KEY_MAX]
    return ""


def count_similar(*, project: Project, key: str, now: datetime) -> int:
    """Items of ``project`` with the same key in the last 30 days, counted up to the cap.

    One ``SELECT COUNT(*) FROM (... LIMIT 100)`` on the (project, triage_similar_key,
    created_at) index; no query at all without a key.
    """
    if not key:
        return 0
    return (
        Item.objects.filter(
            project=project, triage_similar_key=key, created_at__gte=now - SIMILAR_WINDOW
        )
        .order_by()
        .values("pk")[:SIMILAR_COUNT_CAP]
        .count()
    )


def triage_fields(
    *, project: Project, body: str, title: str, page_url: str, item_type: str | None, now: datetime
) -> dict[str, Any]:
    """The triage columns of a new item (and its ``type`` when triage chooses it).

    Runs the engine once, counts similar items, then adds their points with the engine's
    own ``impact_score`` so the score equals ``triage(..., similar_count=n)``.
    """
    result = triage(body, title=title, page=page_url)
    signals = dict(result.signals)
    key = similar_key(category=result.category, page=page_url, signals=signals)
    similar = count_similar(project=project, key=key, now=now)
    points = dict(signals.get("points", {}))
    score = impact_score(
        severity=points.get("severity", 0),
        page_weight=points.get("page", 0),
        sentiment=result.sentiment,
        similar_count=similar,
    )
    points["similar"] = similar_points(similar)
    signals.update(points=points, similar_count=similar, similar_key=key)
    given = item_type not in (None, "")
    type_from_triage = not given and getattr(settings, "TRIAGE_SETS_TYPE", True)
    signals["type_source"] = "triage" if type_from_triage else "submitter"
    fields: dict[str, Any] = {
        "category": result.category,
        "sentiment": result.sentiment,
        "impact_score": score,
        "triage_language": result.language,
        "triage_engine": TriageEngine.BUILTIN,
        "triage_signals": signals,
        "triage_similar_key": key,
        "triaged_at": now,
        "llm_triage_status": (
            LLMTriageStatus.PENDING if llm_configured() else LLMTriageStatus.NONE
        ),
    }
    if type_from_triage:
        fields["type"] = result.item_type
    elif not given:
        fields["type"] = ItemType.FEEDBACK  # Minolith's documented default
    return fields


def after_insert(item: Item) -> None:
    """Inside ``item_create``'s transaction: enqueue the LLM pass once the row is committed."""
    if item.llm_triage_status == LLMTriageStatus.PENDING:
        pk = item.pk
        transaction.on_commit(lambda: _enqueue_llm(pk))


def _enqueue_llm(item_id: str) -> None:
    """Runs after commit. An enqueue failure (queue table unreachable) must not turn the
    already stored item into an error response: it is logged and the item marked failed."""
    from feedback.tasks import llm_triage_item

    try:
        llm_triage_item.enqueue(item_id)
    except Exception:
        logger.exception("could not enqueue LLM triage for %s", item_id)
        Item.objects.filter(pk=item_id, llm_triage_status=LLMTriageStatus.PENDING).update(
            llm_triage_status=LLMTriageStatus.FAILED
        )


# --- type follows category, when triage chose it ---------------------------------------------
def _type_for(item: Item, category: str) -> str | None:
    """The item's new type when its category becomes ``category``; None = keep it.

    Only types that triage chose follow the category (a submitter's choice stands), and a
    recognised praise item stays praise unless its category becomes bug or question.
    """
    if item.triage_signals.get("type_source") != "triage":
        return None
    if item.type == ItemType.PRAISE and category == TriageCategory.FEATURE:
        return None
    new = ITEM_TYPE_FOR_CATEGORY.get(category)
    return new if new and new != item.type else None


# --- LLM pass --------------------------------------------------------------------------------
def _llm_timeout() -> float:
    return float(getattr(settings, "LLM_TRIAGE_TIMEOUT", LLM_DEFAULT_TIMEOUT))


def _ask_with_retries(item: Item) -> LLMVerdict:
    last: LLMTriageError | None = None
    for attempt in range(LLM_ATTEMPTS):
        if attempt and LLM_RETRY_PAUSE:
            time.sleep(LLM_RETRY_PAUSE)
        try:
            return ask(item.body, title=item.title, page=item.page_url, timeout=_llm_timeout())
        except LLMTriageError as exc:
            last = exc
            logger.warning("LLM triage of %s, attempt %d: %s", item.pk, attempt + 1, exc)
    assert last is not None  # noqa: S101 - the loop ran at least once
    raise last


def llm_triage_run(*, item_id: str) -> str:
    """The task body: ask the model about one pending item and store the outcome.

    Idempotent: only a ``pending`` item is asked, and the final write re-checks that under
    a row lock, so a duplicate or retried task run changes nothing. Returns the item's LLM
    status afterwards ("missing" when the item was deleted meanwhile).
    """
    item = Item.objects.filter(pk=item_id).first()
    if item is None:
        return "missing"
    if item.llm_triage_status != LLMTriageStatus.PENDING:
        return str(item.llm_triage_status)
    model_name = getattr(settings, "LLM_MODEL", "") or ""
    try:
        verdict = _ask_with_retries(item)
    except LLMTriageError as exc:
        _llm_failed(item_id, str(exc)[:300], model_name)
        return LLMTriageStatus.FAILED
    except Exception as exc:  # never let an unexpected error leave the item pending
        logger.exception("LLM triage of %s crashed", item_id)
        _llm_failed(item_id, f"unexpected error: {type(exc).__name__}", model_name)
        return LLMTriageStatus.FAILED
    return _llm_apply(item_id, verdict, model_name)


def _llm_failed(item_id: str, reason: str, model_name: str) -> None:
    with transaction.atomic(durable=True):
        item = Item.objects.select_for_update().filter(pk=item_id).first()
        if item is None or item.llm_triage_status != LLMTriageStatus.PENDING:
            return
        signals = dict(item.triage_signals)
        signals["llm"] = {"model": model_name, "error": reason}
        item.triage_signals = signals
        item.llm_triage_status = LLMTriageStatus.FAILED
        item.save(update_fields=["triage_signals", "llm_triage_status"])


def _llm_apply(item_id: str, verdict: LLMVerdict, model_name: str) -> str:
    with transaction.atomic(durable=True):
        item = (
            Item.objects.select_for_update()
            .select_related("project__workspace")
            .filter(pk=item_id)
            .first()
        )
        if item is None:
            return "missing"
        if item.llm_triage_status != LLMTriageStatus.PENDING:
            return str(item.llm_triage_status)
        signals = dict(item.triage_signals)
        signals["llm"] = {
            "model": model_name,
            "answer": {
                "category": verdict.category,
                "sentiment": verdict.sentiment,
                "impact_score": verdict.impact_score,
            },
            "builtin": {
                "category": item.category,
                "sentiment": item.sentiment,
                "impact_score": item.impact_score,
            },
        }
        item.triage_signals = signals
        item.llm_triage_status = LLMTriageStatus.DONE
        update = ["triage_signals", "llm_triage_status"]
        if item.triage_engine != TriageEngine.MANUAL:  # a person's correction stands
            changes = {
                name: [getattr(item, name), value]
                for name, value in (
                    ("category", verdict.category),
                    ("sentiment", verdict.sentiment),
                    ("impact_score", verdict.impact_score),
                )
                if getattr(item, name) != value
            }
            new_type = _type_for(item, verdict.category)
            if new_type:
                changes["type"] = [item.type, new_type]
            for name, (_, value) in changes.items():
                setattr(item, name, value)
            item.triage_engine = TriageEngine.LLM
            item.triaged_at = timezone.now()
            update += [*changes, "triage_engine", "triaged_at"]
            record_item(
                actor=Actor.system(),
                item=item,
                action="feedback.item.triage",
                data={"engine": "llm", "model": model_name, "changes": changes},
            )
        item.save(update_fields=update)
    return LLMTriageStatus.DONE


# --- corrections -----------------------------------------------------------------------------
CORRECTABLE_VALUES = {
    CorrectableField.CATEGORY: TriageCategory.values,
    CorrectableField.SENTIMENT: TriageSentiment.values,
}


def triage_correct(*, item: Item, actor: Actor, field: str, value: str) -> TriageCorrection | None:
    """A person sets ``category`` or ``sentiment``; returns the correction (None when the
    value was already that, so nothing is written).

    The item's value changes and ``triage_engine`` becomes ``manual``; a type that triage
    chose follows a new category. ``impact_score`` is kept: it is the engine's estimate of
    urgency, and the inbox order should not jump because a label was fixed. Raises
    ``ValueError`` for a field or value outside the allowed sets (the form checks first).
    """
    field = CorrectableField(field)
    if value not in CORRECTABLE_VALUES[field]:
        raise ValueError(f"{value!r} is not a valid {field.value}")
    old = getattr(item, field.value)
    if old == value:
        return None
    with transaction.atomic(durable=True):
        changes: dict[str, list[str]] = {field.value: [old, value]}
        setattr(item, field.value, value)
        update = [field.value, "triage_engine", "triaged_at"]
        if field == CorrectableField.CATEGORY:
            new_type = _type_for(item, value)
            if new_type:
                changes["type"] = [item.type, new_type]
                item.type = new_type
                update.append("type")
        item.triage_engine = TriageEngine.MANUAL
        item.triaged_at = timezone.now()
        item.save(update_fields=update)
        correction = TriageCorrection.objects.create(
            item=item,
            project_id=item.project_id,
            field=field.value,
            old_value=old,
            new_value=value,
            corrected_by=actor.user,
            created_at=item.triaged_at,
        )
        record_item(
            actor=actor,
            item=item,
            action="feedback.item.triage_correct",
            data={"changes": changes, "correction": correction.pk},
        )
    return correction
