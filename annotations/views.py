"""The greatfeedback dashboard: the annotations inbox (one site or every site of the
workspace), the annotation page, and a site's stakeholders.

Views stay thin and share every rule with the REST API: the inbox filters through the API's
``annotations.filters.AnnotationFilter``; the annotation page reads through
``annotations.selectors.annotation_get`` and shows ``annotations.markdown``'s blob; its
controls write through ``annotations.services`` (``annotation_update``, ``reply_create``),
stakeholders through ``annotations.stakeholders``, always with the signed-in user as the audit
actor. Status, assignee, summary and replies follow the API's roles (the document: GUEST may
PATCH and reply), so a guest can do here what its token can do with curl; running personas
and managing stakeholders need MEMBER. Screenshots and before/after images (short-lived
signed links) go to MEMBER and above only. A successful POST is
answered in place for htmx or with a redirect (POST/redirect/GET). docs/dashboard.md,
"Annotations", has the details.
"""

from __future__ import annotations

import math
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

from django.contrib import messages
from django.db.models import Count, QuerySet, prefetch_related_objects
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.views.generic import TemplateView

from accounts.dashboard import WorkspaceAction, WorkspaceMixin, confirmed, invalid_status
from accounts.models import Role
from accounts.selectors import membership_list
from annotations import selectors, services
from annotations.filters import AnnotationFilter
from annotations.forms import AnnotationUpdateForm, ReplyForm, StakeholderForm
from annotations.markdown import annotation_markdown
from annotations.models import (
    Annotation,
    AnnotationKind,
    AnnotationStatus,
    Stakeholder,
)
from annotations.personas import selectors as persona_selectors
from annotations.personas import services as persona_services
from annotations.querysets import AnnotationQuerySet
from annotations.stakeholders import stakeholder_create, stakeholder_revoke
from annotations.uploads import signed_read_url
from config.api.errors import ApiError
from config.api.pagination import KeysetPage, keyset_paginate
from config.htmx import htmx_redirect, is_htmx
from config.llm import llm_configured
from projects.dashboard import ProjectMixin
from projects.models import Project
from projects.selectors import project_get, project_list

PAGE_SIZE = 25
# Element fields in the order the widget documents them; anything else follows, sorted.
ELEMENT_ORDER = ("tag", "text", "id", "classes", "role", "aria-label", "alt", "href")
VIEWPORT_ORDER = ("width", "height", "device_pixel_ratio", "scroll_x", "scroll_y")


def safe_querystring(raw: str) -> str:
    """A list page's query string, re-encoded and without its cursor: it only ever becomes
    ``?<this>`` on our own inbox URL, so it cannot send anyone elsewhere."""
    query = QueryDict(raw[:2000], mutable=True)
    query.pop("cursor", None)
    return query.urlencode()


# --- What the widget captured ----------------------------------------------------------------
def ordered_rows(data: Any, order: tuple[str, ...] = ()) -> list[tuple[str, str]]:
    """``(name, text)`` rows of a captured dict for a table: known names first, in ``order``,
    then the rest sorted. Lists are joined; nested values are shown as compact text."""
    if not isinstance(data, dict):
        return []
    names = [n for n in order if n in data] + sorted(n for n in data if n not in order)
    rows = []
    for name in names:
        value = data[name]
        if isinstance(value, list):
            text = " ".join(str(v) for v in value)
        elif isinstance(value, dict):
            text = ", ".join(f"{k}: {v}" for k, v in value.items())
        elif value is None:
            text = ""
        else:
            text = str(value)
        rows.append((str(name), text))
    return rows


