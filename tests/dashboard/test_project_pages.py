"""Projects in the dashboard: create and edit (slug, origins, spending cap), the ingest key,
project keys shown once, credits, links, copy-ready snippets with the served address."""

from __future__ import annotations

import html as htmllib

import pytest
from django.urls import reverse

from accounts.models import ApiToken, AuditLog, TokenFamily
from config.ids import secret_digest
from projects.forms import ProjectForm, parse_origin
from projects.models import Project
from projects.selectors import ingest_target_get
from tests.conftest import bearer_client
from tests.dashboard.helpers import HTMX, audit_count
from tests.factories import ProjectFactory, mint_token


def url(name, workspace, **kw):
    return reverse(name, kwargs={"ws": workspace.pk, **kw})


def purl(name, project, **kw):
    return reverse(name, kwargs={"ws": project.workspace_id, "project_id": project.pk, **kw})


def created_secret(html: str, element_id: str) -> str:
    start = html.index(f'id="{element_id}"')
    return htmllib.unescape(html[html.index(">", start) + 1 : html.index("</code>", start)])


def test_admin_creates_a_project(admin_client, workspace, admin):
    response = admin_client.post(
        url("projects:project-create", workspace),
        {
            "name": "Shop",
            "slug": "",
            "domain": "shop.example.com",
            "allowed_origins": "https://Shop.Example.com/\n\nhttp://localhost:3000\n",
            "spending_cap_credits": "",
        },
    )
    project = Project.objects.get(name="Shop")
    assert response.status_code == 302
    assert response["Location"] == purl("projects:project-detail", project)
    assert project.workspace == workspace
    assert project.slug == "shop"
    assert project.allowed_origins == ["https://shop.example.com", "http://localhost:3000"]
    assert project.spending_cap_credits is None
    assert project.ingest_key.startswith("wk_")
    entry = AuditLog.objects.get(action="project.create", target_id=project.pk)
    assert entry.actor_id == f"user:{admin.pk}"


def test_create_with_cap_and_explicit_slug(owner_client, workspace):
    owner_client.post(
        url("projects:project-create", workspace),
        {"name": "Docs", "slug": "Docs-Site", "spending_cap_credits": "250"},
    )
    project = Project.objects.get(name="Docs")
    assert project.slug == "docs-site"
    assert project.spending_cap_credits == 250


@pytest.mark.parametrize(
    "origin",
    [
        "example.com",
        "https://example.com/path",
        "ftp://example.com",
        "https://user:pw@example.com",
        "https://example.com:99999",
        "https://example.com?x=1",
        "https://example.com#top",
        "javascript:alert(1)",
        "https://",
    ],
)
def test_invalid_origin_is_refused_and_nothing_created(owner_client, workspace, origin):
    before = audit_count()
    response = owner_client.post(
        url("projects:project-create", workspace), {"name": "Bad", "allowed_origins": origin}
    )
    assert response.status_code == 400
    assert "origin" in response.content.decode()
    assert not Project.objects.filter(name="Bad").exists()
    assert audit_count() == before


@pytest.mark.parametrize(
    ("line", "origin"),
    [
        ("https://example.com", "https://example.com"),
        ("HTTPS://EXAMPLE.com/", "https://example.com"),
        ("http://localhost:8080", "http://localhost:8080"),
        ("  https://a.b.example.org:443  ", "https://a.b.example.org:443"),
        ("http://[::1]:3000", "http://[::1]:3000"),
    ],
)
def test_origins_are_normalised(line, origin):
    assert parse_origin(line) == origin


def test_taken_slug_is_refused(owner_client, workspace, other_project):
    response = owner_client.post(
        url("projects:project-create", workspace), {"name": "Copy", "slug": other_project.slug}
    )
    assert response.status_code == 400
    assert "already taken" in response.content.decode()


def test_negative_cap_is_refused(owner_client, workspace):
    response = owner_client.post(
        url("projects:project-create", workspace), {"name": "Neg", "spending_cap_credits": "-1"}
    )
    assert response.status_code == 400
    assert not Project.objects.filter(name="Neg").exists()


def test_update_settings_records_only_changes(admin_client, project):
    response = admin_client.post(
        purl("projects:project-update", project),
        {
            "name": "Storefront",
            "slug": "store",
            "domain": "",
            "allowed_origins": "https://store.example.com",
            "spending_cap_credits": "1000",
        },
    )
    assert response.status_code == 302
    project.refresh_from_db()
    assert project.slug == "store"
    assert project.allowed_origins == ["https://store.example.com"]
    assert project.spending_cap_credits == 1000
    entry = AuditLog.objects.get(action="project.update")
    assert entry.data == {
        "slug": "store",
        "allowed_origins": ["https://store.example.com"],
        "spending_cap_credits": 1000,
    }


def test_clearing_the_cap_means_no_cap(owner_client, project):
    Project.objects.filter(pk=project.pk).update(spending_cap_credits=10)
    owner_client.post(
        purl("projects:project-update", project),
        {"name": project.name, "slug": project.slug, "spending_cap_credits": ""},
    )
    project.refresh_from_db()
    assert project.spending_cap_credits is None


