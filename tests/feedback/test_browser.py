"""Headless Chromium: the widget embedded on a page of ANOTHER origin submits feedback that
the API then returns with source widget and the host page's URL; keyboard use, focus
handling and the 429 message; and the inbox shows a stored script as text, never running
it. Screenshots land in tests/artefacts/."""

from __future__ import annotations

import json
import os
import threading
import urllib.request
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client

from accounts.models import TokenFamily
from feedback.models import Item
from tests.factories import mint_token
from tests.feedback.factories import ItemFactory

pytestmark = pytest.mark.browser

CHROMIUM = "/usr/bin/chromium"
ARTEFACTS = Path(settings.BASE_DIR) / "tests" / "artefacts"
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]
HOST_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Shop</title>
<style>
  /* A hostile host stylesheet: none of this may reach the widget. */
  button {{ background: hotpink !important; font-size: 40px !important; }}
  * {{ font-family: "Comic Sans MS", cursive; color: red; }}
  backtalk-feedback {{ display: none; }}
</style></head>
<body><h1>Cart</h1><p>Checkout page of a shop on another origin.</p>
<script src="{src}" data-project="{slug}" data-position="{position}" data-color="#0f766e"
  data-user-id="usr_42"{email}></script>
</body></html>"""


@pytest.fixture(scope="module")
def chromium() -> Iterator[object]:
    if not Path(CHROMIUM).exists():
        if os.environ.get("REQUIRE_BROWSER") == "1":
            pytest.fail(f"{CHROMIUM} is missing and REQUIRE_BROWSER=1")
        pytest.skip(f"{CHROMIUM} is not installed")
    from playwright.sync_api import sync_playwright

    # Playwright's sync API keeps an event loop on this thread; Django's ORM calls made by
    # the test itself in between page actions are still plain synchronous calls.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
            yield browser
            browser.close()
    finally:
        os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)


@pytest.fixture
def page(chromium):
    context = chromium.new_context(viewport={"width": 1200, "height": 800})
    context.set_default_timeout(10_000)
    page = context.new_page()
    yield page
    context.close()


class _HostHandler(BaseHTTPRequestHandler):
    html = ""

    def do_GET(self) -> None:
        body = self.server.html.encode()  # type: ignore[attr-defined]  # set by host_site
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        return


@pytest.fixture
def host_site() -> Iterator[ThreadingHTTPServer]:
    """A second web server: the customer's site, on an origin other than the app's."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), _HostHandler)
    server.html = ""  # type: ignore[attr-defined]  # the page _HostHandler serves
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


def host_url(server: ThreadingHTTPServer, path: str = "/shop/cart?step=2") -> str:
    return f"http://127.0.0.1:{server.server_address[1]}{path}"


def embed(server, live_server, project, position="bottom-right", email=None) -> str:
    server.html = HOST_PAGE.format(
        src=f"{live_server.url}/widget/feedback.js",
        slug=project.slug,
        position=position,
        email=f' data-user-email="{email}"' if email else "",
    )
    return host_url(server)


def shadow_active_id(page) -> str:
    return page.evaluate(
        "() => { const a = document.querySelector('backtalk-feedback').shadowRoot"
        ".activeElement; return a ? (a.id || a.className) : ''; }"
    )


def api_get(live_server, raw_key: str, path: str) -> dict:
    request = urllib.request.Request(  # noqa: S310 - the live server's own http URL
        f"{live_server.url}{path}", headers={"Authorization": f"Bearer {raw_key}"}
    )
    with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
        return json.loads(response.read())


def test_widget_on_another_origin_submits_feedback_found_through_the_api(
    page, live_server, host_site, project, owner, workspace
):
    project.allowed_origins = [f"http://127.0.0.1:{host_site.server_address[1]}"]
    project.save()
    _, raw_key = mint_token(
        workspace=workspace, created_by=owner, family=TokenFamily.MINOLITH, project=project
    )
    url = embed(host_site, live_server, project)
    assert not url.startswith(live_server.url)  # two origins
    ARTEFACTS.mkdir(parents=True, exist_ok=True)

    page.goto(url)
    launcher = page.get_by_role("button", name="Feedback", exact=True)
    # Host CSS does not leak in: the accent from data-color, not the host's hotpink.
    assert launcher.evaluate("b => getComputedStyle(b).backgroundColor") == "rgb(15, 118, 110)"
    assert launcher.evaluate("b => getComputedStyle(b).fontSize") == "14px"
    assert page.locator("backtalk-feedback").evaluate("h => getComputedStyle(h).display") == (
        "block"
    )
    # ... and the widget's CSS does not leak out (its "*" rule sets border-box and a font).
    heading = page.locator("h1")
    assert heading.evaluate("h => getComputedStyle(h).boxSizing") == "content-box"
    assert "Comic Sans" in heading.evaluate("h => getComputedStyle(h).fontFamily")
    box = launcher.bounding_box()
    assert box["x"] > 900  # bottom-right
    assert box["y"] > 650

    launcher.focus()
    page.keyboard.press("Enter")
    dialog = page.get_by_role("dialog", name="Send feedback")
    dialog.wait_for(state="visible")
    assert launcher.get_attribute("aria-expanded") == "true"
    assert shadow_active_id(page).endswith("-type")  # focus moved into the dialog

    # Escape closes and gives focus back to the launcher.
    page.keyboard.press("Escape")
    dialog.wait_for(state="hidden")
    assert shadow_active_id(page) == "launcher"
    page.keyboard.press("Enter")
    dialog.wait_for(state="visible")

    # Keyboard only: choose the type, tab through the labelled fields, type, submit.
    page.keyboard.press("ArrowDown")  # "Not sure" -> feedback
    page.keyboard.press("ArrowDown")  # feedback -> bug
    page.keyboard.press("Tab")
    page.keyboard.type("Coupon field rejects valid codes")
    page.keyboard.press("Tab")
    page.keyboard.type("SPRING10 says 'invalid' although it is <b>active</b>.")
    page.keyboard.press("Tab")
    page.keyboard.type("shopper@example.com")
    page.keyboard.press("Tab")  # the send button
    assert shadow_active_id(page) == "send"
    page.keyboard.press("Tab")  # focus trap: wraps to the first control (close)
    assert shadow_active_id(page) == "close"
    page.keyboard.press("Shift+Tab")
    assert shadow_active_id(page) == "send"
    page.screenshot(path=str(ARTEFACTS / "widget_form.png"))
    page.keyboard.press("Enter")

    page.get_by_text("Thank you! Your feedback was sent.").wait_for()
    page.screenshot(path=str(ARTEFACTS / "widget_sent.png"))

    listed = api_get(live_server, raw_key, "/v1/feedback/items?type=bug")["data"]
    assert len(listed) == 1
    item = listed[0]
    assert item | {"id": "-", "created_at": "-", "updated_at": "-"} == {
        "id": "-",
        "title": "Coupon field rejects valid codes",
        "body": "SPRING10 says 'invalid' although it is <b>active</b>.",
        "type": "bug",
        "status": "open",
        "priority": None,
        "source": "widget",
        "tags": [],
        "page_url": url,
        "user_email": "shopper@example.com",
        "user_name": None,
        "user_id_external": "usr_42",
        "created_at": "-",
        "updated_at": "-",
    }


