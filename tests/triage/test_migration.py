"""feedback 0003 moves the old feedback corrections into triage.TriageCorrection, keeping
what they said and adding the item's text and labels, and gives triaged items their label."""

from __future__ import annotations

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

OLD = [("feedback", "0002_item_triage_fields"), ("triage", "0001_triage_corrections")]
NEW = [("feedback", "0003_triage_app")]


@pytest.mark.django_db(transaction=True)
def test_old_corrections_are_copied_with_text_and_labels():
    executor = MigrationExecutor(connection)
    executor.migrate(OLD)
    old_apps = executor.loader.project_state(OLD).apps
    Workspace = old_apps.get_model("accounts", "Workspace")
    Project = old_apps.get_model("projects", "Project")
    Item = old_apps.get_model("feedback", "Item")
    OldCorrection = old_apps.get_model("feedback", "TriageCorrection")
    ws = Workspace.objects.create(name="W")
    project = Project.objects.create(
        workspace=ws,
        name="P",
        slug="p-mig",
        ingest_key_hash="a" * 64,
        widget_token_hash="b" * 64,
        mcp_token_hash="c" * 64,
    )
    item = Item.objects.create(
        id="fbk_00000000abcd",
        project=project,
        body="Het afrekenen lukt niet",
        page_url="/checkout",
        category="question",
        sentiment="neutral",
        triage_language="nl",
    )
    OldCorrection.objects.create(
        item=item, project=project, field="category", old_value="bug", new_value="question"
    )

    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(NEW)
    new_apps = executor.loader.project_state(NEW).apps
    Correction = new_apps.get_model("triage", "TriageCorrection")
    NewItem = new_apps.get_model("feedback", "Item")

    row = Correction.objects.get()
    assert (row.object_id, row.project_id, row.field, row.old_value, row.new_value) == (
        item.pk,
        project.pk,
        "category",
        "bug",
        "question",
    )
    assert (row.text, row.page, row.language, row.category_after, row.sentiment_after) == (
        "Het afrekenen lukt niet",
        "/checkout",
        "nl",
        "question",
        "neutral",
    )
    assert (row.content_type.app_label, row.content_type.model) == ("feedback", "item")
    assert NewItem.objects.get().triage_label == "question"
