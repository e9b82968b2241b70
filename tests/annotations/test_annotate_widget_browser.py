"""Headless Chromium (Debian's, never a downloaded one): /widget/annotate.js embedded on a
page of ANOTHER origin (a second local HTTP server) from a real Backtalk server in a
subprocess (tests/config/subprocess_server.py: DEBUG off, production settings). A visitor
picks one element with the keyboard and one with the mouse, sends a note on each (the
screenshot module is imported lazily at send time), and the server holds the annotation
with its selector, element, styles and viewport, and its screenshot behind the detail's
signed URL; the team replies through POST /api/v1/annotations/{id}/replies, and on a
revisit the widget lists the visitor's own notes with their status and that reply; the
dashboard's annotation page draws the element's box over the button on the screenshot.
Screenshots of each step land in tests/artefacts/annotations/ (git-ignored)."""

import json
import struct
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from django.conf import settings

from annotations.submission import STYLE_KEYS
from annotations.widget_assets import SCREENSHOT_VERSION
from tests.config.subprocess_server import EMAIL, PASSWORD, Server, prepare, runserver
from tests.feedback.test_browser import chromium, page  # noqa: F401 - shared fixtures

pytestmark = pytest.mark.browser

ARTEFACTS = Path(settings.BASE_DIR) / "tests" / "artefacts" / "annotations"
HOST_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Shop</title>
<style>
  /* A hostile host stylesheet: none of this may reach the widget. */
  button {{ background: hotpink !important; font-size: 40px !important; }}
  * {{ font-family: "Comic Sans MS", cursive; }}
  backtalk-annotate {{ display: none; }}
  .hero {{ padding: 12px 24px; color: rgb(17, 24, 39); background-color: rgb(254, 243, 199); }}
</style></head>
<body>
<header><h1>Cart</h1></header>
<main>
  <section class="hero"><p class="price">Total 129,00 EUR</p></section>
  <ul class="items"><li>Shoe</li><li>Sock</li><li>Lace</li></ul>
  <button type="button" data-testid="checkout"
    onclick="document.title = 'host click'">Checkout</button>
</main>
<script src="{src}" data-site="{site}" data-token="{token}"></script>
</body></html>"""


class _HostHandler(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        body = self.server.html.encode()  # type: ignore[attr-defined]  # set by the fixture
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        return


@pytest.fixture(scope="module")
def backtalk(tmp_path_factory) -> Iterator[Server]:
    var_dir = tmp_path_factory.mktemp("annotate-widget")
    credentials = prepare(var_dir)
    with runserver(var_dir, credentials) as server:
        yield server


@pytest.fixture
def shop(backtalk: Server) -> Iterator[str]:
    """The customer's site on another origin, embedding the widget from Backtalk."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), _HostHandler)
    server.html = HOST_PAGE.format(  # type: ignore[attr-defined]  # read by _HostHandler
        src=f"{backtalk.url}/widget/annotate.js",
        site=backtalk.credentials["project_id"],
        token=backtalk.credentials["widget_token"],
    )
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/shop/cart?step=2"
    server.shutdown()
    server.server_close()


def annotations(backtalk: Server) -> list[dict]:
    columns = ("id", "body", "kind", "status", "page_url", "selector", "element", "styles",
               "viewport", "user_agent", "submitter_email", "screenshot_key",
               "auto_fix")  # fmt: skip
    rows = backtalk.query(
        f"SELECT {', '.join(columns)} FROM annotations_annotation ORDER BY created_at"  # noqa: S608 - fixed column names
    )
    found = [dict(zip(columns, row, strict=True)) for row in rows]
    for row in found:
        for key in ("element", "styles", "viewport"):
            row[key] = json.loads(row[key])
    return found


def shadow_active(tab) -> str:
    return tab.evaluate(
        "() => { const a = document.querySelector('backtalk-annotate').shadowRoot"
        ".activeElement; return a ? (a.getAttribute('name') || a.className || a.tagName) : ''; }"
    )


