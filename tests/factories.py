"""factory-boy factories: workspace -> project -> ... chains (STYLE 3.5)."""

from __future__ import annotations

from typing import Any

import factory
from factory.django import DjangoModelFactory

from accounts import services as account_services
from accounts.audit import Actor
from accounts.models import ApiToken, Membership, Role, TokenFamily, User, Workspace
from projects.models import Project

DEFAULT_PASSWORD = "correct-horse-battery-staple"


class UserFactory(DjangoModelFactory[User]):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"user{n}@example.com")
    name = factory.Faker("name")
    password = factory.django.Password(DEFAULT_PASSWORD)


class WorkspaceFactory(DjangoModelFactory[Workspace]):
    class Meta:
        model = Workspace
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"Workspace {n}")


class MembershipFactory(DjangoModelFactory[Membership]):
    class Meta:
        model = Membership
        skip_postgeneration_save = True

    workspace = factory.SubFactory(WorkspaceFactory)
    user = factory.SubFactory(UserFactory)
    role = Role.MEMBER


class ProjectFactory(DjangoModelFactory[Project]):
    class Meta:
        model = Project
        skip_postgeneration_save = True

    workspace = factory.SubFactory(WorkspaceFactory)
    name = factory.Sequence(lambda n: f"Project {n}")
    slug = factory.Sequence(lambda n: f"project-{n}")

    @classmethod
    def _create(cls, model_class: type[Project], *args: Any, **kwargs: Any) -> Project:
        # The django plugin matches *args against the first field (id); factory_boy passes none.
        project = model_class(*args, **kwargs)  # type: ignore[misc]
        project.set_all_secrets()
        project.save()
        return project


def mint_token(
    *,
    workspace: Workspace,
    family: str = TokenFamily.GREATFEEDBACK,
    role: str | None = Role.MEMBER,
    created_by: User | None = None,
    project: Project | None = None,
    name: str = "test token",
    **extra: Any,
) -> tuple[ApiToken, str]:
    """A real token through the minting service: returns ``(row, plaintext)``."""
    actor = Actor.for_user(created_by) if created_by else Actor.system()
    if family == TokenFamily.MINOLITH and project is None:
        project = ProjectFactory.create(workspace=workspace)
    token, raw = account_services.api_token_mint(
        workspace=workspace,
        family=family,
        name=name,
        role=role,
        actor=actor,
        project=project,
        **extra,
    )
    return token, raw
