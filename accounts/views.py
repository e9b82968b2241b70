"""Dashboard pages for the accounts app: sign-in extras, the home redirect, workspaces,
members and invitations, greatfeedback API tokens and the audit log.

One small view per action (STYLE 3.4). Every workspace page goes through WorkspaceMixin,
which 404s outsiders and refuses roles below ``required_role`` with a 403 even when a form
was forged; each view's role matches the JSON API's rule for the same thing. Writes go
through accounts.services, so the dashboard and the API share one audit trail.
"""

from __future__ import annotations

import logging
from typing import Any, cast

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth import views as auth_views
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.mail import send_mail
from django.core.paginator import Paginator
from django.db import IntegrityError
from django.db.models import Case, IntegerField, QuerySet, Value, When
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.views import View
from django.views.generic import TemplateView
from django.views.generic.base import ContextMixin

from accounts import services
from accounts.dashboard import (
    LAST_WORKSPACE_SESSION_KEY,
    AuthenticatedHttpRequest,
    WorkspaceMixin,
    confirmed,
    invalid_status,
    no_store,
    user_workspaces,
)
from accounts.errors import InvitationGone, LastOwner, WorkspaceGracePeriodOver
from accounts.forms import (
    ApiTokenCreateForm,
    AuditFilterForm,
    InvitationForm,
    InvitationSignInForm,
    InvitationSignUpForm,
    MemberRoleForm,
    WorkspaceDeleteForm,
    WorkspaceNameForm,
)
from accounts.models import (
    ApiToken,
    AuditLog,
    Invitation,
    Membership,
    Role,
    TokenFamily,
    User,
    Workspace,
)
from accounts.selectors import api_token_list
from config.api.client_ip import client_ip
from config.api.errors import ApiError
from config.api.ratelimit import Bucket, enforce
from config.htmx import htmx_partial, is_htmx
from config.ids import secret_digest

logger = logging.getLogger("backtalk.dashboard")

AUDIT_PAGE_SIZE = 50
TOKEN_PAGE_SIZE = 50


def redirect_htmx_aware(request: HttpRequest, url: str) -> HttpResponse:
    """After an htmx POST, a 3xx would be followed inside the fragment: ask htmx to
    navigate instead (STYLE 3.4)."""
    if is_htmx(request):
        response = HttpResponse(status=200)
        response["HX-Redirect"] = url
        return response
    return redirect(url)


class WorkspacePage(WorkspaceMixin, TemplateView):
    """A GET page inside one workspace."""


class WorkspaceAction(WorkspaceMixin, ContextMixin, View):
    """A POST (sometimes GET-to-confirm) action inside one workspace."""

    def render(self, template: str, status: int = 200, **context: Any) -> HttpResponse:
        return render(self.request, template, self.get_context_data(**context), status=status)


# --- Sign-in, first run, home ----------------------------------------------------------------
class LoginView(auth_views.LoginView):
    """Django's login, plus the first-run screen when nobody can sign in yet.

    Sign-in attempts are rate limited per client IP and per submitted email (settings
    RATE_LOGIN_PER_IP / RATE_LOGIN_PER_EMAIL) so passwords cannot be guessed at speed; a
    cache outage fails open rather than locking everybody out.
    """

    redirect_authenticated_user = True

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        email = str(request.POST.get("username", "")).strip().lower()[:254]
        buckets = [
            Bucket(
                group="login:ip",
                value=f"ip:{client_ip(request)}",
                rate_setting="RATE_LOGIN_PER_IP",
                reason="Too many sign-in attempts from this address. Try again later.",
            ),
            Bucket(
                group="login:email",
                value=f"email:{email}",
                rate_setting="RATE_LOGIN_PER_EMAIL",
                reason="Too many sign-in attempts for this account. Try again later.",
            ),
        ]
        try:
            enforce(request, buckets, fail_open=True)
        except ApiError as exc:
            form = self.get_form()
            form.is_bound = False  # do not check the password of a throttled attempt
            response = self.render_to_response(
                self.get_context_data(form=form, throttled=exc.message)
            )
            response.status_code = exc.status
            for name, value in exc.headers.items():
                response[name] = value
            return response
        return super().post(request, *args, **kwargs)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["first_run"] = not User.objects.exists()
        return context


class PasswordResetView(auth_views.PasswordResetView):
    """Links in the reset email are built from SITE_URL, not the request's Host header."""

    def form_valid(self, form: Any) -> HttpResponse:
        self.extra_email_context = {"site_url": settings.SITE_URL}
        return super().form_valid(form)


