"""The dashboard in headless Chromium (Debian's /usr/bin/chromium through Playwright).

Few and end to end: sign in, mint a token and see it once (a reload neither shows it again
nor mints another), use it against the API, revoke it in the page; rotate the MCP token;
invite someone (a reload neither shows the link again nor invites twice) and accept in a
second browser context; every main page at laptop and phone width without sideways
scrolling.
Screenshots land in tests/artefacts/dashboard/ (git-ignored).
"""

from __future__ import annotations

import json
import os
import shutil
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from accounts import services
from accounts.audit import Actor
from accounts.models import ApiToken, Invitation, Membership, Role, TokenFamily, User
from projects.selectors import project_by_mcp_token
from tests.factories import DEFAULT_PASSWORD, mint_token

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]
ARTEFACTS = Path(__file__).resolve().parent.parent / "artefacts" / "dashboard"
DESKTOP = {"width": 1280, "height": 860}
PHONE = {"width": 390, "height": 844}


@pytest.fixture(scope="module")
def browser():
    """One Chromium for the whole module; skipped (or failed in CI) without it."""
    if not (os.path.exists(CHROMIUM) and shutil.which(CHROMIUM)):
        if os.environ.get("REQUIRE_BROWSER") == "1":
            pytest.fail(f"REQUIRE_BROWSER=1 but {CHROMIUM} is missing")
        pytest.skip(f"{CHROMIUM} is not installed (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    # Playwright's sync API runs an event loop in this thread; the ORM calls the tests make
    # between page actions are ordinary blocking calls, not async ones.
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    ARTEFACTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
        )
        yield chromium
        chromium.close()
    if previous is None:
        os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    else:
        os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture
def site(live_server, settings):
    settings.SITE_URL = live_server.url
    return live_server.url


def new_page(browser, viewport=DESKTOP):
    context = browser.new_context(viewport=viewport)
    context.set_default_timeout(10_000)
    return context, context.new_page()


def sign_in(page, site, email, password=DEFAULT_PASSWORD):
    page.goto(f"{site}/accounts/login/")
    page.fill("input[name=username]", email)
    page.fill("input[name=password]", password)
    page.click("button[type=submit]")
    page.wait_for_url(f"{site}/w/**")


def shot(page, name):
    page.screenshot(path=str(ARTEFACTS / f"{name}.png"), full_page=True)


def api_get(site, path, token):
    assert site.startswith("http://")  # the live test server, never a file: URL
    request = urllib.request.Request(  # noqa: S310
        f"{site}{path}", headers={"Authorization": f"Bearer {token}"}
    )
    try:
        with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310 - test server
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as exc:
        return exc.code, json.loads(exc.read())


def test_token_is_shown_once_works_and_stops_when_revoked(browser, site, owner, workspace, project):
    context, page = new_page(browser)
    page.goto(f"{site}/accounts/login/")
    shot(page, "login-desktop")
    sign_in(page, site, owner.email)
    assert page.url == f"{site}/w/{workspace.pk}/"
    assert page.get_by_role("link", name="Storefront").first.is_visible()
    shot(page, "overview-desktop")

    page.locator("nav.sidenav").get_by_role("link", name="API tokens").click()
    page.fill("input[name=name]", "CI pipeline")
    page.select_option("select[name=role]", "GUEST")
    page.get_by_role("button", name="Mint token").click()
    plaintext = page.locator("#new-token").inner_text().strip()
    assert plaintext.startswith("gfat_")
    # htmx followed the POST's HX-Redirect to the list, which shows the plaintext once.
    assert page.url == f"{site}/w/{workspace.pk}/tokens/"
    assert page.locator("#token-created button.copy").is_visible()
    shot(page, "tokens-created-desktop")

    status, body = api_get(site, "/api/v1/sites", plaintext)
    assert status == 200
    assert [s["id"] for s in body["items"]] == [project.pk]

    page.reload()
    assert page.locator("#new-token").count() == 0
    assert plaintext not in page.content()
    assert f"gfat_…{plaintext[-4:]}" in page.content()
    assert ApiToken.objects.filter(name="CI pipeline").count() == 1  # the reload minted nothing

    token = ApiToken.objects.get(name="CI pipeline")
    page.once("dialog", lambda dialog: dialog.accept())
    page.locator(f"#token-{token.pk} button", has_text="Revoke").click()
    page.locator(".notice", has_text="is revoked").wait_for()
    assert page.locator(f"#token-{token.pk} .badge-revoked").is_visible()
    status, body = api_get(site, "/api/v1/sites", plaintext)
    assert status == 401
    context.close()


