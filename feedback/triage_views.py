"""Dashboard pages for AI triage: correcting an item's category or sentiment, exporting the
corrections as CSV, and a project's breakdown by category and sentiment over time.

Permissions (docs/triage.md): any member, GUEST included, may view the breakdown (the inbox
is readable by guests too); correcting and exporting need MEMBER or above, like every other
inbox change. The export holds submitters' text, so it is also refused to guests. A
workspace you are not in, or a project or item outside it, is a 404.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from typing import Any, cast

from django import forms
from django.contrib import messages
from django.http import (
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseRedirect,
    StreamingHttpResponse,
)
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.views.generic import TemplateView, View

from accounts.dashboard import WorkspaceMixin
from accounts.models import Role
from config.htmx import is_htmx
from config.ids import is_hex32
from feedback import triage_selectors, triaging
from feedback.triage import corrections
from feedback.triage_models import (
    CorrectableField,
    TriageCategory,
    TriageSentiment,
)
from feedback.views import InboxMixin, choices_context
from projects.models import Project

TRIAGE_CARD = "feedback/partials/_triage_card.html"


# --- correcting ----------------------------------------------------------------------------
class TriageCorrectionForm(forms.Form):
    """One field at a time: the item page has one small form per field."""

    field = forms.ChoiceField(choices=CorrectableField.choices)
    value = forms.CharField(max_length=16)

    def clean(self) -> dict[str, Any]:
        data = cast(dict[str, Any], super().clean())  # Form.clean() returns cleaned_data
        field, value = data.get("field"), data.get("value")
        if field and value is not None and value not in triaging.CORRECTABLE_VALUES[field]:
            allowed = ", ".join(triaging.CORRECTABLE_VALUES[field])
            raise forms.ValidationError(f"{field.capitalize()} must be one of {allowed}.")
        return data


class TriageCorrectView(InboxMixin, View):
    """POST: set an item's category or sentiment. htmx gets the triage card back; a plain
    form POST is redirected to the item page with a message."""

    required_role = Role.MEMBER

    def post(self, request: HttpRequest, ws: str, item_id: str) -> HttpResponse:
        item = self.get_item(item_id)
        form = TriageCorrectionForm(request.POST)
        error, notice = "", ""
        if form.is_valid():
            correction = triaging.triage_correct(
                item=item,
                actor=self.actor,
                field=form.cleaned_data["field"],
                value=form.cleaned_data["value"],
            )
            label = CorrectableField(form.cleaned_data["field"]).label
            notice = f"{label} corrected." if correction else f"{label} unchanged."
        else:
            error = " ".join(" ".join(map(str, e)) for e in form.errors.values())
        if is_htmx(request):
            context = {
                **choices_context(),
                "item": item,
                "workspace": self.workspace,
                "can_write": True,
                "card_error": error,
                "card_notice": notice,
            }
            # 200 even for an error: htmx 2 swaps only 2xx answers, and the card shows it.
            return render(request, TRIAGE_CARD, context)
        if error:
            messages.error(request, error)
        else:
            messages.success(request, notice)
        url = reverse("feedback:item-detail", args=[self.workspace.pk, item.pk])
        return HttpResponseRedirect(f"{url}#triage")


# --- project pages -------------------------------------------------------------------------
class ProjectMixin(WorkspaceMixin):
    def get_project(self) -> Project:
        project_id = self.kwargs["project_id"]
        if not is_hex32(project_id):
            raise Http404("No such project")
        project = Project.objects.for_workspace(self.workspace).filter(pk=project_id).first()
        if project is None:
            raise Http404("No such project")
        return project


class _Echo:
    """csv.writer target that hands each formatted line back instead of buffering it."""

    def write(self, value: str) -> str:
        return value


class CorrectionExportView(ProjectMixin, View):
    """GET: the project's corrections as CSV (UTF-8), streamed oldest first."""

    required_role = Role.MEMBER

    def get(self, request: HttpRequest, ws: str, project_id: str) -> StreamingHttpResponse:
        project = self.get_project()
        writer = csv.writer(_Echo())

        def lines() -> Iterator[str]:
            yield writer.writerow(triage_selectors.CSV_COLUMNS)
            for row in triage_selectors.correction_rows(project=project):
                yield writer.writerow([corrections.guard(str(v)) for v in row])

        response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
        stamp = timezone.now().strftime("%Y%m%d")
        response["Content-Disposition"] = (
            f'attachment; filename="triage-corrections-{project.slug}-{stamp}.csv"'
        )
        response["Cache-Control"] = "no-store"
        return response


