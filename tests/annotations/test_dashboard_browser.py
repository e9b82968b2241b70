"""Headless Chromium (Debian's): the annotations inbox, an annotation page and the
stakeholders page at a laptop width and a phone width, without sideways scrolling.
Screenshots land in tests/artefacts/annotations/ (git-ignored)."""

from __future__ import annotations

import os
import struct
import zlib
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import storages
from django.test import Client
from django.utils import timezone

from annotations.models import Upload
from config.ids import hex32
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
    chromium, live_server, settings, tmp_path, member, workspace, project, width
):
    from tests.annotations.factories import ReplyFactory, ResolutionFactory, StakeholderFactory

    settings.MEDIA_ROOT = tmp_path / "media"
    settings.SITE_URL = ""
    project.domain = "shop.example.com"
    project.save()
    long_one = AnnotationFactory.create(
        project=project,
        kind="bug",
        auto_fix=True,
        body="Unbroken_" + "x" * 200,
        page_url="https://shop.example.com/" + "very-long-path/" * 12,
        selector="main > div.checkout-panel > section:nth-of-type(3) > button.btn-primary",
        summary="Unbroken_summary_" + "y" * 150,
    )
    # Everything the annotation page can show: screenshot and box, a long reply, a
    # resolution with before/after images side by side, the markdown blob.
    wide = png(1366, 768, (40, 300, 120, 32))
    long_one.screenshot_key = stored_png(project, "screenshot", long_one, wide)
    long_one.save()
    ReplyFactory.create(annotation=long_one, body="Unbroken_reply_" + "z" * 300)
    ResolutionFactory.create(
        annotation=long_one,
        before_key=stored_png(project, "before", long_one, wide),
        after_key=stored_png(project, "after", long_one, wide),
        diff_url="https://github.com/example/shop/pull/" + "9" * 80,
        explanation="Unbroken_explanation_" + "w" * 200,
    )
    StakeholderFactory.create(project=project, name="Petra PM", email="petra@example.com")
    context = chromium.new_context(viewport={"width": width, "height": 800})
    page = context.new_page()
    sign_in(page, live_server, member)
    ARTEFACTS.mkdir(parents=True, exist_ok=True)

    page.goto(f"{live_server.url}/w/{workspace.pk}/annotations/?kind=bug&auto_fix=true")
    assert page.locator(".status-tabs .tab").count() == 8
    assert page.locator(".filter-chips .chip").count() == 3  # kind, auto-fix, clear all
    assert page.evaluate("document.scrollingElement.scrollWidth - window.innerWidth") <= 0
    page.screenshot(path=str(ARTEFACTS / f"inbox_{width}.png"), full_page=True)

    page.goto(f"{live_server.url}/w/{workspace.pk}/annotations/{long_one.pk}/")
    page.locator(".before-after").scroll_into_view_if_needed()  # its images load lazily
    page.wait_for_function(
        "() => Array.from(document.images).every(i => i.complete && i.naturalWidth > 0)"
    )
    assert page.locator("#screenshot-box").count() == 1
    pair = page.locator(".before-after img")
    assert pair.count() == 2
    before, after = pair.nth(0).bounding_box(), pair.nth(1).bounding_box()
    assert before["y"] == pytest.approx(after["y"], abs=1)  # side by side, even on a phone
    assert before["x"] + before["width"] <= after["x"]
    assert page.evaluate("document.scrollingElement.scrollWidth - window.innerWidth") <= 0
    page.screenshot(path=str(ARTEFACTS / f"annotation_{width}.png"), full_page=True)

    page.goto(f"{live_server.url}/w/{workspace.pk}/projects/{project.pk}/stakeholders/")
    assert page.evaluate("document.scrollingElement.scrollWidth - window.innerWidth") <= 0
    page.screenshot(path=str(ARTEFACTS / f"stakeholders_{width}.png"), full_page=True)
    context.close()


# --- The screenshot with the element's box ---------------------------------------------------
def png(width: int, height: int, marker: tuple[int, int, int, int]) -> bytes:
    """A white RGB PNG with one blue rectangle (``x, y, w, h`` in image pixels)."""
    mx, my, mw, mh = marker
    white, blue = b"\xff\xff\xff", b"\x1d\x4e\xd8"
    plain = b"\x00" + white * width
    marked = b"\x00" + white * mx + blue * mw + white * (width - mx - mw)
    raw = b"".join(marked if my <= y < my + mh else plain for y in range(height))

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(raw, 9))
        + chunk(b"IEND", b"")
    )


def stored_png(project, kind: str, annotation, image: bytes) -> str:
    """An uploaded image as the upload flow leaves it (file + Upload row); its key."""
    key = f"gf/{project.pk}/{kind}/{hex32()}.png"
    storages["default"].save(key, ContentFile(image))
    now = timezone.now()
    Upload.objects.create(
        project=project,
        annotation=annotation,
        kind=kind,
        key=key,
        content_type="image/png",
        expires_at=now + timedelta(minutes=5),
        uploaded_at=now,
        attached_at=now,
        size=len(image),
    )
    return key


