"""The overview, the reports page and the triage breakdown in headless Chromium at 1366 px
and 390 px: no sideways scrolling, chart labels at least 11 px on screen, the data table
opens, and the sidebar's Triage entry leads to the breakdown. Screenshots land in
tests/artefacts/dashboard/ (git-ignored)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from feedback.models import ItemSource, ItemStatus
from reports.models import Outcome
from tests.dashboard import test_browser as dashboard_browser
from tests.dashboard.test_browser import ARTEFACTS, new_page, shot, sign_in
from tests.factories import ProjectFactory
from tests.feedback.factories import ItemFactory
from tests.reports.factories import ReportFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# The dashboard browser tests' fixtures: one Chromium per module, the live server's URL.
browser = dashboard_browser.browser
site = dashboard_browser.site

LAPTOP = {"width": 1366, "height": 860}
PHONE = {"width": 390, "height": 844}
MIN_LABEL_PX = 11


def fill(project) -> None:
    now = timezone.now()
    for days in range(0, 30, 2):
        ReportFactory.create_batch(
            days % 5 + 1,
            project=project,
            outcome=Outcome.FAILURE if days % 3 else Outcome.SUCCESS,
            tool_name="search_index" if days % 4 else "a_rather_long_tool_name_for_phones",
            created_at=now - timedelta(days=days),
        )
        ItemFactory.create(
            project=project,
            category=("bug", "feature", "question")[days % 3],
            sentiment=("negative", "neutral", "positive")[days % 3],
            status=ItemStatus.OPEN,
            source=ItemSource.WIDGET if days == 0 else ItemSource.API,
            created_at=now - timedelta(days=days),
        )


def sideways(page) -> int:
    return page.evaluate(
        "document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )


def smallest_chart_text(page) -> float:
    """The smallest on-screen height of the charts' axis text, in CSS px."""
    return page.evaluate(
        """() => Math.min(...[...document.querySelectorAll(
            '.chart-svg text.x, .chart-svg text.tick, .chart-svg text.axis-title')]
            .map(t => parseFloat(getComputedStyle(t).fontSize)
                 * (t.getScreenCTM() ? t.getScreenCTM().a : 1)))"""
    )


def test_overview_reports_and_triage_read_well_on_laptop_and_phone(
    browser, site, settings, owner, workspace, project
):
    fill(project)
    ProjectFactory.create(workspace=workspace, name="Fresh docs site", slug="fresh-docs")
    ws, pid = workspace.pk, project.pk
    charts = [
        f"/w/{ws}/projects/{pid}/reports/",
        f"/w/{ws}/projects/{pid}/triage/",
        f"/w/{ws}/projects/{pid}/triage/?bucket=week",
    ]
    for width, viewport in (("laptop", LAPTOP), ("phone", PHONE)):
        context, page = new_page(browser, viewport)
        sign_in(page, site, owner.email)  # lands on the overview
        assert sideways(page) <= 0, f"the overview scrolls sideways at {width} width"
        shot(page, f"charts-overview-{width}")
        for path in charts:
            assert page.goto(f"{site}{path}").status == 200, path
            name = path.split("/")[-2] + ("-week" if "week" in path else "")
            assert smallest_chart_text(page) >= MIN_LABEL_PX, f"{path} at {width}"
            page.locator("details.chart-data summary").first.click()
            assert page.locator("details.chart-data table").first.is_visible()
            assert sideways(page) <= 0, f"{path} scrolls sideways at {width} width"
            shot(page, f"charts-{name}-{width}")
            # The first card at its real size, to judge the labels without scaling.
            card = page.locator("main section.card").first
            card.screenshot(path=str(ARTEFACTS / f"charts-{name}-{width}-card.png"))
        context.close()

    context, page = new_page(browser, LAPTOP)
    sign_in(page, site, owner.email)
    overview = page.locator("main")
    checklist = overview.locator("section.checklist")
    assert checklist.get_by_role("heading", name="Fresh docs site").is_visible()
    assert overview.get_by_role("link", name="Send a first agent report").first.is_visible()
    assert overview.get_by_text("failures of tool").first.is_visible()
    page.locator("nav.sidenav").get_by_role("link", name="Triage").click()
    page.get_by_role("link", name="Storefront").click()
    page.wait_for_url(f"{site}/w/{ws}/projects/{pid}/triage/")
    assert page.get_by_role("heading", name="By category").is_visible()
    context.close()
