"""greatfeedback: annotations that site visitors leave on a page, their thread, the
resolutions that record what changed, the stakeholders who may authorise auto-fix, and the
AI personas that review an annotation.

A site is a ``projects.Project``. Every read starts from the caller's workspace
(``annotations.querysets``); only ``annotations.services`` (and its sibling service modules)
write. Ids are 32 lowercase hex characters like the site ids. Optional text the client left
out is stored as "" and rendered as ``null``.

Writers are plural by design: the widget, the REST API, the MCP server and a persona run all
create replies and change statuses through the same services, and each names itself in the
audit row (``widget:``, ``user:``/``token:``, ``mcp:``, ``system``).
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.contenttypes.fields import GenericRelation
from django.db import models
from django.db.models import Q
from django.utils import timezone

from accounts.models import Workspace
from annotations import constants as C
from annotations.querysets import AnnotationQuerySet, PersonaQuerySet, StakeholderQuerySet
from config.ids import hex32
from config.untrusted import injection_fields
from projects.models import Project
from triage.models import TriagedFields, triage_constraints


class AnnotationStatus(models.TextChoices):
    """The document's status taxonomy, in its order."""

    NEW = "new", "New"
    ACK = "ack", "Acknowledged"
    TRIAGED = "triaged", "Triaged"
    IN_PROGRESS = "in_progress", "In progress"
    RESOLVED = "resolved", "Resolved"
    WONT_FIX = "won_t_fix", "Won't fix"
    DUPLICATE = "duplicate", "Duplicate"


class AnnotationKind(models.TextChoices):
    """What the visitor says the annotation is (docs/api/greatfeedback.md). ``comment`` is
    the default when the widget or client sends none."""

    COMMENT = "comment", "Comment"
    BUG = "bug", "Bug"
    IDEA = "idea", "Idea"
    COPY = "copy", "Copy"
    DESIGN = "design", "Design"


class AnnotationChannel(models.TextChoices):
    """Where an annotation came from; set by the server, never by the client."""

    WIDGET = "widget", "Annotation widget"
    API = "api", "REST API"
    MCP = "mcp", "MCP tool"


class SubmitterKind(models.TextChoices):
    """Who the submitter was at submission time: this decides auto-fix consent."""

    ANONYMOUS = "anonymous", "Anonymous visitor"
    STAKEHOLDER = "stakeholder", "Stakeholder"
    MEMBER = "member", "Workspace member"


class AutoFixDefault(models.TextChoices):
    NEVER = "never", "Never (no toggle)"
    OPTIONAL_OFF = "optional_off", "Optional, off by default"
    OPTIONAL_ON = "optional_on", "Optional, on by default"


class Stakeholder(models.Model):
    """A named person invited to annotate a site through a link carrying ``token``.

    The token is shown again in the list (the document lists it), so it is kept as issued
    and looked up through its SHA-256 digest like the site's widget token. Revoking sets
    ``revoked_at``: the row stays so the annotations it made keep their provenance, and a
    revoked token stops granting auto-fix at once.
    """

    id = models.CharField(primary_key=True, max_length=32, default=hex32, editable=False)
    project = models.ForeignKey(
        Project, on_delete=models.CASCADE, related_name="stakeholders", db_index=False
    )
    token = models.CharField(max_length=80, editable=False)
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    name = models.CharField(max_length=C.AUTHOR_NAME_MAX, blank=True, default="")
    email = models.CharField(max_length=C.SUBMITTER_FIELD_MAX, blank=True, default="")
    auto_fix_default = models.CharField(
        max_length=16, choices=AutoFixDefault.choices, default=AutoFixDefault.OPTIONAL_OFF
    )
    created_at = models.DateTimeField(default=timezone.now)
    last_seen_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    objects = StakeholderQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["project", "-created_at", "-id"], name="gf_stakeholder_project")
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(auto_fix_default__in=AutoFixDefault.values),
                name="gf_stakeholder_autofix_valid",
            )
        ]

    def __str__(self) -> str:
        return self.name or self.email or f"stakeholder …{self.token[-4:]}"


