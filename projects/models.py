"""Projects: one row is a Writeback project, a greatfeedback site and a Minolith/Fluister
project at once, so every family's feedback for one product lands in one place."""

from __future__ import annotations

import re

from django.db import models
from django.utils import timezone

from accounts.models import Workspace
from config.ids import hex32, new_secret, secret_digest
from projects.querysets import ProjectQuerySet

INGEST_KEY_PREFIX = "wk_"
WIDGET_TOKEN_PREFIX = "gfwt_"
MCP_TOKEN_PREFIX = "gfmcp_"
LOADER_SECRET_PREFIX = "gfls_"
# The secrets looked up by digest: each has a ``<name>_hash`` column beside it.
HASHED_SECRETS = {
    "ingest_key": INGEST_KEY_PREFIX,
    "widget_token": WIDGET_TOKEN_PREFIX,
    "mcp_token": MCP_TOKEN_PREFIX,
}

SLUG_MAX = 64
# SlugField's alphabet: the public endpoint's path and the widget's data-project are matched
# against it before any query, so a NUL or other junk never reaches the database.
SLUG_PATTERN = rf"[-a-zA-Z0-9_]{{1,{SLUG_MAX}}}"
_SLUG_RE = re.compile(rf"^{SLUG_PATTERN}$")


def is_slug(value: str) -> bool:
    return bool(_SLUG_RE.match(value))


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
    slug = models.SlugField(max_length=SLUG_MAX, unique=True)
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

    def set_secret(self, name: str) -> str:
        """A fresh ``name`` (one of HASHED_SECRETS) and its digest; returns the plaintext."""
        raw = new_secret(HASHED_SECRETS[name])
        setattr(self, name, raw)
        setattr(self, f"{name}_hash", secret_digest(raw))
        return raw

    def set_all_secrets(self) -> None:
        for name in HASHED_SECRETS:
            self.set_secret(name)
        self.loader_secret_id = new_secret(LOADER_SECRET_PREFIX)[:30]
