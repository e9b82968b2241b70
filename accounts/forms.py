"""Dashboard forms for workspaces, members, invitations, API tokens and the audit log.

Forms only validate; the views hand the cleaned data to accounts.services, the same
functions the JSON API calls.
"""

from __future__ import annotations

from datetime import UTC, datetime, time
from typing import Any, cast

from django import forms
from django.contrib.auth import authenticate, password_validation
from django.utils import timezone

from accounts.audit import ACTOR_KINDS
from accounts.models import TOKEN_ROLES, Role, User, Workspace

TOKEN_ROLE_CHOICES = [(r.value, r.label) for r in TOKEN_ROLES]
ACTOR_KIND_CHOICES = [("", "Anyone"), *ACTOR_KINDS.items()]


class WorkspaceNameForm(forms.Form):
    name = forms.CharField(
        max_length=Workspace._meta.get_field("name").max_length,
        strip=True,
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )


class WorkspaceDeleteForm(forms.Form):
    """Typed confirmation: the owner must type the workspace's exact name."""

    confirm_name = forms.CharField(
        label="Type the workspace name to confirm",
        strip=False,
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )

    def __init__(self, *args: Any, workspace: Workspace, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.workspace = workspace

    def clean_confirm_name(self) -> str:
        typed = self.cleaned_data["confirm_name"]
        if typed.strip() != self.workspace.name.strip():
            raise forms.ValidationError(
                "That is not the workspace name; nothing was deleted.", code="mismatch"
            )
        return typed


class MemberRoleForm(forms.Form):
    role = forms.ChoiceField(choices=Role.choices)


class InvitationForm(forms.Form):
    email = forms.EmailField(max_length=254)
    role = forms.ChoiceField(choices=Role.choices, initial=Role.MEMBER)

    def __init__(self, *args: Any, workspace: Workspace, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.workspace = workspace

    def clean_email(self) -> str:
        email = self.cleaned_data["email"].strip().lower()
        if self.workspace.memberships.filter(user__email__iexact=email).exists():
            raise forms.ValidationError("This person is already a member.", code="member")
        return email


class InvitationSignInForm(forms.Form):
    """An invitee who already has an account signs in with its password on the invite page."""

    password = forms.CharField(strip=False, widget=forms.PasswordInput(attrs={"autofocus": True}))

    def __init__(self, *args: Any, email: str, request: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.email = email
        self.request = request
        self.user: User | None = None

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        password = cleaned.get("password")
        if password:
            user = authenticate(self.request, username=self.email, password=password)
            if user is None or not user.is_active:
                raise forms.ValidationError("Wrong password for this email.", code="invalid_login")
            self.user = user
        return cleaned


class InvitationSignUpForm(forms.Form):
    """A new invitee chooses a password for the invited email address (which is fixed)."""

    name = forms.CharField(max_length=150, required=False, strip=True)
    password1 = forms.CharField(
        label="Password", strip=False, widget=forms.PasswordInput(attrs={"autofocus": True})
    )
    password2 = forms.CharField(label="Password again", strip=False, widget=forms.PasswordInput())

    def __init__(self, *args: Any, email: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.email = email

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        p1, p2 = cleaned.get("password1"), cleaned.get("password2")
        if p1 and p2 and p1 != p2:
            self.add_error("password2", "The two passwords differ.")
        elif p1:
            try:
                password_validation.validate_password(
                    p1, User(email=self.email, name=cleaned.get("name", ""))
                )
            except forms.ValidationError as exc:
                self.add_error("password1", exc)
        return cleaned


class ApiTokenCreateForm(forms.Form):
    """greatfeedback gfat_ tokens: MEMBER or GUEST only, optional expiry date (UTC)."""

    name = forms.CharField(max_length=200, strip=True)
    role = forms.ChoiceField(choices=TOKEN_ROLE_CHOICES, initial=Role.MEMBER)
    expires_on = forms.DateField(
        required=False,
        label="Expires on (optional)",
        help_text="The token stops working at 00:00 UTC that day.",
        widget=forms.DateInput(attrs={"type": "date"}),
    )

    def clean_expires_on(self) -> Any:
        day = self.cleaned_data.get("expires_on")
        if day is not None and day <= timezone.now().date():
            raise forms.ValidationError("Choose a date after today.", code="past")
        return day

    @property
    def expires_at(self) -> datetime | None:
        day = self.cleaned_data.get("expires_on")
        if day is None:
            return None
        return datetime.combine(day, time.min, tzinfo=UTC)


class AuditFilterForm(forms.Form):
    actor = forms.ChoiceField(choices=ACTOR_KIND_CHOICES, required=False, label="Actor")
    action = forms.ChoiceField(choices=[("", "Any action")], required=False)

    def __init__(self, *args: Any, actions: list[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        action = cast(forms.ChoiceField, self.fields["action"])
        action.choices = [("", "Any action"), *((a, a) for a in actions)]
