"""Dashboard pages for Writeback agent reports: a per-project reports page (stats, a daily
chart, a per-tool breakdown, filters, the list) and a workspace index of projects.

Filters are the API's own FilterSet (reports.filters), so the page and
``GET /v1/dashboard/<projectId>/reports`` accept the same parameters with the same meaning.
Every member (GUEST included) reads reports; the ingest key in the empty state is shown
to MEMBER and up, as on the project page.
"""

from __future__ import annotations

import math
from datetime import date, timedelta
from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect, QueryDict
from django.urls import reverse
from django.utils import timezone
from django.views.generic import TemplateView, View

from accounts.dashboard import WorkspaceMixin
from accounts.models import Role
from config.api.pagination import WritebackPagination
from config.charts import Column, Series, StackedBarChart, short_date, stacked_bar_chart
from config.filters import DateBound
from config.site import site_url
from projects.dashboard import ProjectMixin
from projects.snippets import writeback_report_curl
from reports import selectors, services
from reports.filters import ReportFilterSet
from reports.forms import ReportReplyForm
from reports.models import Outcome, ReplyStatus, Report, ReportReply

CHART_DEFAULT_DAYS = 30
CHART_EPOCH = date(1970, 1, 1)
CHART_MAX_DAYS = 90
TOP_TOOLS = 10
INGEST_PLACEHOLDER = "wk_your_ingest_key"
# Stacking order of the daily chart, bottom to top: failures on top, where they show most.
STACK = [Outcome.SUCCESS, Outcome.REQUEST, Outcome.CONFUSING, Outcome.GAVE_UP, Outcome.FAILURE]
OUTCOME_SERIES = [Series(key=o.value, label=o.label, css=f"o-{o.value}") for o in STACK]


def lenient_int(raw: str | None, *, default: int, minimum: int, maximum: int) -> int:
    """Pages forgive a hand-edited URL: a bad number falls back, an out-of-range one clamps."""
    try:
        value = int(raw) if raw else default
    except ValueError:
        value = default
    return min(max(value, minimum), maximum)


def chart_range(
    start: DateBound | None, end: DateBound | None, *, today: date
) -> tuple[date, date]:
    """The chart's days: the from/to filter when given (at most CHART_MAX_DAYS, ending at
    ``to``), otherwise the last CHART_DEFAULT_DAYS days up to today (UTC)."""
    last = today
    if end is not None:
        moment = end.at - timedelta(microseconds=1) if end.lookup == "lt" else end.at
        last = min(moment.date(), today)
    # Reports are stamped by the server, so none predates CHART_EPOCH or follows today;
    # clamping there also keeps year-1 / year-9999 filters clear of date overflow.
    last = max(last, CHART_EPOCH)
    first = start.at.date() if start is not None else last - timedelta(days=CHART_DEFAULT_DAYS - 1)
    first = min(max(first, CHART_EPOCH), today)
    if first > last:
        last = first  # a range after its own end: one (empty) day
    first = max(first, last - timedelta(days=CHART_MAX_DAYS - 1))
    return first, last


def daily_chart(days: list[selectors.DayCount]) -> StackedBarChart:
    first, last = days[0].day, days[-1].day
    return stacked_bar_chart(
        key="outcomes",
        title="Outcomes per day",
        columns=[
            Column(label=d.day.isoformat(), short=short_date(d.day), counts=d.counts) for d in days
        ],
        series=OUTCOME_SERIES,
        x_label="Day (UTC)",
        y_label="Reports",
        noun=("report", "reports"),
        period=f"{first.isoformat()} to {last.isoformat()} (UTC)",
    )


def query_without(params: QueryDict, *names: str) -> str:
    """The current query string without ``names``, for links that change one filter and
    keep the others (and drop ``page``, since the set changes)."""
    others = params.copy()
    for name in names:
        others.pop(name, None)
    return others.urlencode()


