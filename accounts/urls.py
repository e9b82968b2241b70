"""Dashboard URLs of the accounts app (names ``accounts:<entity>-<action>``).

Workspace pages live under ``/w/<ws>/``; the login and password-reset overrides sit in
front of ``django.contrib.auth.urls`` (mounted at ``/accounts/`` in config/urls.py).
"""

from django.urls import path

from accounts import views

app_name = "accounts"

urlpatterns = [
    # Overrides of two django.contrib.auth views (first-run screen; SITE_URL in reset links).
    path("accounts/login/", views.LoginView.as_view(), name="login"),
    path("accounts/password_reset/", views.PasswordResetView.as_view(), name="password-reset"),
    path("workspaces/new/", views.WorkspaceCreateView.as_view(), name="workspace-create"),
    path(
        "invitations/<str:token>/", views.InvitationAcceptView.as_view(), name="invitation-accept"
    ),
    path("w/<str:ws>/", views.WorkspaceDetailView.as_view(), name="workspace-detail"),
    path("w/<str:ws>/settings/", views.WorkspaceSettingsView.as_view(), name="workspace-settings"),
    path(
        "w/<str:ws>/settings/rename/", views.WorkspaceRenameView.as_view(), name="workspace-rename"
    ),
    path(
        "w/<str:ws>/settings/delete/", views.WorkspaceDeleteView.as_view(), name="workspace-delete"
    ),
    path(
        "w/<str:ws>/settings/restore/",
        views.WorkspaceRestoreView.as_view(),
        name="workspace-restore",
    ),
    path("w/<str:ws>/members/", views.MemberListView.as_view(), name="member-list"),
    path(
        "w/<str:ws>/members/<int:user_id>/role/", views.MemberRoleView.as_view(), name="member-role"
    ),
    path(
        "w/<str:ws>/members/<int:user_id>/remove/",
        views.MemberRemoveView.as_view(),
        name="member-remove",
    ),
    path("w/<str:ws>/invitations/", views.InvitationCreateView.as_view(), name="invitation-create"),
    path(
        "w/<str:ws>/invitations/<str:invitation_id>/revoke/",
        views.InvitationRevokeView.as_view(),
        name="invitation-revoke",
    ),
    path("w/<str:ws>/tokens/", views.TokenListView.as_view(), name="token-list"),
    path("w/<str:ws>/tokens/new/", views.TokenCreateView.as_view(), name="token-create"),
    path(
        "w/<str:ws>/tokens/<str:token_id>/revoke/",
        views.TokenRevokeView.as_view(),
        name="token-revoke",
    ),
    path("w/<str:ws>/audit/", views.AuditListView.as_view(), name="audit-list"),
]