def test_visitor_annotates_by_keyboard_and_mouse_and_sees_the_team_reply_on_revisit(
    page,  # noqa: F811 - the shared fixture
    backtalk,
    shop,
):
    assert not shop.startswith(backtalk.url)  # two origins
    ARTEFACTS.mkdir(parents=True, exist_ok=True)
    requests: list[str] = []
    page.on("requestfinished", lambda r: requests.append(f"{r.method} {r.url}"))
    page.goto(shop)

    annotate = page.get_by_role("button", name="Annotate", exact=True)
    # Host CSS does not leak in (no hotpink), and the host's display:none is overridden.
    assert annotate.evaluate("b => getComputedStyle(b).backgroundColor") == "rgb(67, 56, 202)"
    assert annotate.evaluate("b => getComputedStyle(b).fontSize") == "14px"
    assert page.locator("backtalk-annotate").evaluate("h => getComputedStyle(h).display") == (
        "block"
    )
    # ... and the widget's CSS does not leak out.
    assert page.locator("h1").evaluate("h => getComputedStyle(h).boxSizing") == "content-box"

    # --- 1. Keyboard: Enter starts picking; arrows walk the page; Enter picks. -----------
    annotate.focus()
    page.keyboard.press("Enter")
    assert annotate.get_attribute("aria-pressed") == "true"
    for _ in range(8):  # header, h1, main, section, p, ul, li "Shoe", li "Sock"
        page.keyboard.press("ArrowDown")
    hint = page.locator("backtalk-annotate").get_by_role("status").first
    assert "li “Sock”" in hint.text_content()
    page.keyboard.press("ArrowLeft")  # out to the list
    assert "ul “Shoe Sock Lace”" in hint.text_content()
    page.keyboard.press("ArrowRight")  # in to its first item
    page.keyboard.press("ArrowDown")
    page.screenshot(path=str(ARTEFACTS / "widget_keyboard_pick.png"))
    page.keyboard.press("Enter")

    form = page.get_by_role("dialog", name="Comment on this element")
    form.wait_for(state="visible")
    assert annotate.get_attribute("aria-pressed") == "false"
    assert shadow_active(page) == "body"  # focus moved to the comment field
    assert "li “Sock”" in form.text_content()
    # Focus trap: Tab from the last control (Send) wraps to the first (Close).
    page.keyboard.type("Sock is out of stock but still listed.")
    page.keyboard.press("Tab")
    assert shadow_active(page) == "email"  # anonymous: the optional email is asked
    page.keyboard.type("shopper@example.com")
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")
    assert shadow_active(page) == "send"
    page.keyboard.press("Tab")
    assert shadow_active(page) == "x"
    page.keyboard.press("Shift+Tab")
    assert shadow_active(page) == "send"
    assert not page.get_by_label("Let an agent fix this automatically").is_visible()  # anonymous
    page.keyboard.press("Enter")
    page.locator("backtalk-annotate").get_by_text("Thanks! Your note was sent.").wait_for()
    form.wait_for(state="hidden")
    assert shadow_active(page) == "main"  # focus back on the Annotate button

    # --- 2. Mouse: hover outlines, a click picks (and never reaches the host page). -----
    annotate.click()
    checkout = page.get_by_role("button", name="Checkout")
    checkout.hover()
    outline = page.locator("backtalk-annotate .box")
    outline.wait_for(state="visible")
    assert outline.bounding_box() == pytest.approx(checkout.bounding_box(), abs=1)
    page.screenshot(path=str(ARTEFACTS / "widget_hover.png"))
    # Escape cancels picking.
    page.keyboard.press("Escape")
    assert annotate.get_attribute("aria-pressed") == "false"
    annotate.click()
    checkout.hover()
    checkout.click()
    assert page.title() == "Shop"  # the host's onclick did not run
    form.wait_for(state="visible")
    page.get_by_label("Kind").select_option("bug")
    page.get_by_label("Comment", exact=True).fill("Checkout <b>button</b> is unreadable.")
    page.screenshot(path=str(ARTEFACTS / "widget_form.png"))
    page.get_by_role("button", name="Send", exact=True).click()
    page.locator("backtalk-annotate").get_by_text("Thanks! Your note was sent.").wait_for()

    # The screenshot library was imported only at send time, as a module with no global.
    module = f"GET {backtalk.url}/widget/vendor/modern-screenshot-{SCREENSHOT_VERSION}.mjs"
    assert requests.count(module) == 1
    assert (
        page.evaluate(
            "() => Object.keys(window).filter(k => /screenshot|backtalk|annotat|gf/i.test(k))"
        )
        == []
    )
    assert (
        f"POST {backtalk.url}/api/widget/sites/{backtalk.credentials['project_id']}"
        "/annotations/upload-url" in requests
    )

    # --- 3. The server holds both notes with what the widget recorded. ------------------
    keyboard_note, mouse_note = annotations(backtalk)
    assert keyboard_note["body"] == "Sock is out of stock but still listed."
    assert keyboard_note["kind"] == "comment"
    assert keyboard_note["status"] == "new"
    assert keyboard_note["page_url"] == shop
    assert keyboard_note["selector"] == "li:nth-of-type(2)"
    assert keyboard_note["submitter_email"] == "shopper@example.com"
    assert keyboard_note["element"]["tag"] == "li"
    assert keyboard_note["element"]["text"] == "Sock"
    assert not keyboard_note["auto_fix"]
    assert "HeadlessChrome" in keyboard_note["user_agent"]

    assert mouse_note["kind"] == "bug"
    assert mouse_note["body"] == "Checkout <b>button</b> is unreadable."
    assert mouse_note["selector"] == '[data-testid="checkout"]'
    element = mouse_note["element"]
    box = checkout.bounding_box()
    assert element["tag"] == "button"
    assert element["text"] == "Checkout"
    assert element["rect"] == {k: round(box[k]) for k in ("x", "y", "width", "height")}
    styles = mouse_note["styles"]
    assert styles["background-color"] == "rgb(255, 105, 180)"  # the host's hotpink
    assert styles["font-size"] == "40px"
    assert styles["display"] == "inline-block"
    assert "Comic Sans MS" in styles["font-family"]
    assert set(styles) == set(STYLE_KEYS)  # the documented subset, every key
    assert mouse_note["viewport"] == {"width": 1200, "height": 800, "device_pixel_ratio": 1,
                                      "scroll_x": 0, "scroll_y": 0}  # fmt: skip

    # The screenshot is fetchable through the detail's short-lived signed URL (member token).
    assert mouse_note["screenshot_key"].startswith(
        f"gf/{backtalk.credentials['project_id']}/screenshot/"
    )
    api = {"Authorization": f"Bearer {backtalk.credentials['api_token']}"}
    detail = backtalk.request(f"/api/v1/annotations/{mouse_note['id']}", headers=api)
    assert detail.status == 200, detail.text
    shot_url = detail.json()["screenshot_url"]
    assert shot_url.startswith(f"{backtalk.url}/api/v1/uploads/{mouse_note['screenshot_key']}?")
    shot = backtalk.request(shot_url.removeprefix(backtalk.url))  # no credential: the signature
    assert shot.status == 200
    assert shot.body.startswith(b"\x89PNG\r\n\x1a\n")
    width, height = struct.unpack(">II", shot.body[16:24])  # the IHDR chunk
    assert (width, height) == (1200, 800)  # the visible viewport, at scale 1

    # --- 4. The team replies through the REST API; on a revisit the visitor sees it. ----
    answer = backtalk.request(
        f"/api/v1/annotations/{mouse_note['id']}/replies",
        json_body={
            "body": "Fixed in the next release <i>today</i>.",
            "author_name": "Dana from Support",
        },
        headers=api,
    )
    assert answer.status == 201, answer.text
    assert answer.json()["author_kind"] == "agent"  # a token caller, as documented
    page.goto(shop)
    notes_button = page.get_by_role("button", name="My notes (2)")
    notes_button.click()
    notes = page.get_by_role("dialog", name="Your notes on this page")
    notes.wait_for(state="visible")
    text = notes.text_content()
    assert "Sock is out of stock but still listed." in text
    assert "Checkout <b>button</b> is unreadable." in text  # shown as text
    assert "Dana from Support: Fixed in the next release <i>today</i>." in text
    assert text.count("New") == 2
    page.screenshot(path=str(ARTEFACTS / "widget_revisit.png"))
    page.keyboard.press("Escape")
    notes.wait_for(state="hidden")
    assert shadow_active(page) == "sub"  # focus back on "My notes"

    # --- 5. The dashboard draws the element's box on the screenshot, over the button. ---
    page.goto(f"{backtalk.url}/accounts/login/")
    page.get_by_label("Email").fill(EMAIL)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{backtalk.url}/w/**")
    workspace = backtalk.credentials["workspace_id"]
    page.goto(f"{backtalk.url}/w/{workspace}/annotations/{mouse_note['id']}/")
    page.wait_for_function(
        "() => { const i = document.getElementById('screenshot-image');"
        " return i && i.complete && i.naturalWidth > 0; }"
    )
    drawn = page.evaluate(
        """() => {
        const at = document.getElementById('screenshot-image').getBoundingClientRect();
        const box = document.getElementById('screenshot-box').getBoundingClientRect();
        return [box.left - at.left, box.top - at.top, box.width, box.height, at.width];
    }"""
    )
    scale = drawn[4] / 1200  # displayed image width / captured viewport width
    assert drawn[:4] == pytest.approx(
        [element["rect"][k] * scale for k in ("x", "y", "width", "height")], abs=1.5
    )
    assert "Dana from Support" in page.locator("#thread").inner_text()
    page.locator("#screenshot").screenshot(path=str(ARTEFACTS / "widget_in_dashboard.png"))
