"""The project and secrets pages in headless Chromium at laptop (1366 px) and phone (390 px)
width: no sideways scrolling, and POST/redirect/GET as a person sees it: a minted key and
revealed secrets are shown once, and the browser's reload shows neither again nor mints."""

from __future__ import annotations

import pytest

from accounts.models import ApiToken, AuditLog
from projects.models import Project
from tests.dashboard.test_browser import browser, new_page, shot, sign_in, site

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

__all__ = ["browser", "site"]  # fixtures used by name below

LAPTOP = {"width": 1366, "height": 800}
PHONE = {"width": 390, "height": 844}


def sideways(page) -> int:
    return page.evaluate(
        "document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )


@pytest.mark.parametrize(("label", "viewport"), [("laptop", LAPTOP), ("phone", PHONE)])
def test_project_and_secrets_pages_fit_and_show_secrets_once(
    browser, site, owner, workspace, project, label, viewport
):
    # Long values, the way real projects look: they must wrap, not widen the page.
    Project.objects.filter(pk=project.pk).update(
        domain="customer-feedback.shop.example-enterprise-domain.com",
        allowed_origins=[f"https://storefront-{i}.example-enterprise-domain.com" for i in range(3)],
        spending_cap_credits=500,
        credits_used=120,
    )
    ws, pid = workspace.pk, project.pk
    context, page = new_page(browser, viewport)
    sign_in(page, site, owner.email)

    page.goto(f"{site}/w/{ws}/projects/{pid}/")
    assert sideways(page) <= 0
    assert page.locator("#credits-left").inner_text().strip() == "380"
    shot(page, f"project-detail-{label}")

    page.fill("#keys input[name=name]", "ci")
    page.get_by_role("button", name="Mint key").click()
    page.locator("#new-key").wait_for()
    raw = page.locator("#new-key").inner_text().strip()
    assert raw.startswith("mlth_")
    assert page.url.startswith(f"{site}/w/{ws}/projects/{pid}/")  # redirected to the GET page
    assert sideways(page) <= 0
    shot(page, f"project-key-created-{label}")
    page.reload()
    assert page.locator("#new-key").count() == 0
    assert raw not in page.content()
    assert ApiToken.objects.filter(name="ci").count() == 1

    # Revoke through htmx (the browser's confirm dialog): the page reloads with the notice.
    key = ApiToken.objects.get(name="ci")
    page.once("dialog", lambda dialog: dialog.accept())
    page.locator(f"#key-{key.pk} button", has_text="Revoke").click()
    page.locator(".messages", has_text="is revoked").wait_for()
    assert page.locator(f"#key-{key.pk} .badge-revoked").is_visible()
    revokes = AuditLog.objects.filter(action="api_token.revoke").count()
    page.reload()
    assert page.locator(".messages", has_text="is revoked").count() == 0
    assert AuditLog.objects.filter(action="api_token.revoke").count() == revokes == 1

    page.goto(f"{site}/w/{ws}/projects/{pid}/secrets/")
    assert sideways(page) <= 0
    page.get_by_role("button", name="Reveal secrets").click()
    page.locator("#mcp-command").wait_for()
    assert page.locator("#mcp-command").inner_text().strip() == (
        f"claude mcp add greatfeedback {site}/mcp/{project.mcp_token}"
    )
    assert sideways(page) <= 0
    shot(page, f"secrets-revealed-{label}")
    reveals = AuditLog.objects.filter(action="project.reveal_secrets").count()
    page.reload()
    assert page.locator("#mcp-token").count() == 0
    assert project.mcp_token not in page.content()
    assert AuditLog.objects.filter(action="project.reveal_secrets").count() == reveals

    page.check("input[name=confirm]")
    page.get_by_role("button", name="Rotate MCP token").click()
    page.get_by_text("New MCP token issued").wait_for()
    rotated = Project.objects.get(pk=pid).mcp_token
    assert page.locator("#mcp-token").inner_text().strip() == rotated
    assert sideways(page) <= 0
    shot(page, f"secrets-rotated-{label}")
    page.reload()
    assert page.get_by_text("New MCP token issued").count() == 0
    assert Project.objects.get(pk=pid).mcp_token == rotated
    context.close()
