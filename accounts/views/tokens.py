"""greatfeedback API tokens (``gfat_``): the list, minting (plaintext shown once), revoking."""

from __future__ import annotations

from typing import Any, cast

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import reverse

from accounts import services
from accounts.dashboard import (
    WorkspaceAction,
    WorkspaceMixin,
    WorkspacePage,
    confirmed,
    invalid_status,
    no_store,
    show_once_pop,
    show_once_put,
)
from accounts.forms import ApiTokenCreateForm
from accounts.models import ApiToken, Role, TokenFamily, User
from accounts.selectors import api_token_list
from config.htmx import htmx_partial, htmx_redirect, is_htmx
from config.site import site_url

TOKEN_PAGE_SIZE = 50
TOKEN_SHOWN_ONCE = "token-created"


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
            "site_url": site_url(self.request),
            "form": ApiTokenCreateForm(),
        }
        context.update(extra)
        return context


class TokenListView(TokenScopeMixin, WorkspacePage):
    """Also the page a mint redirects to: it shows the new plaintext once (show_once_pop),
    so a reload shows the list without it and mints nothing. Never cached."""

    template_name = "accounts/token_list.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context.update(self.token_context())
        created = show_once_pop(self.request, f"{TOKEN_SHOWN_ONCE}:{self.workspace.pk}")
        if created:
            context["created"] = self.tokens().filter(pk=created["id"]).first()
            context["plaintext"] = created["plaintext"] if context["created"] else None
        return context

    def render_to_response(self, context: dict[str, Any], **kwargs: Any) -> TemplateResponse:
        return cast(TemplateResponse, no_store(super().render_to_response(context, **kwargs)))


class TokenCreateView(TokenScopeMixin, WorkspaceAction):
    """OWNER mints; POST/redirect/GET to the token list, which shows the plaintext once."""

    required_role = Role.OWNER

    def post(self, request: HttpRequest, ws: str) -> HttpResponse:
        form = ApiTokenCreateForm(request.POST)
        if not form.is_valid():
            template = htmx_partial(
                request, "accounts/token_list.html", "accounts/partials/_tokens.html"
            )
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
        show_once_put(
            request, f"{TOKEN_SHOWN_ONCE}:{self.workspace.pk}", {"id": token.pk, "plaintext": raw}
        )
        return htmx_redirect(request, reverse("accounts:token-list", kwargs={"ws": ws}))


class TokenRevokeView(TokenScopeMixin, WorkspaceAction):
    """Without htmx: a confirmation page, then POST/redirect/GET. With htmx (confirmed in
    the browser): the list fragment is swapped in place, leaving no URL to resubmit."""

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
        return htmx_redirect(request, reverse("accounts:token-list", kwargs={"ws": ws}))
