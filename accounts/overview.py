"""The workspace overview's feedback sections: a registry the domain apps fill in.

accounts sits below feedback, reports and annotations, so it cannot ask them for their
numbers. Each registers a ``Section`` from its AppConfig.ready(); the overview page shows
whatever is registered, in ``order`` (annotations plugs in the same way once it has a
model). A section answers for all of a workspace's projects with a fixed number of
queries, so the page costs the same with one project or fifty (docs/charts.md).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any, Protocol

from django.urls import reverse

from accounts.models import ApiToken, Workspace
from config.charts import Sparkline, sparkline

OVERVIEW_DAYS = 7


class ProjectLike(Protocol):
    pk: Any
    name: str


@dataclass(frozen=True)
class Window:
    """What a section is asked about: these projects of this workspace, these UTC days."""

    workspace: Workspace
    project_ids: Sequence[str]
    days: Sequence[date]  # oldest first, today last

    @property
    def since(self) -> datetime:
        first = self.days[0]
        return datetime(first.year, first.month, first.day, tzinfo=UTC)

    def daily(self, counts: Mapping[tuple[str, date], int], project_id: str) -> list[int]:
        """One count per day of the window from ``{(project_id, day): n}``."""
        return [counts.get((project_id, day), 0) for day in self.days]


@dataclass(frozen=True)
class Arrivals:
    daily: Sequence[int]  # per day of the window
    url: str  # where to see them


@dataclass(frozen=True)
class Unhandled:
    """Something waiting for a person: ``count`` of ``label`` (with ``subject``, a tool
    name say) in one project. ``label`` is (singular, plural), picked by ``count``."""

    project_id: str
    label: tuple[str, str]
    count: int
    url: str
    subject: str = ""

    @property
    def text(self) -> str:
        return self.label[0] if self.count == 1 else self.label[1]


@dataclass(frozen=True)
class Step:
    """One getting-started step of one project."""

    project_id: str
    order: int
    label: str
    url: str
    done: bool


@dataclass(frozen=True)
class SectionData:
    arrivals: Mapping[str, Arrivals]  # by project id, every project of the window
    unhandled: Sequence[Unhandled] = ()
    steps: Sequence[Step] = ()


@dataclass(frozen=True)
class Section:
    key: str
    label: str  # the column heading: "Feedback items"
    noun: tuple[str, str]  # ("item", "items")
    order: int
    collect: Callable[[Window], SectionData]


_SECTIONS: dict[str, Section] = {}


def section_register(section: Section) -> None:
    """Called from a domain app's AppConfig.ready(); registering a key again replaces it."""
    _SECTIONS[section.key] = section


def sections() -> list[Section]:
    return sorted(_SECTIONS.values(), key=lambda s: (s.order, s.key))


# --- the page's rows --------------------------------------------------------------------------
@dataclass(frozen=True)
class Cell:
    section: Section
    total: int
    spark: Sparkline
    url: str


@dataclass(frozen=True)
class ProjectRow:
    project: ProjectLike
    cells: list[Cell]
    steps: list[Step]

    @property
    def total(self) -> int:
        return sum(c.total for c in self.cells)

    @property
    def steps_left(self) -> int:
        return sum(1 for s in self.steps if not s.done)


@dataclass(frozen=True)
class UnhandledRow:
    """An Unhandled with the project and section it belongs to, as the template needs it."""

    project: ProjectLike
    item: Unhandled
    section: Section


@dataclass(frozen=True)
class WorkspaceOverview:
    days: list[date]
    sections: list[Section]
    rows: list[ProjectRow]
    unhandled: list[UnhandledRow]
    checklists: list[ProjectRow] = field(default_factory=list)  # projects with steps left


def token_steps(window: Window) -> list[Step]:
    """accounts' own step: an active API token the project can use (a workspace token, or
    one bound to the project), in one query."""
    bound = set(
        ApiToken.objects.for_workspace(window.workspace)
        .active()
        .order_by()
        .values_list("project_id", flat=True)
        .distinct()
    )
    url = reverse("accounts:token-list", args=[window.workspace.pk])
    return [
        Step(
            project_id=pid,
            order=30,
            label="Mint an API token",
            url=url,
            done=None in bound or pid in bound,
        )
        for pid in window.project_ids
    ]


def workspace_overview(
    *, workspace: Workspace, projects: Sequence[ProjectLike], now: datetime, checklist: bool
) -> WorkspaceOverview:
    """Arrivals of the last OVERVIEW_DAYS UTC days per project and section, what is left
    unhandled, and (``checklist``) each project's getting-started steps still to do."""
    today = now.astimezone(UTC).date()
    days = [today - timedelta(days=n) for n in range(OVERVIEW_DAYS - 1, -1, -1)]
    window = Window(workspace=workspace, project_ids=[p.pk for p in projects], days=days)
    registered = sections()
    if not projects:
        return WorkspaceOverview(days=days, sections=registered, rows=[], unhandled=[])
    data = {s.key: s.collect(window) for s in registered}
    steps = [step for d in data.values() for step in d.steps]
    if checklist:
        steps += token_steps(window)
    labels = [d.isoformat() for d in days]
    rows = []
    for project in projects:
        cells = []
        for section in registered:
            arrivals = data[section.key].arrivals[project.pk]
            spark = sparkline(arrivals.daily, labels=labels, noun=section.noun)
            cells.append(Cell(section=section, total=spark.total, spark=spark, url=arrivals.url))
        mine = sorted((s for s in steps if s.project_id == project.pk), key=lambda s: s.order)
        rows.append(ProjectRow(project=project, cells=cells, steps=mine if checklist else []))
    by_id = {p.pk: p for p in projects}
    unhandled = [
        UnhandledRow(project=by_id[u.project_id], item=u, section=section)
        for section in registered
        for u in data[section.key].unhandled
        if u.project_id in by_id
    ]
    return WorkspaceOverview(
        days=days,
        sections=registered,
        rows=rows,
        unhandled=unhandled,
        checklists=[r for r in rows if r.steps_left],
    )
