"""Projects: one row is a Writeback project, a greatfeedback site and a Minolith/Fluister
project at once, so every family's feedback for one product lands in one place."""

from __future__ import annotations

from django.db import models
from django.utils import timezone

from accounts.models import Workspace
from config.ids import hex32, new_secret, secret_digest
from projects.querysets import ProjectQuerySet

INGEST_KEY_PREFIX = "wk_"
WIDGET_TOKEN_PREFIX = "gfwt_"
MCP_TOKEN_PREFIX = "gfmcp_"
LOADER_SECRET_PREFIX = "gfls_"


class Project(models.Model):
    """A product that receives feedback.

    Secrets the dashboard must be able to reveal again (ingest key, widget token, MCP token,
    loader secret id) are kept as issued, because the documents promise a reveal; each is
    looked up only through its SHA-256 digest column and compared in constant time. API
    tokens (gfat_, wk_sk_, mlth_), which are shown once, live hashed-only in ApiToken.
    """

    id = models.CharField(primary_key=True, max_length=32, default=hex32, editable=False)
    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="projects")
    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=64, unique=True)
    domain = models.CharField(max_length=253, blank=True)
    allowed_origins = models.JSONField(default=list, blank=True)

    ingest_key = models.CharField(max_length=80, editable=False)
    ingest_key_hash = models.CharField(max_length=64, unique=True, editable=False)
    widget_token = models.CharField(max_length=80, editable=False)
    widget_token_hash = models.CharField(max_length=64, unique=True, editable=False)
    mcp_token = models.CharField(max_length=80, editable=False)
    mcp_token_hash = models.CharField(max_length=64, unique=True, editable=False)
    loader_secret_id = models.CharField(max_length=80, editable=False)

    # Minolith credits: 1 per created item; None means no cap.
    spending_cap_credits = models.PositiveIntegerField(null=True, blank=True)
    credits_used = models.PositiveBigIntegerField(default=0)

    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ProjectQuerySet.as_manager()

    class Meta:
        ordering = ["workspace_id", "name", "id"]
        indexes = [models.Index(fields=["workspace", "created_at"], name="project_ws_created")]

    def __str__(self) -> str:
        return self.name

    def set_ingest_key(self) -> str:
        self.ingest_key = new_secret(INGEST_KEY_PREFIX)
        self.ingest_key_hash = secret_digest(self.ingest_key)
        return self.ingest_key

    def set_widget_token(self) -> str:
        self.widget_token = new_secret(WIDGET_TOKEN_PREFIX)
        self.widget_token_hash = secret_digest(self.widget_token)
        return self.widget_token

    def set_mcp_token(self) -> str:
        self.mcp_token = new_secret(MCP_TOKEN_PREFIX)
        self.mcp_token_hash = secret_digest(self.mcp_token)
        return self.mcp_token

    def set_loader_secret_id(self) -> str:
        self.loader_secret_id = new_secret(LOADER_SECRET_PREFIX)[:30]
        return self.loader_secret_id

    def set_all_secrets(self) -> None:
        self.set_ingest_key()
        self.set_widget_token()
        self.set_mcp_token()
        self.set_loader_secret_id()