def test_slug_cannot_be_blanked_on_update(owner_client, project):
    response = owner_client.post(
        purl("projects:project-update", project), {"name": project.name, "slug": ""}
    )
    assert response.status_code == 400
    project.refresh_from_db()
    assert project.slug == "storefront"


def test_detail_shows_ingest_key_and_snippets_with_site_url(member_client, project, settings):
    settings.SITE_URL = "https://fb.example.org"
    html = member_client.get(purl("projects:project-detail", project)).content.decode()
    text = htmllib.unescape(html)
    assert project.ingest_key in html
    assert (
        '<script src="https://fb.example.org/widget/feedback.js" data-project="storefront">'
        "</script>" in text
    )
    assert "curl -X POST https://fb.example.org/v1/reports" in text
    assert f'"ingest_key": "{project.ingest_key}"' in text
    assert "curl -X POST https://fb.example.org/v1/feedback/items" in text
    assert "curl -X POST https://fb.example.org/v1/feedback \\" in text
    assert f'"projectId": "{project.pk}"' in text
    assert "https://fb.example.org/api/v1/sites" in text
    assert f"https://fb.example.org/v1/dashboard/{project.pk}/reports" in text
    # Secrets are never part of the project page.
    assert project.mcp_token not in html
    assert project.widget_token not in html


def test_guest_sees_no_keys(guest_client, project, wk_sk_key):
    html = guest_client.get(purl("projects:project-detail", project)).content.decode()
    assert project.ingest_key not in html
    assert "wk_your_ingest_key" in html
    assert wk_sk_key.token.last4 not in html
    assert "hidden from guests" in html


def test_project_name_is_escaped(owner_client, workspace, project):
    Project.objects.filter(pk=project.pk).update(name='<img src=x onerror="alert(1)">')
    for page in ("projects:project-detail", "projects:secrets-detail"):
        html = owner_client.get(purl(page, project)).content.decode()
        assert "<img src=x" not in html
        assert "&lt;img src=x" in html


def test_admin_mints_a_minolith_key_shown_once(admin_client, project):
    response = admin_client.post(
        purl("projects:key-create", project), {"family": "mlth", "name": "backend"}
    )
    assert response.status_code == 302
    assert response["Location"] == purl("projects:project-detail", project) + "#key-created"
    shown = admin_client.get(response["Location"])
    assert shown["Cache-Control"] == "no-store"
    raw = created_secret(shown.content.decode(), "new-key")
    key = ApiToken.objects.get(name="backend")
    assert raw.startswith("mlth_")
    assert key.family == TokenFamily.MINOLITH
    assert key.project == project
    assert key.token_hash == secret_digest(raw)
    again = admin_client.get(purl("projects:project-detail", project)).content.decode()
    assert raw not in again
    assert f"mlth_…{raw[-4:]}" in again


def test_admin_mints_a_writeback_key_that_reads_projects(admin_client, project):
    response = admin_client.post(
        purl("projects:key-create", project), {"family": "wk_sk", "name": "reader"}, **HTMX
    )
    assert response.status_code == 204  # htmx navigates: the POST's URL is never reloaded
    assert response["HX-Redirect"] == purl("projects:project-detail", project) + "#key-created"
    raw = created_secret(admin_client.get(response["HX-Redirect"]).content.decode(), "new-key")
    assert raw.startswith("wk_sk_")
    key = ApiToken.objects.get(name="reader")
    assert key.project is None  # workspace-wide, as GET /v1/projects lists every project
    api = bearer_client(raw).get("/v1/projects")
    assert api.status_code == 200
    assert [p["id"] for p in api.json()] == [project.pk]


def test_gfat_family_cannot_be_minted_from_the_project_page(owner_client, project):
    response = owner_client.post(
        purl("projects:key-create", project), {"family": "gfat", "name": "sneaky"}
    )
    assert response.status_code == 400
    assert not ApiToken.objects.filter(name="sneaky").exists()


def test_key_list_shows_this_projects_keys_only(owner_client, workspace, project, owner):
    other = ProjectFactory.create(workspace=workspace, name="Other", slug="other-p")
    mine, _ = mint_token(
        workspace=workspace,
        family=TokenFamily.MINOLITH,
        project=project,
        created_by=owner,
        name="mine",
    )
    theirs, _ = mint_token(
        workspace=workspace,
        family=TokenFamily.MINOLITH,
        project=other,
        created_by=owner,
        name="theirs",
    )
    html = owner_client.get(purl("projects:project-detail", project)).content.decode()
    assert f'id="key-{mine.pk}"' in html
    assert f'id="key-{theirs.pk}"' not in html


