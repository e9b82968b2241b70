"""Server-rendered SVG charts for the dashboard: one stacked-bar chart and one sparkline,
drawn by templates/includes/chart.html and templates/includes/sparkline.html (docs/charts.md).

The SVG has no viewBox: x positions are percentages of its width and y positions pixels,
so text is never scaled down with the drawing (a 720-unit viewBox shown 480 px wide made
13 px labels 8 px). Only numbers and labels the caller chose reach the SVG, and the
templates escape those.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date

HEIGHT = 240  # px, the whole drawing
PLOT_TOP = 36  # room for the y-axis label and the totals above the tallest bar
PLOT_BOTTOM = HEIGHT - 44  # room for the x labels and the x-axis label
GAP = 0.2  # share of each bar's slot left empty
MAX_X_LABELS = 5  # 30 days: one label every 6 bars, about 50 px apart on a 360 px phone
MAX_BAR_TOTALS = 16  # more bars than this leave no room for a number above each
TARGET_TICKS = 4


@dataclass(frozen=True)
class Series:
    """One stacked layer: ``key`` in the counts, its legend label, and the CSS class that
    sets its colour (``--swatch``)."""

    key: str
    label: str
    css: str


@dataclass(frozen=True)
class Column:
    """One bar's data: ``label`` in full (tooltip, table), ``short`` under the axis."""

    label: str
    short: str
    counts: Mapping[str, int]


@dataclass(frozen=True)
class Segment:
    key: str
    css: str
    count: int
    y: float
    height: float


@dataclass(frozen=True)
class Bar:
    label: str
    short: str
    x: str  # percent of the width, "12.5%"
    width: str
    center: str
    total: int
    counts: list[int]  # per series, in series order (the data table)
    segments: list[Segment]
    title: str  # the tooltip
    total_y: float  # just above the stack, for the number shown there
    show_label: bool  # centred under the bar; the frame's padding holds the outer halves


@dataclass(frozen=True)
class Tick:
    value: int
    y: float

    @property
    def label_y(self) -> float:
        """The tick's number, centred on its gridline."""
        return round(self.y + 4, 2)


@dataclass(frozen=True)
class StackedBarChart:
    key: str  # prefix of the element ids, unique on the page
    title: str
    description: str  # the accessible text: real totals and the real busiest bar
    x_label: str
    y_label: str
    series: list[Series]
    bars: list[Bar]
    ticks: list[Tick]
    totals: list[int]  # per series
    total: int
    peak: int  # the tallest bar's value (the axis may run higher)
    axis_max: int
    show_totals: bool
    height: int = HEIGHT
    plot_top: int = PLOT_TOP
    plot_bottom: int = PLOT_BOTTOM

    @property
    def legend(self) -> list[Series]:
        """Top layer first, as the stack reads."""
        return list(reversed(self.series))

    @property
    def plot_height(self) -> int:
        return self.plot_bottom - self.plot_top

    @property
    def x_label_y(self) -> int:
        return self.plot_bottom + 17

    @property
    def x_title_y(self) -> int:
        return self.height - 4


def short_date(day: date) -> str:
    """An axis label: "6 Nov" (the full ISO date is in the tooltip and the table)."""
    return f"{day.day} {day:%b}"


def _plural(count: int, noun: tuple[str, str]) -> str:
    return f"{count} {noun[0] if count == 1 else noun[1]}"


def _pct(value: float) -> str:
    return f"{value:.3f}".rstrip("0").rstrip(".") + "%"


def nice_step(peak: int, *, ticks: int = TARGET_TICKS) -> int:
    """The smallest 1, 2 or 5 x 10^n whole step that covers ``peak`` in ``ticks`` steps."""
    raw = max(peak, 1) / ticks
    magnitude = 10 ** max(0, math.floor(math.log10(raw))) if raw >= 1 else 1
    for factor in (1, 2, 5, 10):
        if factor * magnitude >= raw:
            return factor * magnitude
    return 10 * magnitude


