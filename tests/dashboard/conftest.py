"""Dashboard fixtures: a signed-in browser-like client per persona, plus an ADMIN (adam)."""

from __future__ import annotations

import pytest
from django.test import Client

from accounts.models import Role, User
from tests.dashboard.helpers import signed_in
from tests.factories import MembershipFactory, UserFactory


@pytest.fixture
def admin(workspace) -> User:
    return MembershipFactory.create(
        workspace=workspace, role=Role.ADMIN, user=UserFactory.create(email="adam@example.com")
    ).user


@pytest.fixture
def owner_client(owner, workspace) -> Client:
    return signed_in(owner)


@pytest.fixture
def member_client(member) -> Client:
    return signed_in(member)


@pytest.fixture
def guest_client(guest) -> Client:
    return signed_in(guest)


@pytest.fixture
def admin_client(admin) -> Client:
    return signed_in(admin)


@pytest.fixture
def outsider_client(outsider) -> Client:
    return signed_in(outsider)


@pytest.fixture
def personas(owner, admin, member, guest) -> dict[str, User]:
    return {Role.OWNER: owner, Role.ADMIN: admin, Role.MEMBER: member, Role.GUEST: guest}
