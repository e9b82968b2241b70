"""Headless Chromium on pages config/ and its templates own: the widget demo's slug field
(its ``pattern`` must compile under the ``v`` flag browsers use, or the console shows an
error and nothing is enforced) and the favicon. Screenshots land in tests/artefacts/config/."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.conf import settings

from tests.factories import ProjectFactory
from tests.feedback.test_browser import chromium  # the one Debian-chromium launcher

pytestmark = pytest.mark.browser

ARTEFACTS = Path(settings.BASE_DIR) / "tests" / "artefacts" / "config"
__all__ = ["chromium"]  # a fixture used by name below


@pytest.fixture
def page(chromium):
    context = chromium.new_context(viewport={"width": 1200, "height": 800})
    context.set_default_timeout(10_000)
    page = context.new_page()
    page.console_errors = []
    page.on("console", lambda msg: msg.type == "error" and page.console_errors.append(msg.text))
    page.on("pageerror", lambda exc: page.console_errors.append(str(exc)))
    yield page
    context.close()


@pytest.mark.parametrize(
    ("slug", "valid"),
    [
        ("storefront", True),
        ("Demo-project_2", True),
        ("two words", False),
        ("slash/slug", False),
        ("dot.slug", False),
    ],
)
def test_widget_demo_slug_field_is_checked_by_the_browser(page, live_server, db, slug, valid):
    page.goto(f"{live_server.url}/widget/demo/")
    field = page.locator("#project")
    field.fill(slug)
    assert field.evaluate("input => input.checkValidity()") is valid
    assert page.console_errors == []  # an invalid `pattern` is reported here


def test_widget_demo_form_refuses_an_invalid_slug_on_submit(page, live_server, db):
    page.goto(f"{live_server.url}/widget/demo/")
    page.locator("#project").fill("not a slug")
    page.get_by_role("button", name="Show the widget").click()
    assert page.url == f"{live_server.url}/widget/demo/"  # the browser kept the form
    ARTEFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTEFACTS / "widget_demo_invalid_slug.png"))
    assert page.console_errors == []


def test_pages_load_their_favicon_without_a_console_error(page, live_server, db):
    page.goto(f"{live_server.url}/accounts/login/")
    icon = page.evaluate("() => document.querySelector('link[rel=icon]').href")
    assert page.request.get(icon).status == 200
    response = page.request.get(f"{live_server.url}/favicon.ico")
    assert (response.status, response.headers["content-type"]) == (200, "image/x-icon")
    assert page.console_errors == []


def test_widget_demo_embed_snippet_wraps_on_a_phone(page, live_server, db):
    project = ProjectFactory.create(slug="a-rather-long-storefront-project-slug")
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{live_server.url}/widget/demo/?project={project.slug}")
    overflow = page.evaluate("() => document.scrollingElement.scrollWidth - innerWidth")
    ARTEFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTEFACTS / "widget_demo_390.png"))
    assert overflow <= 0  # the <script> snippet used to push the page to 541 px
