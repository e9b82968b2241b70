"""Rate limits on django-ratelimit, keyed per token, per IP or per project.

``enforce`` checks every bucket that applies and raises a 429 ``ApiError`` with a reason and
``Retry-After`` for the first that is full. On Redis (Django's ``RedisCache``) all of a
request's buckets are counted in ONE round trip: a Lua script INCRs each counter under
django-ratelimit's own key and window (so ``accounts.signin`` and the library agree on every
counter) and sets the expiry a new counter gets from the library's ``add``. Other caches
(the embedded database cache, local memory in tests) go through django-ratelimit's
``get_usage``, one bucket at a time. django-ratelimit 4.1 catches only some cache
errors (a Redis ConnectionError escapes it), so every call is wrapped here and the family
decides: fail open (serve the request, log a warning) or fail closed (503). See
docs/operations.md for which family does what.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.cache import caches
from django.core.cache.backends.redis import RedisCache
from django.http import HttpRequest
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


def _usages(request: HttpRequest, buckets: list[Bucket]) -> list[dict[str, Any] | None]:
    """django-ratelimit's usage dict per bucket (``None`` when rate limiting is off)."""
    if not getattr(settings, "RATELIMIT_ENABLE", True):
        return [None] * len(buckets)
    cache = caches[settings.RATELIMIT_USE_CACHE]
    if not isinstance(cache, RedisCache) or not buckets:
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
        client = cache._cache.get_client(keys[0], write=True)
        counts = client.eval(_INCR_ALL, len(keys), *keys, *expiries)
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