def home(request: HttpRequest) -> HttpResponse:
    """First run (no user at all) -> the bootstrap hint; signed in -> the workspace used
    last, else the first live one; no workspace yet -> a page to create one."""
    if not User.objects.exists():
        return render(request, "home.html", {"first_run": True})
    if not request.user.is_authenticated:
        return redirect(f"{settings.LOGIN_URL}?next=/")
    workspaces = list(user_workspaces(request.user))
    alive = [w for w in workspaces if not w.is_deleted]
    last = request.session.get(LAST_WORKSPACE_SESSION_KEY)
    target = next((w for w in alive if w.pk == last), alive[0] if alive else None)
    if target is not None:
        return redirect("accounts:workspace-detail", ws=target.pk)
    return render(
        request, "home.html", {"user_workspaces": workspaces, "form": WorkspaceNameForm()}
    )


# --- Workspaces ------------------------------------------------------------------------------
class WorkspaceCreateView(LoginRequiredMixin, View):
    def get(self, request: HttpRequest) -> HttpResponse:
        return self.page(WorkspaceNameForm())

    def post(self, request: AuthenticatedHttpRequest) -> HttpResponse:
        form = WorkspaceNameForm(request.POST)
        if not form.is_valid():
            return self.page(form, status=400)
        workspace = services.workspace_create(owner=request.user, name=form.cleaned_data["name"])
        messages.success(request, f"Workspace “{workspace.name}” created. You are its owner.")
        return redirect("accounts:workspace-detail", ws=workspace.pk)

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
        return redirect("accounts:workspace-settings", ws=ws)


class WorkspaceDeleteView(WorkspaceAction):
    """OWNER only, and only after typing the workspace's name."""

    required_role = Role.OWNER

    def get(self, request: HttpRequest, ws: str) -> HttpResponse:
        return self.render(
            "accounts/workspace_delete.html",
            delete_form=WorkspaceDeleteForm(workspace=self.workspace),
            grace_days=settings.WORKSPACE_DELETE_GRACE_DAYS,
        )

    def post(self, request: AuthenticatedHttpRequest, ws: str) -> HttpResponse:
        form = WorkspaceDeleteForm(request.POST, workspace=self.workspace)
        if not form.is_valid():
            return self.render(
                "accounts/workspace_delete.html",
                status=400,
                delete_form=form,
                grace_days=settings.WORKSPACE_DELETE_GRACE_DAYS,
            )
        services.workspace_soft_delete(workspace=self.workspace, user=request.user)
        messages.success(
            request,
            f"“{self.workspace.name}” was deleted. You can restore it until "
            f"{self.workspace.purge_after:%Y-%m-%d}.",
        )
        # Its pages now answer 403 with the banner and, for the owner, the restore button.
        return redirect("accounts:workspace-detail", ws=ws)


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
        return redirect("accounts:workspace-detail", ws=ws)


# --- Members and invitations -----------------------------------------------------------------
def members_of(workspace: Workspace) -> QuerySet[Membership]:
    """Owners first, then by role, then by email."""
    rank = Case(
        *(When(role=r, then=Value(i)) for i, r in enumerate(Role.values)),
        output_field=IntegerField(),
    )
    return (
        Membership.objects.for_workspace(workspace)
        .select_related("user", "workspace")
        .annotate(role_order=rank)
        .order_by("role_order", "user__email")
    )


def pending_invitations(workspace: Workspace) -> QuerySet[Invitation]:
    return (
        Invitation.objects.filter(
            workspace=workspace,
            accepted_at__isnull=True,
            revoked_at__isnull=True,
            expires_at__gt=timezone.now(),
        )
        .select_related("invited_by")
        .order_by("-created_at")
    )


def mark_last_owner(members: list[Membership], owner_count: int) -> None:
    """The only OWNER gets no role select and no remove button (the service refuses too)."""
    for m in members:
        # Display-only attribute for the template, not a model field.
        m.is_last_owner = m.role == Role.OWNER and owner_count == 1  # type: ignore[attr-defined]


class MembersMixin(WorkspaceMixin):
    def members_context(self, **extra: Any) -> dict[str, Any]:
        members = list(members_of(self.workspace))
        owner_count = sum(1 for m in members if m.role == Role.OWNER)
        mark_last_owner(members, owner_count)
        context: dict[str, Any] = {
            "members": members,
            "role_choices": Role.choices,
            "invitation_ttl_days": settings.INVITATION_TTL_DAYS,
        }
        if self.membership.role == Role.OWNER:
            context["invitations"] = pending_invitations(self.workspace)
            context["invite_form"] = InvitationForm(workspace=self.workspace)
        context.update(extra)
        return context


