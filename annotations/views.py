"""The greatfeedback dashboard: the annotations inbox (one site or every site of the
workspace), the annotation page, and a site's stakeholders.

Reads use the API's FilterSet (``annotations.filters``) so a parameter means the same here
and on ``GET /api/v1/sites/{id}/annotations``; writes call the same services as the API
with the signed-in user as the actor (audit ``user:<id>``), and every successful POST
answers with ``htmx_redirect`` (POST/redirect/GET: a 302, or a 204 + ``HX-Redirect`` for
htmx). Roles follow the documented API (docs/dashboard.md, "Annotations"): reading,
status/assignee/summary and replies are GUEST, as ``PATCH /api/v1/annotations/{id}`` and
``POST .../replies`` are; creating and revoking stakeholders is MEMBER; screenshots and
before/after images are shown to MEMBER and up only.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, cast
from urllib.parse import urlsplit

from django.contrib import messages
from django.db.models import QuerySet, prefetch_related_objects
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.urls import reverse
from django.utils import timezone
from django.views.generic import TemplateView

from accounts.dashboard import WorkspaceAction, WorkspaceMixin, confirmed, invalid_status
from accounts.models import Role
from accounts.selectors import membership_list
from annotations.forms import AnnotationUpdateForm, ReplyForm, StakeholderForm
from annotations.models import (
    Annotation,
    AnnotationKind,
    AnnotationStatus,
    AutoFixDefault,
    Stakeholder,
)
from annotations.querysets import AnnotationQuerySet
from config.api.errors import ApiError
from config.api.pagination import KeysetPage, keyset_paginate
from config.htmx import htmx_partial, htmx_redirect
from projects.dashboard import ProjectMixin
from projects.models import Project
from projects.selectors import project_get, project_list

PAGE_SIZE = 25
CONTROLS_TEMPLATE = "annotations/partials/_controls.html"
# Element fields in the order the widget documents them; anything else follows, sorted.
ELEMENT_ORDER = ("tag", "text", "id", "classes", "role", "aria-label", "alt", "href")
VIEWPORT_ORDER = ("width", "height", "device_pixel_ratio", "scroll_x", "scroll_y")
SINCE_CHOICES = (("1", "Last 24 hours"), ("7", "Last 7 days"), ("30", "Last 30 days"))


def safe_querystring(raw: str) -> str:
    """A list page's query string, re-encoded and without its cursor: it only ever becomes
    ``?<this>`` on our own inbox URL, so it cannot send anyone elsewhere."""
    query = QueryDict(raw[:2000], mutable=True)
    query.pop("cursor", None)
    return query.urlencode()


# --- The screenshot overlay ------------------------------------------------------------------
@dataclass(frozen=True)
class Box:
    """The picked element's box on the screenshot, in percent of the screenshot's size
    (strings, formatted here so no locale setting can turn "12.5" into "12,5")."""

    left: str
    top: str
    width: str
    height: str


def _number(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value)


def element_box(element: dict[str, Any], viewport: dict[str, Any]) -> Box | None:
    """Where to draw the element on the screenshot of the visible viewport.

    The widget records the element's ``rect`` in CSS pixels relative to the viewport
    (``getBoundingClientRect``) and the viewport's size in CSS pixels; the screenshot is that
    viewport at any pixel ratio. Dividing by the viewport gives fractions of the screenshot
    that hold at whatever width the image is shown. Parts outside the viewport are clipped;
    no box (None) when the rect or viewport is missing or the element is off-screen.
    """
    rect = element.get("rect") if isinstance(element, dict) else None
    if not isinstance(rect, dict) or not isinstance(viewport, dict):
        return None
    numbers = [_number(rect.get(k)) for k in ("x", "y", "width", "height")]
    numbers += [_number(viewport.get("width")), _number(viewport.get("height"))]
    if any(n is None for n in numbers):
        return None
    x, y, w, h, vw, vh = cast(list[float], numbers)
    if vw <= 0 or vh <= 0:
        return None

    def clip(value: float) -> float:
        return min(max(value, 0.0), 1.0)

    left, right = clip(x / vw), clip((x + w) / vw)
    top, bottom = clip(y / vh), clip((y + h) / vh)
    if right <= left or bottom <= top:
        return None
    return Box(*(f"{100 * v:.4f}" for v in (left, top, right - left, bottom - top)))


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


def since_label(raw: str) -> str:
    """``since`` (epoch milliseconds) as a UTC time for the filter row; "" if unreadable."""
    if not raw.isdigit():
        return ""
    try:
        moment = datetime.fromtimestamp(int(raw) / 1000, tz=UTC)
    except (OverflowError, OSError, ValueError):
        return ""
    return moment.strftime("%Y-%m-%d %H:%M UTC")


# --- Shared lookups --------------------------------------------------------------------------
class AnnotationMixin(WorkspaceMixin):
    def annotations(self) -> AnnotationQuerySet:
        return Annotation.objects.for_workspace(self.workspace)

    def get_annotation(self, annotation_id: str) -> Annotation:
        annotation = (
            self.annotations()
            .select_related("project", "assignee", "stakeholder")
            .with_id(annotation_id)
            .first()
        )
        if annotation is None:
            raise Http404("No such annotation")
        annotation.project.workspace = self.workspace  # the same row: no query to read it
        return annotation

    def annotation_url(self, annotation: Annotation, fragment: str = "") -> str:
        url = reverse("annotations:annotation-detail", args=[self.workspace.pk, annotation.pk])
        return f"{url}#{fragment}" if fragment else url

    def annotation_context(self, annotation: Annotation, **kwargs: Any) -> dict[str, Any]:
        # The page and the markdown blob both read the thread and the resolutions: once.
        prefetch_related_objects([annotation], "replies__author_user", "resolutions")
        from annotations.markdown import annotation_markdown

        members_only = self.role_at_least(Role.MEMBER)
        replies = list(annotation.replies.all())
        resolutions = list(annotation.resolutions.all())
        back = safe_querystring(self.request.GET.get("back", ""))
        return {
            "annotation": annotation,
            "project": annotation.project,
            "replies": replies,
            "resolutions": [
                {
                    "row": r,
                    "before_url": read_url(r.before_key) if members_only else None,
                    "after_url": read_url(r.after_key) if members_only else None,
                }
                for r in resolutions
            ],
            "can_see_images": members_only,
            "screenshot_url": read_url(annotation.screenshot_key) if members_only else None,
            "box": element_box(annotation.element, annotation.viewport),
            "element_rows": ordered_rows(
                {k: v for k, v in (annotation.element or {}).items() if k != "rect"},
                ELEMENT_ORDER,
            ),
            "rect_rows": ordered_rows(
                (annotation.element or {}).get("rect"), ("x", "y", "width", "height")
            ),
            "style_rows": ordered_rows(annotation.styles),
            "viewport_rows": ordered_rows(annotation.viewport, VIEWPORT_ORDER),
            "page_url_is_web": annotation.page_url.lower().startswith(("http://", "https://")),
            "markdown": annotation_markdown(annotation),
            "update_form": kwargs.get("update_form")
            or AnnotationUpdateForm(
                members=self.member_choices(),
                initial=self.current_values(annotation),
            ),
            "reply_form": kwargs.get("reply_form") or ReplyForm(),
            "statuses": AnnotationStatus.choices,
            "back": f"{reverse('annotations:annotation-list', args=[self.workspace.pk])}"
            + (f"?{back}" if back else ""),
        }

    @staticmethod
    def current_values(annotation: Annotation) -> dict[str, str]:
        return {
            "status": annotation.status,
            "assignee": str(annotation.assignee_id or ""),
            "summary": annotation.summary,
        }

    def member_choices(self) -> list[tuple[str, str]]:
        return [(str(m.user.pk), m.user.email) for m in membership_list(workspace=self.workspace)]


def status_counts(queryset: QuerySet[Annotation]) -> dict[str, int]:
    """``{status: n}`` for every status (zeros included) in one GROUP BY."""
    from django.db.models import Count

    counts = dict.fromkeys(AnnotationStatus.values, 0)
    for row in queryset.order_by().values("status").annotate(n=Count("id")):
        counts[row["status"]] = row["n"]
    return counts


# --- The inbox -------------------------------------------------------------------------------
class AnnotationListView(AnnotationMixin, TemplateView):
    """Every annotation of the workspace's sites (``site`` narrows to one), or, under
    ``projects/<project_id>/annotations/``, one site's. Newest first, keyset pages."""

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

    def filterset(self, params: QueryDict, queryset: QuerySet[Annotation]) -> Any:
        from annotations.filters import AnnotationFilter

        return AnnotationFilter(params, queryset=queryset)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        request = self.request
        sites = list(project_list(workspace=self.workspace).order_by("name", "id"))
        base = self.annotations()
        params = request.GET.copy()
        errors: list[tuple[str, str]] = []
        if self.project is not None:
            base = base.for_project(self.project)
            params.pop("site", None)
        else:
            site_id = params.get("site", "")
            if site_id:
                site = next((s for s in sites if s.pk == site_id), None)
                if site is None:
                    errors.append(("site", "site: no such site in this workspace."))
                    params.pop("site")
                else:
                    base = base.for_project(site)
        filterset = self.filterset(params, base)
        if not filterset.is_valid():
            # Show what was wrong and drop only those parameters, as the feedback inbox does.
            for name, field_errors in filterset.form.errors.items():
                errors.append((name, " ".join(map(str, field_errors))))
                params.pop(name, None)
            filterset = self.filterset(params, base)
            filterset.is_valid()
        without_status = params.copy()
        without_status.pop("status", None)
        counts_set = self.filterset(without_status, base)
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
        selected_status = params.get("status", "")
        since = params.get("since", "")
        now_ms = int(timezone.now().timestamp() * 1000)
        context.update(
            project=self.project,
            sites=sites,
            annotations=page.items,
            next_cursor=page.next_cursor,
            is_first_page=not request.GET.get("cursor"),
            filter_errors=errors,
            values={
                name: params.get(name, "")
                for name in ("status", "kind", "since", "auto_fix", "site")
            },
            querystring=safe_querystring(params.urlencode()),
            # The annotation page's way back: the workspace inbox with the same filters
            # (and this site, when the list was one site's).
            back_qs=safe_querystring(back_params.urlencode()),
            without_status_qs=safe_querystring(without_status.urlencode()),
            status_tabs=[
                (value, label, counts[value], value == selected_status)
                for value, label in AnnotationStatus.choices
            ],
            total=sum(counts.values()),
            statuses=AnnotationStatus.choices,
            kinds=AnnotationKind.choices,
            since_choices=[
                (str(now_ms - int(timedelta(days=int(days)).total_seconds() * 1000)), label)
                for days, label in SINCE_CHOICES
            ],
            since_label=since_label(since),
            has_any=bool(page.items) or filterset.active or bool(request.GET.get("cursor")),
            list_url=self.list_url(),
        )
        return context


