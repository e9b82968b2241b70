"""Project reads, including lookups by the secrets that identify a project."""

from __future__ import annotations

import hmac
import logging

from django.core.cache import cache

from accounts.models import Workspace
from config.ids import secret_digest
from projects.models import INGEST_KEY_PREFIX, MCP_TOKEN_PREFIX, WIDGET_TOKEN_PREFIX, Project
from projects.querysets import ProjectQuerySet

logger = logging.getLogger("backtalk.projects")


def project_list(*, workspace: Workspace) -> ProjectQuerySet:
    return Project.objects.for_workspace(workspace).order_by("-created_at", "-id")


def project_get(*, workspace: Workspace, project_id: str) -> Project | None:
    return Project.objects.for_workspace(workspace).filter(pk=project_id).first()


def _by_secret(raw: str, *, prefix: str, digest_field: str, value_field: str) -> Project | None:
    from accounts.tokens import is_well_formed, prefix_of

    if prefix_of(raw) != prefix or not is_well_formed(raw, prefix):
        return None
    digest = secret_digest(raw)
    project = (
        Project.objects.select_related("workspace")
        .filter(**{digest_field: digest}, workspace__deleted_at__isnull=True)
        .first()
    )
    if project is None or not hmac.compare_digest(getattr(project, value_field), raw):
        return None
    return project


def ingest_key_cache_key(digest: str) -> str:
    """Cache entry of the ingest-key -> project lookup (reports.selectors.ingest_target_get),
    keyed by the key's digest; project_rotate_ingest_key deletes it so a rotated key stops
    working at once."""
    return f"ingest-key:{digest}"


def ingest_key_cache_forget(digest: str) -> None:
    """Drop the cached lookup of one ingest key; a cache outage only delays it to the TTL."""
    try:
        cache.delete(ingest_key_cache_key(digest))
    except Exception:
        logger.warning("could not drop the cached ingest-key lookup", exc_info=True)


def project_by_ingest_key(raw: str) -> Project | None:
    """Only a real ``wk_`` ingest key matches: a ``wk_sk_`` read key never does."""
    return _by_secret(
        raw, prefix=INGEST_KEY_PREFIX, digest_field="ingest_key_hash", value_field="ingest_key"
    )


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
