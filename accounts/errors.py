"""Domain errors of the accounts app (ApiError subclasses, rendered by each family)."""

from __future__ import annotations

from typing import ClassVar

from config.api.errors import ApiError, ErrorCode


class AccountsError(ApiError):
    """An error with a fixed code and status; the message defaults to the class's own."""

    default: ClassVar[tuple[str, int, str]]  # (code, status, message)

    def __init__(self, message: str | None = None) -> None:
        code, status, default_message = self.default
        super().__init__(code=code, message=message or default_message, status=status)


class InvitationGone(AccountsError):
    default = (ErrorCode.GONE, 410, "This invitation was already accepted or has been revoked.")


class NotWorkspaceOwner(AccountsError):
    default = (ErrorCode.INSUFFICIENT_ROLE, 403, "Only the workspace owner can do this.")


class LastOwner(AccountsError):
    """A workspace always keeps at least one OWNER: the last one cannot leave or be demoted."""

    default = (ErrorCode.CONFLICT, 409, "A workspace needs an owner: promote someone else first.")


class WorkspaceGracePeriodOver(AccountsError):
    """Restoring a workspace deleted longer ago than WORKSPACE_DELETE_GRACE_DAYS."""

    default = (ErrorCode.GONE, 410, "The restore period is over; this workspace is being purged.")
