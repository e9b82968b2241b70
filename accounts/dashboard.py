"""Dashboard view helpers: workspace resolution and role checks for server-rendered pages.

``WorkspaceMixin`` resolves ``<ws>`` from the URL, 404s non-members (a workspace you are
not in does not exist for you), and refuses, server-side, roles below ``required_role``
even when a form was forged. Pages in a soft-deleted workspace answer 403 with the
restore banner, except the pages that restore it (``allow_deleted = True``).
"""

from __future__ import annotations

import time
from typing import Any, cast

from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import render
from django.utils import timezone
from django.views import View
from django.views.generic import TemplateView
from django.views.generic.base import ContextMixin

from accounts.audit import Actor
from accounts.models import ROLE_RANK, Membership, Role, User, Workspace
from config.htmx import is_htmx
from config.http import no_store as no_store  # re-exported: the dashboard views import it here


class AuthenticatedHttpRequest(HttpRequest):
    """The request a view behind a login check handles: ``user`` is an account, never
    anonymous (django-stubs' recipe; a type for annotations, never instantiated)."""

    user: User


class WorkspaceMixin(LoginRequiredMixin):
    required_role: str = Role.GUEST
    allow_deleted: bool = False
    workspace: Workspace
    membership: Membership
    request: HttpRequest  # request and kwargs are set by View.setup()
    kwargs: Any

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        membership = (
            Membership.objects.select_related("workspace")
            .filter(user=request.user, workspace_id=kwargs.get("ws"))
            .first()
        )
        if membership is None:
            raise Http404("Workspace not found")
        self.membership = membership
        self.workspace = membership.workspace
        if self.workspace.is_deleted and not self.allow_deleted:
            return render(
                request,
                "accounts/workspace_deleted.html",
                {
                    "workspace": self.workspace,
                    "membership": membership,
                    "is_owner": membership.role == Role.OWNER,
                    "restorable": self.workspace.purge_after is not None
                    and self.workspace.purge_after > timezone.now(),
                    "user_workspaces": user_workspaces(request.user),
                },
                status=403,
            )
        remember_workspace(request, self.workspace)
        if ROLE_RANK[membership.role] < ROLE_RANK[self.required_role]:
            raise PermissionDenied("Insufficient role")
        return super().dispatch(request, *args, **kwargs)

    @property
    def actor(self) -> Actor:
        # dispatch() turned anonymous callers away, so this is an account.
        return Actor.for_user(cast(User, self.request.user))

    def role_at_least(self, role: str) -> bool:
        return ROLE_RANK[self.membership.role] >= ROLE_RANK[role]

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        # Mixin: the view class (TemplateView, ContextMixin) supplies get_context_data.
        context = super().get_context_data(**kwargs)  # type: ignore[misc]
        context.update(
            workspace=self.workspace,
            membership=self.membership,
            is_owner=self.membership.role == Role.OWNER,
            can_write=self.role_at_least(Role.MEMBER),
            can_admin=self.role_at_least(Role.ADMIN),
            # The layout's workspace switcher; lazy, so pages that never render it pay nothing.
            user_workspaces=user_workspaces(self.request.user),
        )
        return context


class WorkspacePage(WorkspaceMixin, TemplateView):
    """A GET page inside one workspace."""


class WorkspaceAction(WorkspaceMixin, ContextMixin, View):
    """A POST (sometimes GET-to-confirm) action inside one workspace."""

    def render(self, template: str, status: int = 200, **context: Any) -> HttpResponse:
        return render(self.request, template, self.get_context_data(**context), status=status)


LAST_WORKSPACE_SESSION_KEY = "backtalk_last_workspace"


def remember_workspace(request: HttpRequest, workspace: Workspace) -> None:
    """The root URL sends a user back to the workspace they used last. Written only when it
    changes, so a page view does not save the session every time."""
    session = getattr(request, "session", None)
    if session is not None and session.get(LAST_WORKSPACE_SESSION_KEY) != workspace.pk:
        session[LAST_WORKSPACE_SESSION_KEY] = workspace.pk


def user_workspaces(user: Any) -> QuerySet[Workspace]:
    """The workspaces ``user`` belongs to, deleted ones included (the switcher marks them)."""
    return Workspace.objects.for_user(user).order_by("name", "id")


def invalid_status(request: HttpRequest) -> int:
    """A form with errors is a 400, except for htmx, which swaps only 2xx responses: there
    the fragment with the errors is the answer (200)."""
    return 200 if is_htmx(request) else 400


def confirmed(request: HttpRequest) -> bool:
    """Destructive POSTs carry ``confirm=yes``: set by the confirmation page, or by htmx
    after the browser's confirm dialog. A bare POST only shows the confirmation page."""
    return request.POST.get("confirm") == "yes"


SHOW_ONCE_SESSION_KEY = "backtalk_show_once"
# The redirect that reads a value follows within a second; one never read (a closed tab, a
# failed redirect) is dropped at the next put or pop after this, not kept for the session's life.
SHOW_ONCE_MAX_AGE_SECONDS = 300


def _show_once_stash(request: HttpRequest) -> dict[str, Any]:
    now = time.time()
    stash = request.session.get(SHOW_ONCE_SESSION_KEY) or {}
    return {
        name: entry
        for name, entry in stash.items()
        if isinstance(entry, dict) and now - entry.get("at", 0) < SHOW_ONCE_MAX_AGE_SECONDS
    }


def show_once_put(request: HttpRequest, name: str, value: Any) -> None:
    """Keep a freshly minted secret for exactly one read by the page the POST redirects to
    (POST/redirect/GET): reloading that page must neither mint again nor show it again.
    ``name`` must name the page's scope (workspace, project), so another workspace's page
    never consumes it. The session lives server-side (database backend)."""
    stash = _show_once_stash(request)
    stash[name] = {"value": value, "at": time.time()}
    request.session[SHOW_ONCE_SESSION_KEY] = stash


def show_once_pop(request: HttpRequest, name: str) -> Any:
    """The value show_once_put kept under ``name``, or None once read or expired."""
    if SHOW_ONCE_SESSION_KEY not in request.session:
        return None
    stash = _show_once_stash(request)
    entry = stash.pop(name, None)
    request.session[SHOW_ONCE_SESSION_KEY] = stash
    return None if entry is None else entry["value"]