def _number(value: Any) -> float | None:
    """A finite JSON number (not a bool, not a numeric string), else None."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    number = float(value)
    return number if math.isfinite(number) else None


def screenshot_box(element: Any, viewport: Any) -> dict[str, str] | None:
    """Where the element's box sits on the screenshot, as CSS percentages of the image.

    The widget records the box with ``getBoundingClientRect`` (CSS pixels, relative to the
    visible viewport) and screenshots exactly that viewport. The image may be in CSS pixels
    (the widget renders at scale 1) or in device pixels (``device_pixel_ratio`` times larger,
    as a native capture would be): either way the image covers ``viewport.width`` by
    ``viewport.height`` CSS pixels, so the box divided by the viewport, in percent, lands on
    the same spot at any scale and any displayed size. A box partly outside the viewport is
    clipped to it; one entirely outside, or missing numbers, give None (no box drawn).
    """
    rect = element.get("rect") if isinstance(element, dict) else None
    if not isinstance(rect, dict) or not isinstance(viewport, dict):
        return None
    numbers = [_number(rect.get(k)) for k in ("x", "y", "width", "height")]
    numbers += [_number(viewport.get(k)) for k in ("width", "height")]
    found = [n for n in numbers if n is not None]
    if len(found) != len(numbers):
        return None
    x, y, w, h, vw, vh = found
    if vw <= 0 or vh <= 0:
        return None
    left, top = max(x, 0.0), max(y, 0.0)
    right, bottom = min(x + max(w, 0.0), vw), min(y + max(h, 0.0), vh)
    if right <= left or bottom <= top:
        return None

    def pct(value: float, whole: float) -> str:
        return f"{value / whole * 100:.4f}%"

    return {
        "left": pct(left, vw),
        "top": pct(top, vh),
        "width": pct(right - left, vw),
        "height": pct(bottom - top, vh),
        # The viewport in CSS pixels: the <img>'s width/height attributes, so the frame has
        # the right shape before the image loads (CSS then sizes it to the column).
        "image_width": str(round(vw)),
        "image_height": str(round(vh)),
        "clipped": "yes" if (left, top, right, bottom) != (x, y, x + w, y + h) else "",
    }


# --- Stakeholder links -----------------------------------------------------------------------
def site_base_url(project: Project) -> str:
    """The site's own address for stakeholder links: its domain (``https://`` added when it
    has no scheme), else its first allowed widget origin; "" when neither is set."""
    domain = (project.domain or "").strip()
    if domain:
        if "://" not in domain:
            domain = f"https://{domain}"
        parts = urlsplit(domain)
        if parts.scheme in ("http", "https") and parts.netloc:
            return f"{parts.scheme}://{parts.netloc}{parts.path.rstrip('/')}/"
    for origin in project.allowed_origins or []:
        if isinstance(origin, str) and origin.startswith(("http://", "https://")):
            return f"{origin.rstrip('/')}/"
    return ""


def stakeholder_link(project: Project, token: str) -> str:
    """The link a stakeholder opens: the site with ``#gf-stakeholder=<token>``, which the
    annotation widget reads (and never sends to the site's server: it is a fragment)."""
    return f"{site_base_url(project)}#gf-stakeholder={token}"


# --- Shared lookups --------------------------------------------------------------------------
class AnnotationMixin(WorkspaceMixin):
    def annotations(self) -> AnnotationQuerySet:
        return Annotation.objects.for_workspace(self.workspace)

    def get_annotation(self, annotation_id: str, *, detail: bool = False) -> Annotation:
        """The annotation in this workspace (404 otherwise). With ``detail``, its thread,
        resolutions and persona runs come prefetched (``selectors.annotation_get``), which
        the markdown blob reads without further queries."""
        annotation = selectors.annotation_get(
            workspace=self.workspace, annotation_id=annotation_id, detail=detail
        )
        if annotation is None:
            raise Http404("No such annotation")
        annotation.project.workspace = self.workspace  # the same row: no query to read it
        return annotation

    def detail_url(self, annotation: Annotation, fragment: str = "") -> str:
        url = reverse("annotations:annotation-detail", args=[self.workspace.pk, annotation.pk])
        return f"{url}#{fragment}" if fragment else url

    def triage_context(self, annotation: Annotation, **extra: Any) -> dict[str, Any]:
        """What the triage card (status, assignee, summary) needs, alone or in the page."""
        can_write = self.role_at_least(Role.GUEST)  # the API's PATCH role
        members = [m.user for m in membership_list(workspace=self.workspace)] if can_write else []
        return {
            "annotation": annotation,
            "workspace": self.workspace,
            "can_write": can_write,
            "statuses": AnnotationStatus.choices,
            "members": members,
            "update_errors": extra.pop("update_errors", {}),
            "update_values": extra.pop("update_values", {}),
            **extra,
        }

    def thread_context(self, annotation: Annotation, **extra: Any) -> dict[str, Any]:
        replies = annotation.replies_list  # type: ignore[attr-defined]  # annotation_get
        prefetch_related_objects(replies, "author_user")
        return {
            "annotation": annotation,
            "workspace": self.workspace,
            "can_write": self.role_at_least(Role.GUEST),  # the API's reply role
            "replies": replies,
            "reply_form": extra.pop("reply_form", None) or ReplyForm(),
            **extra,
        }

    def markdown_context(self, annotation: Annotation) -> dict[str, Any]:
        """The markdown card's context; ``annotation`` comes from ``get_annotation(detail=True)``
        (the blob reads its prefetched thread, resolutions and persona runs)."""
        can_see_images = self.role_at_least(Role.MEMBER)
        return {
            "can_see_images": can_see_images,
            "markdown": annotation_markdown(
                annotation, request=self.request, show_images=can_see_images
            ),
        }

    def annotation_context(self, annotation: Annotation, **extra: Any) -> dict[str, Any]:
        back = safe_querystring(self.request.GET.get("back", ""))
        element = annotation.element if isinstance(annotation.element, dict) else {}
        resolutions = annotation.resolutions_list  # type: ignore[attr-defined]
        # Screenshots and before/after images are for members only: a GUEST (often a client
        # or a contractor) reads the text but never receives a signed link to an image.
        can_see_images = self.role_at_least(Role.MEMBER)
        if can_see_images:
            for resolution in resolutions:
                resolution.before_url = signed_read_url(resolution.before_key, request=self.request)
                resolution.after_url = signed_read_url(resolution.after_key, request=self.request)
        return {
            **self.triage_context(
                annotation,
                update_errors=extra.pop("update_errors", {}),
                update_values=extra.pop("update_values", {}),
            ),
            **self.thread_context(annotation, reply_form=extra.pop("reply_form", None)),
            "can_see_images": can_see_images,
            "screenshot_url": signed_read_url(annotation.screenshot_key, request=self.request)
            if can_see_images
            else "",
            "screenshot_box": screenshot_box(element, annotation.viewport),
            **self.markdown_context(annotation),
            "project": annotation.project,
            "resolutions": resolutions,
            "persona_runs": annotation.persona_runs_list,  # type: ignore[attr-defined]
            "personas_by_category": persona_selectors.personas_by_category(workspace=self.workspace)
            if self.role_at_least(Role.MEMBER)
            else [],
            "can_run_personas": self.role_at_least(Role.MEMBER),  # cost-bearing: MEMBER
            "llm_enabled": llm_configured(),
            "element_rows": ordered_rows(
                {k: v for k, v in element.items() if k != "rect"}, ELEMENT_ORDER
            ),
            "rect_rows": ordered_rows(element.get("rect"), ("x", "y", "width", "height")),
            "style_rows": ordered_rows(annotation.styles),
            "viewport_rows": ordered_rows(annotation.viewport, VIEWPORT_ORDER),
            "page_url_is_web": annotation.page_url.lower().startswith(("http://", "https://")),
            "back": f"{reverse('annotations:annotation-list', args=[self.workspace.pk])}"
            + (f"?{back}" if back else ""),
            **extra,
        }


def status_counts(queryset: QuerySet[Annotation]) -> dict[str, int]:
    """``{status: n}`` for every status (zeros included) in one GROUP BY."""
    counts = dict.fromkeys(AnnotationStatus.values, 0)
    for row in queryset.order_by().values("status").annotate(n=Count("id")):
        counts[row["status"]] = row["n"]
    return counts


# --- The inbox -------------------------------------------------------------------------------
FILTER_PARAMS = ("status", "kind", "since", "auto_fix")
SINCE_PRESETS = (("24h", "Last 24 hours", 1), ("7d", "Last 7 days", 7), ("30d", "Last 30 days", 30))
AUTO_FIX_LABELS = {"true": "Auto-fix authorised", "false": "No auto-fix"}


def epoch_ms(moment: datetime) -> int:
    return int(moment.timestamp() * 1000)


def since_choices(now: datetime, current: str) -> list[tuple[str, str]]:
    """The ``since`` select: presets as epoch milliseconds (the API's unit) counted back from
    ``now``, and the current value when it is none of them (a preset picked earlier has moved
    on since), labelled with its date."""
    hour = now.replace(minute=0, second=0, microsecond=0)  # stable links within the hour
    choices = [
        (str(epoch_ms(hour - timedelta(days=days))), label) for _, label, days in SINCE_PRESETS
    ]
    if current and current not in {value for value, _ in choices}:
        choices.insert(0, (current, f"Since {since_label(current)}"))
    return choices


def since_label(value: str) -> str:
    try:
        moment = datetime.fromtimestamp(int(value) / 1000, tz=UTC)
    except (ValueError, OverflowError, OSError):
        return value
    return moment.strftime("%Y-%m-%d %H:%M UTC")


def inbox_chips(params: QueryDict, site_name: str) -> list[dict[str, str]]:
    """One removable chip per active filter: its label, value, and the inbox URL without it."""
    labels = {
        "site": ("Site", lambda v: site_name or v),
        "status": ("Status", lambda v: dict(AnnotationStatus.choices).get(v, v)),
        "kind": ("Kind", lambda v: dict(AnnotationKind.choices).get(v, v)),
        "since": ("Since", since_label),
        "auto_fix": ("Auto-fix", lambda v: AUTO_FIX_LABELS.get(v, v)),
    }
    chips = []
    for name, (label, show) in labels.items():
        value = params.get(name, "")
        if not value:
            continue
        rest = params.copy()
        rest.pop(name, None)
        chips.append(
            {
                "label": label,
                "value": str(show(value)),
                "remove": safe_querystring(rest.urlencode()),
            }
        )
    return chips


class AnnotationListView(AnnotationMixin, TemplateView):
    """Every annotation of the workspace's sites (``site`` narrows to one), or, under
    ``projects/<project_id>/annotations/``, one site's. The API's own FilterSet
    (``annotations.filters.AnnotationFilter``: status, kind, since, auto_fix), newest first,
    keyset pages, counts per status under the other filters."""

    template_name = "annotations/annotation_list.html"
    project: Project | None = None

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if "project_id" in kwargs:
            self.project = project_get(workspace=self.workspace, project_id=kwargs["project_id"])
            if self.project is None:
                raise Http404("Project not found")
        return super().get(request, *args, **kwargs)

    def list_url(self) -> str:
        if self.project is not None:
            return reverse(
                "annotations:site-annotation-list", args=[self.workspace.pk, self.project.pk]
            )
        return reverse("annotations:annotation-list", args=[self.workspace.pk])

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        request = self.request
        sites = list(project_list(workspace=self.workspace).order_by("name", "id"))
        base = self.annotations()
        # Only the documented filters (and the site, on the workspace inbox) are kept: any
        # other parameter is dropped, so the query string stays ours.
        params = QueryDict(mutable=True)
        for name in ("site", *FILTER_PARAMS):
            if request.GET.get(name):
                params[name] = request.GET[name][:100]
        errors: list[tuple[str, str]] = []
        site_name = ""
        if self.project is not None:
            base = base.for_project(self.project)
            params.pop("site", None)
        elif params.get("site"):
            site = next((s for s in sites if s.pk == params["site"]), None)
            if site is None:
                errors.append(("site", "site: no such site in this workspace."))
                params.pop("site")
            else:
                base = base.for_project(site)
                site_name = site.name
        filterset = AnnotationFilter(params, queryset=base)
        if not filterset.is_valid():
            # Show what was wrong and drop only those parameters (the API answers 400).
            for name, field_errors in filterset.form.errors.items():
                errors.append((name, " ".join(map(str, field_errors))))
                params.pop(name, None)
            filterset = AnnotationFilter(params, queryset=base)
            filterset.is_valid()
        without_status = params.copy()
        without_status.pop("status", None)
        counts_set = AnnotationFilter(without_status, queryset=base)
        counts_set.is_valid()
        counts = status_counts(counts_set.qs)

        def page_at(cursor: str | None) -> KeysetPage:
            return keyset_paginate(
                filterset.qs.select_related("project", "assignee"),
                cursor=cursor,
                limit=PAGE_SIZE,
                salt=f"gf-inbox:{self.workspace.pk}",
            )

        try:
            page = page_at(request.GET.get("cursor") or None)
        except ApiError:
            errors.append(("cursor", "That page link has expired; showing the newest annotations."))
            page = page_at(None)
        back_params = params.copy()
        if self.project is not None:
            back_params["site"] = self.project.pk
        filtered = filterset.active or bool(site_name)
        values = {name: params.get(name, "") for name in ("site", *FILTER_PARAMS)}
        without_status_qs = safe_querystring(without_status.urlencode())
        context.update(
            project=self.project,
            sites=sites,
            annotations=page.items,
            next_cursor=page.next_cursor,
            is_first_page=not request.GET.get("cursor"),
            filter_errors=errors,
            filtered=filtered,
            filter_chips=inbox_chips(params, site_name),
            values=values,
            statuses=AnnotationStatus.choices,
            kinds=AnnotationKind.choices,
            since_choices=since_choices(timezone.now(), values["since"]),
            auto_fix_choices=list(AUTO_FIX_LABELS.items()),
            querystring=safe_querystring(params.urlencode()),
            without_status_qs=without_status_qs,
            # The annotation page's way back: the workspace inbox with the same filters
            # (and this site, when the list was one site's).
            back_qs=safe_querystring(back_params.urlencode()),
            status_counts=[
                (value, label, counts[value], values["status"] == value)
                for value, label in AnnotationStatus.choices
            ],
            total=sum(counts.values()),
            has_any=bool(page.items) or filtered or bool(request.GET.get("cursor")),
            list_url=self.list_url(),
        )
        return context


# --- One annotation --------------------------------------------------------------------------
class AnnotationDetailView(AnnotationMixin, TemplateView):
    template_name = "annotations/annotation_detail.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        annotation = self.get_annotation(self.kwargs["annotation_id"], detail=True)
        context.update(self.annotation_context(annotation), injection=annotation.injection())
        return context


class AnnotationSwapMixin(AnnotationMixin):
    def swap(
        self,
        annotation_id: str,
        template: str,
        context: dict[str, Any],
        detailed: Annotation | None = None,
    ) -> HttpResponse:
        """An htmx answer after a write: the swapped fragment, then the markdown card out of
        band, rebuilt from the stored annotation so the blob shows the change too."""
        detailed = detailed or self.get_annotation(annotation_id, detail=True)
        card = render_to_string(
            "annotations/partials/_markdown_card.html",
            {"annotation": detailed, "oob": True, **self.markdown_context(detailed)},
            request=self.request,
        )
        response = render(self.request, template, context)
        response.content = response.content + card.encode()
        return response


class AnnotationUpdateView(AnnotationSwapMixin, WorkspaceAction):
    """MEMBER: status, assignee and/or summary (the fields the form sent) through
    ``services.annotation_update``, the PATCH endpoint's service, with the signed-in user as
    the audit actor. htmx gets the triage card back in place (and the header's status badge);
    a plain POST is redirected to the annotation (POST/redirect/GET). A value the service
    refuses is shown next to its control: 400 with the page, 200 with the card for htmx."""

    required_role = Role.GUEST  # as PATCH /api/v1/annotations/{id}
    card_template = "annotations/partials/_triage_card.html"

    def post(self, request: HttpRequest, ws: str, annotation_id: str) -> HttpResponse:
        annotation = self.get_annotation(annotation_id)
        form = AnnotationUpdateForm(request.POST)
        errors: dict[str, str] = {}
        if form.is_valid():
            try:
                services.annotation_update(
                    annotation=annotation,
                    actor=self.actor,
                    **form.changes(),  # type: ignore[arg-type]  # typed by the form
                )
            except ApiError as exc:
                errors[self.error_field(form)] = exc.message
        else:
            errors = {name: " ".join(map(str, e)) for name, e in form.errors.items()}
        if not errors:
            if is_htmx(request):
                return self.swap(
                    annotation_id,
                    self.card_template,
                    self.triage_context(annotation, saved=True, oob_badge=True),
                )
            messages.success(request, "Annotation updated.")
            return htmx_redirect(request, self.detail_url(annotation, "triage"))
        values = {name: request.POST.get(name, "") for name in ("status", "summary", "assignee")}
        if is_htmx(request):
            return render(
                request,
                self.card_template,
                self.triage_context(annotation, update_errors=errors, update_values=values),
            )
        annotation = self.get_annotation(annotation_id, detail=True)  # as stored
        return self.render(
            AnnotationDetailView.template_name,
            status=400,
            **self.annotation_context(annotation, update_errors=errors, update_values=values),
        )

    @staticmethod
    def error_field(form: AnnotationUpdateForm) -> str:
        """Which control a service error belongs to: the one field this form sent (each
        control posts one), else the status."""
        sent = [name for name in ("status", "assignee", "summary") if name in form.data]
        return sent[0] if len(sent) == 1 else "status"


class ReplyCreateView(AnnotationSwapMixin, WorkspaceAction):
    """MEMBER: a reply on the thread through ``services.reply_create`` (author kind ``user``,
    the signed-in member). htmx gets the thread back with the new reply and an empty box; a
    plain POST is redirected to it (POST/redirect/GET). A reply the service refuses (blank,
    too long) is the page or the thread with the error and the text kept: 400 / 200."""

    required_role = Role.GUEST  # as POST /api/v1/annotations/{id}/replies
    thread_template = "annotations/partials/_thread.html"

    def post(self, request: HttpRequest, ws: str, annotation_id: str) -> HttpResponse:
        annotation = self.get_annotation(annotation_id)
        form = ReplyForm(request.POST)
        if form.is_valid():
            try:
                reply = services.reply_create(
                    annotation=annotation, actor=self.actor, body=form.cleaned_data["body"]
                )
            except ApiError as exc:
                form.add_error("body", exc.message)
            else:
                if is_htmx(request):
                    fresh = self.get_annotation(annotation_id, detail=True)
                    return self.swap(
                        annotation_id,
                        self.thread_template,
                        self.thread_context(fresh, posted_reply=reply.pk),
                        detailed=fresh,
                    )
                messages.success(request, "Reply sent.")
                return htmx_redirect(request, self.detail_url(annotation, f"reply-{reply.pk}"))
        fresh = self.get_annotation(annotation_id, detail=True)
        if is_htmx(request):
            return render(
                request, self.thread_template, self.thread_context(fresh, reply_form=form)
            )
        return self.render(
            AnnotationDetailView.template_name,
            status=400,
            **self.annotation_context(fresh, reply_form=form),
        )


class AnnotationRunPersonasView(AnnotationMixin, WorkspaceAction):
    """MEMBER: queue persona runs from the annotation page (``persona_ids``; none selected =
    the default set), through the same service and credits as the API; POST/redirect/GET."""

    required_role = Role.MEMBER

    def post(self, request: HttpRequest, ws: str, annotation_id: str) -> HttpResponse:
        annotation = self.get_annotation(annotation_id)
        detail = self.detail_url(annotation)
        ids = list(dict.fromkeys(request.POST.getlist("persona_ids")))
        try:
            personas = persona_selectors.personas_to_run(workspace=self.workspace, ids=ids)
            runs = persona_services.persona_runs_start(
                annotation=annotation, personas=personas, actor=self.actor
            )
        except ApiError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, f"{len(runs)} persona review(s) queued.")
        return htmx_redirect(request, f"{detail}#personas")


