"""Default personas for workspaces that existed before personas: the data migration seeds
each of them (and only what is missing), through the real migration executor."""

from __future__ import annotations

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from annotations.models import Persona
from tests.factories import WorkspaceFactory

SEED = ("annotations", "0003_seed_default_personas")
BEFORE = ("annotations", "0002_annotation_triage")


def migrate(target: tuple[str, str]) -> None:
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate([target])


@pytest.mark.django_db(transaction=True)
def test_the_data_migration_seeds_existing_workspaces_and_keeps_their_edits():
    migrate(BEFORE)
    try:
        # Workspaces written straight to the table, as before personas existed.
        bare = WorkspaceFactory.create()
        partial = WorkspaceFactory.create()
        Persona.objects.create(
            workspace=partial,
            slug="form-filler",
            name="Our form filler",
            category="usability",
            is_default=True,
        )
        assert Persona.objects.filter(workspace=bare).count() == 0
    finally:
        migrate(SEED)
    assert Persona.objects.filter(workspace=bare, is_default=True).count() == 60
    assert Persona.objects.filter(workspace=partial).count() == 60
    assert Persona.objects.get(workspace=partial, slug="form-filler").name == "Our form filler"


@pytest.mark.django_db(transaction=True)
def test_running_the_migration_again_adds_nothing():
    workspace = WorkspaceFactory.create()
    migrate(BEFORE)
    migrate(SEED)
    migrate(BEFORE)
    migrate(SEED)
    assert Persona.objects.filter(workspace=workspace).count() == 60
