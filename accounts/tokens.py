"""Credential formats and lookups for every token family.

Each family accepts only its own prefix: ``wk_sk_`` starts with ``wk_``, so a lookup that
ignored the family would take a read key for an ingest key. Prefixes are matched longest
first and the body must be exactly 48 lowercase hex characters.
"""

from __future__ import annotations

import hmac
import re
import weakref
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import timedelta
from typing import Any, cast

from django.conf import settings
from django.db import connections, router
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models import Field, ForeignKey, Model
from django.db.models.expressions import Col
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


# --- The lookup query ----------------------------------------------------------------------
#
# resolve_api_token runs on every Bearer request. The same lookup as an ORM query
# (select_related workspace, project, created_by + defer the password + a Subquery for the
# creator's role) costs about 1.2 ms more Python per call, and POST /v1/feedback served 13-16 %
# fewer requests per second with it (docs/performance.md, bench/token_lookup.py). So the
# SELECT is written out once per database connection from the models' _meta, run on a plain
# cursor, and the row turned into instances with Model.from_db and the backend's converters,
# which is what the ORM's compiler does with it. Nothing is cached across requests but the
# SQL text: revocation is still seen on the very next request.
# tests/accounts/test_token_lookup.py compares the result with a plain ORM fetch.

_Converter = Callable[[Any, Any, BaseDatabaseWrapper], Any]


@dataclass(frozen=True)
class _Part:
    """One model's columns in the row: row[start:stop] in the order of attnames."""

    model: type[Model]
    attnames: tuple[str, ...]
    start: int
    stop: int
    pk: int  # index of the primary key in the row: NULL there means the LEFT JOIN found nothing


@dataclass(frozen=True)
class _Plan:
    sql: str
    token: _Part
    # ApiToken's foreign key and the related row's part, for workspace, project, created_by.
    related: tuple[tuple[ForeignKey[Any, Any], _Part], ...]
    # (index in row, expression, converters) for every column that has any converter.
    converters: tuple[tuple[int, Col, tuple[_Converter, ...]], ...]


# Per connection (not per alias): the converters are bound to the connection's ops.
_PLANS: weakref.WeakKeyDictionary[BaseDatabaseWrapper, _Plan] = weakref.WeakKeyDictionary()
# The creator's password hash has no business in a token lookup; it stays deferred.
_CREATOR_SKIPS = frozenset({"password"})


def _fetch_token(digest: str, family: str) -> tuple[ApiToken | None, str | None]:
    """The ApiToken with this digest and family (workspace, project and created_by loaded),
    and the creator's current role in the token's workspace; one query."""
    alias = router.db_for_read(ApiToken)
    connection = connections[alias]
    plan = _PLANS.get(connection)
    if plan is None:
        plan = _PLANS[connection] = _build_plan(connection)
    with connection.cursor() as cursor:
        cursor.execute(plan.sql, [digest, family])
        fetched = cursor.fetchone()
    if fetched is None:
        return None, None
    row = list(fetched)
    for index, expression, converters in plan.converters:
        value = row[index]
        for convert in converters:
            value = convert(value, expression, connection)
        row[index] = value

    token = ApiToken.from_db(alias, plan.token.attnames, row[plan.token.start : plan.token.stop])
    for foreign_key, part in plan.related:
        # As select_related does: the cache is set even when the (nullable) FK is empty.
        foreign_key.set_cached_value(token, _instance(part, row, alias))
    return token, row[-1]


def _instance(part: _Part, row: Sequence[Any], alias: str) -> Model | None:
    if row[part.pk] is None:
        return None
    return part.model.from_db(alias, part.attnames, row[part.start : part.stop])


def _field(model: type[Model], name: str) -> Field[Any, Any]:
    return cast("Field[Any, Any]", model._meta.get_field(name))


def _column(model: type[Model], name: str) -> str:
    column = _field(model, name).column
    if column is None:
        raise LookupError(f"{model.__name__}.{name} has no column")
    return column


def _build_plan(connection: BaseDatabaseWrapper) -> _Plan:
    """The lookup's SELECT and how to read its row, from the models' _meta.

    Only identifiers from _meta, quoted by the backend, go into the text; the digest and
    family are parameters.
    """
    qn = connection.ops.quote_name
    columns: list[str] = []
    expressions: list[Col] = []

    def col(alias: str, model: type[Model], name: str) -> str:
        return f"{qn(alias)}.{qn(_column(model, name))}"

    def part(model: type[Model], alias: str, skip: frozenset[str] = frozenset()) -> _Part:
        # concrete_fields order, which is the order Model.from_db expects values in.
        fields = [f for f in model._meta.concrete_fields if f.attname not in skip]
        start = len(columns)
        for field in fields:
            columns.append(col(alias, model, field.name))
            expressions.append(field.get_col(alias))
        pk_index = next(i for i, f in enumerate(fields) if f.primary_key)
        attnames = tuple(f.attname for f in fields)
        return _Part(model, attnames, start, len(columns), start + pk_index)

    token = part(ApiToken, "t")
    joins: list[str] = []
    related: list[tuple[ForeignKey[Any, Any], _Part]] = []
    for name, kind, alias, skip in (
        ("workspace", "INNER", "w", frozenset[str]()),  # NOT NULL
        ("project", "LEFT OUTER", "p", frozenset[str]()),
        ("created_by", "LEFT OUTER", "u", _CREATOR_SKIPS),
    ):
        foreign_key = cast("ForeignKey[Any, Any]", ApiToken._meta.get_field(name))
        model = foreign_key.related_model
        pk = next(f.name for f in model._meta.concrete_fields if f.primary_key)
        joins.append(
            f" {kind} JOIN {qn(model._meta.db_table)} {qn(alias)}"
            f" ON {col(alias, model, pk)} = {col('t', ApiToken, name)}"
        )
        related.append((foreign_key, part(model, alias, skip)))
    # The creator's current role rides along in the same query: a token never outranks, or
    # outlives the membership of, the person who saw its plaintext.
    columns.append(
        f"(SELECT {col('m', Membership, 'role')}"  # noqa: S608 - identifiers only
        f" FROM {qn(Membership._meta.db_table)} {qn('m')}"
        f" WHERE {col('m', Membership, 'workspace')} = {col('t', ApiToken, 'workspace')}"
        f" AND {col('m', Membership, 'user')} = {col('t', ApiToken, 'created_by')}"
        " LIMIT 1)"
    )
    expressions.append(_field(Membership, "role").get_col("m"))
    sql = (
        f"SELECT {', '.join(columns)} FROM {qn(ApiToken._meta.db_table)} {qn('t')}"  # noqa: S608 - identifiers only
        + "".join(joins)
        + f" WHERE {col('t', ApiToken, 'token_hash')} = %s"
        f" AND {col('t', ApiToken, 'family')} = %s LIMIT 1"
    )
    converters = []
    for index, expression in enumerate(expressions):
        found = [
            *connection.ops.get_db_converters(expression),
            *expression.get_db_converters(connection),
        ]
        if found:
            converters.append((index, expression, tuple(found)))
    return _Plan(sql, token, tuple(related), tuple(converters))
