"""Server-side chart geometry: a stacked bar per day, drawn as inline SVG by the template.

No JavaScript and no CDN: the view computes every rectangle here and the template only
prints numbers (nothing user-supplied reaches the SVG).
"""

from __future__ import annotations

from dataclasses import dataclass

from reports.models import Outcome
from reports.selectors import DayCount

# Stacking order, bottom to top, and the CSS class of each outcome's colour.
STACK = [
    Outcome.SUCCESS,
    Outcome.REQUEST,
    Outcome.CONFUSING,
    Outcome.GAVE_UP,
    Outcome.FAILURE,
]
WIDTH = 720
HEIGHT = 180
AXIS = 18  # room for the date labels under the bars
GAP = 2


@dataclass(frozen=True)
class Segment:
    outcome: str
    y: float
    height: float
    count: int


@dataclass(frozen=True)
class Bar:
    x: float
    width: float
    label: str  # the day, for the <title> tooltip and the axis
    label_x: float
    label_anchor: str
    title: str
    total: int
    segments: list[Segment]
    show_label: bool


@dataclass(frozen=True)
class Chart:
    width: int
    height: int
    plot_height: int
    bars: list[Bar]
    peak: int
    total: int


def _nice_peak(value: int) -> int:
    """A round number at or above ``value`` for the y scale (1, 2, 5 x 10^n)."""
    if value <= 5:
        return max(value, 1)
    magnitude = 1
    while True:
        for step in (1, 2, 5):
            if step * magnitude >= value:
                return step * magnitude
        magnitude *= 10


def daily_chart(days: list[DayCount]) -> Chart:
    plot = HEIGHT - AXIS
    peak = _nice_peak(max((d.total for d in days), default=0))
    slot = WIDTH / max(len(days), 1)
    label_every = max(1, round(len(days) / 8))
    bars = []
    for index, day in enumerate(days):
        y = float(plot)
        segments = []
        for outcome in STACK:
            count = day.counts.get(outcome.value, 0)
            if not count:
                continue
            height = plot * count / peak
            y -= height
            segments.append(
                Segment(outcome=outcome.value, y=round(y, 2), height=round(height, 2), count=count)
            )
        parts = ", ".join(f"{s.count} {s.outcome.replace('_', ' ')}" for s in segments)
        label = day.day.isoformat()
        center = index * slot + slot / 2
        # Keep the first and last labels inside the drawing.
        anchor, label_x = "middle", center
        if center < 20:
            anchor, label_x = "start", index * slot
        elif center > WIDTH - 20:
            anchor, label_x = "end", (index + 1) * slot
        bars.append(
            Bar(
                x=round(index * slot + GAP / 2, 2),
                width=round(max(slot - GAP, 1), 2),
                label=label,
                label_x=round(label_x, 2),
                label_anchor=anchor,
                title=f"{label}: {day.total} report{'s' if day.total != 1 else ''}"
                + (f" ({parts})" if parts else ""),
                total=day.total,
                segments=segments,
                show_label=(len(days) - 1 - index) % label_every == 0,
            )
        )
    return Chart(
        width=WIDTH,
        height=HEIGHT,
        plot_height=plot,
        bars=bars,
        peak=peak,
        total=sum(d.total for d in days),
    )
