"""The feedback triage inbox (dashboard): every item of the workspace's projects.

Reads use the API's FilterSet (plus a search box and a project choice); writes call the
same services as the API (``item_update``, ``item_bulk_set_status``, ``note_add``,
``item_delete``), with the signed-in user as the actor, and answer with ``htmx_redirect``
(POST/redirect/GET) or, for an inline row change, the swapped row. Layout and keyboard:
docs/inbox.md. Viewing needs any membership;
changing needs MEMBER or above, enforced by ``WorkspaceMixin`` on every POST view, so a
GUEST's forged POST is a 403 whatever the page showed.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import render
from django.urls import reverse
from django.views.generic import TemplateView, View

from accounts.dashboard import WorkspaceMixin
from accounts.models import Role
from config.api.errors import ApiError
from config.api.pagination import KeysetPage, keyset_paginate
from config.htmx import htmx_redirect, is_htmx
from config.site import site_url
from feedback import selectors, services, triage_selectors
from feedback.filters import InboxFilterSet
from feedback.forms import PRIORITY_CHOICES, BulkStatusForm, ItemUpdateForm, NoteForm
from feedback.models import Item, ItemSource, ItemStatus, ItemType
from triage.models import TriageCategory, TriageSentiment

PAGE_SIZE = 25
ROW_TEMPLATE = "feedback/partials/_item_row.html"


def _cursor_salt(workspace_id: str) -> str:
    return f"inbox:{workspace_id}"


def choices_context() -> dict[str, Any]:
    return {
        "statuses": ItemStatus.choices,
        "types": ItemType.choices,
        "priorities": PRIORITY_CHOICES,
        "sources": ItemSource.choices,
        "triage_categories": TriageCategory.choices,
        "triage_sentiments": TriageSentiment.choices,
    }


def safe_querystring(raw: str) -> str:
    """A list page's query string, re-encoded: it only ever becomes ``?<this>`` on our own
    list URL, so it cannot redirect anywhere else."""
    query = QueryDict(raw[:2000], mutable=True)
    query.pop("cursor", None)
    return query.urlencode()


# The one compact filter row shows these; the rest are folded under "More filters".
MAIN_FILTERS = ("q", "status", "project", "type")
CHIP_LABELS = {
    "q": "Search",
    "status": "Status",
    "project": "Project",
    "type": "Type",
    "priority": "Priority",
    "tags": "Tags",
    "user_email": "Email",
    "created_after": "After",
    "created_before": "Before",
}
CHOICE_LABELS: dict[str, dict[str, str]] = {
    "status": dict(ItemStatus.choices),
    "type": dict(ItemType.choices),
    "priority": dict(PRIORITY_CHOICES),
}


def filter_chips(params: QueryDict, cleaned: dict[str, Any]) -> list[dict[str, str]]:
    """One chip per active (valid) filter: its label and the inbox URL without it."""
    chips = []
    for name, label in CHIP_LABELS.items():
        value = cleaned.get(name)
        if value in (None, "", []):
            continue
        if name == "project":
            text = value.name
        elif name in CHOICE_LABELS:
            text = ", ".join(CHOICE_LABELS[name].get(v, v) for v in value)
        elif isinstance(value, list):
            text = ", ".join(value)
        elif name.startswith("created_"):
            text = params.get(name, "")
        else:
            text = str(value)
        rest = params.copy()
        rest.pop(name, None)
        chips.append({"label": label, "value": text, "remove": safe_querystring(rest.urlencode())})
    return chips


class InboxMixin(WorkspaceMixin):
    def items(self) -> QuerySet[Item]:
        return selectors.item_queryset(workspace=self.workspace)

    def get_item(self, item_id: str) -> Item:
        item = selectors.item_get(queryset=self.items(), item_id=item_id)
        if item is None:
            raise Http404("No such feedback item")
        return item

    def list_url(self, querystring: str = "") -> str:
        url = reverse("feedback:item-list", args=[self.workspace.pk])
        return f"{url}?{querystring}" if querystring else url


class ItemListView(InboxMixin, TemplateView):
    template_name = "feedback/item_list.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        request = self.request
        projects = list(selectors.workspace_projects(workspace=self.workspace))
        project_qs = selectors.workspace_projects(workspace=self.workspace)
        params = request.GET.copy()
        filterset = InboxFilterSet(params, queryset=self.items(), projects=project_qs)
        errors: list[tuple[str, str]] = []
        if not filterset.is_valid():
            # Show what was wrong and drop only those parameters.
            for name, field_errors in filterset.form.errors.items():
                errors.append((name, " ".join(map(str, field_errors))))
                params.pop(name, None)
            filterset = InboxFilterSet(params, queryset=self.items(), projects=project_qs)
            filterset.is_valid()
        without_status = params.copy()
        without_status.pop("status", None)
        counts_set = InboxFilterSet(without_status, queryset=self.items(), projects=project_qs)
        counts_set.is_valid()
        counts = selectors.status_counts(counts_set.qs)
        sort = triage_selectors.inbox_sort(request.GET)  # newest, or highest impact first

        def page_at(cursor: str | None) -> KeysetPage:
            return keyset_paginate(
                filterset.qs.select_related("project"),
                cursor=cursor,
                limit=PAGE_SIZE,
                salt=_cursor_salt(self.workspace.pk),
                keys=triage_selectors.SORT_KEYS[sort],
            )

        try:
            page = page_at(request.GET.get("cursor") or None)
        except ApiError:
            errors.append(("cursor", "That page link has expired; showing the newest items."))
            page = page_at(None)
        querystring = safe_querystring(params.urlencode())
        without_status_qs = safe_querystring(without_status.urlencode())
        cleaned = filterset.form.cleaned_data
        selected_status = cleaned.get("status") or []
        advanced = [n for n in filterset.filters if n not in MAIN_FILTERS and params.get(n)]
        context.update(
            choices_context(),
            items=page.items,
            next_cursor=page.next_cursor,
            is_first_page=not request.GET.get("cursor"),
            filterset=filterset,
            filter_errors=errors,
            filtered=filterset.active,
            filter_chips=filter_chips(params, cleaned),
            advanced_open=bool(advanced) or sort != triage_selectors.DEFAULT_SORT,
            advanced_count=len(advanced),
            values={name: params.get(name, "") for name in filterset.filters},
            querystring=querystring,
            status_tabs=[
                (value, label, counts[value], value in selected_status)
                for value, label in ItemStatus.choices
            ],
            total=sum(counts.values()),
            projects=projects,
            without_status_qs=without_status_qs,
            has_any=bool(page.items) or filterset.active or bool(request.GET.get("cursor")),
            sort=sort,
            sort_choices=triage_selectors.SORT_CHOICES,
            widget_src=site_url(request) + reverse("widget-js"),
        )
        return context


class ItemDetailView(InboxMixin, TemplateView):
    template_name = "feedback/item_detail.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        item = self.get_item(self.kwargs["item_id"])
        context.update(
            choices_context(),
            item=item,
            project=item.project,
            notes=selectors.note_list(item=item),
            note_form=kwargs.get("note_form") or NoteForm(),
            back=self.list_url(safe_querystring(self.request.GET.get("back", ""))),
            page_url_is_web=item.page_url.lower().startswith(("http://", "https://")),
            injection=item.injection(),
        )
        return context


class ItemUpdateView(InboxMixin, View):
    """Inline status / priority / tags change. htmx gets the row (or, from the item page,
    a redirect back to it); a plain form POST is redirected to where it came from."""

    required_role = Role.MEMBER

    def post(self, request: HttpRequest, ws: str, item_id: str) -> HttpResponse:
        item = self.get_item(item_id)
        form = ItemUpdateForm(request.POST)
        error = ""
        if form.is_valid():
            services.item_update(item=item, actor=self.actor, **form.changes)
        else:
            error = " ".join(" ".join(map(str, e)) for e in form.errors.values())
        from_detail = request.POST.get("from") == "detail"
        if is_htmx(request) and not from_detail:
            return render(
                request,
                ROW_TEMPLATE,
                {
                    **choices_context(),
                    "item": item,
                    "workspace": self.workspace,
                    "can_write": True,
                    "row_error": error,
                    "querystring": safe_querystring(request.POST.get("back", "")),
                },
            )
        if error:
            messages.error(request, error)
        else:
            messages.success(request, "Item updated.")
        target = (
            reverse("feedback:item-detail", args=[self.workspace.pk, item.pk])
            if from_detail
            else self.list_url(safe_querystring(request.POST.get("back", "")))
        )
        return htmx_redirect(request, target)


class ItemBulkView(InboxMixin, View):
    required_role = Role.MEMBER

    def post(self, request: HttpRequest, ws: str) -> HttpResponse:
        form = BulkStatusForm(request.POST)
        back = self.list_url(safe_querystring(request.POST.get("back", "")))
        if not form.is_valid():
            messages.error(request, " ".join(" ".join(map(str, e)) for e in form.errors.values()))
            return htmx_redirect(request, back)
        ids = form.cleaned_data["items"]
        items = list(self.items().select_related("project__workspace").filter(pk__in=ids))
        if len(items) != len(ids):
            raise Http404("No such feedback item")
        changed = services.item_bulk_set_status(
            items=items, status=form.cleaned_data["status"], actor=self.actor
        )
        label = ItemStatus(form.cleaned_data["status"]).label
        messages.success(
            request,
            f"{len(changed)} item{'s' if len(changed) != 1 else ''} set to {label}"
            + (
                f" ({len(items) - len(changed)} already were)."
                if len(changed) < len(items)
                else "."
            ),
        )
        return htmx_redirect(request, back)


class NoteCreateView(ItemDetailView):
    """POST only: add a note; an invalid note re-renders the item page with the error."""

    required_role = Role.MEMBER
    http_method_names = ["post"]

    def post(self, request: HttpRequest, ws: str, item_id: str) -> HttpResponse:
        item = self.get_item(item_id)
        form = NoteForm(request.POST)
        if not form.is_valid():
            return self.render_to_response(self.get_context_data(note_form=form), status=422)
        services.note_add(item=item, actor=self.actor, body=form.cleaned_data["body"])
        messages.success(request, "Note added.")
        url = reverse("feedback:item-detail", args=[self.workspace.pk, item.pk])
        return htmx_redirect(request, f"{url}#notes")


class ItemDeleteView(InboxMixin, View):
    required_role = Role.MEMBER

    def post(self, request: HttpRequest, ws: str, item_id: str) -> HttpResponse:
        item = self.get_item(item_id)
        services.item_delete(item=item, actor=self.actor)
        messages.success(request, "Feedback item deleted.")
        return htmx_redirect(request, self.list_url())