def test_mcp_token_rotation_refuses_the_old_one(browser, site, owner, workspace, project):
    context, page = new_page(browser)
    sign_in(page, site, owner.email)
    page.goto(f"{site}/w/{workspace.pk}/projects/{project.pk}/")
    shot(page, "project-desktop")
    page.get_by_role("link", name="Secrets").first.click()
    assert project.mcp_token not in page.content()
    page.get_by_role("button", name="Reveal secrets").click()
    old = page.locator("#mcp-token").inner_text().strip()
    assert old == project.mcp_token
    command = page.locator("#mcp-command").inner_text().strip()
    assert command == f"claude mcp add greatfeedback {site}/mcp/{old}"
    shot(page, "secrets-revealed-desktop")

    # Unconfirmed, the browser does not even submit (the server refuses too: view tests).
    assert page.locator("input[name=confirm]").evaluate("el => el.required")
    page.get_by_role("button", name="Rotate MCP token").click()
    assert page.get_by_text("New MCP token issued").count() == 0
    assert project_by_mcp_token(old) == project

    page.check("input[name=confirm]")
    page.get_by_role("button", name="Rotate MCP token").click()
    page.get_by_text("New MCP token issued").wait_for()
    new = page.locator("#mcp-token").inner_text().strip()
    assert new != old
    assert project_by_mcp_token(old) is None
    assert project_by_mcp_token(new) == project

    page.goto(f"{site}/w/{workspace.pk}/projects/{project.pk}/secrets/")
    page.get_by_role("button", name="Reveal secrets").click()
    assert page.locator("#mcp-token").inner_text().strip() == new
    context.close()


def test_invitation_is_accepted_in_a_second_browser(browser, site, owner, workspace):
    context, page = new_page(browser)
    sign_in(page, site, owner.email)
    page.locator("nav.sidenav").get_by_role("link", name="Members").click()
    page.fill("input[name=email]", "newcomer@example.com")
    page.select_option("#invite select[name=role]", "MEMBER")
    page.get_by_role("button", name="Send invitation").click()
    link = page.locator("#invite-url").inner_text().strip()
    assert link.startswith(f"{site}/invitations/")
    assert page.url == f"{site}/w/{workspace.pk}/members/"
    shot(page, "invitation-created-desktop")
    page.reload()
    assert page.locator("#invite-url").count() == 0
    assert link not in page.content()
    assert Invitation.objects.filter(workspace=workspace).count() == 1

    guest_context, guest_page = new_page(browser, PHONE)
    guest_page.goto(link)
    shot(guest_page, "invitation-accept-phone")
    guest_page.fill("input[name=name]", "Newcomer")
    guest_page.fill("input[name=password1]", "newcomer-long-passphrase")
    guest_page.fill("input[name=password2]", "newcomer-long-passphrase")
    guest_page.get_by_role("button", name="Create account and join").click()
    guest_page.wait_for_url(f"{site}/w/{workspace.pk}/")
    assert "Welcome to Alice" in guest_page.content()
    newcomer = User.objects.get(email="newcomer@example.com")
    assert Membership.objects.get(workspace=workspace, user=newcomer).role == Role.MEMBER

    response = guest_page.goto(link)
    assert response.status == 410
    shot(guest_page, "invitation-gone-phone")
    guest_context.close()

    page.goto(f"{site}/w/{workspace.pk}/members/")
    assert page.locator(f"#member-{newcomer.pk}").is_visible()
    context.close()


def test_main_pages_fit_laptop_and_phone(browser, site, owner, workspace, project, member):
    ws, pid = workspace.pk, project.pk
    # Rows in every table, so the phone layout of each is exercised.
    mint_token(workspace=workspace, created_by=owner, name="nightly export job")
    mint_token(workspace=workspace, created_by=member, name="bob's laptop", role=Role.GUEST)
    mint_token(
        workspace=workspace,
        created_by=owner,
        name="backend",
        project=project,
        family=TokenFamily.MINOLITH,
    )
    mint_token(
        workspace=workspace,
        created_by=owner,
        name="reports reader",
        family=TokenFamily.WRITEBACK_READ,
    )
    services.invitation_create(
        workspace=workspace,
        email="someone.with.a.long.name@example.com",
        role=Role.GUEST,
        actor=Actor.for_user(owner),
    )
    pages = {
        "overview": f"/w/{ws}/",
        "projects": f"/w/{ws}/projects/",
        "project": f"/w/{ws}/projects/{pid}/",
        "project-edit": f"/w/{ws}/projects/{pid}/edit/",
        "secrets": f"/w/{ws}/projects/{pid}/secrets/",
        "members": f"/w/{ws}/members/",
        "tokens": f"/w/{ws}/tokens/",
        "audit": f"/w/{ws}/audit/",
        "settings": f"/w/{ws}/settings/",
    }
    for label, viewport in (("desktop", DESKTOP), ("phone", PHONE)):
        context, page = new_page(browser, viewport)
        sign_in(page, site, owner.email)
        for name, path in pages.items():
            response = page.goto(f"{site}{path}")
            assert response.status == 200, path
            overflow = page.evaluate(
                "document.documentElement.scrollWidth - document.documentElement.clientWidth"
            )
            assert overflow <= 0, f"{path} scrolls sideways by {overflow}px at {label} width"
            shot(page, f"{name}-{label}")
        context.close()