class MemberListView(MembersMixin, WorkspacePage):
    template_name = "accounts/member_list.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context.update(self.members_context())
        return context


class MemberRoleView(WorkspaceAction):
    required_role = Role.OWNER

    def post(self, request: HttpRequest, ws: str, user_id: int) -> HttpResponse:
        membership = get_object_or_404(members_of(self.workspace), user_id=user_id)
        form = MemberRoleForm(request.POST)
        error = ""
        if not form.is_valid():
            error = "Choose one of the listed roles."
        elif form.cleaned_data["role"] == membership.role:
            pass  # nothing to change, nothing to audit
        else:
            try:
                services.membership_set_role(
                    membership=membership, role=form.cleaned_data["role"], actor=self.actor
                )
            except LastOwner as exc:
                error = exc.message
                membership.refresh_from_db()
        list_url = reverse("accounts:member-list", kwargs={"ws": ws})
        if membership.user_id == request.user.pk and not error:
            # You changed your own role: the whole page (and its forms) may change.
            messages.success(request, f"Your role is now {membership.get_role_display()}.")
            return redirect_htmx_aware(request, list_url)
        if is_htmx(request):
            owners = Membership.objects.filter(workspace=self.workspace, role=Role.OWNER).count()
            mark_last_owner([membership], owners)
            # 200 even for a refusal: htmx swaps only 2xx, and the row shows the reason.
            return self.render(
                "accounts/partials/_member_row.html",
                m=membership,
                row_error=error,
                row_notice="" if error else "Role updated.",
                role_choices=Role.choices,
            )
        if error:
            messages.error(request, error)
        else:
            messages.success(
                request, f"{membership.user.email} is now {membership.get_role_display()}."
            )
        return redirect(list_url)


class MemberRemoveView(WorkspaceAction):
    required_role = Role.OWNER

    def get(self, request: HttpRequest, ws: str, user_id: int) -> HttpResponse:
        membership = get_object_or_404(members_of(self.workspace), user_id=user_id)
        return self.render("accounts/member_remove.html", m=membership)

    def post(self, request: HttpRequest, ws: str, user_id: int) -> HttpResponse:
        membership = get_object_or_404(members_of(self.workspace), user_id=user_id)
        if not confirmed(request):
            return self.render("accounts/member_remove.html", m=membership)
        list_url = reverse("accounts:member-list", kwargs={"ws": ws})
        try:
            services.membership_remove(membership=membership, actor=self.actor)
        except LastOwner as exc:
            messages.error(request, exc.message)
            return redirect_htmx_aware(request, list_url)
        messages.success(request, f"{membership.user.email} was removed from the workspace.")
        if membership.user_id == request.user.pk:
            return redirect_htmx_aware(request, "/")
        return redirect_htmx_aware(request, list_url)


def invitation_url(raw: str) -> str:
    return f"{settings.SITE_URL}{reverse('accounts:invitation-accept', kwargs={'token': raw})}"


class InvitationCreateView(MembersMixin, WorkspaceAction):
    """OWNER invites by email. The link is emailed and shown once, in this response."""

    required_role = Role.OWNER

    def post(self, request: HttpRequest, ws: str) -> HttpResponse:
        form = InvitationForm(request.POST, workspace=self.workspace)
        if not form.is_valid():
            return self.render(
                "accounts/member_list.html", status=400, **self.members_context(invite_form=form)
            )
        invitation, raw = services.invitation_create(
            workspace=self.workspace,
            email=form.cleaned_data["email"],
            role=form.cleaned_data["role"],
            actor=self.actor,
        )
        link = invitation_url(raw)
        email_sent = self.send(invitation, link)
        response = self.render(
            "accounts/invitation_created.html",
            invitation=invitation,
            link=link,
            email_sent=email_sent,
        )
        return no_store(response)

    def send(self, invitation: Invitation, link: str) -> bool:
        context = {
            "invitation": invitation,
            "workspace": self.workspace,
            "inviter": self.request.user,
            "link": link,
            "site_url": settings.SITE_URL,
        }
        try:
            send_mail(
                subject=f"You are invited to {self.workspace.name} on Backtalk",
                message=render_to_string("accounts/email/invitation.txt", context),
                from_email=None,
                recipient_list=[invitation.email],
            )
        except Exception:  # SMTP down: the owner still has the link on the page
            logger.exception("invitation email to %s failed", invitation.email)
            return False
        return True


