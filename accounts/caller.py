"""The authenticated caller of an API request: workspace, role, actor, credential.

Resolved once per request by the family base views; every queryset starts from
``caller.workspace`` (and ``caller.project`` for project-scoped keys).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from rest_framework.exceptions import NotAuthenticated
from rest_framework.request import Request

from accounts.audit import Actor
from accounts.models import ROLE_RANK, ApiToken, Membership, Role
from config.api.errors import ApiError, ErrorCode, not_found
from config.ids import is_hex32

if TYPE_CHECKING:
    from accounts.models import User, Workspace
    from projects.models import Project

WORKSPACE_HEADER = "X-GF-Workspace"


@dataclass(frozen=True)
class Caller:
    workspace: Workspace
    role: str
    actor: Actor
    token: ApiToken | None = None
    user: User | None = None
    project: Project | None = None

    @property
    def via_session(self) -> bool:
        return self.token is None

    def has_role(self, minimum: str) -> bool:
        return ROLE_RANK[self.role] >= ROLE_RANK[str(minimum)]


def resolve_caller(request: Request, *, workspace_id: str | None = None) -> Caller:
    """Token callers carry their workspace; session callers name it (URL or X-GF-Workspace).

    A workspace the caller is not a member of is a 404; a soft-deleted one is 403 for a
    session (the dashboard shows the restore banner). Tokens of a deleted workspace never
    get here: authentication already answered 401.
    """
    auth = request.auth
    if isinstance(auth, ApiToken):
        if workspace_id and workspace_id != auth.workspace_id:
            raise not_found("Workspace not found.")
        return Caller(
            workspace=auth.workspace,
            role=auth.role,
            actor=Actor.for_token(auth),
            token=auth,
            user=auth.created_by,
            project=auth.project,
        )
    user = request.user
    if not user or not user.is_authenticated:
        raise NotAuthenticated()
    ws_id = workspace_id or request.headers.get(WORKSPACE_HEADER, "").strip()
    if not ws_id:
        raise ApiError(
            ErrorCode.BAD_REQUEST,
            f"The {WORKSPACE_HEADER} header is required for session callers.",
            400,
        )
    if not is_hex32(ws_id):
        raise not_found("Workspace not found.")  # not an id at all: no query needed
    membership = (
        Membership.objects.select_related("workspace").filter(user=user, workspace_id=ws_id).first()
    )
    if membership is None:
        raise not_found("Workspace not found.")
    if membership.workspace.is_deleted:
        raise ApiError(
            ErrorCode.WORKSPACE_DELETED,
            "This workspace has been deleted; its owner can restore it within the grace period.",
            403,
        )
    return Caller(
        workspace=membership.workspace,
        role=Role(membership.role),
        actor=Actor.for_user(user),
        user=user,
    )
