"""Users, workspaces, memberships, invitations, API tokens and the audit log.

Tenancy is User -> Membership(role) -> Workspace -> Project (DESIGN.md section 4). API tokens
of every family live in one table; the prefix of the plaintext tells the family, and only
its SHA-256 digest and last four characters are stored (the plaintext is shown once).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import ClassVar

from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.contrib.auth.models import PermissionsMixin
from django.db import models
from django.db.models import Q
from django.utils import timezone

from accounts.querysets import ApiTokenQuerySet, MembershipQuerySet, WorkspaceQuerySet
from config.ids import hex32


class Role(models.TextChoices):
    OWNER = "OWNER", "Owner"
    ADMIN = "ADMIN", "Admin"
    MEMBER = "MEMBER", "Member"
    GUEST = "GUEST", "Guest"


ROLE_RANK = {"GUEST": 0, "MEMBER": 1, "ADMIN": 2, "OWNER": 3}
TOKEN_ROLES = (Role.MEMBER, Role.GUEST)


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def get_by_natural_key(self, username: str | None) -> User:
        # Sign-in is by email, case-insensitively.
        return self.get(email__iexact=username)

    def create_user(self, email: str, password: str | None = None, **extra: object) -> User:
        if not email:
            raise ValueError("An email address is required")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_superuser(self, email: str, password: str | None = None, **extra: object) -> User:
        extra.setdefault("is_staff", True)
        extra.setdefault("is_superuser", True)
        return self.create_user(email, password, **extra)


class User(AbstractBaseUser, PermissionsMixin):
    """A person who signs in to the dashboard with an email address."""

    email = models.EmailField(unique=True)
    name = models.CharField(max_length=150, blank=True)
    is_active = models.BooleanField(default=True)
    is_staff = models.BooleanField(default=False)
    date_joined = models.DateTimeField(default=timezone.now)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: ClassVar[list[str]] = []

    class Meta:
        ordering = ["email"]

    def __str__(self) -> str:
        return self.email


class Workspace(models.Model):
    """A tenant. Soft-deleted workspaces keep their rows for a grace period, then are purged."""

    id = models.CharField(primary_key=True, max_length=32, default=hex32, editable=False)
    name = models.CharField(max_length=200)
    created_at = models.DateTimeField(default=timezone.now)
    deleted_at = models.DateTimeField(null=True, blank=True)
    deleted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    objects = WorkspaceQuerySet.as_manager()

    class Meta:
        ordering = ["name", "id"]
        indexes = [models.Index(fields=["deleted_at"], name="workspace_deleted_idx")]

    def __str__(self) -> str:
        return self.name

    @property
    def is_deleted(self) -> bool:
        return self.deleted_at is not None

    @property
    def purge_after(self) -> datetime | None:
        if self.deleted_at is None:
            return None
        return self.deleted_at + timedelta(days=settings.WORKSPACE_DELETE_GRACE_DAYS)


class Membership(models.Model):
    """A user's role in a workspace."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField(max_length=10, choices=Role.choices, default=Role.MEMBER)
    created_at = models.DateTimeField(default=timezone.now)

    objects = MembershipQuerySet.as_manager()

    class Meta:
        ordering = ["workspace_id", "user_id"]
        constraints = [
            models.UniqueConstraint(fields=["workspace", "user"], name="membership_unique_user"),
            models.CheckConstraint(
                condition=Q(role__in=[r.value for r in Role]), name="membership_role_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user_id} in {self.workspace_id} as {self.role}"


class InvitationEmailStatus(models.TextChoices):
    QUEUED = "queued", "Email queued"
    SENT = "sent", "Email sent"
    FAILED = "failed", "Email failed"


class Invitation(models.Model):
    """An emailed link that adds its recipient to a workspace once.

    Only the digest of the link's secret is stored; accepting twice or accepting a revoked
    invitation answers 410. ``email_status`` is the outcome of the email task (DESIGN 5).
    """

    id = models.CharField(primary_key=True, max_length=32, default=hex32, editable=False)
    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="invitations")
    email = models.EmailField()
    role = models.CharField(max_length=10, choices=Role.choices, default=Role.MEMBER)
    token_hash = models.CharField(max_length=64, unique=True)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    accepted_at = models.DateTimeField(null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    revoked_at = models.DateTimeField(null=True, blank=True)
    email_status = models.CharField(
        max_length=8, choices=InvitationEmailStatus.choices, default=InvitationEmailStatus.QUEUED
    )

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"Invitation of {self.email} to {self.workspace_id}"

    @property
    def is_pending(self) -> bool:
        return (
            self.accepted_at is None
            and self.revoked_at is None
            and self.expires_at > timezone.now()
        )


class TokenFamily(models.TextChoices):
    GREATFEEDBACK = "gfat", "greatfeedback API token"
    WRITEBACK_READ = "wk_sk", "Writeback API key"
    MINOLITH = "mlth", "Minolith project key"


TOKEN_PREFIXES: dict[str, str] = {
    TokenFamily.GREATFEEDBACK: "gfat_",
    TokenFamily.WRITEBACK_READ: "wk_sk_",
    TokenFamily.MINOLITH: "mlth_",
}


class ApiToken(models.Model):
    """A bearer credential of one family, scoped to a workspace (and, for mlth_, a project).

    Why only a digest: a database dump must not hand out working credentials. The plaintext
    exists once, in the response to the request that minted it.
    """

    id = models.CharField(primary_key=True, max_length=32, default=hex32, editable=False)
    family = models.CharField(max_length=8, choices=TokenFamily.choices)
    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="api_tokens")
    project = models.ForeignKey(
        "projects.Project",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="api_tokens",
    )
    name = models.CharField(max_length=200)
    role = models.CharField(max_length=10, choices=Role.choices, default=Role.MEMBER)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="api_tokens",
    )
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    last4 = models.CharField(max_length=4, editable=False)
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    last_used_at = models.DateTimeField(null=True, blank=True)

    objects = ApiTokenQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(role__in=[r.value for r in TOKEN_ROLES]), name="apitoken_role_clamped"
            ),
            models.CheckConstraint(
                condition=~Q(family="mlth") | Q(project__isnull=False),
                name="apitoken_minolith_has_project",
            ),
        ]
        indexes = [
            models.Index(fields=["workspace", "family", "-created_at"], name="apitoken_ws_family"),
        ]

    def __str__(self) -> str:
        return f"{self.prefix}…{self.last4} ({self.name})"

    @property
    def prefix(self) -> str:
        return TOKEN_PREFIXES[self.family]

    @property
    def is_revoked(self) -> bool:
        return self.revoked_at is not None

    @property
    def is_expired(self) -> bool:
        return self.expires_at is not None and self.expires_at <= timezone.now()


class AuditLog(models.Model):
    """One row per write, recorded in the same transaction as the write itself."""

    workspace = models.ForeignKey(
        Workspace, null=True, blank=True, on_delete=models.CASCADE, related_name="audit_log"
    )
    actor_id = models.CharField(max_length=80)  # accounts.audit.ACTOR_KINDS: "<kind>:<id>"
    action = models.CharField(max_length=80)
    target_type = models.CharField(max_length=40, blank=True)
    target_id = models.CharField(max_length=64, blank=True)
    data = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["workspace", "-created_at"], name="audit_ws_created"),
            models.Index(fields=["workspace", "action", "-created_at"], name="audit_ws_action"),
        ]

    def __str__(self) -> str:
        return f"{self.actor_id} {self.action} {self.target_type}:{self.target_id}"

    @property
    def actor_kind(self) -> str:
        return self.actor_id.split(":", 1)[0]