class ReportListView(ProjectMixin, TemplateView):
    """/w/<ws>/projects/<project_id>/reports/: one project's agent reports."""

    template_name = "reports/report_list.html"

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        self.project = self.get_project()
        return super().get(request, *args, **kwargs)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        params = self.request.GET
        base = selectors.report_queryset(project=self.project)
        filterset = ReportFilterSet(params or None, queryset=base)
        queryset = filterset.qs  # invalid filters are shown on the form and left out
        cleaned = filterset.form.cleaned_data if filterset.is_bound else {}

        first_day, last_day = chart_range(
            cleaned.get("from"), cleaned.get("to"), today=timezone.now().date()
        )
        overview = selectors.report_overview(
            project=self.project,
            cleaned=cleaned,
            first_day=first_day,
            last_day=last_day,
            top_tools=TOP_TOOLS,
        )
        stats = overview.stats
        total = stats["total"]
        limit = lenient_int(
            params.get("limit"),
            default=WritebackPagination.default_limit,
            minimum=1,
            maximum=WritebackPagination.max_limit,
        )
        last_page = max(1, math.ceil(total / limit))
        max_page = max(1, WritebackPagination.max_offset_rows // limit)
        reachable = min(last_page, max_page)
        page = lenient_int(params.get("page"), default=1, minimum=1, maximum=reachable)
        rows = selectors.report_page(queryset, page=page, limit=limit) if total else []
        # The team's answers to the reports on this page: one query for the page.
        answered = {
            r.report_id: r
            for r in ReportReply.objects.filter(report_id__in=[r["id"] for r in rows])
        }
        for row in rows:
            row["reply"] = answered.get(row["id"])

        has_any = total > 0 or (filterset.active and base.exists())

        can_write = context["can_write"]
        ingest_key = self.project.ingest_key if can_write else INGEST_PLACEHOLDER
        context.update(
            project=self.project,
            filterset=filterset,
            form=filterset.form,
            filtered=filterset.active,
            outcomes=Outcome.choices,
            reply_statuses=ReplyStatus.choices,
            stats=stats,
            stat_cards=[(o.value, o.label, stats[o.value]) for o in Outcome],
            reports=rows,
            chart=daily_chart(overview.days),
            chart_first=first_day,
            chart_last=last_day,
            tools=overview.tools,
            has_any=has_any,
            page=page,
            limit=limit,
            last_page=last_page,
            reachable_last_page=reachable,
            depth_capped=last_page > max_page,
            max_offset_rows=WritebackPagination.max_offset_rows,
            querystring=query_without(params, "page"),
            # Stat cards and tool names narrow the current view rather than replace it.
            outcome_querystring=query_without(params, "page", "outcome"),
            tool_querystring=query_without(params, "page", "tool_name"),
            ingest_key=ingest_key,
            ingest_key_shown=can_write,
            first_curl=writeback_report_curl(
                base_url=site_url(self.request), ingest_key=ingest_key
            ),
        )
        return context


class ReportIndexView(WorkspaceMixin, TemplateView):
    """/w/<ws>/reports/: the workspace's projects with their report counts."""

    template_name = "reports/report_index.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["projects"] = selectors.project_report_summary(workspace=self.workspace)
        return context


class ReportReplyView(ProjectMixin, View):
    """POST /w/<ws>/projects/<project_id>/reports/<report_id>/reply/: answer an agent's
    report; the agent reads it back with the MCP tool ``check_report_replies``."""

    required_role = Role.MEMBER
    http_method_names = ["post"]

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        project = self.get_project()
        report = Report.objects.filter(project=project, pk=kwargs["report_id"]).first()
        if report is None:
            raise Http404("Report not found")
        report.project = project
        form = ReportReplyForm(request.POST)
        if form.is_valid():
            services.report_reply_set(
                report=report,
                actor=self.actor,
                status=form.cleaned_data["status"],
                body=form.cleaned_data["body"],
            )
            messages.success(request, "Reply saved: the agent sees it through MCP.")
        else:
            messages.error(request, "The reply was not saved: " + form.errors.as_text())
        url = reverse(
            "reports:report-list",
            kwargs={"ws": self.workspace.pk, "project_id": project.pk},
        )
        return HttpResponseRedirect(f"{url}#r-{report.pk}")
