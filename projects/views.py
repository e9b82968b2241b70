"""Dashboard pages for projects (greatfeedback sites): list, create, settings, keys,
copy-ready snippets, and the OWNER-only secrets page.

Roles (docs/dashboard.md): every member reads projects; the ingest key and key list need
MEMBER; settings and project keys need ADMIN; secrets (reveal, MCP rotation) need OWNER,
as the greatfeedback secrets endpoints do. Plaintext keys and secrets appear only in the
response to the POST that minted or revealed them, with ``Cache-Control: no-store``.
"""

from __future__ import annotations

import json
import shlex
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.db.models import Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views import View
from django.views.generic import TemplateView
from django.views.generic.base import ContextMixin

from accounts import services as account_services
from accounts.dashboard import WorkspaceMixin, confirmed, invalid_status, no_store
from accounts.models import ApiToken, Role, TokenFamily
from config.htmx import htmx_partial, is_htmx
from projects import selectors, services
from projects.forms import SLUG_TAKEN, ProjectForm, ProjectKeyForm, RotateMcpTokenForm
from projects.models import Project

KEY_LIST_LIMIT = 100


@dataclass(frozen=True)
class Snippet:
    key: str
    title: str
    text: str
    note: str = ""


def _json(data: dict[str, Any]) -> str:
    return shlex.quote(json.dumps(data, ensure_ascii=False))


def snippets(project: Project, *, ingest_key: str | None) -> list[Snippet]:
    """Copy-ready embed code and one curl line per API family, with absolute URLs."""
    base = settings.SITE_URL
    ingest = ingest_key or "wk_your_ingest_key"
    return [
        Snippet(
            "widget",
            "Minolith feedback widget",
            f'<script src="{base}/widget/feedback.js" data-project="{project.slug}"></script>',
            "Paste before </body>. Submissions go to the public endpoint of this project's slug.",
        ),
        Snippet(
            "writeback",
            "Writeback: an agent reports an outcome (ingest key)",
            f"curl -X POST {base}/v1/reports \\\n"
            '  -H "Content-Type: application/json" \\\n'
            "  -d "
            + _json(
                {
                    "ingest_key": ingest,
                    "outcome": "success",
                    "details": "What the agent tried and what happened",
                }
            ),
        ),
        Snippet(
            "writeback-read",
            "Writeback: read this project's reports (wk_sk_ API key)",
            f'curl -H "Authorization: Bearer wk_sk_your_api_key" \\\n'
            f"  {base}/v1/dashboard/{project.pk}/reports",
        ),
        Snippet(
            "minolith",
            "Minolith: create a feedback item (mlth_ project key)",
            f"curl -X POST {base}/v1/feedback/items \\\n"
            '  -H "Authorization: Bearer mlth_your_project_key" \\\n'
            '  -H "Content-Type: application/json" \\\n'
            "  -d " + _json({"body": "The export button does nothing", "type": "bug"}),
        ),
        Snippet(
            "fluister",
            "Fluister: send feedback (mlth_ project key + projectId)",
            f"curl -X POST {base}/v1/feedback \\\n"
            '  -H "Authorization: Bearer mlth_your_project_key" \\\n'
            '  -H "Content-Type: application/json" \\\n'
            "  -d "
            + _json({"projectId": project.pk, "text": "The login button does nothing on mobile"}),
        ),
        Snippet(
            "greatfeedback",
            "greatfeedback: list sites (gfat_ API token)",
            f'curl -H "Authorization: Bearer gfat_your_token" \\\n  {base}/api/v1/sites',
            "Mint a gfat_ token under API tokens.",
        ),
    ]


def mcp_command(mcp_token: str) -> str:
    return f"claude mcp add greatfeedback {settings.SITE_URL}/mcp/{mcp_token}"


