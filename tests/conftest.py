"""Shared fixtures: HC-style personas (owner, member, guest, outsider) around one
workspace, and one API client per credential family."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

import pytest
from rest_framework.test import APIClient

from accounts.models import ApiToken, Role, TokenFamily, User, Workspace
from projects.models import Project
from tests.factories import MembershipFactory, ProjectFactory, UserFactory, mint_token


@pytest.fixture(autouse=True)
def _isolated_cache(settings):
    """A fresh cache namespace per test: rate-limit counters and idempotency records from
    one test (or from another run sharing the same Redis) never leak into the next."""
    caches = {alias: dict(conf) for alias, conf in settings.CACHES.items()}
    caches["default"]["KEY_PREFIX"] = f"test-{uuid.uuid4().hex[:12]}"
    settings.CACHES = caches
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


@pytest.fixture
def owner(db) -> User:
    return UserFactory.create(email="alice@example.com")


@pytest.fixture
def workspace(owner) -> Workspace:
    from accounts.services import workspace_create

    return workspace_create(owner=owner, name="Alice's workspace")


@pytest.fixture
def project(workspace) -> Project:
    return ProjectFactory.create(workspace=workspace, name="Storefront", slug="storefront")


@pytest.fixture
def member(workspace) -> User:
    return MembershipFactory.create(
        workspace=workspace, role=Role.MEMBER, user=UserFactory.create(email="bob@example.com")
    ).user


@pytest.fixture
def guest(workspace) -> User:
    return MembershipFactory.create(
        workspace=workspace, role=Role.GUEST, user=UserFactory.create(email="gina@example.com")
    ).user


@pytest.fixture
def outsider(db) -> User:
    """Charlie owns a different workspace with its own project."""
    from accounts.services import workspace_create

    charlie = UserFactory.create(email="charlie@example.com")
    other = workspace_create(owner=charlie, name="Charlie's workspace")
    ProjectFactory.create(workspace=other, name="Charlie's site", slug="charlie-site")
    return charlie


@pytest.fixture
def other_workspace(outsider) -> Workspace:
    return Workspace.objects.get(memberships__user=outsider)


@pytest.fixture
def other_project(other_workspace) -> Project:
    return Project.objects.get(workspace=other_workspace)


@dataclass
class Credential:
    token: ApiToken
    raw: str


@pytest.fixture
def gf_token(workspace, owner) -> Credential:
    return Credential(*mint_token(workspace=workspace, created_by=owner))


@pytest.fixture
def gf_guest_token(workspace, owner) -> Credential:
    return Credential(*mint_token(workspace=workspace, created_by=owner, role=Role.GUEST))


@pytest.fixture
def wk_sk_key(workspace, owner) -> Credential:
    return Credential(
        *mint_token(workspace=workspace, created_by=owner, family=TokenFamily.WRITEBACK_READ)
    )


@pytest.fixture
def mlth_key(workspace, owner, project) -> Credential:
    return Credential(
        *mint_token(
            workspace=workspace, created_by=owner, family=TokenFamily.MINOLITH, project=project
        )
    )


def bearer_client(raw: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
    return client


@pytest.fixture
def api_client() -> APIClient:
    return APIClient()


@pytest.fixture
def gf_client(gf_token) -> APIClient:
    return bearer_client(gf_token.raw)


@pytest.fixture
def writeback_client(wk_sk_key) -> APIClient:
    return bearer_client(wk_sk_key.raw)


@pytest.fixture
def minolith_client(mlth_key) -> APIClient:
    return bearer_client(mlth_key.raw)


def session_client(user: User, workspace: Workspace | None = None) -> APIClient:
    """A signed-in dashboard session; CSRF is enforced like a browser's."""
    client = APIClient(enforce_csrf_checks=True)
    client.force_login(user)
    if workspace is not None:
        client.credentials(HTTP_X_GF_WORKSPACE=workspace.pk)
    return client


def csrf_headers(client: APIClient) -> dict[str, str]:
    """Fetch a CSRF cookie the way the dashboard does and return the header to send."""
    client.get("/accounts/login/")
    return {"HTTP_X_CSRFTOKEN": client.cookies["csrftoken"].value}


@pytest.fixture
def locmem_cache(settings):
    """Count only the app's queries: with the embedded DatabaseCache every rate-limit check
    is SQL too (on Redis it is not), so query-count tests run on a local-memory cache."""
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": f"query-count-{id(settings)}",
        }
    }