class Annotation(TriagedFields):
    """One comment a visitor left on one element of one page of a site.

    What the widget captured (``element``, ``styles``, ``viewport``) is kept as submitted,
    after the widget endpoint has validated its documented subset, so the markdown blob and
    the personas see exactly what the visitor saw. ``submitter_secret_hash`` lets the
    submitter read their own thread later without an account.
    """

    id = models.CharField(primary_key=True, max_length=32, default=hex32, editable=False)
    # db_index=False: the project is the first column of every composite index below.
    project = models.ForeignKey(
        Project, on_delete=models.CASCADE, related_name="annotations", db_index=False
    )
    body = models.TextField()
    kind = models.CharField(
        max_length=16, choices=AnnotationKind.choices, default=AnnotationKind.COMMENT
    )
    status = models.CharField(
        max_length=16, choices=AnnotationStatus.choices, default=AnnotationStatus.NEW
    )
    summary = models.TextField(blank=True, default="")
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="assigned_annotations",
    )
    channel = models.CharField(
        max_length=8, choices=AnnotationChannel.choices, default=AnnotationChannel.WIDGET
    )
    page_url = models.CharField(max_length=C.PAGE_URL_MAX, blank=True, default="")
    selector = models.TextField(blank=True, default="")
    element = models.JSONField(default=dict, blank=True)
    styles = models.JSONField(default=dict, blank=True)
    viewport = models.JSONField(default=dict, blank=True)
    user_agent = models.CharField(max_length=C.USER_AGENT_MAX, blank=True, default="")
    screenshot_key = models.CharField(max_length=C.STORAGE_KEY_MAX, blank=True, default="")

    submitter_kind = models.CharField(
        max_length=12, choices=SubmitterKind.choices, default=SubmitterKind.ANONYMOUS
    )
    submitter_email = models.CharField(max_length=C.SUBMITTER_FIELD_MAX, blank=True, default="")
    submitter_name = models.CharField(max_length=C.AUTHOR_NAME_MAX, blank=True, default="")
    submitter_secret_hash = models.CharField(max_length=64, blank=True, default="", editable=False)
    stakeholder = models.ForeignKey(
        Stakeholder,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="annotations",
    )
    auto_fix = models.BooleanField(default=False)

    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    # Triage of the comment (triage.models.TriagedFields; docs/triage.md). Deleting the
    # annotation deletes its triage corrections (they carry its text).
    triage_corrections = GenericRelation("triage.TriageCorrection", related_query_name="annotation")
    triage_audit_target = "annotation"
    triage_audit_prefix = "annotation"

    objects = AnnotationQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        # The documented filters (status, kind, since, auto_fix), tenant first, each ending
        # in the list order so a filtered keyset page is an index range scan.
        indexes = [
            models.Index(fields=["project", "-created_at", "-id"], name="gf_ann_project_created"),
            models.Index(
                fields=["project", "status", "-created_at", "-id"], name="gf_ann_project_status"
            ),
            models.Index(
                fields=["project", "kind", "-created_at", "-id"], name="gf_ann_project_kind"
            ),
            models.Index(
                fields=["project", "auto_fix", "-created_at", "-id"],
                name="gf_ann_project_autofix",
            ),
            models.Index(
                fields=["project", "-impact_score", "-created_at", "-id"],
                name="gf_ann_project_impact",
            ),
            models.Index(
                fields=["project", "triage_similar_key", "created_at"],
                name="gf_ann_project_similar",
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=AnnotationStatus.values), name="gf_ann_status_valid"
            ),
            models.CheckConstraint(
                condition=Q(kind__in=AnnotationKind.values), name="gf_ann_kind_valid"
            ),
            *triage_constraints("gf_ann"),
        ]

    def __str__(self) -> str:
        return self.body[:60]

    def injection(self) -> dict[str, Any]:
        """``injection_suspected`` / ``injection_reason`` over what the visitor wrote: the
        comment, the element's text and their replies on the thread (``config.untrusted``).
        Uses the detail's prefetched ``replies_list`` when there is one."""
        replies = getattr(self, "replies_list", None)
        if replies is None:
            replies = list(self.replies.all())
        element_text = self.element.get("text") if isinstance(self.element, dict) else ""
        return injection_fields(
            self.body,
            str(element_text or ""),
            *(r.body for r in replies if r.author_kind == ReplyAuthorKind.SUBMITTER),
        )

    def triage_input(self) -> tuple[str, str, str]:
        return self.body, "", self.page_url

    @property
    def display_title(self) -> str:
        first_line = self.body.strip().splitlines()[0] if self.body.strip() else ""
        return first_line[:120] + ("…" if len(first_line) > 120 else "")