CHART_BAR_GAP = 4
CHART_HEIGHT = 160
CHART_PLOT_HEIGHT = 140
CHART_WIDTH = 600


def stacked_chart(
    breakdown: Any, attr: str, columns: list[tuple[str, str]], *, title: str, css: str
) -> dict[str, Any]:
    """SVG geometry for one stacked bar per bucket (server-side; the template only draws).
    ``css`` prefixes each key into the class that colours it (``c-bug``, ``m-negative``)."""
    keys = [key for key, _ in columns]
    n = max(1, len(breakdown.buckets))
    slot = CHART_WIDTH / n
    width = max(2.0, slot - CHART_BAR_GAP)
    peak = max(1, breakdown.peak)
    bars = []
    for i, bucket in enumerate(breakdown.buckets):
        counts = getattr(bucket, attr)
        y = float(CHART_PLOT_HEIGHT)
        segments = []
        for key in keys:
            count = counts.get(key, 0)
            if not count:
                continue
            height = CHART_PLOT_HEIGHT * count / peak
            y -= height
            segments.append({"css": f"{css}{key}", "y": round(y, 2), "height": round(height, 2)})
        parts = ", ".join(f"{k} {counts[k]}" for k in keys if counts.get(k)) or "none"
        bars.append(
            {
                "x": round(i * slot + CHART_BAR_GAP / 2, 2),
                "width": round(width, 2),
                "segments": segments,
                "title": f"{bucket.label}: {parts}",
            }
        )
    return {
        "title": title,
        "legend": [(f"{css}{key}", label) for key, label in columns],
        "width": CHART_WIDTH,
        "height": CHART_HEIGHT,
        "plot_height": CHART_PLOT_HEIGHT,
        "bars": bars,
        "peak": breakdown.peak,
    }


class TriageBreakdownView(ProjectMixin, TemplateView):
    """A project's feedback by category and sentiment, per day or week, last 30 days."""

    template_name = "feedback/triage_breakdown.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        project = self.get_project()
        bucket = self.request.GET.get("bucket", "day")
        breakdown = triage_selectors.triage_breakdown(
            project=project, now=timezone.now(), bucket=bucket
        )
        labels = {
            **dict(TriageCategory.choices),
            **dict(TriageSentiment.choices),
            triage_selectors.UNTRIAGED_KEY: "Untriaged",
        }
        category_columns = [(k, labels[k]) for k in triage_selectors.CATEGORY_KEYS]
        sentiment_columns = [(k, labels[k]) for k in triage_selectors.SENTIMENT_KEYS]
        # Category and sentiment are set together, so "untriaged" is one number: the table
        # and the totals show it once, on the category side; the charts keep it in both bars.
        sentiment_table = [c for c in sentiment_columns if c[0] != triage_selectors.UNTRIAGED_KEY]
        context.update(
            project=project,
            breakdown=breakdown,
            bucket=breakdown.bucket,
            days=triage_selectors.BREAKDOWN_DAYS,
            summary=[
                *(("c-" + k, label, breakdown.categories[k]) for k, label in category_columns),
                *(("m-" + k, label, breakdown.sentiments[k]) for k, label in sentiment_table),
            ],
            category_columns=category_columns,
            sentiment_columns=sentiment_table,
            rows=[
                {
                    "bucket": b,
                    "categories": [b.categories[k] for k, _ in category_columns],
                    "sentiments": [b.sentiments[k] for k, _ in sentiment_table],
                }
                for b in reversed(breakdown.buckets)  # newest first in the table
            ],
            category_totals=[breakdown.categories[k] for k, _ in category_columns],
            sentiment_totals=[breakdown.sentiments[k] for k, _ in sentiment_table],
            charts=[
                stacked_chart(
                    breakdown, "categories", category_columns, title="By category", css="c-"
                ),
                stacked_chart(
                    breakdown, "sentiments", sentiment_columns, title="By sentiment", css="m-"
                ),
            ],
            corrections_count=triage_selectors.corrections(project=project).count(),
            inbox_url=reverse("feedback:item-list", args=[self.workspace.pk])
            + f"?project={project.pk}&sort=impact",
        )
        return context