# --- Stakeholders ----------------------------------------------------------------------------
class StakeholderMixin(ProjectMixin):
    def stakeholders(self) -> QuerySet[Stakeholder]:
        return Stakeholder.objects.for_project(self.project)

    def list_url(self) -> str:
        return reverse("annotations:stakeholder-list", args=[self.workspace.pk, self.project.pk])

    def list_context(self, **extra: Any) -> dict[str, Any]:
        rows = [
            {"row": s, "link": stakeholder_link(self.project, s.token)} for s in self.stakeholders()
        ]
        return {
            "project": self.project,
            "stakeholders": rows,
            "site_base": site_base_url(self.project),
            "form": extra.pop("form", None) or StakeholderForm(),
            **extra,
        }


class StakeholderListView(StakeholderMixin, TemplateView):
    template_name = "annotations/stakeholder_list.html"

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        self.project = self.get_project()
        return super().get(request, *args, **kwargs)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context.update(self.list_context())
        return context


class StakeholderCreateView(StakeholderMixin, WorkspaceAction):
    required_role = Role.MEMBER

    def post(self, request: HttpRequest, ws: str, project_id: str) -> HttpResponse:
        self.project = self.get_project()
        form = StakeholderForm(request.POST)
        if not form.is_valid():
            return self.render(
                StakeholderListView.template_name,
                status=invalid_status(request),
                **self.list_context(form=form),
            )
        stakeholder = stakeholder_create(
            project=self.project, actor=self.actor, **form.cleaned_data
        )
        messages.success(request, f"Stakeholder “{stakeholder}” added; copy their link below.")
        return htmx_redirect(request, f"{self.list_url()}#stakeholder-{stakeholder.pk}")