def test_revoke_key_needs_confirmation_then_stops_it(owner_client, project, wk_sk_key):
    target = purl("projects:key-revoke", project, key_id=wk_sk_key.token.pk)
    assert owner_client.get(target).status_code == 200
    assert owner_client.post(target).status_code == 200
    assert bearer_client(wk_sk_key.raw).get("/v1/projects").status_code == 200
    response = owner_client.post(target, {"confirm": "yes"})
    assert response.status_code == 302
    assert bearer_client(wk_sk_key.raw).get("/v1/projects").status_code == 401


def test_key_of_other_project_cannot_be_revoked_here(owner_client, workspace, project, owner):
    other = ProjectFactory.create(workspace=workspace, name="Other", slug="other-p")
    key, _ = mint_token(
        workspace=workspace, family=TokenFamily.MINOLITH, project=other, created_by=owner
    )
    response = owner_client.post(
        purl("projects:key-revoke", project, key_id=key.pk), {"confirm": "yes"}
    )
    assert response.status_code == 404
    key.refresh_from_db()
    assert key.revoked_at is None


def test_rotate_ingest_key(admin_client, project):
    old = project.ingest_key
    assert admin_client.post(purl("projects:ingest-key-rotate", project)).status_code == 302
    project.refresh_from_db()
    assert project.ingest_key == old  # no confirm, no rotation
    admin_client.post(purl("projects:ingest-key-rotate", project), {"confirm": "yes"})
    project.refresh_from_db()
    assert project.ingest_key != old
    assert ingest_target_get(old) is None
    target = ingest_target_get(project.ingest_key)
    assert target is not None
    assert target.project_id == project.pk


def test_project_list_query_count_does_not_grow(owner_client, workspace, django_assert_num_queries):
    target = url("projects:project-list", workspace)
    owner_client.get(target)
    with django_assert_num_queries(5):
        owner_client.get(target)
    for i in range(8):
        ProjectFactory.create(workspace=workspace, name=f"P{i}", slug=f"p-{i}")
    with django_assert_num_queries(5):
        owner_client.get(target)


def test_slug_taken_after_the_form_check_is_a_form_error_not_a_500(
    owner_client, workspace, other_project, monkeypatch
):
    """The race: the form's uniqueness check passed, then another project took the slug."""
    monkeypatch.setattr(ProjectForm, "clean_slug", lambda form: form.cleaned_data["slug"])

    response = owner_client.post(
        url("projects:project-create", workspace), {"name": "Copy", "slug": other_project.slug}
    )

    assert response.status_code == 400
    assert "This slug is already taken." in response.content.decode()
    assert not Project.objects.filter(workspace=workspace, name="Copy").exists()


@pytest.mark.parametrize(
    ("site_url", "base"),
    [("", "http://testserver"), ("https://fb.example.org/", "https://fb.example.org")],
)
def test_snippets_and_mcp_line_follow_the_served_address_unless_site_url_is_set(
    owner_client, project, settings, site_url, base
):
    settings.SITE_URL = site_url
    location = owner_client.post(purl("projects:secrets-reveal", project))["Location"]
    secrets = owner_client.get(location).content.decode()
    assert f"claude mcp add greatfeedback {base}/mcp/{project.mcp_token}" in secrets
    text = htmllib.unescape(
        owner_client.get(purl("projects:project-detail", project)).content.decode()
    )
    assert f'<script src="{base}/widget/feedback.js" data-project="storefront">' in text
    assert f"curl -X POST {base}/v1/reports \\" in text
    assert f"curl -X POST {base}/v1/feedback/items \\" in text
    assert f"curl -X POST {base}/v1/feedback \\" in text
    assert f'curl "{base}/v1/dashboard/{project.pk}/reports"' in text
    assert f"curl {base}/api/v1/sites" in text
    assert "127.0.0.1" not in text


def test_detail_shows_credits_used_left_and_cap(member_client, project):
    Project.objects.filter(pk=project.pk).update(spending_cap_credits=100, credits_used=37)
    html = member_client.get(purl("projects:project-detail", project)).content.decode()
    assert '<dd id="credits-used">37</dd>' in html
    assert '<dd id="credits-cap">100</dd>' in html
    assert '<dd id="credits-left">63</dd>' in html


def test_detail_marks_a_reached_cap_and_no_cap(member_client, project):
    Project.objects.filter(pk=project.pk).update(spending_cap_credits=5, credits_used=5)
    html = member_client.get(purl("projects:project-detail", project)).content.decode()
    assert "cap reached" in html
    Project.objects.filter(pk=project.pk).update(spending_cap_credits=None)
    html = member_client.get(purl("projects:project-detail", project)).content.decode()
    assert "cap reached" not in html
    assert '<dd id="credits-cap"><span class="muted">no cap</span></dd>' in html


def test_detail_links_to_triage_reports_and_inbox_which_answer(guest_client, project):
    html = guest_client.get(purl("projects:project-detail", project)).content.decode()
    links = [
        purl("feedback:triage-breakdown", project),
        purl("reports:report-list", project),
        reverse("feedback:item-list", kwargs={"ws": project.workspace_id})
        + f"?project={project.pk}",
    ]
    for link in links:
        assert f'href="{link}"' in html
        assert guest_client.get(link).status_code == 200, link
