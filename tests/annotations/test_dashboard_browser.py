"""Headless Chromium (Debian's): the annotations inbox, an annotation page and the
stakeholders page at a laptop width and a phone width, without sideways scrolling.
Screenshots land in tests/artefacts/annotations/ (git-ignored)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client

from tests.annotations.factories import AnnotationFactory

pytestmark = pytest.mark.browser

CHROMIUM = "/usr/bin/chromium"
ARTEFACTS = Path(settings.BASE_DIR) / "tests" / "artefacts" / "annotations"
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]


@pytest.fixture(scope="module")
def chromium() -> Iterator[object]:
    if not Path(CHROMIUM).exists():
        if os.environ.get("REQUIRE_BROWSER") == "1":
            pytest.fail(f"{CHROMIUM} is missing and REQUIRE_BROWSER=1")
        pytest.skip(f"{CHROMIUM} is not installed")
    from playwright.sync_api import sync_playwright

    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
            yield browser
            browser.close()
    finally:
        os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)


def sign_in(page, live_server, user) -> None:
    client = Client()
    client.force_login(user)
    page.context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}]
    )


@pytest.mark.parametrize("width", [1366, 390])
def test_inbox_and_stakeholders_fit_the_width(
    chromium, live_server, member, workspace, project, width
):
    from tests.annotations.factories import StakeholderFactory

    project.domain = "shop.example.com"
    project.save()
    long_one = AnnotationFactory.create(
        project=project,
        kind="bug",
        auto_fix=True,
        body="Unbroken_" + "x" * 200,
        page_url="https://shop.example.com/" + "very-long-path/" * 12,
        selector="main > div.checkout-panel > section:nth-of-type(3) > button.btn-primary",
    )
    StakeholderFactory.create(project=project, name="Petra PM", email="petra@example.com")
    context = chromium.new_context(viewport={"width": width, "height": 800})
    page = context.new_page()
    sign_in(page, live_server, member)
    ARTEFACTS.mkdir(parents=True, exist_ok=True)

    page.goto(f"{live_server.url}/w/{workspace.pk}/annotations/")
    assert page.locator(".status-tabs .tab").count() == 8
    assert page.evaluate("document.scrollingElement.scrollWidth - window.innerWidth") <= 0
    page.screenshot(path=str(ARTEFACTS / f"inbox_{width}.png"), full_page=True)

    page.goto(f"{live_server.url}/w/{workspace.pk}/annotations/{long_one.pk}/")
    assert page.evaluate("document.scrollingElement.scrollWidth - window.innerWidth") <= 0
    page.screenshot(path=str(ARTEFACTS / f"annotation_{width}.png"), full_page=True)

    page.goto(f"{live_server.url}/w/{workspace.pk}/projects/{project.pk}/stakeholders/")
    assert page.evaluate("document.scrollingElement.scrollWidth - window.innerWidth") <= 0
    page.screenshot(path=str(ARTEFACTS / f"stakeholders_{width}.png"), full_page=True)
    context.close()
