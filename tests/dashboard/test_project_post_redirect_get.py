"""POST/redirect/GET on every state-changing project page: each POST writes once and answers
with a redirect (htmx: 204 + HX-Redirect); reloading the page it lands on changes nothing
(no second key, no second rotation or reveal, no audit row) and a plaintext shown there once
is gone on the reload."""

from __future__ import annotations

import html as htmllib
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from django.urls import reverse

from accounts.models import ApiToken, AuditLog
from projects.models import Project
from tests.dashboard.helpers import HTMX


def purl(name: str, project: Project, **kw: Any) -> str:
    return reverse(name, kwargs={"ws": project.workspace_id, "project_id": project.pk, **kw})


def state() -> tuple[Any, ...]:
    """Everything a repeated POST could change: audit rows, keys, projects and their secrets."""
    return (
        list(AuditLog.objects.order_by("pk").values_list("pk", "action")),
        list(ApiToken.objects.order_by("pk").values_list("pk", "revoked_at")),
        list(
            Project.objects.order_by("pk").values_list(
                "pk", "name", "slug", "spending_cap_credits", "ingest_key", "mcp_token"
            )
        ),
    )


@dataclass(frozen=True)
class Case:
    action: str  # the audit action the POST records
    url: Callable[[Project, ApiToken], str]
    data: dict[str, str]
    shown_once: Callable[[Project, str], str | None] = lambda project, html: None


def new_key(project: Project, html: str) -> str:
    start = html.index('id="new-key"')
    return htmllib.unescape(html[html.index(">", start) + 1 : html.index("</code>", start)])


CASES = {
    "project-create": Case(
        "project.create",
        lambda p, k: reverse("projects:project-create", kwargs={"ws": p.workspace_id}),
        {"name": "Docs site", "slug": "docs-site"},
    ),
    "project-update": Case(
        "project.update",
        lambda p, k: purl("projects:project-update", p),
        {"name": "Storefront 2", "slug": "storefront"},
    ),
    "key-create": Case(
        "api_token.create",
        lambda p, k: purl("projects:key-create", p),
        {"family": "mlth", "name": "backend"},
        shown_once=new_key,
    ),
    "key-revoke": Case(
        "api_token.revoke",
        lambda p, k: purl("projects:key-revoke", p, key_id=k.pk),
        {"confirm": "yes"},
    ),
    "ingest-key-rotate": Case(
        "project.rotate_ingest_key",
        lambda p, k: purl("projects:ingest-key-rotate", p),
        {"confirm": "yes"},
    ),
    "secrets-reveal": Case(
        "project.reveal_secrets",
        lambda p, k: purl("projects:secrets-reveal", p),
        {},
        shown_once=lambda p, html: p.mcp_token,
    ),
    "secrets-rotate": Case(
        "project.rotate_mcp_token",
        lambda p, k: purl("projects:secrets-rotate", p),
        {"confirm": "on"},
        shown_once=lambda p, html: Project.objects.get(pk=p.pk).mcp_token,
    ),
}


@pytest.mark.parametrize("htmx", [False, True], ids=["form", "htmx"])
@pytest.mark.parametrize("name", sorted(CASES))
def test_post_redirects_and_reloading_the_result_changes_nothing(
    owner_client, project, wk_sk_key, name, htmx
):
    case = CASES[name]
    before = set(AuditLog.objects.values_list("pk", flat=True))

    response = owner_client.post(
        case.url(project, wk_sk_key.token), case.data, **(HTMX if htmx else {})
    )

    assert response.status_code == (204 if htmx else 302)
    location = response["HX-Redirect" if htmx else "Location"]
    written = AuditLog.objects.exclude(pk__in=before).values_list("action", flat=True)
    assert list(written) == [case.action]
    first = owner_client.get(location)
    assert first.status_code == 200
    after_post = state()
    secret = case.shown_once(project, first.content.decode())
    if secret is not None:
        assert secret in first.content.decode()
        assert first["Cache-Control"] == "no-store"

    reload = owner_client.get(location)

    assert reload.status_code == 200
    assert state() == after_post
    if secret is not None:
        assert secret not in reload.content.decode()


def test_reload_after_minting_shows_the_key_by_its_last_four_only(admin_client, project):
    location = admin_client.post(
        purl("projects:key-create", project), {"family": "wk_sk", "name": "reader"}
    )["Location"]
    raw = new_key(project, admin_client.get(location).content.decode())
    again = admin_client.get(location).content.decode()
    assert 'id="new-key"' not in again
    assert raw not in again
    assert f"wk_sk_…{raw[-4:]}" in again
    assert ApiToken.objects.filter(name="reader").count() == 1


def test_a_minted_key_is_shown_only_on_its_own_project(owner_client, workspace, project):
    from tests.factories import ProjectFactory

    other = ProjectFactory.create(workspace=workspace, name="Other", slug="other-p")
    owner_client.post(purl("projects:key-create", project), {"family": "mlth", "name": "k"})
    elsewhere = owner_client.get(purl("projects:project-detail", other)).content.decode()
    here = owner_client.get(purl("projects:project-detail", project)).content.decode()
    assert 'id="new-key"' not in elsewhere
    assert 'id="new-key"' in here


def test_refused_post_renders_errors_and_writes_nothing(owner_client, project):
    before = state()
    response = owner_client.post(purl("projects:secrets-rotate", project))
    assert response.status_code == 400
    response = owner_client.post(purl("projects:key-create", project), {"family": "mlth"})
    assert response.status_code == 400
    assert state() == before