class ReplyAuthorKind(models.TextChoices):
    AGENT = "agent", "Agent (API token or MCP)"
    USER = "user", "Team member"
    SUBMITTER = "submitter", "Submitter"
    SYSTEM = "system", "System"


class Reply(models.Model):
    """One message on an annotation's thread. ``author_kind`` follows the caller: API-token
    and MCP callers are ``agent``, dashboard sessions ``user``, the widget ``submitter``, and
    notifications ``system``."""

    id = models.CharField(primary_key=True, max_length=32, default=hex32, editable=False)
    annotation = models.ForeignKey(
        Annotation, on_delete=models.CASCADE, related_name="replies", db_index=False
    )
    body = models.TextField()
    author_kind = models.CharField(max_length=12, choices=ReplyAuthorKind.choices)
    author_name = models.CharField(max_length=C.AUTHOR_NAME_MAX, blank=True, default="")
    author_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True
    )
    actor_id = models.CharField(max_length=80)  # accounts.audit: "<kind>:<id>"
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["annotation", "created_at", "id"], name="gf_reply_thread")]
        constraints = [
            models.CheckConstraint(
                condition=Q(author_kind__in=ReplyAuthorKind.values), name="gf_reply_author_valid"
            )
        ]

    def __str__(self) -> str:
        return self.body[:60]


class UploadKind(models.TextChoices):
    BEFORE = "before", "Before"
    AFTER = "after", "After"
    SCREENSHOT = "screenshot", "Widget screenshot"


class Upload(models.Model):
    """A storage key minted by an upload-url call: what may be PUT there, until when, and
    whether it arrived. Attaching checks the key against this row (minted for this
    annotation, of this kind, uploaded), so a client cannot point a resolution at a file it
    did not upload for it. Widget screenshots are minted before their annotation exists, so
    ``annotation`` is null until the submission claims the key."""

    id = models.CharField(primary_key=True, max_length=32, default=hex32, editable=False)
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="gf_uploads")
    annotation = models.ForeignKey(
        Annotation, on_delete=models.CASCADE, null=True, blank=True, related_name="uploads"
    )
    kind = models.CharField(max_length=12, choices=UploadKind.choices)
    key = models.CharField(max_length=C.STORAGE_KEY_MAX, unique=True)
    content_type = models.CharField(max_length=32)
    expires_at = models.DateTimeField()
    uploaded_at = models.DateTimeField(null=True, blank=True)
    size = models.PositiveBigIntegerField(null=True, blank=True)
    attached_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return self.key


class NotificationStatus(models.TextChoices):
    PENDING = "pending", "Pending"
    EMAILED = "emailed", "Emailed"
    REPLIED = "replied", "Replied on the thread"
    FAILED = "failed", "Failed"


