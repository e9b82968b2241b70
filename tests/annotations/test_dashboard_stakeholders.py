"""A site's stakeholders page (dashboard): copyable links (site address +
``#gf-stakeholder=<token>``), create and revoke through the stakeholder services (MEMBER,
audited, POST/redirect/GET), guests read-only, cross-workspace 404, escaping."""

from __future__ import annotations

import pytest

from annotations.models import Stakeholder
from tests.annotations.factories import StakeholderFactory
from tests.dashboard.helpers import HTMX, audit_count, post_forms, signed_in

HOSTILE = "<script>alert('x')</script>"


def stakeholders_url(workspace, project, tail: str = "") -> str:
    return f"/w/{workspace.pk}/projects/{project.pk}/stakeholders/{tail}"


def revoke_url(workspace, project, stakeholder) -> str:
    return stakeholders_url(workspace, project, f"{stakeholder.pk}/revoke/")


@pytest.fixture
def site(project):
    project.domain = "shop.example.com"
    project.save()
    return project


@pytest.fixture
def stakeholder(site):
    return StakeholderFactory.create(project=site, name="Petra PM", auto_fix_default="optional_on")


# --- Reading ---------------------------------------------------------------------------------
@pytest.mark.parametrize("persona", ["member", "guest"])
def test_stakeholders_page_lists_copyable_links(request, persona, workspace, site, stakeholder):
    response = signed_in(request.getfixturevalue(persona)).get(stakeholders_url(workspace, site))

    html = response.content.decode()
    assert response.status_code == 200
    assert "Petra PM" in html
    assert f"https://shop.example.com/#gf-stakeholder={stakeholder.token}" in html
    assert f'data-copy="#link-{stakeholder.pk}"' in html
    assert "Optional, on by default" in html


def test_guest_sees_no_create_or_revoke_forms(guest, workspace, site, stakeholder):
    html = signed_in(guest).get(stakeholders_url(workspace, site)).content.decode()

    assert post_forms(html) == 1  # only the layout's sign-out form
    assert "Add a stakeholder" not in html


def test_link_uses_the_first_allowed_origin_without_a_domain(member, workspace, project):
    project.allowed_origins = ["https://app.example.org"]
    project.save()
    stakeholder = StakeholderFactory.create(project=project)

    html = signed_in(member).get(stakeholders_url(workspace, project)).content.decode()

    assert f"https://app.example.org/#gf-stakeholder={stakeholder.token}" in html


def test_stakeholders_of_another_workspace_are_404(member, outsider, workspace, other_project):
    theirs = StakeholderFactory.create(project=other_project)
    client = signed_in(member)

    assert client.get(stakeholders_url(workspace, other_project)).status_code == 404
    response = client.post(revoke_url(workspace, other_project, theirs), {"confirm": "yes"}, **HTMX)
    assert response.status_code == 404
    theirs.refresh_from_db()
    assert theirs.revoked_at is None


def test_stakeholder_of_another_site_cannot_be_revoked_through_this_one(
    member, workspace, site, other_project
):
    theirs = StakeholderFactory.create(project=other_project)

    response = signed_in(member).post(revoke_url(workspace, site, theirs), {"confirm": "yes"})

    assert response.status_code == 404
    theirs.refresh_from_db()
    assert theirs.revoked_at is None


def test_stakeholder_name_renders_escaped(member, workspace, site):
    StakeholderFactory.create(project=site, name=HOSTILE, email="x@example.com")

    html = signed_in(member).get(stakeholders_url(workspace, site)).content.decode()

    assert "<script>alert(" not in html
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;" in html


# --- Create ----------------------------------------------------------------------------------
def test_member_creates_a_stakeholder_and_is_redirected_to_its_link(member, workspace, site):
    before = audit_count()

    response = signed_in(member).post(
        stakeholders_url(workspace, site, "new/"),
        {"name": "Quinn QA", "email": "quinn@example.com", "auto_fix_default": "never"},
    )

    created = Stakeholder.objects.get(project=site)
    assert response.status_code == 302
    assert response["Location"] == f"{stakeholders_url(workspace, site)}#stakeholder-{created.pk}"
    assert (created.name, created.email, created.auto_fix_default) == (
        "Quinn QA",
        "quinn@example.com",
        "never",
    )
    assert audit_count() == before + 1
    page = signed_in(member).get(response["Location"]).content.decode()
    assert f"#gf-stakeholder={created.token}" in page


def test_reloading_after_create_creates_nothing_more(member, workspace, site):
    client = signed_in(member)
    response = client.post(
        stakeholders_url(workspace, site, "new/"),
        {"name": "Once", "auto_fix_default": "optional_off"},
        **HTMX,
    )
    assert response.status_code == 204
    assert response["HX-Redirect"].startswith(stakeholders_url(workspace, site))

    client.get(stakeholders_url(workspace, site))
    client.get(stakeholders_url(workspace, site))

    assert Stakeholder.objects.filter(project=site).count() == 1


def test_invalid_stakeholder_is_refused_with_nothing_stored(member, workspace, site):
    before = audit_count()

    response = signed_in(member).post(
        stakeholders_url(workspace, site, "new/"),
        {"name": "X", "email": "not-an-email", "auto_fix_default": "always"},
    )

    assert response.status_code == 400
    html = response.content.decode()
    assert "Enter a valid email address." in html
    assert "always is not one of the available choices" in html
    assert not Stakeholder.objects.exists()
    assert audit_count() == before


def test_guest_cannot_create_or_revoke(guest, workspace, site, stakeholder):
    client = signed_in(guest)

    created = client.post(stakeholders_url(workspace, site, "new/"), {"name": "Nope"})
    revoked = client.post(revoke_url(workspace, site, stakeholder), {"confirm": "yes"})

    assert created.status_code == 403
    assert revoked.status_code == 403
    assert Stakeholder.objects.count() == 1
    stakeholder.refresh_from_db()
    assert stakeholder.revoked_at is None


# --- Revoke ----------------------------------------------------------------------------------
def test_revoke_asks_first_then_revokes_and_redirects(member, workspace, site, stakeholder):
    client = signed_in(member)
    before = audit_count()

    ask = client.post(revoke_url(workspace, site, stakeholder))
    assert ask.status_code == 200
    assert 'name="confirm" value="yes"' in ask.content.decode()
    stakeholder.refresh_from_db()
    assert stakeholder.revoked_at is None

    done = client.post(revoke_url(workspace, site, stakeholder), {"confirm": "yes"})

    assert done.status_code == 302
    assert done["Location"] == stakeholders_url(workspace, site)
    stakeholder.refresh_from_db()
    assert stakeholder.revoked_at is not None
    assert audit_count() == before + 1
    page = client.get(stakeholders_url(workspace, site)).content.decode()
    assert stakeholder.token not in page  # a revoked link is no longer offered
    assert "revoked" in page


def test_htmx_revoke_answers_hx_redirect_and_a_second_revoke_writes_nothing(
    member, workspace, site, stakeholder
):
    client = signed_in(member)

    first = client.post(revoke_url(workspace, site, stakeholder), {"confirm": "yes"}, **HTMX)
    after = audit_count()
    second = client.post(revoke_url(workspace, site, stakeholder), {"confirm": "yes"}, **HTMX)

    assert first.status_code == second.status_code == 204
    assert first["HX-Redirect"] == stakeholders_url(workspace, site)
    assert audit_count() == after
