"""Headless Chromium: the widget embedded on a page of ANOTHER origin submits feedback that
the API then returns with source widget and the host page's URL; keyboard use, focus
handling and the 429 message; and the inbox shows a stored script as text, never running
it; the inbox and item pages at 360, 390 and 1366 px without sideways scrolling; keyboard
triage. Screenshots land in tests/artefacts/feedback/ (git-ignored)."""

from __future__ import annotations

import json
import os
import threading
import urllib.request
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client

from accounts.models import AuditLog, TokenFamily
from feedback.models import Item
from tests.factories import ProjectFactory, mint_token
from tests.feedback.factories import ItemFactory

pytestmark = pytest.mark.browser

CHROMIUM = "/usr/bin/chromium"
ARTEFACTS = Path(settings.BASE_DIR) / "tests" / "artefacts" / "feedback"
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
    ARTEFACTS.mkdir(parents=True, exist_ok=True)
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

    with page.expect_response(lambda r: r.url.endswith(f"/inbox/{item.pk}/update/")) as info:
        page.get_by_label("Status of “Slow search”").select_option("in_progress")

    assert info.value.status == 200
    # The swapped-in row is the server's, showing the stored status.
    page.locator(f"#item-{item.pk} select[name=status] option[selected]").wait_for(state="attached")
    assert page.locator(f"#item-{item.pk} select[name=status]").input_value() == "in_progress"
    item.refresh_from_db()
    assert item.status == "in_progress"
    ARTEFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTEFACTS / "inbox_inline_status.png"))


def _at(minutes: int) -> datetime:
    return datetime(2026, 3, 17, 12, 0, tzinfo=UTC) + timedelta(minutes=minutes)


def _overflow(page) -> int:
    """How far the page scrolls sideways (0 when it fits)."""
    return page.evaluate("document.scrollingElement.scrollWidth - window.innerWidth")


@pytest.fixture
def busy_inbox(project, workspace):
    """Rows that stress a narrow screen: long unbroken words, many tags, a long email, a
    triaged item (two badges), in two projects."""
    second = ProjectFactory.create(workspace=workspace, name="Backoffice administration tools")
    return [
        ItemFactory.create(project=project, type="bug", category="bug", sentiment="negative",
                           impact_score=11, triage_engine="builtin",
                           title="Checkout_crashes_with_a_very_long_unbroken_identifier_name",
                           body="Stack trace: " + "x" * 300, priority="urgent",
                           tags=["checkout", "payments", "mobile-safari"],
                           user_email="someone.with.a.really.long.address@example.com",
                           created_at=_at(3)),
        ItemFactory.create(project=second, type="idea", title="Dark mode", tags=["ui"],
                           created_at=_at(2)),
        ItemFactory.create(project=project, type="praise", title="Love the export",
                           created_at=_at(1)),
    ]  # fmt: skip


@pytest.mark.parametrize("width", [360, 390, 1366])
def test_inbox_and_item_page_have_no_sideways_scroll(
    chromium, live_server, owner, workspace, busy_inbox, width
):
    context = chromium.new_context(viewport={"width": width, "height": 768 if width > 800 else 800})
    page = context.new_page()
    _sign_in(page, live_server, owner)
    ARTEFACTS.mkdir(parents=True, exist_ok=True)
    first = busy_inbox[0]
    # Filters set in the main row and in the fold, so chips and the open fold are measured too.
    query = "type=bug,idea,praise&tags=checkout,ui&user_email=&sort=impact"

    page.goto(f"{live_server.url}/w/{workspace.pk}/inbox/?{query}")
    assert page.locator(".filter-chips .chip").count() == 3  # type, tags, clear all
    assert _overflow(page) <= 0, f"the inbox scrolls sideways at {width}px"
    # ... and so does the items table inside its card (the status control was cut off there).
    assert (
        page.evaluate(
            "() => { const w = document.querySelector('.items-card .table-wrap');"
            " return w.scrollWidth - w.clientWidth; }"
        )
        <= 0
    )
    status = page.locator(f"#status-{first.pk}")
    box = status.bounding_box()
    assert box["x"] >= 0
    assert box["x"] + box["width"] <= width  # the status control is not cut off
    if width > 800:
        # Items come first: the first row starts above the fold of a laptop screen.
        assert page.locator(f"#item-{first.pk}").bounding_box()["y"] < 768
    page.screenshot(path=str(ARTEFACTS / f"inbox_{width}.png"), full_page=True)

    page.goto(f"{live_server.url}/w/{workspace.pk}/inbox/{first.pk}/")
    assert _overflow(page) <= 0, f"the item page scrolls sideways at {width}px"
    page.screenshot(path=str(ARTEFACTS / f"item_{width}.png"), full_page=True)
    context.close()


