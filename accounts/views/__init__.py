"""Dashboard pages of the accounts app, one module per area (STYLE 3.4: one small view per
action). Every workspace page goes through WorkspaceMixin, which 404s outsiders and refuses
roles below ``required_role`` with a 403 even when a form was forged; each view's role
matches the JSON API's rule for the same thing. Writes go through accounts.services and
reads through accounts.selectors, so the dashboard and the API share one audit trail.

Every successful state-changing POST answers with a redirect (config.htmx.htmx_redirect):
POST/redirect/GET, so reloading the page shown afterwards never repeats the write. A minted
secret travels to that page through accounts.dashboard.show_once_put/pop.
"""

from accounts.views.audit import AuditListView
from accounts.views.auth import LoginView, PasswordResetView, home
from accounts.views.members import (
    InvitationAcceptView,
    InvitationCreateView,
    InvitationRevokeView,
    MemberListView,
    MemberRemoveView,
    MemberRoleView,
)
from accounts.views.tokens import TokenCreateView, TokenListView, TokenRevokeView
from accounts.views.workspaces import (
    WorkspaceCreateView,
    WorkspaceDeleteView,
    WorkspaceDetailView,
    WorkspaceRenameView,
    WorkspaceRestoreView,
    WorkspaceSettingsView,
)

__all__ = [
    "AuditListView",
    "InvitationAcceptView",
    "InvitationCreateView",
    "InvitationRevokeView",
    "LoginView",
    "MemberListView",
    "MemberRemoveView",
    "MemberRoleView",
    "PasswordResetView",
    "TokenCreateView",
    "TokenListView",
    "TokenRevokeView",
    "WorkspaceCreateView",
    "WorkspaceDeleteView",
    "WorkspaceDetailView",
    "WorkspaceRenameView",
    "WorkspaceRestoreView",
    "WorkspaceSettingsView",
    "home",
]
