"""Dashboard sign-in limits: failed attempts count, successful ones do not.

Every attempt is counted per email and per IP before its password is checked (parallel
guesses cannot slip past), and one over a limit is refused unchecked. A success gives its
attempt back: the email's count is emptied, the IP's loses only that one attempt, so it still
counts an address's failures across emails. The rules: docs/dashboard.md, "Sign-in limits".
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.core.cache import caches
from django.http import HttpRequest

# django-ratelimit 4.1 has no public way to find or reset a counter: its key recipe is
# reused so that giving an attempt back hits the counter that enforce() raised.
from django_ratelimit import ALL
from django_ratelimit.core import _get_window, _make_cache_key, _split_rate

from config.api.client_ip import client_ip
from config.api.ratelimit import Bucket, enforce

logger = logging.getLogger("backtalk.ratelimit")


def signin_email(raw: object) -> str:
    """The submitted email as the buckets count it."""
    return str(raw or "").strip().lower()[:254]


def _buckets(request: HttpRequest, email: str) -> tuple[Bucket, Bucket]:
    return (
        Bucket(
            group="login:ip",
            value=f"ip:{client_ip(request)}",
            rate_setting="RATE_LOGIN_PER_IP",
            reason="Too many sign-in attempts from this address. Try again later.",
        ),
        Bucket(
            group="login:email",
            value=f"email:{email}",
            rate_setting="RATE_LOGIN_PER_EMAIL",
            reason="Too many sign-in attempts for this account. Try again later.",
        ),
    )


def signin_attempt(request: HttpRequest, *, email: str) -> None:
    """Count one attempt; raises the 429 ApiError when a bucket is over its limit. A cache
    outage fails open rather than locking everybody out."""
    enforce(request, list(_buckets(request, email)), fail_open=True)


def signin_succeeded(request: HttpRequest, *, email: str) -> None:
    """Give back the attempt signin_attempt counted: empty the email's bucket, take one off
    the IP's."""
    ip_bucket, email_bucket = _buckets(request, email)
    cache = caches[settings.RATELIMIT_USE_CACHE]
    try:
        cache.delete(_counter_key(email_bucket))
        cache.decr(_counter_key(ip_bucket))
    except ValueError:
        pass  # the window ended meanwhile: its counter is gone already
    except Exception as exc:  # the cache is down: nothing to give back
        logger.warning("rate-limit cache unavailable for login: %s", exc)


def _counter_key(bucket: Bucket) -> str:
    rate = str(getattr(settings, bucket.rate_setting))
    _, period = _split_rate(rate)
    window = _get_window(bucket.value, period)
    return str(_make_cache_key(bucket.group, window, rate, bucket.value, ALL))
