"""The triaged columns as an abstract mixin, their value sets, and ``TriageCorrection``.

A domain model that stores user text inherits :class:`TriagedFields` (and declares its own
indexes: the table's index plan stays beside the table). ``triage.services`` fills the
columns for any such model; nothing here knows which models those are. A correction points
at its object generically (content type + id), carries the text it corrected and the labels
after it, so the corrections export and the training converter need no domain app
(docs/triage.md, "Corrections").
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Q
from django.utils import timezone

from triage.engine.scoring import IMPACT_MAX, IMPACT_MIN

UNTRIAGED = ""  # rows stored before triage existed (or by fixtures that skip the services)


class TriageCategory(models.TextChoices):
    """Fluister's categories: the documented three, what ``category`` stores and APIs show."""

    BUG = "bug", "Bug"
    FEATURE = "feature", "Feature"
    QUESTION = "question", "Question"


class TriageLabel(models.TextChoices):
    """The engine's own (fine) category. ``praise`` and ``other`` (noise, ratings, off-topic:
    nothing to act on) are reported as category ``question`` and never as bug or feature."""

    BUG = "bug", "Bug"
    FEATURE = "feature", "Feature request"
    QUESTION = "question", "Question"
    PRAISE = "praise", "Praise"
    OTHER = "other", "Not actionable"


class TriageSentiment(models.TextChoices):
    POSITIVE = "positive", "Positive"
    NEUTRAL = "neutral", "Neutral"
    NEGATIVE = "negative", "Negative"


class TriageEngine(models.TextChoices):
    """Who set the object's current category / sentiment / impact."""

    BUILTIN = "builtin", "Built-in engine"
    LLM = "llm", "LLM"
    MANUAL = "manual", "Corrected by a person"


class LLMTriageStatus(models.TextChoices):
    """The optional LLM pass (DESIGN.md 5: the row carries its task's outcome)."""

    NONE = "none", "Not requested"
    PENDING = "pending", "Pending"
    DONE = "done", "Done"
    FAILED = "failed", "Failed (built-in triage kept)"


class CorrectableField(models.TextChoices):
    CATEGORY = "category", "Category"
    SENTIMENT = "sentiment", "Sentiment"


class TriagedFields(models.Model):
    """The triage columns. The concrete model needs ``project`` and ``created_at`` (the
    similar count is per project over the last 30 days) and sets ``triage_audit_target``
    and ``triage_audit_prefix`` (its audit rows' target type and action prefix)."""

    triage_audit_target = ""  # e.g. "feedback_item"
    triage_audit_prefix = ""  # e.g. "feedback.item" -> "feedback.item.triage"
    impact_max = IMPACT_MAX  # the scale's top, for "n / max" in templates

    # "" = never triaged (rows that bypassed the services); impact 0 so they sort last.
    category = models.CharField(
        max_length=8, choices=TriageCategory.choices, blank=True, default=UNTRIAGED
    )
    triage_label = models.CharField(
        max_length=8, choices=TriageLabel.choices, blank=True, default=UNTRIAGED
    )
    sentiment = models.CharField(
        max_length=8, choices=TriageSentiment.choices, blank=True, default=UNTRIAGED
    )
    impact_score = models.PositiveSmallIntegerField(default=IMPACT_MIN)
    triage_language = models.CharField(max_length=8, blank=True, default="")
    triage_engine = models.CharField(
        max_length=8, choices=TriageEngine.choices, blank=True, default=UNTRIAGED
    )
    triage_signals = models.JSONField(default=dict, blank=True)
    # "category|page path" (or "category|~keyword"); "" = nothing to compare. Similar rows
    # are counted on (project, key, created_at) with one indexed COUNT.
    triage_similar_key = models.CharField(max_length=200, blank=True, default="")
    llm_triage_status = models.CharField(
        max_length=8, choices=LLMTriageStatus.choices, default=LLMTriageStatus.NONE
    )
    triaged_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        abstract = True

    @property
    def impact_level(self) -> str:
        """The impact badge's shade: "hi" from 10, "mid" from 6, else plain."""
        if self.impact_score >= 10:
            return "hi"
        return "mid" if self.impact_score >= 6 else ""

    def triage_input(self) -> tuple[str, str, str]:
        """``(text, title, page)``: what the engine and the LLM pass read."""
        raise NotImplementedError(f"{type(self).__name__} must define triage_input()")

    @property
    def not_actionable(self) -> bool:
        return self.triage_label in (TriageLabel.PRAISE, TriageLabel.OTHER)


def triage_constraints(prefix: str) -> list[models.CheckConstraint]:
    """The CHECK constraints of the mixin's columns, named ``<prefix>_…`` by each table."""
    return [
        models.CheckConstraint(
            condition=Q(impact_score__gte=IMPACT_MIN, impact_score__lte=IMPACT_MAX),
            name=f"{prefix}_impact_range",
        ),
        models.CheckConstraint(
            condition=Q(category__in=[UNTRIAGED, *TriageCategory.values]),
            name=f"{prefix}_category_valid",
        ),
        models.CheckConstraint(
            condition=Q(sentiment__in=[UNTRIAGED, *TriageSentiment.values]),
            name=f"{prefix}_sentiment_valid",
        ),
        models.CheckConstraint(
            condition=Q(triage_label__in=[UNTRIAGED, *TriageLabel.values]),
            name=f"{prefix}_label_valid",
        ),
    ]


class TriageCorrection(models.Model):
    """A person changed an object's category or sentiment: what it was, what it became.

    Points at the object generically; the concrete model declares a ``GenericRelation`` to
    this model so deleting the object deletes its corrections (a hard delete removes the
    text they would carry into training data). ``project`` makes the per-project CSV export
    one indexed range scan. ``text``, ``page`` and ``language`` are the object's at the time
    of the correction; ``category_after`` / ``sentiment_after`` / ``label_after`` its labels
    right after it, so a training row needs nothing else (provenance: ``source`` +
    ``object_id``).
    """

    content_type = models.ForeignKey(ContentType, on_delete=models.CASCADE, related_name="+")
    object_id = models.CharField(max_length=64)
    target = GenericForeignKey("content_type", "object_id")
    project = models.ForeignKey(
        "projects.Project", on_delete=models.CASCADE, related_name="+", db_index=False
    )
    field = models.CharField(max_length=16, choices=CorrectableField.choices)
    old_value = models.CharField(max_length=16, blank=True, default="")
    new_value = models.CharField(max_length=16)
    text = models.TextField(blank=True, default="")
    page = models.CharField(max_length=2048, blank=True, default="")
    language = models.CharField(max_length=8, blank=True, default="")
    category_after = models.CharField(max_length=8, blank=True, default="")
    sentiment_after = models.CharField(max_length=8, blank=True, default="")
    label_after = models.CharField(max_length=8, blank=True, default="")
    corrected_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["project", "-created_at", "-id"], name="trc_project_created"),
            models.Index(fields=["content_type", "object_id"], name="trc_target"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(field__in=CorrectableField.values), name="trc_field_valid"
            ),
            models.CheckConstraint(
                condition=(
                    Q(field=CorrectableField.CATEGORY, new_value__in=TriageCategory.values)
                    | Q(field=CorrectableField.SENTIMENT, new_value__in=TriageSentiment.values)
                ),
                name="trc_new_value_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.object_id} {self.field}: {self.old_value or '-'} -> {self.new_value}"

    @property
    def source(self) -> str:
        """``app_label.model`` of the corrected object (e.g. ``feedback.item``)."""
        return f"{self.content_type.app_label}.{self.content_type.model}"
