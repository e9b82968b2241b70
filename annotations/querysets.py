"""Annotation querysets. ``for_workspace`` (or ``for_project``) is where every read starts."""

from __future__ import annotations

from typing import TYPE_CHECKING, Self

from django.db import models

from config.ids import is_hex32
from projects.querysets import ProjectScopedQuerySet

if TYPE_CHECKING:
    from accounts.models import Workspace
    from annotations.models import (  # noqa: F401  (named in string base classes)
        Annotation,
        Persona,
        Stakeholder,
    )


class AnnotationQuerySet(ProjectScopedQuerySet["Annotation"]):
    def with_id(self, annotation_id: str) -> Self:
        """Ids are 32 hex characters; anything else names nothing and costs no query."""
        if not is_hex32(annotation_id):
            return self.none()
        return self.filter(pk=annotation_id)

    def one(self) -> Annotation | None:
        """The row of a ``with_id`` lookup, or None. Not ``first()``: it adds the model's
        ORDER BY, and compiling that cost more than the query on the reply POST's path
        (bench/annotations.py)."""
        return next(iter(self.order_by()[:1]), None)


class StakeholderQuerySet(ProjectScopedQuerySet["Stakeholder"]):
    def active(self) -> Self:
        return self.filter(revoked_at__isnull=True)


class PersonaQuerySet(models.QuerySet["Persona"]):
    def for_workspace(self, workspace: Workspace) -> Self:
        return self.filter(workspace=workspace)

    def with_id(self, persona_id: str) -> Self:
        if not is_hex32(persona_id):
            return self.none()
        return self.filter(pk=persona_id)
