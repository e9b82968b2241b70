"""Dashboard URLs of the accounts app (names ``accounts:<entity>-<action>``).

Workspace pages live under ``/w/<ws>/``; the login and password-reset overrides sit in
front of ``django.contrib.auth.urls`` (mounted at ``/accounts/`` in config/urls.py).
"""

from django.urls import include, path, register_converter
from django.urls.converters import IntConverter

from accounts import views


class RowIdConverter(IntConverter):
    """A primary key as a URL segment: at most 18 digits, so an id past the 64-bit range is
    a 404 instead of an integer overflow in the database driver."""

    regex = "[0-9]{1,18}"


register_converter(RowIdConverter, "rowid")

app_name = "accounts"

workspace_patterns = [
    path("", views.WorkspaceDetailView.as_view(), name="workspace-detail"),
    path("settings/", views.WorkspaceSettingsView.as_view(), name="workspace-settings"),
    path("settings/rename/", views.WorkspaceRenameView.as_view(), name="workspace-rename"),
    path("settings/delete/", views.WorkspaceDeleteView.as_view(), name="workspace-delete"),
    path("settings/restore/", views.WorkspaceRestoreView.as_view(), name="workspace-restore"),
    path("members/", views.MemberListView.as_view(), name="member-list"),
    path("members/<rowid:user_id>/role/", views.MemberRoleView.as_view(), name="member-role"),
    path("members/<rowid:user_id>/remove/", views.MemberRemoveView.as_view(), name="member-remove"),
    path("invitations/", views.InvitationCreateView.as_view(), name="invitation-create"),
    path(
        "invitations/<str:invitation_id>/revoke/",
        views.InvitationRevokeView.as_view(),
        name="invitation-revoke",
    ),
    path("tokens/", views.TokenListView.as_view(), name="token-list"),
    path("tokens/new/", views.TokenCreateView.as_view(), name="token-create"),
    path("tokens/<str:token_id>/revoke/", views.TokenRevokeView.as_view(), name="token-revoke"),
    path("audit/", views.AuditListView.as_view(), name="audit-list"),
]

urlpatterns = [
    # Overrides of two django.contrib.auth views (first-run screen and sign-in limits;
    # the public base URL in reset links).
    path("accounts/login/", views.LoginView.as_view(), name="login"),
    path("accounts/password_reset/", views.PasswordResetView.as_view(), name="password-reset"),
    path("workspaces/new/", views.WorkspaceCreateView.as_view(), name="workspace-create"),
    path(
        "invitations/<str:token>/", views.InvitationAcceptView.as_view(), name="invitation-accept"
    ),
    path("w/<str:ws>/", include(workspace_patterns)),
]
