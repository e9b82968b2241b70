"""The greatfeedback dashboard: the annotations inbox (one site or every site of the
workspace), the annotation page, and a site's stakeholders.

Stakeholders are created and revoked through ``annotations.stakeholders`` (MEMBER, as the
API's POST/DELETE are), with the signed-in user as the audit actor, and every successful POST
answers with ``htmx_redirect`` (POST/redirect/GET). The API's FilterSet, its write services
(status, assignee, summary, replies), the markdown blob and the signed image URLs are built in
parallel; the inbox and the annotation page add their filters and controls as each lands
(docs/dashboard.md, "Annotations"). Every member, GUEST included, reads these pages.
"""

from __future__ import annotations

import math
from typing import Any
from urllib.parse import urlsplit

from django.contrib import messages
from django.db.models import Count, QuerySet
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.urls import reverse
from django.views.generic import TemplateView

from accounts.dashboard import WorkspaceAction, WorkspaceMixin, confirmed, invalid_status
from accounts.models import Role
from annotations.forms import StakeholderForm
from annotations.models import (
    Annotation,
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
from config.htmx import htmx_redirect
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

    def annotation_context(self, annotation: Annotation) -> dict[str, Any]:
        back = safe_querystring(self.request.GET.get("back", ""))
        element = annotation.element if isinstance(annotation.element, dict) else {}
        resolutions = list(annotation.resolutions.all())
        # Screenshots and before/after images are for members only: a GUEST (often a client
        # or a contractor) reads the text but never receives a signed link to an image.
        can_see_images = self.role_at_least(Role.MEMBER)
        if can_see_images:
            for resolution in resolutions:
                resolution.before_url = signed_read_url(  # type: ignore[attr-defined]
                    resolution.before_key, request=self.request
                )
                resolution.after_url = signed_read_url(  # type: ignore[attr-defined]
                    resolution.after_key, request=self.request
                )
        return {
            "can_see_images": can_see_images,
            "screenshot_url": signed_read_url(annotation.screenshot_key, request=self.request)
            if can_see_images
            else "",
            "screenshot_box": screenshot_box(element, annotation.viewport),
            "annotation": annotation,
            "project": annotation.project,
            "replies": list(annotation.replies.select_related("author_user")),
            "resolutions": resolutions,
            "persona_runs": list(persona_selectors.persona_runs(annotation=annotation)),
            "personas_by_category": persona_selectors.personas_by_category(workspace=self.workspace)
            if self.role_at_least(Role.MEMBER)
            else [],
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
        }


def status_counts(queryset: QuerySet[Annotation]) -> dict[str, int]:
    """``{status: n}`` for every status (zeros included) in one GROUP BY."""
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

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        request = self.request
        sites = list(project_list(workspace=self.workspace).order_by("name", "id"))
        base = self.annotations()
        # Only the site narrows this inbox for now; every other parameter is dropped.
        params = QueryDict(mutable=True)
        if request.GET.get("site"):
            params["site"] = request.GET["site"]
        errors: list[tuple[str, str]] = []
        site_filtered = False
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
                    site_filtered = True
        counts = status_counts(base)

        def page_at(cursor: str | None) -> KeysetPage:
            return keyset_paginate(
                base.select_related("project", "assignee"),
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
        context.update(
            project=self.project,
            sites=sites,
            annotations=page.items,
            next_cursor=page.next_cursor,
            is_first_page=not request.GET.get("cursor"),
            filter_errors=errors,
            values={"site": params.get("site", "")},
            querystring=safe_querystring(params.urlencode()),
            # The annotation page's way back: the workspace inbox with the same site
            # (this one, when the list was one site's).
            back_qs=safe_querystring(back_params.urlencode()),
            status_counts=[
                (value, label, counts[value]) for value, label in AnnotationStatus.choices
            ],
            total=sum(counts.values()),
            has_any=bool(page.items) or site_filtered or bool(request.GET.get("cursor")),
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


class AnnotationRunPersonasView(AnnotationMixin, WorkspaceAction):
    """MEMBER: queue persona runs from the annotation page (``persona_ids``; none selected =
    the default set), through the same service and credits as the API; POST/redirect/GET."""

    required_role = Role.MEMBER

    def post(self, request: HttpRequest, ws: str, annotation_id: str) -> HttpResponse:
        annotation = self.get_annotation(annotation_id)
        detail = reverse("annotations:annotation-detail", args=[ws, annotation.pk])
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
