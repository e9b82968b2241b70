"""Dashboard pages for projects (greatfeedback sites): list, create, settings, keys, credits,
copy-ready snippets, and the OWNER-only secrets page.

Roles (docs/dashboard.md): every member reads projects; the ingest key and key list need
MEMBER; settings and project keys need ADMIN; secrets (reveal, MCP rotation) need OWNER,
as the greatfeedback secrets endpoints do.

Every POST that changes something answers with a redirect (POST/redirect/GET), so reloading
the page it lands on neither mints, rotates nor reveals again. A minted key's plaintext is
kept in the session for one read (show_once); a reveal or rotation keeps only a flag, because
the secrets are stored revealable on the project row anyway and a copy in the session table
would be a second place holding them. Pages that show a secret are ``no-store``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.db.models import Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse

from accounts import services as account_services
from accounts.dashboard import (
    WorkspaceAction,
    WorkspacePage,
    confirmed,
    no_store,
    show_once_pop,
    show_once_put,
)
from accounts.models import ApiToken, Role, TokenFamily
from config.htmx import htmx_redirect
from config.site import site_url
from projects import selectors, services
from projects.dashboard import ProjectMixin
from projects.forms import SLUG_TAKEN, ProjectForm, ProjectKeyForm, RotateMcpTokenForm
from projects.models import Project
from projects.snippets import annotate_embed, mcp_add_command, project_snippets

KEY_LIST_LIMIT = 100


@dataclass(frozen=True)
class Credits:
    """Minolith credits of one project: 1 per created item, ``cap`` None means no cap."""

    used: int
    cap: int | None

    @property
    def left(self) -> int | None:
        return None if self.cap is None else max(0, self.cap - self.used)

    @property
    def reached(self) -> bool:
        return self.cap is not None and self.used >= self.cap


class ProjectPageMixin(ProjectMixin):
    """The project pages' own context: keys, snippets, credits."""

    def project_url(self, name: str = "project-detail", fragment: str = "") -> str:
        url = reverse(f"projects:{name}", args=[self.workspace.pk, self.project.pk])
        return f"{url}#{fragment}" if fragment else url

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

    @property
    def key_once(self) -> str:
        return f"project-key:{self.project.pk}"

    def detail_context(self, **extra: Any) -> dict[str, Any]:
        can_see_keys = self.role_at_least(Role.MEMBER)
        ingest_key = self.project.ingest_key if can_see_keys else None
        context: dict[str, Any] = {
            "project": self.project,
            "can_see_keys": can_see_keys,
            "ingest_key": ingest_key,
            "credits": Credits(
                used=self.project.credits_used, cap=self.project.spending_cap_credits
            ),
            "snippets": project_snippets(
                base_url=site_url(self.request), project=self.project, ingest_key=ingest_key
            ),
        }
        if can_see_keys:
            context["keys"] = list(self.keys()[:KEY_LIST_LIMIT])
            context["key_form"] = ProjectKeyForm()
        context.update(extra)
        return context


class ProjectPage(ProjectPageMixin, WorkspacePage):
    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        self.project = self.get_project()
        return super().get(request, *args, **kwargs)


class ProjectAction(ProjectPageMixin, WorkspaceAction):
    """A POST on one project; subclasses implement ``act``."""

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        self.project = self.get_project()
        return self.act(request)

    def act(self, request: HttpRequest) -> HttpResponse:
        raise NotImplementedError


# --- List, create, detail, settings ----------------------------------------------------------
class ProjectListView(WorkspacePage):
    template_name = "projects/project_list.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["projects"] = list(selectors.project_list(workspace=self.workspace))
        return context


class ProjectFormView(ProjectPageMixin, WorkspaceAction):
    """Create and settings: the same form, its errors, and the slug race (SlugTaken)."""

    required_role = Role.ADMIN
    template_name: str

    def page(self, form: ProjectForm, status: int = 200) -> HttpResponse:
        context = self.get_context_data(form=form, project=getattr(self, "project", None))
        return render(self.request, self.template_name, context, status=status)

    def slug_taken(self, form: ProjectForm) -> HttpResponse:
        form.add_error("slug", SLUG_TAKEN)
        return self.page(form, status=400)

    def saved(self, project: Project, message: str) -> HttpResponse:
        messages.success(self.request, message)
        self.project = project
        return htmx_redirect(self.request, self.project_url())


class ProjectCreateView(ProjectFormView):
    template_name = "projects/project_create.html"

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
            return self.slug_taken(form)
        return self.saved(project, f"Project “{project.name}” created.")


