"""Members and invitations: the member list, role changes, removal, inviting by email (the
link shown once), revoking, and the accept page behind the emailed link."""

from __future__ import annotations

from typing import Any, cast

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.db import IntegrityError
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import get_object_or_404, render
from django.template.response import TemplateResponse
from django.urls import reverse
from django.views import View

from accounts import services
from accounts.dashboard import (
    WorkspaceAction,
    WorkspaceMixin,
    WorkspacePage,
    confirmed,
    no_store,
    show_once_pop,
    show_once_put,
)
from accounts.errors import InvitationGone, LastOwner
from accounts.forms import (
    InvitationForm,
    InvitationSignInForm,
    InvitationSignUpForm,
    MemberRoleForm,
)
from accounts.models import Membership, Role, User
from accounts.selectors import (
    invitation_exists,
    invitation_pending_list,
    membership_list,
    user_email_taken,
)
from config.htmx import htmx_redirect, is_htmx
from config.site import site_url

INVITATION_SHOWN_ONCE = "invitation-created"


def list_url(ws: str) -> str:
    return reverse("accounts:member-list", kwargs={"ws": ws})


def mark_last_owner(members: list[Membership], owner_count: int) -> None:
    """The only OWNER gets no role select and no remove button (the service refuses too)."""
    for m in members:
        # Display-only attribute for the template, not a model field.
        m.is_last_owner = m.role == Role.OWNER and owner_count == 1  # type: ignore[attr-defined]


class MembersMixin(WorkspaceMixin):
    def members_context(self, **extra: Any) -> dict[str, Any]:
        members = list(membership_list(workspace=self.workspace))
        owner_count = sum(1 for m in members if m.role == Role.OWNER)
        mark_last_owner(members, owner_count)
        context: dict[str, Any] = {
            "members": members,
            "role_choices": Role.choices,
            "invitation_ttl_days": settings.INVITATION_TTL_DAYS,
        }
        if self.membership.role == Role.OWNER:
            context["invitations"] = list(invitation_pending_list(workspace=self.workspace))
            context["invite_form"] = InvitationForm(workspace=self.workspace)
        context.update(extra)
        return context


class MemberListView(MembersMixin, WorkspacePage):
    """Also the page an invitation POST redirects to: it shows the new link once. Never
    cached, since that one response holds a secret."""

    template_name = "accounts/member_list.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context.update(self.members_context())
        created = show_once_pop(self.request, f"{INVITATION_SHOWN_ONCE}:{self.workspace.pk}")
        if created and self.membership.role == Role.OWNER:
            pending = {i.pk: i for i in context["invitations"]}
            context["created"] = pending.get(created["id"])
            context["created_link"] = created["link"]
        return context

    def render_to_response(self, context: dict[str, Any], **kwargs: Any) -> TemplateResponse:
        return cast(TemplateResponse, no_store(super().render_to_response(context, **kwargs)))


class MemberRoleView(WorkspaceAction):
    """Without htmx: POST/redirect/GET. With htmx: the row is swapped in place (an htmx POST
    leaves no URL to resubmit), or the page reloaded when you changed your own role."""

    required_role = Role.OWNER

    def post(self, request: HttpRequest, ws: str, user_id: int) -> HttpResponse:
        membership = get_object_or_404(membership_list(workspace=self.workspace), user_id=user_id)
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
        if membership.user_id == request.user.pk and not error:
            # You changed your own role: the whole page (and its forms) may change.
            messages.success(request, f"Your role is now {membership.get_role_display()}.")
            return htmx_redirect(request, list_url(ws))
        if is_htmx(request):
            owners = membership_list(workspace=self.workspace).filter(role=Role.OWNER).count()
            mark_last_owner([membership], owners)
            # 200 even for a refusal: htmx swaps only 2xx, and the row shows the reason.
            return self.render(
                "accounts/partials/_member_row.html",
                row=membership,
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
        return htmx_redirect(request, list_url(ws))


class MemberRemoveView(WorkspaceAction):
    required_role = Role.OWNER

    def get(self, request: HttpRequest, ws: str, user_id: int) -> HttpResponse:
        membership = get_object_or_404(membership_list(workspace=self.workspace), user_id=user_id)
        return self.render("accounts/member_remove.html", m=membership)

    def post(self, request: HttpRequest, ws: str, user_id: int) -> HttpResponse:
        membership = get_object_or_404(membership_list(workspace=self.workspace), user_id=user_id)
        if not confirmed(request):
            return self.render("accounts/member_remove.html", m=membership)
        try:
            services.membership_remove(membership=membership, actor=self.actor)
        except LastOwner as exc:
            messages.error(request, exc.message)
            return htmx_redirect(request, list_url(ws))
        messages.success(request, f"{membership.user.email} was removed from the workspace.")
        if membership.user_id == request.user.pk:
            return htmx_redirect(request, "/")
        return htmx_redirect(request, list_url(ws))


class InvitationCreateView(MembersMixin, WorkspaceAction):
    """OWNER invites by email. The link is emailed (a task) and shown once, on the member
    list this POST redirects to."""

    required_role = Role.OWNER

    def post(self, request: HttpRequest, ws: str) -> HttpResponse:
        form = InvitationForm(request.POST, workspace=self.workspace)
        if not form.is_valid():
            return self.render(
                "accounts/member_list.html", status=400, **self.members_context(invite_form=form)
            )
        base = site_url(request)
        invitation, raw = services.invitation_create(
            workspace=self.workspace,
            email=form.cleaned_data["email"],
            role=form.cleaned_data["role"],
            actor=self.actor,
            site_url=base,
        )
        link = services.invitation_link(site_url=base, raw=raw)
        show_once_put(
            request,
            f"{INVITATION_SHOWN_ONCE}:{self.workspace.pk}",
            {"id": invitation.pk, "link": link},
        )
        return htmx_redirect(request, list_url(ws))


class InvitationRevokeView(WorkspaceAction):
    required_role = Role.OWNER

    def post(self, request: HttpRequest, ws: str, invitation_id: str) -> HttpResponse:
        invitation = get_object_or_404(
            invitation_pending_list(workspace=self.workspace), pk=invitation_id
        )
        invitation.workspace = self.workspace
        services.invitation_revoke(invitation=invitation, actor=self.actor)
        if is_htmx(request):
            return HttpResponse("")  # the row disappears; no URL is left to resubmit
        messages.success(request, f"The invitation to {invitation.email} was revoked.")
        return htmx_redirect(request, list_url(ws))


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
        self.account_exists = user_email_taken(email=self.invitation.email)
        return super().dispatch(request, *args, **kwargs)

    def gone(self, exc: InvitationGone) -> HttpResponse:
        if not invitation_exists(raw=self.kwargs["token"]):
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
        return htmx_redirect(
            request, reverse("accounts:workspace-detail", kwargs={"ws": membership.workspace_id})
        )
