"""Rate limits on django-ratelimit, keyed per token, per IP or per project.

``enforce`` checks every bucket that applies and raises a 429 ``ApiError`` with a reason and
``Retry-After`` for the first that is full. On Redis (Django's ``RedisCache``) all of a
request's buckets are counted in ONE round trip: a Lua script INCRs each counter under
django-ratelimit's own key and window (so ``accounts.signin`` and the library agree on every
counter) and sets the expiry a new counter gets from the library's ``add``. Other caches
(local memory in tests, the database cache on PostgreSQL) go through django-ratelimit's
``get_usage``, one bucket at a time. The embedded default (the database cache on SQLite)
counts all buckets in one IMMEDIATE transaction - one SELECT and one write per bucket,
values pickled exactly as ``DatabaseCache`` stores them - where ``get_usage`` took about a
dozen statements and three write transactions, and SQLite's single writer makes the
read-then-write exact (``DatabaseCache.incr`` alone is not: django_ratelimit.E003).

django-ratelimit 4.1 catches only some cache errors (a Redis ConnectionError escapes it), so
every call is wrapped here and the family decides: fail open (serve the request, log a
warning) or fail closed (503). See docs/operations.md for which family does what.
"""

from __future__ import annotations

import base64
import logging
import pickle
import time
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.core.cache import caches
from django.core.cache.backends.db import DatabaseCache
from django.core.cache.backends.redis import RedisCache
from django.db import connections, router, transaction
from django.http import HttpRequest
from django.utils import timezone
from django_ratelimit import ALL
from django_ratelimit.core import (
    EXPIRATION_FUDGE,
    _get_window,
    _make_cache_key,
    _split_rate,
    get_usage,
)

from config.api.errors import ApiError, ErrorCode

logger = logging.getLogger("backtalk.ratelimit")


@dataclass(frozen=True)
class Bucket:
    """One limit: ``group`` names the counter, ``value`` the caller it counts (``token:<id>``,
    ``ip:<addr>``, ``project:<id>``), ``rate_setting`` the settings name holding "N/Ss".
    ``reason`` may contain ``{rate}``, filled in with the configured rate ("600 requests per
    60 seconds"), so the 429 never quotes a documented default an operator has changed."""

    group: str
    value: str
    rate_setting: str
    reason: str
    code: str = ErrorCode.RATE_LIMITED


def _rate(bucket: Bucket) -> str:
    return str(getattr(settings, bucket.rate_setting))


def describe_rate(rate: str) -> str:
    """ "600/60s" -> "600 requests per 60 seconds"."""
    count, seconds = _split_rate(rate)
    return f"{count} request{'s' if count != 1 else ''} per {seconds} seconds"


# KEYS: the counters; ARGV: their expiries. INCR each; a counter that did not exist gets the
# expiry (django-ratelimit's add() would have set it with the first value). Atomic in Redis.
_INCR_ALL = """
local counts = {}
for i, key in ipairs(KEYS) do
  local n = redis.call('INCR', key)
  if n == 1 then redis.call('EXPIRE', key, ARGV[i]) end
  counts[i] = n
end
return counts
"""


def _sqlite_counts(cache: DatabaseCache, keys: list[str], expiries: list[int]) -> list[int]:
    """INCR for the database cache on SQLite: one transaction (BEGIN IMMEDIATE, so no other
    writer between the read and the writes), unexpired counters read in one SELECT, each
    written back (a new one with its expiry, an existing one keeping its own)."""
    db = router.db_for_write(cache.cache_model_class)
    conn = connections[db]
    qn = conn.ops.quote_name
    table = qn(cache._table)  # type: ignore[attr-defined]  # BaseDatabaseCache sets it
    key_col, value_col, exp_col = qn("cache_key"), qn("value"), qn("expires")
    now = timezone.now().replace(microsecond=0)
    counts = []
    with transaction.atomic(using=db), conn.cursor() as cursor:
        cursor.execute(
            f"SELECT {key_col}, {value_col} FROM {table} WHERE {exp_col} > %s AND "  # noqa: S608  # identifiers only
            f"{key_col} IN ({', '.join(['%s'] * len(keys))})",
            [conn.ops.adapt_datetimefield_value(now), *keys],
        )
        current = {k: pickle.loads(base64.b64decode(v.encode())) for k, v in cursor.fetchall()}  # noqa: S301  # our own cache rows
        for key, ttl in zip(keys, expiries, strict=True):
            count = int(current.get(key, 0)) + 1
            value = base64.b64encode(pickle.dumps(count, cache.pickle_protocol)).decode("latin1")
            if key in current:
                cursor.execute(
                    f"UPDATE {table} SET {value_col} = %s WHERE {key_col} = %s",  # noqa: S608  # identifiers only
                    [value, key],
                )
            else:
                expires = conn.ops.adapt_datetimefield_value(now + timedelta(seconds=ttl))
                cursor.execute(
                    f"INSERT INTO {table} ({key_col}, {value_col}, {exp_col}) VALUES (%s, %s, %s) "  # noqa: S608  # identifiers only
                    f"ON CONFLICT ({key_col}) DO UPDATE SET {value_col} = excluded.{value_col}, "
                    f"{exp_col} = excluded.{exp_col}",
                    [key, value, expires],
                )
            counts.append(count)
    return counts


