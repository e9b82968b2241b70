"""Chainable, tenant-scoped querysets for the accounts models."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db import models
from django.utils import timezone

if TYPE_CHECKING:
    from accounts.models import User, Workspace


class WorkspaceQuerySet(models.QuerySet):
    def alive(self) -> WorkspaceQuerySet:
        return self.filter(deleted_at__isnull=True)

    def for_user(self, user: User) -> WorkspaceQuerySet:
        return self.filter(memberships__user=user)


class MembershipQuerySet(models.QuerySet):
    def for_workspace(self, workspace: Workspace) -> MembershipQuerySet:
        return self.filter(workspace=workspace)


class ApiTokenQuerySet(models.QuerySet):
    def for_workspace(self, workspace: Workspace) -> ApiTokenQuerySet:
        return self.filter(workspace=workspace)

    def active(self) -> ApiTokenQuerySet:
        now = timezone.now()
        return self.filter(revoked_at__isnull=True).filter(
            models.Q(expires_at__isnull=True) | models.Q(expires_at__gt=now)
        )