class InvitationRevokeView(WorkspaceAction):
    required_role = Role.OWNER

    def post(self, request: HttpRequest, ws: str, invitation_id: str) -> HttpResponse:
        invitation = get_object_or_404(pending_invitations(self.workspace), pk=invitation_id)
        invitation.workspace = self.workspace
        services.invitation_revoke(invitation=invitation, actor=self.actor)
        if is_htmx(request):
            return HttpResponse("")  # the row disappears
        messages.success(request, f"The invitation to {invitation.email} was revoked.")
        return redirect("accounts:member-list", ws=ws)


class InvitationAcceptView(View):
    """``/invitations/<token>/``: the link from the email.

    Signed in: one button adds you (the signed-in user) with the invited role. Signed out:
    the page asks for the password of the invited email's account, or, when no account has
    that email yet, lets the invitee choose one; either way the invitation is accepted in
    the same request. Accepted, revoked or expired links answer 410; unknown ones 404.
    """

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        raw = kwargs["token"]
        try:
            self.invitation = services.invitation_lookup(raw)
        except InvitationGone as exc:
            return self.gone(exc)
        self.raw = raw
        self.account_exists = User.objects.filter(email__iexact=self.invitation.email).exists()
        return super().dispatch(request, *args, **kwargs)

    def gone(self, exc: InvitationGone) -> HttpResponse:
        if not Invitation.objects.filter(token_hash=secret_digest(self.kwargs["token"])).exists():
            raise Http404("No such invitation")
        return render(
            self.request, "accounts/invitation_gone.html", {"message": exc.message}, status=410
        )

    def form(self, data: Any = None) -> InvitationSignInForm | InvitationSignUpForm | None:
        if self.request.user.is_authenticated:
            return None
        if self.account_exists:
            return InvitationSignInForm(data, email=self.invitation.email, request=self.request)
        return InvitationSignUpForm(data, email=self.invitation.email)

    def page(self, form: Any, status: int = 200) -> HttpResponse:
        return render(
            self.request,
            "accounts/invitation_accept.html",
            {
                "invitation": self.invitation,
                "form": form,
                "account_exists": self.account_exists,
                "email_matches": self.request.user.is_authenticated
                and self.request.user.email.lower() == self.invitation.email.lower(),
            },
            status=status,
        )

    def get(self, request: HttpRequest, token: str) -> HttpResponse:
        return self.page(self.form())

    def post(self, request: HttpRequest, token: str) -> HttpResponse:
        form = self.form(request.POST)
        if form is not None:
            if not form.is_valid():
                return self.page(form, status=400)
            if isinstance(form, InvitationSignInForm):
                user = form.user
            else:
                try:
                    user = services.user_create(
                        email=self.invitation.email,
                        password=form.cleaned_data["password1"],
                        name=form.cleaned_data.get("name", ""),
                    )
                except IntegrityError:
                    # Someone created this account a moment ago: sign in instead.
                    self.account_exists = True
                    return self.page(self.form(), status=409)
            login(request, user, backend="django.contrib.auth.backends.ModelBackend")
        try:
            # request.user is an account: signed in already (form is None) or by login() above.
            membership = services.invitation_accept(raw=self.raw, user=cast(User, request.user))
        except InvitationGone as exc:
            return self.gone(exc)
        messages.success(
            request,
            f"Welcome to {membership.workspace.name}. Your role is "
            f"{membership.get_role_display()}.",
        )
        return redirect("accounts:workspace-detail", ws=membership.workspace_id)


# --- API tokens (greatfeedback gfat_) -------------------------------------------------------
class TokenScopeMixin(WorkspaceMixin):
    """Exactly the JSON endpoints' rule: OWNER sees and revokes every gfat_ token, MEMBER
    (and ADMIN) only the ones they created; GUEST none (the page needs MEMBER)."""

    required_role = Role.MEMBER

    def tokens(self) -> QuerySet[ApiToken]:
        # dispatch() turned anonymous callers away, so request.user is an account.
        return api_token_list(
            workspace=self.workspace,
            user=cast(User, self.request.user),
            sees_all=self.role_at_least(Role.OWNER),
        ).order_by("-created_at", "-id")

    def token_context(self, **extra: Any) -> dict[str, Any]:
        page = Paginator(self.tokens(), TOKEN_PAGE_SIZE).get_page(self.request.GET.get("page"))
        context = {
            "page_obj": page,
            "tokens": page.object_list,
            "site_url": settings.SITE_URL,
        }
        context.setdefault("form", ApiTokenCreateForm())
        context.update(extra)
        return context


