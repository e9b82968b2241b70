"""Account reads shared by the JSON API and the dashboard."""

from __future__ import annotations

from django.db.models import QuerySet

from accounts.models import ApiToken, TokenFamily, User, Workspace


def api_token_list(
    *, workspace: Workspace, user: User | None, sees_all: bool
) -> QuerySet[ApiToken]:
    """The workspace's gfat_ tokens a caller may see and revoke: every one for an OWNER
    (``sees_all``), otherwise only the ones ``user`` created. One rule for
    ``/api/workspaces/{ws}/api-tokens`` and the dashboard's token page."""
    tokens = (
        ApiToken.objects.for_workspace(workspace)
        .filter(family=TokenFamily.GREATFEEDBACK)
        .select_related("created_by")
    )
    if not sees_all:
        tokens = tokens.filter(created_by=user)
    return tokens