@pytest.mark.parametrize("width", [1366, 390])
def test_screenshot_box_is_drawn_over_the_element(
    chromium, live_server, settings, tmp_path, member, workspace, project, width
):
    """A capture at device_pixel_ratio 2 (the image is twice the viewport in pixels): the
    blue element in the image must sit exactly under the drawn box, at any page width."""
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.SITE_URL = ""
    viewport = {"width": 800, "height": 500, "device_pixel_ratio": 2, "scroll_x": 0}
    rect = {"x": 520, "y": 310, "width": 160, "height": 60}
    dpr = 2
    image = png(
        800 * dpr,
        500 * dpr,
        (rect["x"] * dpr, rect["y"] * dpr, rect["width"] * dpr, rect["height"] * dpr),
    )
    annotation = AnnotationFactory.create(
        project=project,
        element={"tag": "button", "text": "Pay now", "rect": rect},
        viewport=viewport,
    )
    annotation.screenshot_key = stored_png(project, "screenshot", annotation, image)
    annotation.save()
    context = chromium.new_context(viewport={"width": width, "height": 900})
    page = context.new_page()
    sign_in(page, live_server, member)
    ARTEFACTS.mkdir(parents=True, exist_ok=True)

    page.goto(f"{live_server.url}/w/{workspace.pk}/annotations/{annotation.pk}/")
    page.wait_for_function(
        "() => { const i = document.getElementById('screenshot-image');"
        " return i && i.complete && i.naturalWidth > 0; }"
    )
    page.locator("#screenshot").scroll_into_view_if_needed()
    geometry = page.evaluate(
        """() => {
        const img = document.getElementById('screenshot-image');
        const box = document.getElementById('screenshot-box').getBoundingClientRect();
        const at = img.getBoundingClientRect();
        // The image's own pixels under the box's centre and just outside its corner.
        const canvas = document.createElement('canvas');
        canvas.width = img.naturalWidth; canvas.height = img.naturalHeight;
        const ctx = canvas.getContext('2d');
        ctx.drawImage(img, 0, 0);
        const sx = img.naturalWidth / at.width, sy = img.naturalHeight / at.height;
        const pixel = (x, y) => Array.from(ctx.getImageData(
            Math.floor((x - at.left) * sx), Math.floor((y - at.top) * sy), 1, 1
        ).data).slice(0, 3);
        return {
            natural: [img.naturalWidth, img.naturalHeight],
            shown: [at.width, at.height],
            box: [box.left - at.left, box.top - at.top, box.width, box.height],
            centre: pixel(box.left + box.width / 2, box.top + box.height / 2),
            outside: pixel(box.left - 4, box.top - 4),
        };
    }"""
    )
    page.screenshot(path=str(ARTEFACTS / f"annotation_box_{width}.png"), full_page=True)
    assert page.evaluate("document.scrollingElement.scrollWidth - window.innerWidth") <= 0
    context.close()

    assert geometry["natural"] == [1600, 1000]
    shown_w, shown_h = geometry["shown"]
    scale = shown_w / 800  # CSS px of the page per CSS px of the captured viewport
    expected = [rect["x"] * scale, rect["y"] * scale, rect["width"] * scale, rect["height"] * scale]
    assert geometry["box"] == pytest.approx(expected, abs=1.5)
    assert shown_h == pytest.approx(500 * scale, abs=1.5)
    assert geometry["centre"] == [0x1D, 0x4E, 0xD8]
    assert geometry["outside"] == [255, 255, 255]


# --- Keyboard triage on the annotation page --------------------------------------------------
def test_member_changes_status_and_replies_by_keyboard(
    chromium, live_server, member, workspace, project
):
    from annotations.models import Annotation, Reply

    annotation = AnnotationFactory.create(project=project, body="The Pay button is grey")
    context = chromium.new_context(viewport={"width": 1366, "height": 900})
    page = context.new_page()
    sign_in(page, live_server, member)
    # The inbox's keys (inbox.js, shared with the feedback inbox): j selects, Enter opens.
    page.goto(f"{live_server.url}/w/{workspace.pk}/annotations/?kind=comment")
    page.keyboard.press("j")
    assert page.evaluate("document.activeElement.id") == f"annotation-{annotation.pk}"
    page.keyboard.press("Enter")
    page.wait_for_url(f"{live_server.url}/w/{workspace.pk}/annotations/{annotation.pk}/*")
    page.wait_for_function("() => !!window.htmx")

    # "?" opens the shortcuts, Esc closes them.
    page.keyboard.press("?")
    assert page.locator("#keys-help").is_visible()
    page.keyboard.press("Escape")
    assert not page.locator("#keys-help").is_visible()

    # s: the status control; arrows choose, Enter saves (htmx swaps the card in place).
    page.keyboard.press("s")
    assert page.evaluate("document.activeElement.id") == "a-status"
    page.keyboard.press("ArrowDown")  # new -> acknowledged
    page.keyboard.press("ArrowDown")  # -> triaged
    page.keyboard.press("Enter")
    page.wait_for_selector("#triage .badge-ok")
    assert page.locator("#status-badge").inner_text() == "Triaged"
    assert Annotation.objects.get(pk=annotation.pk).status == "triaged"
    assert page.evaluate("document.activeElement.id") == "a-status"  # focus kept
    assert "**Status:** triaged" in page.locator("#markdown-blob").inner_text()

    # Esc leaves the field; r: the reply box; Ctrl+Enter sends.
    page.keyboard.press("Escape")
    page.keyboard.press("r")
    assert page.evaluate("document.activeElement.id") == "id_body"
    page.keyboard.type("Thanks, fixing the contrast now.")
    page.keyboard.press("Control+Enter")
    page.wait_for_selector("#thread .reply")
    assert "Thanks, fixing the contrast now." in page.locator("#thread .reply").inner_text()
    reply = Reply.objects.get(annotation=annotation)
    assert (reply.author_kind, reply.author_user_id) == ("user", member.pk)
    assert page.locator("#id_body").input_value() == ""
    page.screenshot(path=str(ARTEFACTS / "annotation_keyboard.png"), full_page=True)

    # u: back to the inbox it came from, filters kept.
    page.keyboard.press("Escape")
    page.keyboard.press("u")
    page.wait_for_url(f"{live_server.url}/w/{workspace.pk}/annotations/?kind=comment")
    context.close()