# --- One annotation --------------------------------------------------------------------------
class AnnotationDetailView(AnnotationMixin, TemplateView):
    template_name = "annotations/annotation_detail.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        annotation = self.get_annotation(self.kwargs["annotation_id"])
        context.update(self.annotation_context(annotation))
        return context


def read_url(key: str) -> str | None:
    """A short-lived signed URL for a stored image (annotations.uploads), None for no key."""
    if not key:
        return None
    from annotations.uploads import signed_read_url

    return signed_read_url(key)


class AnnotationUpdateView(AnnotationMixin, WorkspaceAction):
    """Status, assignee, summary (``annotation_update``, the PATCH's service). Success goes
    back to the annotation page; errors come back in the controls card (htmx, 200) or on
    the page (400)."""

    def post(self, request: HttpRequest, ws: str, annotation_id: str) -> HttpResponse:
        from annotations.services import annotation_update

        annotation = self.get_annotation(annotation_id)
        form = AnnotationUpdateForm(request.POST, members=self.member_choices())
        if not form.is_valid():
            # The controls show the posted field with its error and the others as stored.
            data = {**self.current_values(annotation), **request.POST.dict()}
            shown = AnnotationUpdateForm(data, members=self.member_choices())
            shown.is_valid()
            template = htmx_partial(request, AnnotationDetailView.template_name, CONTROLS_TEMPLATE)
            context = self.annotation_context(annotation, update_form=shown)
            return self.render(template, status=invalid_status(request), **context)
        changes = form.changes
        if changes:
            annotation_update(
                annotation=annotation,
                actor=self.actor,
                status=changes.get("status"),
                summary=changes.get("summary"),
                assignee_id=changes.get("assignee"),
            )
            messages.success(request, "Annotation updated.")
        return htmx_redirect(request, self.annotation_url(annotation, "controls"))


class ReplyCreateView(AnnotationMixin, WorkspaceAction):
    """A team reply on the thread (``reply_create``, author kind ``user``)."""

    def post(self, request: HttpRequest, ws: str, annotation_id: str) -> HttpResponse:
        from annotations.services import reply_create

        annotation = self.get_annotation(annotation_id)
        form = ReplyForm(request.POST)
        if not form.is_valid():
            context = self.annotation_context(annotation, reply_form=form)
            return self.render(AnnotationDetailView.template_name, status=422, **context)
        user = self.request.user
        reply_create(
            annotation=annotation,
            actor=self.actor,
            body=form.cleaned_data["body"],
            author_kind="user",
            author_name=getattr(user, "name", "") or getattr(user, "email", ""),
        )
        messages.success(request, "Reply posted.")
        return htmx_redirect(request, self.annotation_url(annotation, "thread"))


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
            "auto_fix_defaults": AutoFixDefault.choices,
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
        from annotations.stakeholders import stakeholder_create

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
        from annotations.stakeholders import stakeholder_revoke

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