def stacked_bar_chart(
    *,
    key: str,
    title: str,
    columns: Sequence[Column],
    series: Sequence[Series],
    x_label: str,
    y_label: str,
    noun: tuple[str, str],
    period: str,
) -> StackedBarChart:
    """One stacked bar per column, layers in ``series`` order from the bottom.

    ``noun`` is what is counted (("report", "reports")); ``period`` names the range in the
    description ("2026-11-06 to 2026-12-05, UTC").
    """
    totals = [sum(c.counts.get(s.key, 0) for c in columns) for s in series]
    column_totals = [sum(c.counts.get(s.key, 0) for s in series) for c in columns]
    peak = max(column_totals, default=0)
    step = nice_step(peak)
    axis_max = step * max(1, math.ceil(peak / step))
    plot = PLOT_BOTTOM - PLOT_TOP
    n = max(len(columns), 1)
    slot = 100 / n
    every = max(1, math.ceil(len(columns) / MAX_X_LABELS))
    bars = []
    for index, column in enumerate(columns):
        y = float(PLOT_BOTTOM)
        segments = []
        counts = [column.counts.get(s.key, 0) for s in series]
        for s, count in zip(series, counts, strict=True):
            if not count:
                continue
            height = plot * count / axis_max
            y -= height
            segments.append(
                Segment(key=s.key, css=s.css, count=count, y=round(y, 2), height=round(height, 2))
            )
        total = column_totals[index]
        parts = ", ".join(f"{s.label} {c}" for s, c in zip(series, counts, strict=True) if c)
        bars.append(
            Bar(
                label=column.label,
                short=column.short,
                x=_pct(index * slot + slot * GAP / 2),
                width=_pct(slot * (1 - GAP)),
                center=_pct((index + 0.5) * slot),
                total=total,
                counts=counts,
                segments=segments,
                title=f"{column.label}: {_plural(total, noun)}" + (f" ({parts})" if parts else ""),
                total_y=round(y - 5, 2),
                # The newest bar is always labelled, then every ``every``-th back from it.
                show_label=(len(columns) - 1 - index) % every == 0,
            )
        )
    ticks = []
    for value in range(0, axis_max + 1, step):
        y = round(PLOT_BOTTOM - plot * value / axis_max, 2)
        ticks.append(Tick(value=value, y=y))
    return StackedBarChart(
        key=key,
        title=title,
        description=_describe(
            title=title,
            columns=columns,
            column_totals=column_totals,
            series=series,
            totals=totals,
            noun=noun,
            period=period,
            axis_max=axis_max,
        ),
        x_label=x_label,
        y_label=y_label,
        series=list(series),
        bars=bars,
        ticks=ticks,
        totals=totals,
        total=sum(totals),
        peak=peak,
        axis_max=axis_max,
        show_totals=0 < len(columns) <= MAX_BAR_TOTALS,
    )


def _describe(
    *,
    title: str,
    columns: Sequence[Column],
    column_totals: list[int],
    series: Sequence[Series],
    totals: list[int],
    noun: tuple[str, str],
    period: str,
    axis_max: int,
) -> str:
    """The chart in words, from the data (never from the axis, which is rounded up)."""
    total = sum(totals)
    head = f"{title}, {period}: stacked bars, {len(columns)} in all."
    if not total:
        return f"{head} No {noun[1]} in this period."
    parts = ", ".join(f"{s.label} {t}" for s, t in zip(series, totals, strict=True) if t)
    peak = max(column_totals)
    busiest = [c.label for c, t in zip(columns, column_totals, strict=True) if t == peak]
    where = busiest[0] if len(busiest) == 1 else f"{busiest[0]} and {len(busiest) - 1} more"
    return (
        f"{head} {_plural(total, noun)} in total ({parts}). "
        f"The tallest bar is {where} with {_plural(peak, noun)}; "
        f"the y axis runs from 0 to {axis_max}."
    )


# --- sparkline ------------------------------------------------------------------------------
SPARK_BAR = 8  # px per day
SPARK_GAP = 2
SPARK_HEIGHT = 22


@dataclass(frozen=True)
class SparkBar:
    x: int
    y: float
    width: int
    height: float
    value: int


@dataclass(frozen=True)
class Sparkline:
    bars: list[SparkBar]
    width: int
    height: int
    total: int
    peak: int
    description: str


def sparkline(values: Sequence[int], *, labels: Sequence[str], noun: tuple[str, str]) -> Sparkline:
    """Tiny bars, one per value, scaled to the largest; a zero keeps a 1 px stub so the
    days stay countable. ``labels`` name the values in the description (first and last)."""
    peak = max(values, default=0)
    bars = []
    for index, value in enumerate(values):
        height = max(1.0, round((SPARK_HEIGHT - 1) * value / peak, 2)) if peak else 1.0
        bars.append(
            SparkBar(
                x=index * (SPARK_BAR + SPARK_GAP),
                y=round(SPARK_HEIGHT - height, 2),
                width=SPARK_BAR,
                height=height,
                value=value,
            )
        )
    period = f"{labels[0]} to {labels[-1]}" if labels else "no days"
    description = (
        f"{_plural(sum(values), noun)} from {period}; per day: "
        + ", ".join(str(v) for v in values)
        + "."
    )
    return Sparkline(
        bars=bars,
        width=max(len(values) * (SPARK_BAR + SPARK_GAP) - SPARK_GAP, 1),
        height=SPARK_HEIGHT,
        total=sum(values),
        peak=peak,
        description=description,
    )