def test_widget_validates_and_shows_the_rate_limit_message(
    page, live_server, host_site, project, settings
):
    settings.RATE_MINOLITH_PUBLIC_PER_IP = "1/3600s"
    page.goto(embed(host_site, live_server, project, position="top-left",
                    email="known@example.com"))  # fmt: skip
    launcher = page.get_by_role("button", name="Feedback", exact=True)
    box = launcher.bounding_box()
    assert box["x"] < 100  # top-left
    assert box["y"] < 100
    launcher.click()
    assert page.get_by_label("Your email").count() == 0  # data-user-email given

    send = page.get_by_role("button", name="Send feedback")
    send.click()
    message = page.get_by_label("Message")
    page.get_by_text("Please write a message.").wait_for()
    assert message.get_attribute("aria-invalid") == "true"

    message.fill("First message")
    send.click()
    page.get_by_text("Thank you! Your feedback was sent.").wait_for()
    page.get_by_role("button", name="Close", exact=True).click()
    launcher.click()
    page.get_by_label("Message").fill("Second message")
    page.get_by_role("button", name="Send feedback").click()

    page.get_by_text(
        "Rate limit exceeded. Maximum 1 submission per hour. Please try again later."
    ).wait_for()
    page.screenshot(path=str(ARTEFACTS / "widget_rate_limited.png"))
    assert list(Item.objects.values_list("body", "user_email")) == [
        ("First message", "known@example.com")
    ]


def _sign_in(page, live_server, user) -> None:
    client = Client()
    client.force_login(user)
    page.context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}]
    )


def test_inbox_shows_a_stored_script_as_text_without_running_it(
    page, live_server, project, owner, workspace
):
    hostile = '<script>window.__pwned = 1</script><img src=x onerror="window.__pwned = 2">'
    item = ItemFactory.create(project=project, title=f"XSS {hostile}", body=hostile,
                              user_name=hostile,
                              page_url="javascript:window.__pwned=3")  # fmt: skip
    _sign_in(page, live_server, owner)

    page.goto(f"{live_server.url}/w/{workspace.pk}/inbox/")
    page.get_by_text(hostile).first.wait_for()
    assert page.evaluate("() => window.__pwned") is None
    page.screenshot(path=str(ARTEFACTS / "inbox_escaped.png"), full_page=True)

    page.goto(f"{live_server.url}/w/{workspace.pk}/inbox/{item.pk}/")
    page.locator(".item-body").get_by_text(hostile).wait_for()
    assert page.evaluate("() => window.__pwned") is None
    assert page.locator("a[href^='javascript:']").count() == 0
    page.screenshot(path=str(ARTEFACTS / "item_escaped.png"), full_page=True)


def test_inbox_inline_status_change_through_htmx(page, live_server, project, owner, workspace):
    item = ItemFactory.create(project=project, title="Slow search")
    _sign_in(page, live_server, owner)
    page.goto(f"{live_server.url}/w/{workspace.pk}/inbox/")

    with page.expect_response(lambda r: r.url.endswith(f"/inbox/{item.pk}/triage/")) as info:
        page.get_by_label("Status of “Slow search”").select_option("in_progress")

    assert info.value.status == 200
    # The swapped-in row is the server's, showing the stored status.
    page.locator(f"#item-{item.pk} select[name=status] option[selected]").wait_for(state="attached")
    assert page.locator(f"#item-{item.pk} select[name=status]").input_value() == "in_progress"
    item.refresh_from_db()
    assert item.status == "in_progress"
    page.screenshot(path=str(ARTEFACTS / "inbox_inline_status.png"))