class StakeholderRevokeView(StakeholderMixin, WorkspaceAction):
    """MEMBER; asks first (``confirm=yes``). The token stops granting auto-fix at once."""

    required_role = Role.MEMBER
    template = "annotations/stakeholder_revoke.html"

    def get_stakeholder(self) -> Stakeholder:
        stakeholder = self.stakeholders().filter(pk=self.kwargs["stakeholder_id"]).first()
        if stakeholder is None:
            raise Http404("No such stakeholder")
        return stakeholder

    def get(
        self, request: HttpRequest, ws: str, project_id: str, stakeholder_id: str
    ) -> HttpResponse:
        self.project = self.get_project()
        return self.render(self.template, project=self.project, stakeholder=self.get_stakeholder())

    def post(
        self, request: HttpRequest, ws: str, project_id: str, stakeholder_id: str
    ) -> HttpResponse:
        self.project = self.get_project()
        stakeholder = self.get_stakeholder()
        if not confirmed(request):
            return self.render(self.template, project=self.project, stakeholder=stakeholder)
        if stakeholder.revoked_at is None:
            try:
                stakeholder_revoke(stakeholder=stakeholder, project=self.project, actor=self.actor)
            except ApiError:  # revoked by someone else in the meantime: nothing to do
                return htmx_redirect(request, self.list_url())
            messages.success(
                request, f"Stakeholder “{stakeholder}” revoked: the link stops granting auto-fix."
            )
        return htmx_redirect(request, self.list_url())
