"""Domain errors of the accounts app (ApiError subclasses, rendered by each family)."""

from __future__ import annotations

from typing import ClassVar

from config.api.errors import ApiError, ErrorCode


class AccountsError(ApiError):
    """An error with a fixed code and status; the message defaults to ``default_message``."""

    error_code: ClassVar[str]
    error_status: ClassVar[int]
    default_message: ClassVar[str]

    def __init__(self, message: str | None = None) -> None:
        super().__init__(
            code=self.error_code, message=message or self.default_message, status=self.error_status
        )


class InvitationGone(AccountsError):
    error_code, error_status = ErrorCode.GONE, 410
    default_message = "This invitation was already accepted or has been revoked."


class NotWorkspaceOwner(AccountsError):
    error_code, error_status = ErrorCode.INSUFFICIENT_ROLE, 403
    default_message = "Only the workspace owner can do this."


class LastOwner(AccountsError):
    """A workspace always keeps at least one OWNER: the last one cannot leave or be demoted."""

    error_code, error_status = ErrorCode.CONFLICT, 409
    default_message = "A workspace needs an owner: promote someone else first."


class WorkspaceGracePeriodOver(AccountsError):
    """Restoring a workspace deleted longer ago than WORKSPACE_DELETE_GRACE_DAYS."""

    error_code, error_status = ErrorCode.GONE, 410
    default_message = "The restore period is over; this workspace is being purged."
