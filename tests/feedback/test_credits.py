"""Credits: one per created item whatever the channel, counted atomically in the insert's
transaction; an optional per-project spending cap answers 402 and stores nothing."""

from __future__ import annotations

import threading

import pytest
from django.db import connection, connections

from accounts.audit import Actor
from accounts.models import AuditLog
from feedback import services
from feedback.errors import SpendingCapExceeded
from feedback.models import Item, Note
from projects.models import Project
from tests.factories import ProjectFactory
from tests.feedback.conftest import ITEMS, assert_error, item_count
from tests.feedback.factories import ItemFactory


def credits(project: Project) -> int:
    project.refresh_from_db()
    return project.credits_used


def test_every_created_item_costs_one_credit(minolith_client, api_client, project):
    minolith_client.post(ITEMS, {"body": "api"}, format="json")
    api_client.post(f"/v1/feedback/public/{project.slug}", {"body": "widget"}, format="json")
    services.item_create(project=project, actor=Actor.for_mcp(project.pk), source="mcp", body="m")

    assert credits(project) == 3
    assert sorted(Item.objects.values_list("source", flat=True)) == ["api", "mcp", "widget"]


def test_spending_cap_is_402_and_stores_nothing(minolith_client, project):
    project.spending_cap_credits = 2
    project.save()
    assert [minolith_client.post(ITEMS, {"body": str(i)}, format="json").status_code
            for i in range(2)] == [201, 201]  # fmt: skip

    response = minolith_client.post(ITEMS, {"body": "third", "tags": ["t"]}, format="json")

    assert_error(response, 402, "spending_cap_exceeded", "Spending cap exceeded.")
    assert item_count() == 2
    assert credits(project) == 2
    assert AuditLog.objects.filter(action="feedback.item.create").count() == 2


def test_a_zero_cap_refuses_the_first_item(minolith_client, project):
    project.spending_cap_credits = 0
    project.save()

    assert minolith_client.post(ITEMS, {"body": "x"}, format="json").status_code == 402
    assert item_count() == 0
    assert credits(project) == 0


def test_raising_the_cap_allows_items_again(minolith_client, project):
    project.spending_cap_credits = 1
    project.save()
    minolith_client.post(ITEMS, {"body": "1"}, format="json")
    assert minolith_client.post(ITEMS, {"body": "2"}, format="json").status_code == 402

    Project.objects.filter(pk=project.pk).update(spending_cap_credits=5)

    assert minolith_client.post(ITEMS, {"body": "2"}, format="json").status_code == 201
    assert credits(project) == 2


def test_free_operations_still_work_at_the_cap(minolith_client, project):
    project.spending_cap_credits = 0
    project.save()
    item = ItemFactory.create(project=project)

    assert minolith_client.get(ITEMS).status_code == 200
    assert minolith_client.put(f"{ITEMS}/{item.pk}", {"status": "planned"},
                               format="json").status_code == 200  # fmt: skip
    assert minolith_client.post(f"{ITEMS}/{item.pk}/notes", {"body": "n"},
                                format="json").status_code == 201  # fmt: skip
    assert minolith_client.delete(f"{ITEMS}/{item.pk}").status_code == 204
    assert credits(project) == 0


def test_the_cap_of_one_project_does_not_limit_another(
    minolith_client, sibling_client, project, sibling_project
):
    project.spending_cap_credits = 0
    project.save()

    assert minolith_client.post(ITEMS, {"body": "x"}, format="json").status_code == 402
    assert sibling_client.post(ITEMS, {"body": "x"}, format="json").status_code == 201
    assert (credits(project), credits(sibling_project)) == (0, 1)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_creates_never_overrun_the_cap(workspace):
    """Twelve threads race for five credits: exactly five items, credits_used 5."""
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL: SQLite serialises writers, so there is no race to test")
    project = ProjectFactory.create(workspace=workspace, spending_cap_credits=5)
    barrier = threading.Barrier(12)
    outcomes: list[str] = []
    lock = threading.Lock()

    def submit(n: int) -> None:
        try:
            barrier.wait()
            try:
                services.item_create(
                    project=project, actor=Actor.system(), source="api", body=f"race {n}"
                )
                result = "created"
            except SpendingCapExceeded:
                result = "capped"
            with lock:
                outcomes.append(result)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=submit, args=(n,)) for n in range(12)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(outcomes) == ["capped"] * 7 + ["created"] * 5
    assert Item.objects.filter(project=project).count() == 5
    assert credits(project) == 5
    # One audit row per stored item, none for a refused one (one statement, all or nothing).
    assert AuditLog.objects.filter(action="feedback.item.create").count() == 5
    assert not Note.objects.exists()
