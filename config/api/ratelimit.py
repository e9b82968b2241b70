"""Rate limits on django-ratelimit, keyed per token, per IP or per project.

``enforce`` checks every bucket that applies and raises a 429 ``ApiError`` with a reason and
``Retry-After`` for the first that is full. django-ratelimit 4.1 catches only some cache
errors (a Redis ConnectionError escapes it), so every call is wrapped here and the family
decides: fail open (serve the request, log a warning) or fail closed (503). See
docs/operations.md for which family does what.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from django.conf import settings
from django.http import HttpRequest
from django_ratelimit.core import _split_rate, get_usage

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


def enforce(request: HttpRequest, buckets: list[Bucket], *, fail_open: bool = True) -> None:
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
