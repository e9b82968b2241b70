"""Minolith feedback: items, their tags (an index table) and internal notes.

An ``Item`` belongs to a project; every read starts from the caller's workspace and, for a
project key, its project (``feedback.querysets``). Optional text fields the client left out
are stored as "" and rendered as ``null`` by the API, so there is one "absent" value in the
database and ``null=True`` string columns are not needed. The triage columns come from
``triage.models.TriagedFields`` (docs/triage.md).
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.contenttypes.fields import GenericRelation
from django.db import models
from django.db.models import Q
from django.utils import timezone

from config.ids import prefixed_id
from config.untrusted import injection_fields
from feedback import constants as C
from feedback.querysets import ItemQuerySet, NoteQuerySet
from projects.models import Project
from triage.models import TriagedFields, triage_constraints


def new_item_id() -> str:
    return prefixed_id(C.ITEM_ID_PREFIX, C.ID_HEX_CHARS)


def new_note_id() -> str:
    return prefixed_id(C.NOTE_ID_PREFIX, C.ID_HEX_CHARS)


class ItemType(models.TextChoices):
    FEEDBACK = "feedback", "Feedback"
    BUG = "bug", "Bug"
    IDEA = "idea", "Idea"
    QUESTION = "question", "Question"
    PRAISE = "praise", "Praise"


class ItemStatus(models.TextChoices):
    OPEN = "open", "Open"
    UNDER_REVIEW = "under_review", "Under review"
    PLANNED = "planned", "Planned"
    IN_PROGRESS = "in_progress", "In progress"
    COMPLETED = "completed", "Completed"
    DECLINED = "declined", "Declined"


class ItemPriority(models.TextChoices):
    LOW = "low", "Low"
    MEDIUM = "medium", "Medium"
    HIGH = "high", "High"
    URGENT = "urgent", "Urgent"


class ItemSource(models.TextChoices):
    """Set by the server from the channel an item came through, never by the client."""

    API = "api", "REST API"
    MCP = "mcp", "MCP tool"
    WIDGET = "widget", "Public widget"


NO_PRIORITY = ""  # the API's ``"priority": null``


class Item(TriagedFields):
    """One piece of feedback about a project, triaged by status, priority and tags.

    ``tags`` is the ordered list the API returns; ``ItemTag`` mirrors it one row per tag so
    the any-of tag filter is an indexed lookup on SQLite and PostgreSQL alike. Only
    ``feedback.services`` writes either, and always both in one transaction.
    """

    id = models.CharField(primary_key=True, max_length=16, default=new_item_id, editable=False)
    # db_index=False on foreign keys here: each is the first column of a composite index.
    project = models.ForeignKey(
        Project, on_delete=models.CASCADE, related_name="feedback_items", db_index=False
    )
    title = models.CharField(max_length=C.TITLE_MAX, blank=True, default="")
    body = models.TextField()
    type = models.CharField(max_length=16, choices=ItemType.choices, default=ItemType.FEEDBACK)
    status = models.CharField(max_length=16, choices=ItemStatus.choices, default=ItemStatus.OPEN)
    priority = models.CharField(
        max_length=8, choices=ItemPriority.choices, blank=True, default=NO_PRIORITY
    )
    source = models.CharField(max_length=16, choices=ItemSource.choices, default=ItemSource.API)
    tags = models.JSONField(default=list, blank=True)
    page_url = models.CharField(max_length=C.PAGE_URL_MAX, blank=True, default="")
    user_email = models.CharField(max_length=C.USER_FIELD_MAX, blank=True, default="")
    user_name = models.CharField(max_length=C.USER_FIELD_MAX, blank=True, default="")
    user_id_external = models.CharField(max_length=C.USER_FIELD_MAX, blank=True, default="")
    # The X-Minolith-Agent an MCP client named (docs/mcp.md); "" for other channels.
    agent_name = models.CharField(max_length=C.AGENT_NAME_MAX, blank=True, default="")
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)
    # Deleting an item deletes its triage corrections (they carry its text).
    triage_corrections = GenericRelation("triage.TriageCorrection", related_query_name="item")

    objects = ItemQuerySet.as_manager()
    triage_audit_target = "feedback_item"
    triage_audit_prefix = "feedback.item"

    class Meta:
        ordering = ["-created_at", "-id"]
        # The documented list filters, tenant first, each ending in the list order so a
        # filtered page is an index range scan (PERFORMANCE.md: no bare created_at index).
        indexes = [
            models.Index(fields=["project", "-created_at", "-id"], name="fbk_project_created"),
            models.Index(
                fields=["project", "status", "-created_at", "-id"], name="fbk_project_status"
            ),
            models.Index(fields=["project", "type", "-created_at", "-id"], name="fbk_project_type"),
            models.Index(
                fields=["project", "priority", "-created_at", "-id"], name="fbk_project_priority"
            ),
            models.Index(
                fields=["project", "user_email", "-created_at", "-id"], name="fbk_project_email"
            ),
            models.Index(
                fields=["project", "-impact_score", "-created_at", "-id"], name="fbk_project_impact"
            ),
            models.Index(
                fields=["project", "triage_similar_key", "created_at"], name="fbk_project_similar"
            ),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(type__in=ItemType.values), name="fbk_type_valid"),
            models.CheckConstraint(
                condition=Q(status__in=ItemStatus.values), name="fbk_status_valid"
            ),
            models.CheckConstraint(
                condition=Q(priority__in=[NO_PRIORITY, *ItemPriority.values]),
                name="fbk_priority_valid",
            ),
            *triage_constraints("fbk"),
        ]

    def __str__(self) -> str:
        return self.title or self.body[:60]

    def injection(self) -> dict[str, Any]:
        """``injection_suspected`` / ``injection_reason`` over what the end user wrote
        (``config.untrusted``): advice for whoever hands the item to an AI agent."""
        return injection_fields(self.title, self.body)

    def triage_input(self) -> tuple[str, str, str]:
        return self.body, self.title, self.page_url

    @property
    def display_title(self) -> str:
        """The title, or the start of the body for untitled items (dashboard lists)."""
        if self.title:
            return self.title
        first_line = self.body.strip().splitlines()[0] if self.body.strip() else ""
        return first_line[:120] + ("…" if len(first_line) > 120 else "")


class ItemTag(models.Model):
    """One tag of one item: the index behind ``?tags=a,b`` (any-of).

    Why a table rather than a JSON lookup: ``tags__contains`` is a GIN-indexable ``@>`` on
    PostgreSQL but an unindexed function scan on SQLite, and "any of" needs one OR per tag
    either way. Rows keyed (project, tag) answer any-of with one indexed ``IN`` on both.
    """

    item = models.ForeignKey(
        Item, on_delete=models.CASCADE, related_name="tag_rows", db_index=False
    )
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="+", db_index=False)
    tag = models.CharField(max_length=C.TAG_MAX)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["item", "tag"], name="fbk_tag_unique")]
        indexes = [models.Index(fields=["project", "tag", "item"], name="fbk_tag_project_tag")]

    def __str__(self) -> str:
        return self.tag


class Note(models.Model):
    """An internal note on an item: for the team, never shown through the public widget."""

    id = models.CharField(primary_key=True, max_length=16, default=new_note_id, editable=False)
    item = models.ForeignKey(Item, on_delete=models.CASCADE, related_name="notes", db_index=False)
    body = models.TextField()
    # Who wrote it: the dashboard shows the person; API-key notes carry the key's creator.
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    actor_id = models.CharField(max_length=80, blank=True, default="")
    agent_name = models.CharField(max_length=C.AGENT_NAME_MAX, blank=True, default="")
    created_at = models.DateTimeField(default=timezone.now)

    objects = NoteQuerySet.as_manager()

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["item", "created_at", "id"], name="fbn_item_created")]

    def __str__(self) -> str:
        return self.body[:60]