class Resolution(models.Model):
    """What changed to address an annotation (fix, revert, re-fix: several are allowed).
    Creating one notifies the submitter asynchronously; ``notification_status`` is the
    outcome, retried by the task."""

    id = models.CharField(primary_key=True, max_length=32, default=hex32, editable=False)
    annotation = models.ForeignKey(
        Annotation, on_delete=models.CASCADE, related_name="resolutions", db_index=False
    )
    before_key = models.CharField(max_length=C.STORAGE_KEY_MAX, blank=True, default="")
    after_key = models.CharField(max_length=C.STORAGE_KEY_MAX, blank=True, default="")
    diff_url = models.CharField(max_length=C.DIFF_URL_MAX, blank=True, default="")
    explanation = models.TextField(blank=True, default="")
    notification_status = models.CharField(
        max_length=8, choices=NotificationStatus.choices, default=NotificationStatus.PENDING
    )
    notification_attempts = models.PositiveSmallIntegerField(default=0)
    notification_error = models.CharField(max_length=500, blank=True, default="")
    notified_at = models.DateTimeField(null=True, blank=True)
    actor_id = models.CharField(max_length=80)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [
            models.Index(fields=["annotation", "created_at", "id"], name="gf_resolution_ann")
        ]
        constraints = [
            models.CheckConstraint(
                condition=~Q(before_key="", after_key="", diff_url="", explanation=""),
                name="gf_resolution_not_empty",
            )
        ]

    def __str__(self) -> str:
        return f"resolution of {self.annotation_id}"


class Persona(models.Model):
    """An AI reviewer of annotations. Every workspace starts with the shipped defaults
    (``is_default``; annotations/personas/defaults.json), which members may edit, delete and reset;
    customs are the workspace's own. ``checks`` names the built-in reviewer's checks the
    persona runs; ``instructions`` is its brief, the LLM prompt when an LLM is configured."""

    id = models.CharField(primary_key=True, max_length=32, default=hex32, editable=False)
    workspace = models.ForeignKey(
        Workspace, on_delete=models.CASCADE, related_name="personas", db_index=False
    )
    slug = models.SlugField(max_length=64)
    name = models.CharField(max_length=120)
    category = models.CharField(max_length=64)
    description = models.TextField(blank=True, default="")
    instructions = models.TextField(blank=True, default="")
    checks = models.JSONField(default=list, blank=True)
    is_default = models.BooleanField(default=False)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    objects = PersonaQuerySet.as_manager()

    class Meta:
        ordering = ["category", "-is_default", "name", "id"]
        constraints = [
            models.UniqueConstraint(fields=["workspace", "slug"], name="gf_persona_ws_slug")
        ]
        indexes = [
            models.Index(
                fields=["workspace", "category", "-is_default", "name", "id"],
                name="gf_persona_ws_order",
            )
        ]

    def __str__(self) -> str:
        return self.name


class PersonaRunStatus(models.TextChoices):
    QUEUED = "queued", "Queued"
    RUNNING = "running", "Running"
    DONE = "done", "Done"
    FAILED = "failed", "Failed"


class PersonaVerdict(models.TextChoices):
    PASS = "pass", "Pass"
    CONCERNS = "concerns", "Concerns"
    FAIL = "fail", "Fail"


class PersonaRun(models.Model):
    """One persona reviewing one annotation. The persona's slug and name are copied so a
    run stays readable after its persona is edited or deleted."""

    id = models.CharField(primary_key=True, max_length=32, default=hex32, editable=False)
    annotation = models.ForeignKey(
        Annotation, on_delete=models.CASCADE, related_name="persona_runs", db_index=False
    )
    persona = models.ForeignKey(
        Persona, on_delete=models.SET_NULL, null=True, blank=True, related_name="runs"
    )
    persona_slug = models.CharField(max_length=64)
    persona_name = models.CharField(max_length=120)
    status = models.CharField(
        max_length=8, choices=PersonaRunStatus.choices, default=PersonaRunStatus.QUEUED
    )
    engine = models.CharField(max_length=120, blank=True, default="")
    verdict = models.CharField(max_length=8, choices=PersonaVerdict.choices, blank=True, default="")
    severity = models.CharField(max_length=8, blank=True, default="")
    findings = models.JSONField(default=list, blank=True)
    llm_findings = models.JSONField(default=list, blank=True)
    llm_text = models.TextField(blank=True, default="")
    llm_note = models.CharField(max_length=500, blank=True, default="")
    token_usage = models.JSONField(default=dict, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    actor_id = models.CharField(max_length=80)
    created_at = models.DateTimeField(default=timezone.now)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [
            models.Index(fields=["annotation", "created_at", "id"], name="gf_persona_run_ann")
        ]

    def __str__(self) -> str:
        return f"{self.persona_slug} on {self.annotation_id}"
