"""Headless Chromium (Debian's): the annotation page draws the picked element's box on the
widget's screenshot where the widget recorded it, at a laptop width and a phone width,
without sideways scrolling. The screenshot is a real PNG in the configured storage, served
through its signed read URL. Screenshots land in tests/artefacts/annotations/ (git-ignored).
"""

from __future__ import annotations

import os
import struct
import zlib
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.test import Client

from tests.annotations.factories import AnnotationFactory, ResolutionFactory

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
VIEWPORT = {"width": 1280, "height": 720, "device_pixel_ratio": 2, "scroll_x": 0, "scroll_y": 0}
RECT = {"x": 512, "y": 270, "width": 256, "height": 90}
# The screenshot is stored at half the viewport's CSS size: the box must follow the
# viewport's proportions, not the image's pixels.
SHOT_W, SHOT_H = 640, 360


def png(width: int, height: int, rect: dict[str, float], scale: float) -> bytes:
    """A real PNG: grey page with the element's area painted blue (what the widget shot)."""
    x0, y0 = int(rect["x"] * scale), int(rect["y"] * scale)
    x1, y1 = int((rect["x"] + rect["width"]) * scale), int((rect["y"] + rect["height"]) * scale)
    grey, blue = b"\xe4\xe7\xec", b"\x1d\x4e\xd8"
    plain, painted = grey * width, grey * x0 + blue * (x1 - x0) + grey * (width - x1)
    rows = [b"\x00" + (painted if y0 <= y < y1 else plain) for y in range(height)]

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b"".join(rows), 6))
        + chunk(b"IEND", b"")
    )


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


@pytest.fixture
def shot_annotation(project, tmp_path, settings):
    settings.MEDIA_ROOT = str(tmp_path / "media")
    key = f"gf/{project.pk}/screenshots/browser-test.png"
    stored = default_storage.save(key, ContentFile(png(SHOT_W, SHOT_H, RECT, SHOT_W / 1280)))
    annotation = AnnotationFactory.create(
        project=project,
        body="The Pay button is hard to read",
        element={"tag": "button", "text": "Pay now", "rect": RECT},
        viewport=VIEWPORT,
        screenshot_key=stored,
    )
    ResolutionFactory.create(annotation=annotation, before_key="", after_key="")
    return annotation


@pytest.mark.parametrize("width", [1366, 390])
def test_annotation_page_draws_the_box_at_the_recorded_position(
    chromium, live_server, member, workspace, shot_annotation, width
):
    context = chromium.new_context(viewport={"width": width, "height": 800})
    context.set_default_timeout(10_000)
    page = context.new_page()
    sign_in(page, live_server, member)

    page.goto(f"{live_server.url}/w/{workspace.pk}/annotations/{shot_annotation.pk}/")
    page.wait_for_function(
        "() => { const i = document.querySelector('#shot-image'); "
        "return i && i.complete && i.naturalWidth > 0; }"
    )

    natural = page.evaluate("() => document.querySelector('#shot-image').naturalWidth")
    assert natural == SHOT_W  # the stored PNG itself, through its signed URL
    image = page.locator("#shot-image").bounding_box()
    box = page.locator("#shot-box").bounding_box()
    assert image is not None
    assert box is not None
    scale_x = image["width"] / VIEWPORT["width"]
    scale_y = image["height"] / VIEWPORT["height"]
    assert box["x"] - image["x"] == pytest.approx(RECT["x"] * scale_x, abs=1.5)
    assert box["y"] - image["y"] == pytest.approx(RECT["y"] * scale_y, abs=1.5)
    assert box["width"] == pytest.approx(RECT["width"] * scale_x, abs=1.5)
    assert box["height"] == pytest.approx(RECT["height"] * scale_y, abs=1.5)
    # The image keeps the viewport's proportions, so the box covers the painted element.
    assert image["height"] / image["width"] == pytest.approx(SHOT_H / SHOT_W, rel=0.01)
    assert page.evaluate("document.scrollingElement.scrollWidth - window.innerWidth") <= 0
    ARTEFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTEFACTS / f"annotation_{width}.png"), full_page=True)
    context.close()


@pytest.mark.parametrize("width", [1366, 390])
def test_inbox_and_stakeholders_fit_the_width(
    chromium, live_server, member, workspace, project, shot_annotation, width
):
    from tests.annotations.factories import StakeholderFactory

    project.domain = "shop.example.com"
    project.save()
    AnnotationFactory.create(
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

    page.goto(f"{live_server.url}/w/{workspace.pk}/annotations/?kind=bug")
    assert page.locator(".status-tabs .tab").count() == 8
    assert page.evaluate("document.scrollingElement.scrollWidth - window.innerWidth") <= 0
    page.screenshot(path=str(ARTEFACTS / f"inbox_{width}.png"), full_page=True)

    page.goto(f"{live_server.url}/w/{workspace.pk}/projects/{project.pk}/stakeholders/")
    assert page.evaluate("document.scrollingElement.scrollWidth - window.innerWidth") <= 0
    page.screenshot(path=str(ARTEFACTS / f"stakeholders_{width}.png"), full_page=True)
    context.close()
