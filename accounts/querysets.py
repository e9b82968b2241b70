"""Chainable, tenant-scoped querysets for the accounts models."""

from __future__ import annotations

from typing import TYPE_CHECKING, Self

from django.db import models
from django.utils import timezone

if TYPE_CHECKING:
    # ApiToken and Membership are named in string base classes, which ruff does not see.
    from accounts.models import ApiToken, Membership, User, Workspace  # noqa: F401


class WorkspaceQuerySet(models.QuerySet["Workspace"]):
    def for_user(self, user: User) -> Self:
        return self.filter(memberships__user=user)


class MembershipQuerySet(models.QuerySet["Membership"]):
    def for_workspace(self, workspace: Workspace) -> Self:
        return self.filter(workspace=workspace)


class ApiTokenQuerySet(models.QuerySet["ApiToken"]):
    def for_workspace(self, workspace: Workspace) -> Self:
        return self.filter(workspace=workspace)

    def active(self) -> Self:
        now = timezone.now()
        return self.filter(revoked_at__isnull=True).filter(
            models.Q(expires_at__isnull=True) | models.Q(expires_at__gt=now)
        )