class ProjectMixin(WorkspaceMixin):
    """Resolves ``<project_id>`` inside the URL's workspace; another workspace's is a 404."""

    project: Project

    def get_project(self) -> Project:
        project = selectors.project_get(
            workspace=self.workspace,
            project_id=self.kwargs["project_id"],
        )
        if project is None:
            raise Http404("Project not found")
        project.workspace = self.workspace
        return project

    def keys(self) -> QuerySet[ApiToken]:
        """This project's mlth_ keys and the workspace's wk_sk_ Writeback keys."""
        return (
            ApiToken.objects.for_workspace(self.workspace)
            .filter(
                Q(family=TokenFamily.MINOLITH, project=self.project)
                | Q(family=TokenFamily.WRITEBACK_READ)
            )
            .select_related("created_by")
            .order_by("revoked_at", "-created_at", "-id")
        )

    def detail_context(self, **extra: Any) -> dict[str, Any]:
        can_see_keys = self.role_at_least(Role.MEMBER)
        context: dict[str, Any] = {
            "project": self.project,
            "site_url": settings.SITE_URL,
            "can_see_keys": can_see_keys,
            "ingest_key": self.project.ingest_key if can_see_keys else None,
            "snippets": snippets(
                self.project, ingest_key=self.project.ingest_key if can_see_keys else None
            ),
        }
        if can_see_keys:
            context["keys"] = list(self.keys()[:KEY_LIST_LIMIT])
            context["key_form"] = ProjectKeyForm()
        context.update(extra)
        return context


class ProjectPage(ProjectMixin, TemplateView):
    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        self.project = self.get_project()
        return super().get(request, *args, **kwargs)


class ProjectAction(ProjectMixin, ContextMixin, View):
    """A POST on one project; subclasses implement ``act``."""

    def render(self, template: str, status: int = 200, **context: Any) -> HttpResponse:
        return render(self.request, template, self.get_context_data(**context), status=status)

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        self.project = self.get_project()
        return self.act(request)

    def act(self, request: HttpRequest) -> HttpResponse:
        raise NotImplementedError


# --- List, create, detail, settings ----------------------------------------------------------
class ProjectListView(WorkspaceMixin, TemplateView):
    template_name = "projects/project_list.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["projects"] = list(selectors.project_list(workspace=self.workspace))
        return context


class ProjectCreateView(WorkspaceMixin, ContextMixin, View):
    required_role = Role.ADMIN

    def get(self, request: HttpRequest, ws: str) -> HttpResponse:
        return self.page(ProjectForm())

    def post(self, request: HttpRequest, ws: str) -> HttpResponse:
        form = ProjectForm(request.POST)
        if not form.is_valid():
            return self.page(form, status=400)
        data = form.cleaned_data
        try:
            project = services.project_create(
                workspace=self.workspace,
                name=data["name"],
                slug=data["slug"] or None,
                domain=data["domain"],
                allowed_origins=data["allowed_origins"],
                spending_cap_credits=data["spending_cap_credits"],
                actor=self.actor,
            )
        except services.SlugTaken:
            form.add_error("slug", SLUG_TAKEN)
            return self.page(form, status=400)
        messages.success(request, f"Project “{project.name}” created.")
        return redirect("projects:project-detail", ws=ws, project_id=project.pk)

    def page(self, form: ProjectForm, status: int = 200) -> HttpResponse:
        return render(
            self.request,
            "projects/project_create.html",
            self.get_context_data(form=form),
            status=status,
        )


class ProjectDetailView(ProjectPage):
    template_name = "projects/project_detail.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context.update(self.detail_context())
        return context


class ProjectUpdateView(ProjectMixin, ContextMixin, View):
    required_role = Role.ADMIN

    def get(self, request: HttpRequest, ws: str, project_id: str) -> HttpResponse:
        self.project = self.get_project()
        return self.page(ProjectForm(instance=self.project))

    def post(self, request: HttpRequest, ws: str, project_id: str) -> HttpResponse:
        self.project = self.get_project()
        form = ProjectForm(request.POST, instance=self.project)
        if not form.is_valid():
            return self.page(form, status=400)
        changes = form.changes()
        if changes:
            try:
                services.project_update(project=self.project, actor=self.actor, **changes)
            except services.SlugTaken:
                form.add_error("slug", SLUG_TAKEN)
                return self.page(form, status=400)
            messages.success(request, "Project settings saved.")
        else:
            messages.info(request, "Nothing changed.")
        return redirect("projects:project-detail", ws=ws, project_id=project_id)

    def page(self, form: ProjectForm, status: int = 200) -> HttpResponse:
        return render(
            self.request,
            "projects/project_update.html",
            self.get_context_data(form=form, project=self.project),
            status=status,
        )


