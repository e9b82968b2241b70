"""AI triage on feedback items: the value sets, and the corrections people make.

The triage columns themselves live on ``feedback.models.Item`` (one row, one read for the
inbox); this module holds their choices and ``TriageCorrection``, the audit trail of a person
overriding the engine, kept so corrections can be exported as training data
(docs/triage.md, "Corrections"). Only ``feedback.triaging`` writes either.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

UNTRIAGED = ""  # rows stored before triage existed (or by fixtures that skip the services)


class TriageCategory(models.TextChoices):
    """Fluister's categories."""

    BUG = "bug", "Bug"
    FEATURE = "feature", "Feature"
    QUESTION = "question", "Question"


class TriageSentiment(models.TextChoices):
    POSITIVE = "positive", "Positive"
    NEUTRAL = "neutral", "Neutral"
    NEGATIVE = "negative", "Negative"


class TriageEngine(models.TextChoices):
    """Who set the item's current category / sentiment / impact."""

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


class TriageCorrection(models.Model):
    """A person changed an item's category or sentiment: what it was, what it became.

    ``project`` is denormalised from the item so the per-project CSV export is one indexed
    range scan. Corrections are deleted with their item (a hard delete removes the text
    they would carry into training data).
    """

    item = models.ForeignKey(
        "feedback.Item", on_delete=models.CASCADE, related_name="triage_corrections"
    )
    project = models.ForeignKey(
        "projects.Project", on_delete=models.CASCADE, related_name="+", db_index=False
    )
    field = models.CharField(max_length=16, choices=CorrectableField.choices)
    old_value = models.CharField(max_length=16, blank=True, default="")
    new_value = models.CharField(max_length=16)
    corrected_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["project", "-created_at", "-id"], name="fbc_project_created"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(field__in=CorrectableField.values), name="fbc_field_valid"
            ),
            models.CheckConstraint(
                condition=(
                    Q(field=CorrectableField.CATEGORY, new_value__in=TriageCategory.values)
                    | Q(field=CorrectableField.SENTIMENT, new_value__in=TriageSentiment.values)
                ),
                name="fbc_new_value_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.item_id} {self.field}: {self.old_value or '-'} -> {self.new_value}"
