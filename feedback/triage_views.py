"""Dashboard pages for AI triage of items (feedback's glue over ``triage``): correcting an
item's category or sentiment, and a project's breakdown by category and sentiment over time
(with the sidebar's workspace-level entry to it). The corrections CSV is ``triage.views``.

Permissions (docs/triage.md): any member, GUEST included, may view the breakdown (the inbox
is readable by guests too); correcting and exporting need MEMBER or above, like every other
inbox change. The export holds submitters' text, so it is also refused to guests. A
workspace you are not in, or a project or item outside it, is a 404.
"""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.contrib import messages
from django.http import (
    HttpRequest,
    HttpResponse,
    HttpResponseRedirect,
)
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.views.generic import TemplateView, View

from accounts.dashboard import WorkspaceMixin
from accounts.models import Role
from config.charts import Column, Series, StackedBarChart, short_date, stacked_bar_chart
from config.htmx import is_htmx
from feedback import triage_selectors
from feedback.views import InboxMixin, choices_context
from projects.dashboard import ProjectMixin
from projects.models import Project
from triage import selectors as shared
from triage import services as triage_services
from triage.models import CorrectableField, TriageCategory, TriageSentiment

TRIAGE_CARD = "feedback/partials/_triage_card.html"


# --- correcting ----------------------------------------------------------------------------
class TriageCorrectionForm(forms.Form):
    """One field at a time: the item page has one small form per field."""

    field = forms.ChoiceField(choices=CorrectableField.choices)
    value = forms.CharField(max_length=16)

    def clean(self) -> dict[str, Any]:
        data = cast(dict[str, Any], super().clean())  # Form.clean() returns cleaned_data
        field, value = data.get("field"), data.get("value")
        if field and value is not None and value not in triage_services.CORRECTABLE_VALUES[field]:
            allowed = ", ".join(triage_services.CORRECTABLE_VALUES[field])
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
            correction = triage_services.triage_correct(
                item,
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
def breakdown_chart(
    breakdown: shared.Breakdown,
    attr: str,
    columns: list[tuple[str, str]],
    *,
    title: str,
    css: str,
) -> StackedBarChart:
    """One stacked bar per bucket of ``breakdown.<attr>`` (categories or sentiments);
    ``css`` prefixes each key into the class that colours it (``c-bug``, ``m-negative``)."""
    return stacked_bar_chart(
        key=f"triage-{attr}",
        title=title,
        columns=[
            Column(label=b.label, short=short_date(b.start), counts=getattr(b, attr))
            for b in breakdown.buckets
        ],
        series=[Series(key=key, label=label, css=f"{css}{key}") for key, label in columns],
        x_label="Day (UTC)" if breakdown.bucket == "day" else "Week from (UTC)",
        y_label="Items",
        noun=("item", "items"),
        period=f"{breakdown.first.isoformat()} to {breakdown.last.isoformat()} (UTC)",
    )


class TriageIndexView(WorkspaceMixin, TemplateView):
    """/w/<ws>/triage/: the sidebar's way to the breakdown. A workspace with one project
    goes straight to its breakdown; otherwise its projects are listed to pick from."""

    template_name = "feedback/triage_index.html"
    projects: list[Project]

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        self.projects = triage_selectors.project_recent_counts(
            workspace=self.workspace, now=timezone.now()
        )
        if len(self.projects) == 1:
            url = reverse(
                "feedback:triage-breakdown", args=[self.workspace.pk, self.projects[0].pk]
            )
            return HttpResponseRedirect(url)
        return super().get(request, *args, **kwargs)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context.update(projects=self.projects, days=triage_selectors.BREAKDOWN_DAYS)
        return context


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
            shared.UNTRIAGED_KEY: "Untriaged",
        }
        category_columns = [(k, labels[k]) for k in shared.CATEGORY_KEYS]
        sentiment_columns = [(k, labels[k]) for k in shared.SENTIMENT_KEYS]
        # Category and sentiment are set together, so "untriaged" is one number: the totals
        # show it once, on the category side; both charts keep it in their bars.
        sentiment_totals = [c for c in sentiment_columns if c[0] != shared.UNTRIAGED_KEY]
        context.update(
            project=project,
            breakdown=breakdown,
            bucket=breakdown.bucket,
            days=triage_selectors.BREAKDOWN_DAYS,
            summary=[
                *(("c-" + k, label, breakdown.categories[k]) for k, label in category_columns),
                *(("m-" + k, label, breakdown.sentiments[k]) for k, label in sentiment_totals),
            ],
            charts=[
                breakdown_chart(
                    breakdown, "categories", category_columns, title="By category", css="c-"
                ),
                breakdown_chart(
                    breakdown, "sentiments", sentiment_columns, title="By sentiment", css="m-"
                ),
            ],
            corrections_count=shared.corrections(project=project).count(),
            inbox_url=reverse("feedback:item-list", args=[self.workspace.pk])
            + f"?project={project.pk}&sort=impact",
        )
        return context