# --- Keys ------------------------------------------------------------------------------------
class KeyCreateView(ProjectAction):
    """ADMIN mints an mlth_ project key or a wk_sk_ Writeback key; plaintext shown once."""

    required_role = Role.ADMIN

    def act(self, request: HttpRequest) -> HttpResponse:
        form = ProjectKeyForm(request.POST)
        template = htmx_partial(
            request, "projects/project_detail.html", "projects/partials/_keys.html"
        )
        if not form.is_valid():
            return self.render(
                template, status=invalid_status(request), **self.detail_context(key_form=form)
            )
        family = form.cleaned_data["family"]
        token, raw = account_services.api_token_mint(
            workspace=self.workspace,
            family=family,
            name=form.cleaned_data["name"],
            role=Role.MEMBER,
            # Writeback API keys read every project of the workspace (GET /v1/projects).
            project=self.project if family == TokenFamily.MINOLITH else None,
            actor=self.actor,
        )
        context = self.detail_context(created=token, plaintext=raw)
        return no_store(self.render(template, status=201, **context))


class KeyRevokeView(ProjectAction):
    required_role = Role.ADMIN

    def get(self, request: HttpRequest, ws: str, project_id: str, key_id: str) -> HttpResponse:
        self.project = self.get_project()
        key = get_object_or_404(self.keys(), pk=key_id)
        return self.render("projects/key_revoke.html", key=key, project=self.project)

    def act(self, request: HttpRequest) -> HttpResponse:
        key = get_object_or_404(self.keys(), pk=self.kwargs["key_id"])
        if not confirmed(request):
            return self.render("projects/key_revoke.html", key=key, project=self.project)
        account_services.api_token_revoke(token=key, actor=self.actor)
        notice = f"Key “{key.name}” ({key.prefix}…{key.last4}) is revoked; it stops working now."
        if is_htmx(request):
            return self.render("projects/partials/_keys.html", **self.detail_context(notice=notice))
        messages.success(request, notice)
        return redirect("projects:project-detail", ws=self.workspace.pk, project_id=self.project.pk)


class IngestKeyRotateView(ProjectAction):
    """ADMIN. The old ingest key stops being accepted at once."""

    required_role = Role.ADMIN

    def act(self, request: HttpRequest) -> HttpResponse:
        if confirmed(request):
            services.project_rotate_ingest_key(project=self.project, actor=self.actor)
            messages.success(
                request, "New ingest key issued; agents using the old one are now refused."
            )
        return redirect("projects:project-detail", ws=self.workspace.pk, project_id=self.project.pk)


# --- Secrets (OWNER) -------------------------------------------------------------------------
class SecretsMixin(ProjectMixin):
    required_role = Role.OWNER

    def secrets_context(self, values: dict[str, str] | None, **extra: Any) -> dict[str, Any]:
        context: dict[str, Any] = {
            "project": self.project,
            "secrets": values,
            "mcp_command": mcp_command(values["mcp_token"]) if values else None,
            "rotate_form": RotateMcpTokenForm(),
        }
        context.update(extra)
        return context


class SecretsView(SecretsMixin, ProjectPage):
    """The page itself never contains a secret: they come from the reveal POST."""

    template_name = "projects/project_secrets.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context.update(self.secrets_context(None))
        return context


class SecretsRevealView(SecretsMixin, ProjectAction):
    def act(self, request: HttpRequest) -> HttpResponse:
        values = services.project_secrets_reveal(project=self.project, actor=self.actor)
        template = htmx_partial(
            request, "projects/project_secrets.html", "projects/partials/_secrets.html"
        )
        return no_store(self.render(template, **self.secrets_context(values)))


class McpTokenRotateView(SecretsMixin, ProjectAction):
    """Session + OWNER only (never a token); the old MCP token stops resolving at once."""

    def act(self, request: HttpRequest) -> HttpResponse:
        form = RotateMcpTokenForm(request.POST)
        if not form.is_valid():
            return self.render(
                "projects/project_secrets.html",
                status=400,
                **self.secrets_context(None, rotate_form=form),
            )
        services.project_rotate_mcp_token(project=self.project, actor=self.actor)
        values = {
            "widget_token": self.project.widget_token,
            "mcp_token": self.project.mcp_token,
            "loader_secret_id": self.project.loader_secret_id,
        }
        context = self.secrets_context(values, rotated=True)
        return no_store(self.render("projects/project_secrets.html", **context))
