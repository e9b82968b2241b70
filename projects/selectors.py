"""Project reads, including lookups by the secrets that identify a project."""

from __future__ import annotations

import hmac
import logging
from dataclasses import dataclass
from typing import Any

from django.core.cache import cache

from accounts.models import Workspace
from accounts.tokens import is_well_formed, prefix_of
from config.ids import secret_digest
from projects.models import INGEST_KEY_PREFIX, MCP_TOKEN_PREFIX, WIDGET_TOKEN_PREFIX, Project
from projects.querysets import ProjectQuerySet

logger = logging.getLogger("backtalk.projects")

# How long an ingest key -> project answer is reused. Rotation deletes the entry at once and
# so do workspace delete/restore and project deletion (projects.signals); the TTL bounds what
# a missed invalidation (cache outage, a race with a write) can serve.
INGEST_LOOKUP_TTL_SECONDS = 60


def project_list(*, workspace: Workspace) -> ProjectQuerySet:
    return Project.objects.for_workspace(workspace).order_by("-created_at", "-id")


def project_get(*, workspace: Workspace, project_id: str) -> Project | None:
    """A project of ``workspace``; None for another workspace's, an unknown or a malformed
    id (no query is spent on the last)."""
    return Project.objects.for_workspace(workspace).with_id(project_id).first()


def _by_secret(raw: str, *, prefix: str, digest_field: str, value_field: str) -> Project | None:
    if prefix_of(raw) != prefix or not is_well_formed(raw, prefix):
        return None
    digest = secret_digest(raw)
    project = (
        Project.objects.alive().select_related("workspace").filter(**{digest_field: digest}).first()
    )
    if project is None or not hmac.compare_digest(getattr(project, value_field), raw):
        return None
    return project


def project_by_mcp_token(raw: str) -> Project | None:
    return _by_secret(
        raw, prefix=MCP_TOKEN_PREFIX, digest_field="mcp_token_hash", value_field="mcp_token"
    )


def project_by_widget_token(raw: str) -> Project | None:
    return _by_secret(
        raw,
        prefix=WIDGET_TOKEN_PREFIX,
        digest_field="widget_token_hash",
        value_field="widget_token",
    )


# --- The ingest key ---------------------------------------------------------------------
# POST /v1/reports names its project by the ingest key alone, on every report, so that one
# lookup is cached (PERFORMANCE.md: +40% on ingest) and returns only what ingest needs.
@dataclass(frozen=True)
class IngestTarget:
    """The project behind an ingest key, as far as POST /v1/reports needs to know it."""

    project_id: str
    workspace_id: str
    workspace_deleted: bool
    key_digest: str  # names the cache entry, so a stale one can be dropped


def ingest_key_cache_key(digest: str) -> str:
    """The cached lookup's entry, keyed by the key's digest (never the key itself)."""
    return f"ingest-key:{digest}"


def ingest_key_cache_forget(digest: str) -> None:
    """Drop the cached lookup of one ingest key (rotation, deletion) so it stops working at
    once; a cache outage only delays that to the TTL."""
    try:
        cache.delete(ingest_key_cache_key(digest))
    except Exception:
        logger.warning("could not drop the cached ingest-key lookup", exc_info=True)


def _cache_get(key: str) -> Any:
    try:
        return cache.get(key)
    except Exception:
        logger.warning("ingest-key cache unavailable; looking up in the database", exc_info=True)
        return None


def _cache_set(key: str, value: Any) -> None:
    try:
        cache.set(key, value, INGEST_LOOKUP_TTL_SECONDS)
    except Exception:
        logger.warning("ingest-key cache unavailable; lookup not cached", exc_info=True)


def ingest_target_get(raw: str) -> IngestTarget | None:
    """The project an ingest key submits to, or None for anything that is not a live
    ``wk_`` ingest key (a ``wk_sk_`` read key never matches: prefixes match longest first).

    A project in a soft-deleted workspace is returned with ``workspace_deleted`` so the
    caller can say so rather than "unknown key".
    """
    if prefix_of(raw) != INGEST_KEY_PREFIX or not is_well_formed(raw, INGEST_KEY_PREFIX):
        return None
    digest = secret_digest(raw)
    key = ingest_key_cache_key(digest)
    cached = _cache_get(key)
    if isinstance(cached, tuple) and len(cached) == 3:
        return IngestTarget(*cached, key_digest=digest)
    row = (
        Project.objects.filter(ingest_key_hash=digest)
        .values_list("pk", "workspace_id", "workspace__deleted_at", "ingest_key")
        .first()
    )
    if row is None or not hmac.compare_digest(row[3], raw):
        return None
    target = IngestTarget(
        project_id=row[0],
        workspace_id=row[1],
        workspace_deleted=row[2] is not None,
        key_digest=digest,
    )
    _cache_set(key, (target.project_id, target.workspace_id, target.workspace_deleted))
    return target
