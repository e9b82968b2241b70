"""Credential formats and lookups for every token family.

Each family accepts only its own prefix: ``wk_sk_`` starts with ``wk_``, so a lookup that
ignored the family would take a read key for an ingest key. Prefixes are matched longest
first and the body must be exactly 48 lowercase hex characters.
"""

from __future__ import annotations

import hmac
import re
from datetime import timedelta

from django.conf import settings
from django.db.models import OuterRef, Subquery
from django.utils import timezone

from accounts.models import ROLE_RANK, TOKEN_PREFIXES, ApiToken, Membership
from config.ids import SECRET_BODY_HEX, secret_digest

_BODY = re.compile(rf"^[0-9a-f]{{{SECRET_BODY_HEX}}}$")
# Every prefix Backtalk issues, longest first so "wk_sk_" wins over "wk_".
KNOWN_PREFIXES = sorted([*TOKEN_PREFIXES.values(), "wk_", "gfmcp_", "gfwt_"], key=len, reverse=True)


class TokenRejected(Exception):
    """A presented credential that cannot be used; ``reason`` goes into error_description."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def prefix_of(raw: str) -> str | None:
    for prefix in KNOWN_PREFIXES:
        if raw.startswith(prefix):
            return prefix
    return None


def is_well_formed(raw: str, prefix: str) -> bool:
    return raw.startswith(prefix) and bool(_BODY.match(raw[len(prefix) :]))


def resolve_api_token(raw: str, family: str) -> ApiToken:
    """The live ApiToken for ``raw`` of ``family``, or TokenRejected with the reason."""
    prefix = TOKEN_PREFIXES[family]
    if prefix_of(raw) != prefix or not is_well_formed(raw, prefix):
        raise TokenRejected("Malformed token.")
    digest = secret_digest(raw)
    token, creator_role = _fetch_token(digest, family)
    if token is None or not hmac.compare_digest(token.token_hash, digest):
        raise TokenRejected("Unknown token.")
    if token.is_revoked:
        raise TokenRejected("Token has been revoked.")
    if token.is_expired:
        raise TokenRejected("Token has expired.")
    if token.workspace.is_deleted:
        raise TokenRejected("Workspace has been deleted.")
    if token.created_by is not None:  # loaded by _fetch_token: no extra query
        if not token.created_by.is_active:
            raise TokenRejected("Token owner is deactivated.")
        if creator_role is None:
            raise TokenRejected("Token owner is no longer a member of this workspace.")
        if ROLE_RANK[creator_role] < ROLE_RANK[token.role]:
            token.role = creator_role  # this request only; the row keeps its grant
    touch_last_used(token)
    return token


def touch_last_used(token: ApiToken) -> None:
    """Write last_used_at at most once a minute, so reads do not become writes (NB)."""
    now = timezone.now()
    resolution = timedelta(seconds=settings.TOKEN_LAST_USED_RESOLUTION_SECONDS)
    if token.last_used_at is None or now - token.last_used_at >= resolution:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now


def _fetch_token(digest: str, family: str) -> tuple[ApiToken | None, str | None]:
    """The ApiToken with this digest and family (workspace, project and created_by loaded),
    and the creator's current role in the token's workspace; one query."""
    # The creator's role rides along in the same query: a token never outranks, or outlives
    # the membership of, the person who saw its plaintext. The password hash is not read.
    creator_role = Membership.objects.filter(
        workspace=OuterRef("workspace"), user=OuterRef("created_by")
    ).values("role")[:1]
    found = list(
        ApiToken.objects.select_related("workspace", "project", "created_by")
        .defer("created_by__password")
        .annotate(creator_role=Subquery(creator_role))
        .filter(token_hash=digest, family=family)
        .order_by()[:1]
    )
    if not found:
        return None, None
    token = found[0]
    return token, token.creator_role
