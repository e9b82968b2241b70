"""Keep the cached ingest-key lookup (projects.selectors.ingest_target_get) honest.

Rotation drops its entry in projects.services. Here: a workspace soft-deleted or restored
(its projects' keys must answer "workspace deleted" / work again at once, not after the
cache TTL) and a project deleted (a cached id would otherwise point at a missing row). Cache
deletes run after the commit, so a concurrent request cannot re-cache the old state.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from accounts.models import Workspace
from projects.models import Project
from projects.selectors import ingest_key_cache_forget


def _forget_after_commit(digests: list[str]) -> None:
    def forget() -> None:
        for digest in digests:
            ingest_key_cache_forget(digest)

    if digests:
        transaction.on_commit(forget)


@receiver(post_save, sender=Workspace, dispatch_uid="projects.workspace_saved")
def workspace_saved(sender: type[Workspace], instance: Workspace, **kwargs: Any) -> None:
    update_fields = kwargs.get("update_fields")
    if kwargs.get("created") or (update_fields is not None and "deleted_at" not in update_fields):
        return
    digests = list(
        Project.objects.filter(workspace=instance).values_list("ingest_key_hash", flat=True)
    )
    _forget_after_commit(digests)


@receiver(post_delete, sender=Project, dispatch_uid="projects.project_deleted")
def project_deleted(sender: type[Project], instance: Project, **kwargs: Any) -> None:
    _forget_after_commit([instance.ingest_key_hash])
