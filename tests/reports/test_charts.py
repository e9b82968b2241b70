"""The shared stacked-bar chart (config.charts, templates/includes/chart.html) as the
reports page and the triage breakdown serve it: a y axis with ticks and gridlines, axis
titles, a data table, and an accessible description that states the real values."""

from __future__ import annotations

import re
from datetime import UTC, datetime, time, timedelta

import pytest
from django.template.loader import render_to_string
from django.utils import timezone

from config.charts import Column, Series, nice_step, stacked_bar_chart
from reports.models import Outcome
from tests.dashboard.helpers import signed_in
from tests.feedback.factories import ItemFactory
from tests.reports.factories import ReportFactory


def reports_page(project) -> str:
    return f"/w/{project.workspace_id}/projects/{project.pk}/reports/"


def breakdown_page(project, query: str = "") -> str:
    return f"/w/{project.workspace_id}/projects/{project.pk}/triage/{query}"


def noon(days_ago: int) -> datetime:
    return datetime.combine(timezone.now().date() - timedelta(days=days_ago), time(12), tzinfo=UTC)


def svg_of(html: str, key: str) -> str:
    match = re.search(
        rf'<svg class="chart-svg"[^>]*aria-labelledby="{key}-title.*?</svg>', html, re.S
    )
    assert match, f"no chart {key}"
    return match.group(0)


def desc_of(html: str, key: str) -> str:
    match = re.search(rf'<desc id="{key}-desc">(.*?)</desc>', html, re.S)
    assert match, f"no description for {key}"
    return match.group(1)


@pytest.fixture
def busy(project):
    """31 reports on the busiest day (the axis rounds up to 40), 5 on another."""
    for i in range(31):
        ReportFactory.create(
            project=project,
            outcome=Outcome.FAILURE if i < 11 else Outcome.SUCCESS,
            created_at=noon(3),
        )
    ReportFactory.create_batch(5, project=project, outcome=Outcome.REQUEST, created_at=noon(1))
    return project


def test_report_chart_description_states_the_real_tallest_bar_and_totals(owner, busy):
    html = signed_in(owner).get(reports_page(busy)).content.decode()

    busiest = (timezone.now().date() - timedelta(days=3)).isoformat()
    description = desc_of(html, "outcomes")
    assert "36 reports in total (Success 20, Request 5, Failure 11)" in description
    assert f"The tallest bar is {busiest} with 31 reports" in description
    assert "the y axis runs from 0 to 40" in description
    assert "reaches 40" not in description
    assert "reaches 50" not in description


def test_report_chart_has_a_y_axis_with_ticks_gridlines_and_axis_titles(owner, busy):
    svg = svg_of(signed_in(owner).get(reports_page(busy)).content.decode(), "outcomes")

    ticks = re.findall(r'<text class="tick"[^>]*>(\d+)</text>', svg)
    assert ticks == ["0", "10", "20", "30", "40"]
    assert len(re.findall(r'<line class="grid', svg)) == 5
    assert '<text class="axis-title" x="-40" y="14">Reports</text>' in svg
    assert ">Day (UTC)</text>" in svg
    # No viewBox: the drawing is not scaled, so 12 px labels stay 12 px on any screen.
    assert "viewBox" not in svg
    # 30 days: five labels under the axis, the newest among them.
    labels = re.findall(r'<text class="x"[^>]*>([^<]+)</text>', svg)
    today = timezone.now().date()
    assert len(labels) == 5
    assert labels[-1] == f"{today.day} {today:%b}"


def test_report_chart_has_a_data_table_with_every_day_and_the_totals(owner, busy):
    html = signed_in(owner).get(reports_page(busy)).content.decode()

    table = html.split('<details class="chart-data">', 1)[1].split("</details>", 1)[0]
    assert "<summary>Show data</summary>" in table
    busiest = (timezone.now().date() - timedelta(days=3)).isoformat()
    # Columns in stack order: success, request, confusing, gave up, failure, total.
    row = (
        f'<tr><th scope="row">{busiest}</th><td class="n">20</td><td class="n">0</td>'
        '<td class="n">0</td><td class="n">0</td><td class="n">11</td><td class="n">31</td></tr>'
    )
    assert row in table
    assert table.count('<th scope="row">') == 31  # 30 days + "All"
    assert '<td class="n">36</td></tr></tfoot>' in table


def test_report_chart_prints_totals_above_bars_only_when_there_is_room(owner, busy):
    today = timezone.now().date()
    week = f"from={(today - timedelta(days=6)).isoformat()}&to={today.isoformat()}"
    client = signed_in(owner)

    month = svg_of(client.get(reports_page(busy)).content.decode(), "outcomes")
    seven = svg_of(client.get(reports_page(busy) + "?" + week).content.decode(), "outcomes")

    assert 'class="total"' not in month  # 30 bars: the table carries the values
    assert re.findall(r'<text class="total"[^>]*>(\d+)</text>', seven) == ["31", "5"]


def test_empty_chart_says_there_is_nothing(owner, project):
    ReportFactory.create(project=project, created_at=noon(60))  # outside the 30 days

    html = signed_in(owner).get(reports_page(project)).content.decode()

    assert "No reports in this period." in desc_of(html, "outcomes")


def test_triage_charts_have_axis_titles_tables_and_real_descriptions(owner, project):
    ItemFactory.create_batch(3, project=project, category="bug", sentiment="negative")
    ItemFactory.create(project=project, category="question", sentiment="neutral")

    html = signed_in(owner).get(breakdown_page(project)).content.decode()

    for key in ("triage-categories", "triage-sentiments"):
        svg = svg_of(html, key)
        assert ">Items</text>" in svg
        assert ">Day (UTC)</text>" in svg
    assert "4 items in total (Bug 3, Question 1)" in desc_of(html, "triage-categories")
    assert "with 4 items" in desc_of(html, "triage-categories")
    assert "4 items in total (Neutral 1, Negative 3)" in desc_of(html, "triage-sentiments")
    assert html.count("<summary>Show data</summary>") == 2


def test_triage_chart_per_week_labels_its_x_axis_by_week(owner, project):
    ItemFactory.create(project=project, category="bug", sentiment="negative")

    html = signed_in(owner).get(breakdown_page(project, "?bucket=week")).content.decode()

    assert ">Week from (UTC)</text>" in svg_of(html, "triage-categories")


def test_chart_include_escapes_every_label():
    chart = stacked_bar_chart(
        key="k",
        title="<script>t</script>",
        columns=[Column(label="<b>day</b>", short="<i>d</i>", counts={"a": 2})],
        series=[Series(key="a", label="<img src=x>", css="c-a")],
        x_label="<u>x</u>",
        y_label="<u>y</u>",
        noun=("thing", "things"),
        period="<p>",
    )

    html = render_to_string("includes/chart.html", {"chart": chart})

    for raw in ("<script>", "<b>", "<i>", "<img", "<u>", "<p>"):
        assert raw not in html
    assert "&lt;img src=x&gt;" in html


@pytest.mark.parametrize(
    ("peak", "step"), [(0, 1), (1, 1), (4, 1), (5, 2), (8, 2), (9, 5), (31, 10), (120, 50)]
)
def test_nice_step_covers_the_peak_in_at_most_four_round_steps(peak, step):
    assert nice_step(peak) == step
    assert peak <= 4 * step
