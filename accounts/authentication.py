"""DRF authentication classes, one per credential family, sharing one base (SE, PH).

A class returns ``None`` for a credential that is not its format, so several can be listed
on one view; ``RejectUnrecognisedBearer`` goes last and turns a Bearer header that no class
took into a 401 (otherwise it would silently be an anonymous request). Every class has
``authenticate_header`` so a missing credential is 401 with WWW-Authenticate, not 403.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import AnonymousUser
from drf_spectacular.authentication import SessionScheme
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework.authentication import BaseAuthentication, SessionAuthentication
from rest_framework.exceptions import AuthenticationFailed
from rest_framework.request import Request

from accounts.models import TOKEN_PREFIXES, ApiToken, TokenFamily
from accounts.tokens import TokenRejected, prefix_of, resolve_api_token

CHALLENGE = 'Bearer error="invalid_token", error_description="Missing bearer token."'


def bearer_credential(request: Request) -> str | None:
    """The raw credential from ``Authorization: Bearer <x>``; None when there is no header.

    A header in another scheme or with no credential is a 401 (bad format)."""
    header = request.META.get("HTTP_AUTHORIZATION", "")
    if not header:
        return None
    scheme, _, credential = header.partition(" ")
    credential = credential.strip()
    if scheme.lower() != "bearer" or not credential or " " in credential:
        raise AuthenticationFailed("Malformed Authorization header; expected 'Bearer <token>'.")
    return credential


class PrefixedTokenAuthentication(BaseAuthentication):
    family: str = ""
    # The OpenAPI security scheme (PrefixedTokenScheme below).
    scheme_name: str = ""
    scheme_description: str = ""

    @property
    def prefix(self) -> str:
        return TOKEN_PREFIXES[self.family]

    def authenticate(self, request: Request) -> tuple[Any, ApiToken] | None:
        raw = bearer_credential(request)
        if raw is None or prefix_of(raw) != self.prefix:
            return None
        try:
            token = resolve_api_token(raw, self.family)
        except TokenRejected as exc:
            raise AuthenticationFailed(exc.reason) from exc
        return (token.created_by or AnonymousUser()), token

    def authenticate_header(self, request: Request) -> str:
        return CHALLENGE


class GreatfeedbackTokenAuthentication(PrefixedTokenAuthentication):
    family = TokenFamily.GREATFEEDBACK
    scheme_name = "greatfeedbackToken"
    scheme_description = (
        "greatfeedback API token (role MEMBER or GUEST), minted by a workspace OWNER."
    )


class WritebackKeyAuthentication(PrefixedTokenAuthentication):
    family = TokenFamily.WRITEBACK_READ
    scheme_name = "writebackApiKey"
    scheme_description = "Writeback API key (read reports and projects)."


class MinolithKeyAuthentication(PrefixedTokenAuthentication):
    family = TokenFamily.MINOLITH
    scheme_name = "minolithProjectKey"
    scheme_description = "Minolith project key."


class CsrfSessionAuthentication(SessionAuthentication):
    """Django session + CSRF (X-CSRFToken), for the dashboard's own calls to the API."""

    def authenticate_header(self, request: Request) -> str:
        return CHALLENGE


class RejectUnrecognisedBearer(BaseAuthentication):
    """Last in every list: a Bearer credential no family class accepted is a 401."""

    def authenticate(self, request: Request) -> None:
        raw = bearer_credential(request)
        if raw is None:
            return
        if prefix_of(raw) is None:
            raise AuthenticationFailed("Malformed token.")
        raise AuthenticationFailed("This endpoint does not accept this kind of token.")

    def authenticate_header(self, request: Request) -> str:
        return CHALLENGE


# --- OpenAPI (drf-spectacular) -------------------------------------------------------------
# One security scheme per credential family, so /api/schema/ says which token each endpoint
# takes and `spectacular --validate --fail-on-warn` (and `check --deploy`) stay clean.
class PrefixedTokenScheme(OpenApiAuthenticationExtension):
    """Every family's bearer scheme, named and described by its authentication class."""

    target_class = PrefixedTokenAuthentication
    match_subclasses = True

    def __init__(self, target: PrefixedTokenAuthentication) -> None:
        super().__init__(target)
        self.name = target.scheme_name

    def get_security_definition(self, auto_schema: Any) -> dict[str, str]:
        return {
            "type": "http",
            "scheme": "bearer",
            "bearerFormat": f"{self.target.prefix}<48 hex>",
            "description": self.target.scheme_description,
        }


class CsrfSessionScheme(SessionScheme):
    # SessionScheme's untyped ``target_class = "..."`` infers str; the base allows a class.
    target_class = CsrfSessionAuthentication  # type: ignore[assignment]
    priority = 0


class RejectUnrecognisedBearerScheme(OpenApiAuthenticationExtension):
    """Not a credential of its own: it only refuses the others' tokens, so it adds nothing."""

    target_class = RejectUnrecognisedBearer
    name: list[str] = []

    # drf-spectacular skips a None requirement (openapi.py), though its annotation omits None.
    def get_security_requirement(self, auto_schema: Any) -> None:  # type: ignore[override]
        return None

    def get_security_definition(self, auto_schema: Any) -> list[dict[str, str]]:
        return []