class ProjectDetailView(ProjectPage):
    template_name = "projects/project_detail.html"

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        # The ingest key (members) and a just-minted key are on this page.
        return no_store(super().get(request, *args, **kwargs))

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context.update(self.detail_context(created=show_once_pop(self.request, self.key_once)))
        return context


class ProjectUpdateView(ProjectFormView):
    template_name = "projects/project_update.html"

    def get(self, request: HttpRequest, ws: str, project_id: str) -> HttpResponse:
        self.project = self.get_project()
        return self.page(ProjectForm(instance=self.project))

    def post(self, request: HttpRequest, ws: str, project_id: str) -> HttpResponse:
        self.project = self.get_project()
        form = ProjectForm(request.POST, instance=self.project)
        if not form.is_valid():
            return self.page(form, status=400)
        changes = form.changes()
        if not changes:
            messages.info(request, "Nothing changed.")
            return htmx_redirect(request, self.project_url())
        try:
            services.project_update(project=self.project, actor=self.actor, **changes)
        except services.SlugTaken:
            return self.slug_taken(form)
        return self.saved(self.project, "Project settings saved.")


# --- Keys ------------------------------------------------------------------------------------
class KeyCreateView(ProjectAction):
    """ADMIN mints an mlth_ project key or a wk_sk_ Writeback key; the project page it
    redirects to shows the plaintext once."""

    required_role = Role.ADMIN

    def act(self, request: HttpRequest) -> HttpResponse:
        form = ProjectKeyForm(request.POST)
        if not form.is_valid():
            context = self.detail_context(key_form=form)
            return self.render("projects/project_detail.html", status=400, **context)
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
        show_once_put(request, self.key_once, {"name": token.name, "plaintext": raw})
        return htmx_redirect(request, self.project_url(fragment="key-created"))


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
        messages.success(
            request,
            f"Key “{key.name}” ({key.prefix}…{key.last4}) is revoked; it stops working now.",
        )
        # No #fragment: htmx sets location.href, and a hash-only change would not reload.
        return htmx_redirect(request, self.project_url())


class IngestKeyRotateView(ProjectAction):
    """ADMIN. The old ingest key stops being accepted at once."""

    required_role = Role.ADMIN

    def act(self, request: HttpRequest) -> HttpResponse:
        if confirmed(request):
            services.project_rotate_ingest_key(project=self.project, actor=self.actor)
            messages.success(
                request, "New ingest key issued; agents using the old one are now refused."
            )
        return htmx_redirect(request, self.project_url(fragment="ingest-key"))


# --- Secrets (OWNER) -------------------------------------------------------------------------
SECRETS_REVEALED = "revealed"
SECRETS_ROTATED = "rotated"


class SecretsMixin(ProjectPageMixin):
    required_role = Role.OWNER

    @property
    def secrets_once(self) -> str:
        return f"secrets:{self.project.pk}"

    def secrets_context(self, shown: str | None, **extra: Any) -> dict[str, Any]:
        context: dict[str, Any] = {
            "project": self.project,
            "show_secrets": shown is not None,
            "rotated": shown == SECRETS_ROTATED,
            "mcp_command": mcp_add_command(
                base_url=site_url(self.request), mcp_token=self.project.mcp_token
            )
            if shown
            else None,
            "annotate_embed": annotate_embed(
                base_url=site_url(self.request),
                site_id=self.project.pk,
                widget_token=self.project.widget_token,
            )
            if shown
            else None,
            "rotate_form": RotateMcpTokenForm(),
        }
        context.update(extra)
        return context


class SecretsView(SecretsMixin, ProjectPage):
    """The values appear once, right after the reveal or rotation POST redirected here."""

    template_name = "projects/project_secrets.html"

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        return no_store(super().get(request, *args, **kwargs))

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context.update(self.secrets_context(show_once_pop(self.request, self.secrets_once)))
        return context


class SecretsRevealView(SecretsMixin, ProjectAction):
    def act(self, request: HttpRequest) -> HttpResponse:
        services.project_secrets_reveal(project=self.project, actor=self.actor)
        show_once_put(request, self.secrets_once, SECRETS_REVEALED)
        return htmx_redirect(request, self.project_url("secrets-detail", fragment="secrets"))


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
        show_once_put(request, self.secrets_once, SECRETS_ROTATED)
        return htmx_redirect(request, self.project_url("secrets-detail"))
