"""Role permission classes shared by every family."""

from __future__ import annotations

from typing import Any

from rest_framework.permissions import BasePermission
from rest_framework.request import Request

from accounts.models import Role
from config.api.errors import ApiError, ErrorCode

INSUFFICIENT_ROLE = "Insufficient role"


def required_role_for(view: Any, request: Request) -> str:
    """``view.required_roles`` maps an action or HTTP method to a minimum role; the
    fallback is ``view.required_role`` (GUEST)."""
    mapping: dict[str, str] = getattr(view, "required_roles", {}) or {}
    action = getattr(view, "action", None)
    if action and action in mapping:
        return mapping[action]
    if request.method in mapping:
        return mapping[request.method]
    return getattr(view, "required_role", Role.GUEST)


class MinRole(BasePermission):
    """The caller's role must reach the view's minimum; 403 "Insufficient role" if not."""

    def has_permission(self, request: Request, view: Any) -> bool:
        caller = view.caller
        if not caller.has_role(required_role_for(view, request)):
            raise ApiError(ErrorCode.INSUFFICIENT_ROLE, INSUFFICIENT_ROLE, 403)
        return True


class SessionOnly(BasePermission):
    """Token management and secrets are dashboard-session only: a token can never mint,
    revoke or reveal credentials (SE ApiApplicationRotateSecretEndpoint)."""

    def has_permission(self, request: Request, view: Any) -> bool:
        if not view.caller.via_session:
            raise ApiError(
                ErrorCode.SESSION_REQUIRED,
                "This endpoint needs a dashboard session; API tokens cannot use it.",
                403,
            )
        return True
