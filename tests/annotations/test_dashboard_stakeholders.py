"""A site's stakeholders page (dashboard): copyable links (site address +
``#gf-stakeholder=<token>``), create and revoke through the stakeholder services (MEMBER,
audited, POST/redirect/GET), guests read-only, cross-workspace 404, escaping."""

from __future__ import annotations

import pytest

from tests.annotations.factories import StakeholderFactory
from tests.dashboard.helpers import post_forms, signed_in

HOSTILE = "<script>alert('x')</script>"


def stakeholders_url(workspace, project, tail: str = "") -> str:
    return f"/w/{workspace.pk}/projects/{project.pk}/stakeholders/{tail}"


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


def test_stakeholders_page_has_no_write_forms_yet(guest, workspace, site, stakeholder):
    html = signed_in(guest).get(stakeholders_url(workspace, site)).content.decode()

    assert post_forms(html) == 1  # only the layout's sign-out form


def test_link_uses_the_first_allowed_origin_without_a_domain(member, workspace, project):
    project.allowed_origins = ["https://app.example.org"]
    project.save()
    stakeholder = StakeholderFactory.create(project=project)

    html = signed_in(member).get(stakeholders_url(workspace, project)).content.decode()

    assert f"https://app.example.org/#gf-stakeholder={stakeholder.token}" in html


def test_stakeholders_of_another_workspace_are_404(member, outsider, workspace, other_project):
    StakeholderFactory.create(project=other_project)

    assert signed_in(member).get(stakeholders_url(workspace, other_project)).status_code == 404


def test_stakeholder_name_renders_escaped(member, workspace, site):
    StakeholderFactory.create(project=site, name=HOSTILE, email="x@example.com")

    html = signed_in(member).get(stakeholders_url(workspace, site)).content.decode()

    assert "<script>alert(" not in html
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;" in html


# --- Create ----------------------------------------------------------------------------------
# --- Revoke ----------------------------------------------------------------------------------