def _active(page) -> str:
    """The focused element's id, or its name when it has none."""
    return page.evaluate("() => document.activeElement.id || document.activeElement.name || ''")


def test_inbox_keyboard_triage(page, live_server, owner, workspace, busy_inbox):
    newest, middle, _oldest = busy_inbox
    _sign_in(page, live_server, owner)
    page.goto(f"{live_server.url}/w/{workspace.pk}/inbox/")
    selected = page.locator("tr.item-row.is-selected")
    page.get_by_role("button", name="Shortcuts").wait_for()  # shown once the script runs

    page.keyboard.press("j")
    page.keyboard.press("j")
    page.keyboard.press("k")
    assert _active(page) == f"item-{newest.pk}"
    assert selected.count() == 1
    assert selected.get_attribute("id") == f"item-{newest.pk}"
    page.keyboard.press("j")
    assert _active(page) == f"item-{middle.pk}"

    # Not while typing, nor with a modifier.
    page.locator("#f-q").focus()
    page.keyboard.type("jk")
    assert page.locator("#f-q").input_value() == "jk"
    page.keyboard.press("Escape")
    page.locator(f"#item-{middle.pk}").focus()
    page.keyboard.press("Alt+j")
    assert _active(page) == f"item-{middle.pk}"

    # s: the selected row's status control; a key changes it and the server stores it.
    page.keyboard.press("s")
    assert _active(page) == f"status-{middle.pk}"
    with page.expect_response(lambda r: r.url.endswith(f"/inbox/{middle.pk}/update/")) as info:
        page.keyboard.press("ArrowDown")
    assert info.value.status == 200
    middle.refresh_from_db()
    assert middle.status == "under_review"
    assert AuditLog.objects.filter(action="feedback.item.update").count() == 1
    page.locator(f"#item-{middle.pk}.is-selected").wait_for()  # still selected after the swap
    page.keyboard.press("Escape")  # leave the field: back to the row
    assert _active(page) == f"item-{middle.pk}"

    # p and t reach the other controls of the same row.
    page.keyboard.press("p")
    assert _active(page) == f"priority-{middle.pk}"
    page.keyboard.press("Escape")
    page.keyboard.press("t")
    assert _active(page) == f"tags-{middle.pk}"
    page.keyboard.press("Escape")

    # ? opens the list of keys, Esc closes it.
    help_dialog = page.get_by_role("dialog", name="Keyboard shortcuts")
    page.keyboard.press("?")
    help_dialog.wait_for(state="visible")
    page.screenshot(path=str(ARTEFACTS / "inbox_keys_help.png"))
    page.keyboard.press("Escape")
    help_dialog.wait_for(state="hidden")

    # n opens the selected item with the note field focused; u goes back.
    page.keyboard.press("n")
    page.wait_for_url(f"**/inbox/{middle.pk}/**")
    page.wait_for_function("() => document.activeElement.name === 'body'")
    page.keyboard.press("Escape")
    page.keyboard.press("s")  # the item page's status field; Enter saves it
    assert _active(page) == "t-status"
    page.keyboard.press("ArrowDown")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    middle.refresh_from_db()
    assert middle.status == "planned"
    page.keyboard.press("u")
    page.wait_for_url(f"**/w/{workspace.pk}/inbox/")
    page.keyboard.press("j")
    with page.expect_navigation():
        page.keyboard.press("Enter")  # Enter (or o) opens the selected item
    assert f"/inbox/{newest.pk}/" in page.url


def test_inbox_without_javascript_filters_through_links_and_offers_no_keys(
    chromium, live_server, owner, workspace, busy_inbox
):
    context = chromium.new_context(
        viewport={"width": 390, "height": 800}, java_script_enabled=False
    )
    page = context.new_page()
    _sign_in(page, live_server, owner)

    page.goto(f"{live_server.url}/w/{workspace.pk}/inbox/?type=idea")
    assert page.locator("tr.item-row").count() == 1
    assert not page.get_by_role("button", name="Shortcuts").is_visible()
    assert not page.locator("#keys-help").is_visible()
    page.get_by_role("link", name="Remove filter Type: Idea").click()  # the chip
    page.wait_for_url(lambda url: "type=" not in url)
    assert page.locator("tr.item-row").count() == 3
    page.get_by_role("link", name="Open 3").click()  # a status tab
    assert page.locator("tr.item-row").count() == 3
    assert "status=open" in page.url
    context.close()
