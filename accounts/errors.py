"""Domain errors of the accounts app (ApiError subclasses, rendered by each family)."""

from __future__ import annotations

from config.api.errors import ApiError, ErrorCode


class InvitationGone(ApiError):
    def __init__(
        self, message: str = "This invitation was already accepted or has been revoked."
    ) -> None:
        super().__init__(code=ErrorCode.GONE, message=message, status=410)


class NotWorkspaceOwner(ApiError):
    def __init__(self, message: str = "Only the workspace owner can do this.") -> None:
        super().__init__(code=ErrorCode.INSUFFICIENT_ROLE, message=message, status=403)


class LastOwner(ApiError):
    """A workspace always keeps at least one OWNER: the last one cannot leave or be demoted."""

    def __init__(
        self, message: str = "A workspace needs an owner: promote someone else first."
    ) -> None:
        super().__init__(code=ErrorCode.CONFLICT, message=message, status=409)


class WorkspaceGracePeriodOver(ApiError):
    """Restoring a workspace deleted longer ago than WORKSPACE_DELETE_GRACE_DAYS."""

    def __init__(
        self, message: str = "The restore period is over; this workspace is being purged."
    ) -> None:
        super().__init__(code=ErrorCode.GONE, message=message, status=410)