class TokenListView(TokenScopeMixin, WorkspacePage):
    template_name = "accounts/token_list.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context.update(self.token_context())
        return context


class TokenCreateView(TokenScopeMixin, WorkspaceAction):
    """OWNER mints. The plaintext is rendered once, in this POST's response."""

    required_role = Role.OWNER

    def post(self, request: HttpRequest, ws: str) -> HttpResponse:
        form = ApiTokenCreateForm(request.POST)
        template = htmx_partial(
            request, "accounts/token_list.html", "accounts/partials/_tokens.html"
        )
        if not form.is_valid():
            return self.render(
                template, status=invalid_status(request), **self.token_context(form=form)
            )
        token, raw = services.api_token_mint(
            workspace=self.workspace,
            family=TokenFamily.GREATFEEDBACK,
            name=form.cleaned_data["name"],
            role=form.cleaned_data["role"],
            expires_at=form.expires_at,
            actor=self.actor,
        )
        context = self.token_context(created=token, plaintext=raw)
        return no_store(self.render(template, status=201, **context))


class TokenRevokeView(TokenScopeMixin, WorkspaceAction):
    def get(self, request: HttpRequest, ws: str, token_id: str) -> HttpResponse:
        token = get_object_or_404(self.tokens(), pk=token_id)
        return self.render("accounts/token_revoke.html", token=token)

    def post(self, request: HttpRequest, ws: str, token_id: str) -> HttpResponse:
        token = get_object_or_404(self.tokens(), pk=token_id)
        if not confirmed(request):
            return self.render("accounts/token_revoke.html", token=token)
        services.api_token_revoke(token=token, actor=self.actor)
        notice = f"Token “{token.name}” (…{token.last4}) is revoked; it stops working now."
        if is_htmx(request):
            return self.render(
                "accounts/partials/_tokens.html", **self.token_context(notice=notice)
            )
        messages.success(request, notice)
        return redirect("accounts:token-list", ws=ws)


# --- Audit log -------------------------------------------------------------------------------
class AuditListView(WorkspacePage):
    """Who did what, newest first; filter by actor kind and action."""

    template_name = "accounts/audit_list.html"
    required_role = Role.ADMIN

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        rows = AuditLog.objects.filter(workspace=self.workspace)
        actions = sorted(set(rows.values_list("action", flat=True).distinct()))
        form = AuditFilterForm(self.request.GET or None, actions=actions)
        if form.is_valid():
            kind = form.cleaned_data.get("actor")
            if kind == "system":
                rows = rows.filter(actor_id="system")
            elif kind:
                rows = rows.filter(actor_id__startswith=f"{kind}:")
            if form.cleaned_data.get("action"):
                rows = rows.filter(action=form.cleaned_data["action"])
        page = Paginator(rows.order_by("-created_at", "-id"), AUDIT_PAGE_SIZE).get_page(
            self.request.GET.get("page")
        )
        entries = list(page.object_list)
        labels = self.actor_labels(entries)
        for entry in entries:
            # Display-only attribute for the template, not a model field.
            entry.actor_label = labels.get(entry.actor_id, entry.actor_id)  # type: ignore[attr-defined]
        query = self.request.GET.copy()
        query.pop("page", None)
        context.update(
            filter_form=form, page_obj=page, entries=entries, querystring=query.urlencode()
        )
        return context

    def actor_labels(self, entries: list[AuditLog]) -> dict[str, str]:
        """Readable names for the actors on one page: three queries at most, whatever the
        page size (users by id; tokens and MCP sites only from this workspace)."""
        ids: dict[str, set[str]] = {"user": set(), "token": set(), "mcp": set()}
        for entry in entries:
            kind, _, ident = entry.actor_id.partition(":")
            if kind in ids and ident:
                ids[kind].add(ident)
        labels: dict[str, str] = {"system": "System"}
        user_ids = [int(i) for i in ids["user"] if i.isdigit()]
        if user_ids:
            for pk, email in User.objects.filter(pk__in=user_ids).values_list("pk", "email"):
                labels[f"user:{pk}"] = email
        if ids["token"]:
            for token in ApiToken.objects.for_workspace(self.workspace).filter(pk__in=ids["token"]):
                labels[f"token:{token.pk}"] = f"{token.name} ({token.prefix}…{token.last4})"
        if ids["mcp"]:
            from projects.models import Project

            for project_id, name in (
                Project.objects.for_workspace(self.workspace)
                .filter(pk__in=ids["mcp"])
                .values_list("pk", "name")
            ):
                labels[f"mcp:{project_id}"] = f"MCP · {name}"
        return labels
