"""Feedback fixtures and assertions: Minolith error bodies, clients for a second project,
a GUEST key, and the documented item shape."""

from __future__ import annotations

from typing import Any

import pytest

from accounts.models import Role, TokenFamily
from feedback.models import Item
from tests.conftest import Credential, bearer_client
from tests.factories import ProjectFactory, mint_token

ITEMS = "/v1/feedback/items"
DOCS = "https://docs.minolith.io/api/feedback"
ITEM_KEYS = {
    "id",
    "title",
    "body",
    "type",
    "status",
    "priority",
    "source",
    "tags",
    "page_url",
    "user_email",
    "user_name",
    "user_id_external",
    "created_at",
    "updated_at",
}


def minolith_error(code: str, message: str, anchor: str = "errors") -> dict[str, Any]:
    return {"error": {"code": code, "message": message, "docs": f"{DOCS}#{anchor}"}}


def assert_error(response: Any, status: int, code: str, message: str, anchor: str = "errors"):
    assert response.status_code == status, response.content
    assert response.json() == minolith_error(code, message, anchor)


def not_found_body(item_id: str) -> dict[str, Any]:
    return minolith_error("item_not_found", f"Feedback item '{item_id}' not found.", "get-item")


def item_count() -> int:
    return Item.objects.count()


@pytest.fixture
def sibling_project(workspace):
    """A second project in Alice's workspace: its items are not the first key's."""
    return ProjectFactory.create(workspace=workspace, name="Backoffice", slug="backoffice")


@pytest.fixture
def sibling_client(workspace, owner, sibling_project):
    _, raw = mint_token(
        workspace=workspace, created_by=owner, family=TokenFamily.MINOLITH, project=sibling_project
    )
    return bearer_client(raw)


@pytest.fixture
def guest_mlth_client(workspace, owner, project):
    _, raw = mint_token(
        workspace=workspace,
        created_by=owner,
        family=TokenFamily.MINOLITH,
        project=project,
        role=Role.GUEST,
    )
    return bearer_client(raw)


@pytest.fixture
def outsider_client(other_workspace, outsider, other_project):
    _token, raw = mint_token(
        workspace=other_workspace,
        created_by=outsider,
        family=TokenFamily.MINOLITH,
        project=other_project,
    )
    return bearer_client(raw)


@pytest.fixture
def outsider_credential(other_workspace, outsider, other_project) -> Credential:
    return Credential(
        *mint_token(
            workspace=other_workspace,
            created_by=outsider,
            family=TokenFamily.MINOLITH,
            project=other_project,
        )
    )
