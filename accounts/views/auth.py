"""Sign-in (with its attempt limits and the first-run screen), password reset, and the home
redirect."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.auth import views as auth_views
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from accounts.dashboard import LAST_WORKSPACE_SESSION_KEY, user_workspaces
from accounts.forms import WorkspaceNameForm
from accounts.models import User
from accounts.signin import signin_attempt, signin_email, signin_succeeded
from config.api.errors import ApiError
from config.site import site_url


class LoginView(auth_views.LoginView):
    """Django's login, plus the first-run screen when nobody can sign in yet.

    Failed attempts are limited per submitted email and per client IP (accounts.signin):
    an attempt over a limit is a 429 page whose password is not even checked.
    """

    redirect_authenticated_user = True

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        self.attempt_email = signin_email(request.POST.get("username"))
        try:
            signin_attempt(request, email=self.attempt_email)
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

    def form_valid(self, form: Any) -> HttpResponse:
        signin_succeeded(self.request, email=self.attempt_email)
        return super().form_valid(form)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["first_run"] = not User.objects.exists()
        return context


class PasswordResetView(auth_views.PasswordResetView):
    """Links in the reset email start with the public base URL (config.site.site_url)."""

    def form_valid(self, form: Any) -> HttpResponse:
        self.extra_email_context = {"site_url": site_url(self.request)}
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
