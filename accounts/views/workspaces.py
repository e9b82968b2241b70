"""Workspaces: create, the overview, settings, rename, typed-confirmation delete, restore."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.views import View

from accounts import services
from accounts.dashboard import (
    AuthenticatedHttpRequest,
    WorkspaceAction,
    WorkspacePage,
    user_workspaces,
)
from accounts.errors import WorkspaceGracePeriodOver
from accounts.forms import WorkspaceDeleteForm, WorkspaceNameForm
from accounts.models import ApiToken, Membership, Role, TokenFamily
from config.htmx import htmx_redirect


def detail_url(ws: str) -> str:
    return reverse("accounts:workspace-detail", kwargs={"ws": ws})


class WorkspaceCreateView(LoginRequiredMixin, View):
    def get(self, request: HttpRequest) -> HttpResponse:
        return self.page(WorkspaceNameForm())

    def post(self, request: AuthenticatedHttpRequest) -> HttpResponse:
        form = WorkspaceNameForm(request.POST)
        if not form.is_valid():
            return self.page(form, status=400)
        workspace = services.workspace_create(owner=request.user, name=form.cleaned_data["name"])
        messages.success(request, f"Workspace “{workspace.name}” created. You are its owner.")
        return htmx_redirect(request, detail_url(workspace.pk))

    def page(self, form: WorkspaceNameForm, status: int = 200) -> HttpResponse:
        return render(
            self.request,
            "accounts/workspace_create.html",
            {"form": form, "user_workspaces": user_workspaces(self.request.user)},
            status=status,
        )


class WorkspaceDetailView(WorkspacePage):
    """The overview: projects with links to their pages, reports and inbox."""

    template_name = "accounts/workspace_detail.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        from accounts.overview import workspace_overview
        from projects.selectors import project_list

        context = super().get_context_data(**kwargs)
        context["projects"] = list(project_list(workspace=self.workspace))
        context["overview"] = workspace_overview(
            workspace=self.workspace,
            projects=context["projects"],
            now=timezone.now(),
            checklist=context["can_write"],
        )
        context["member_count"] = Membership.objects.for_workspace(self.workspace).count()
        context["token_count"] = (
            ApiToken.objects.for_workspace(self.workspace)
            .active()
            .filter(family=TokenFamily.GREATFEEDBACK)
            .count()
        )
        return context


class WorkspaceSettingsView(WorkspacePage):
    template_name = "accounts/workspace_settings.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context.setdefault("rename_form", WorkspaceNameForm(initial={"name": self.workspace.name}))
        context.setdefault("delete_form", WorkspaceDeleteForm(workspace=self.workspace))
        context["grace_days"] = settings.WORKSPACE_DELETE_GRACE_DAYS
        return context


class WorkspaceRenameView(WorkspaceAction):
    required_role = Role.ADMIN

    def post(self, request: HttpRequest, ws: str) -> HttpResponse:
        form = WorkspaceNameForm(request.POST)
        if not form.is_valid():
            return self.render(
                "accounts/workspace_settings.html",
                status=400,
                rename_form=form,
                delete_form=WorkspaceDeleteForm(workspace=self.workspace),
            )
        services.workspace_rename(
            workspace=self.workspace, name=form.cleaned_data["name"], actor=self.actor
        )
        messages.success(request, "Workspace renamed.")
        return htmx_redirect(request, reverse("accounts:workspace-settings", kwargs={"ws": ws}))


class WorkspaceDeleteView(WorkspaceAction):
    """OWNER only, and only after typing the workspace's name."""

    required_role = Role.OWNER

    def get(self, request: HttpRequest, ws: str) -> HttpResponse:
        return self.page(WorkspaceDeleteForm(workspace=self.workspace))

    def post(self, request: AuthenticatedHttpRequest, ws: str) -> HttpResponse:
        form = WorkspaceDeleteForm(request.POST, workspace=self.workspace)
        if not form.is_valid():
            return self.page(form, status=400)
        services.workspace_soft_delete(workspace=self.workspace, user=request.user)
        messages.success(
            request,
            f"“{self.workspace.name}” was deleted. You can restore it until "
            f"{self.workspace.purge_after:%Y-%m-%d}.",
        )
        # Its pages now answer 403 with the banner and, for the owner, the restore button.
        return htmx_redirect(request, detail_url(ws))

    def page(self, form: WorkspaceDeleteForm, status: int = 200) -> HttpResponse:
        return self.render(
            "accounts/workspace_delete.html",
            status=status,
            delete_form=form,
            grace_days=settings.WORKSPACE_DELETE_GRACE_DAYS,
        )


class WorkspaceRestoreView(WorkspaceAction):
    required_role = Role.OWNER
    allow_deleted = True

    def post(self, request: AuthenticatedHttpRequest, ws: str) -> HttpResponse:
        if self.workspace.is_deleted:
            try:
                services.workspace_restore(workspace=self.workspace, user=request.user)
            except WorkspaceGracePeriodOver as exc:
                return self.render(
                    "accounts/workspace_deleted.html", status=410, restorable=False, error=exc
                )
            messages.success(request, f"“{self.workspace.name}” is restored.")
        return htmx_redirect(request, detail_url(ws))
