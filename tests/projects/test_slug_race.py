"""Two submissions racing for one public slug: the form's "already taken" check passed for
both, the database's unique constraint stops the second. That must be a form error (or, for
a slug Backtalk derived from the name, another slug), never a 500 or a half-written row."""

from __future__ import annotations

import pytest

from accounts.audit import Actor
from accounts.models import AuditLog
from projects import services
from projects.models import Project
from tests.factories import ProjectFactory


@pytest.fixture
def actor(owner) -> Actor:
    return Actor.for_user(owner)


def test_explicit_slug_taken_meanwhile_raises_slug_taken_and_writes_nothing(workspace, actor):
    ProjectFactory.create(workspace=workspace, slug="shop")
    audits = AuditLog.objects.count()

    with pytest.raises(services.SlugTaken):
        services.project_create(workspace=workspace, name="Shop", slug="shop", actor=actor)

    assert Project.objects.filter(slug="shop").count() == 1
    assert AuditLog.objects.count() == audits


def test_derived_slug_that_loses_the_race_gets_another(workspace, actor, monkeypatch):
    ProjectFactory.create(workspace=workspace, slug="shop")
    derived = iter(["shop", "shop-abc123"])  # the first answer was free when it was checked
    monkeypatch.setattr(services, "unique_slug", lambda name: next(derived))

    project = services.project_create(workspace=workspace, name="Shop", actor=actor)

    assert project.slug == "shop-abc123"
    assert Project.objects.filter(workspace=workspace).count() == 2


def test_renaming_to_a_slug_taken_meanwhile_raises_and_keeps_the_old_slug(workspace, actor):
    ProjectFactory.create(workspace=workspace, slug="shop")
    project = ProjectFactory.create(workspace=workspace, slug="store")

    with pytest.raises(services.SlugTaken):
        services.project_update(project=project, actor=actor, slug="shop")

    assert project.slug == "store"
    project.refresh_from_db()
    assert project.slug == "store"