def _usages(request: HttpRequest, buckets: list[Bucket]) -> list[dict[str, Any] | None]:
    """django-ratelimit's usage dict per bucket (``None`` when rate limiting is off)."""
    if not getattr(settings, "RATELIMIT_ENABLE", True):
        return [None] * len(buckets)
    cache = caches[settings.RATELIMIT_USE_CACHE]
    on_sqlite = (
        isinstance(cache, DatabaseCache)
        and connections[router.db_for_write(cache.cache_model_class)].vendor == "sqlite"
    )
    if not (isinstance(cache, RedisCache) or on_sqlite) or not buckets:
        usages = []
        for bucket in buckets:
            try:
                usage = get_usage(
                    request,
                    group=bucket.group,
                    key=lambda _group, _request, v=bucket.value: v,
                    rate=_rate(bucket),
                    increment=True,
                )
            except Exception as exc:
                usage = {"limit": 0, "time_left": -1, "should_limit": True, "error": exc}
            usages.append(usage)
        return usages
    keys, expiries, plans = [], [], []
    for bucket in buckets:
        rate = _rate(bucket)
        limit, period = _split_rate(rate)
        window = _get_window(bucket.value, period)
        keys.append(cache.make_and_validate_key(_make_cache_key(bucket.group, window, rate,
                                                                bucket.value, ALL)))  # fmt: skip
        expiries.append(period + EXPIRATION_FUDGE)
        plans.append((limit, window))
    try:
        if isinstance(cache, RedisCache):
            client = cache._cache.get_client(keys[0], write=True)
            counts = client.eval(_INCR_ALL, len(keys), *keys, *expiries)
        else:
            counts = _sqlite_counts(cache, keys, expiries)  # type: ignore[arg-type]  # on_sqlite
    except Exception as exc:
        failed = {"limit": 0, "time_left": -1, "should_limit": True, "error": exc}
        return [failed] * len(buckets)
    now = int(time.time())
    return [
        {"count": n, "limit": limit, "should_limit": n > limit, "time_left": window - now}
        for n, (limit, window) in zip(counts, plans, strict=True)
    ]


def enforce(request: HttpRequest, buckets: list[Bucket], *, fail_open: bool = True) -> None:
    for bucket, usage in zip(buckets, _usages(request, buckets), strict=True):
        if usage is None:  # RATELIMIT_ENABLE = False
            continue
        if usage["limit"] == 0 and usage["time_left"] == -1:
            # The cache could not count: django-ratelimit's "failed" answer, or our catch.
            logger.warning(
                "rate-limit cache unavailable for %s: %s", bucket.group, usage.get("error")
            )
            if fail_open:
                continue
            raise ApiError(
                ErrorCode.SERVICE_UNAVAILABLE,
                "Rate limiting is temporarily unavailable; try again shortly.",
                503,
                headers={"Retry-After": "5"},
            )
        if usage["should_limit"]:
            retry_after = max(1, int(usage["time_left"]))
            reason = bucket.reason.replace("{rate}", describe_rate(_rate(bucket)))
            raise ApiError(bucket.code, reason, 429, headers={"Retry-After": str(retry_after)})
