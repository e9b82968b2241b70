"""``Idempotency-Key`` replay for POST writes.

Same caller + same key + same body: the first (2xx) response again, and no second row.
Same key with a different body: 422 ``idempotency_key_reused``. A request still running with
the same key: 409. Records live in the cache for IDEMPOTENCY_TTL_SECONDS; if the cache is
down the request runs without replay protection (logged), which is what a client that sent
no key would get.
"""

from __future__ import annotations

import hashlib
import json
import logging
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.cache import cache

from config.api.errors import ApiError, ErrorCode, IdempotentReplay

logger = logging.getLogger("backtalk.idempotency")
HEADER = "Idempotency-Key"
MAX_KEY_LENGTH = 255
_IN_PROGRESS = "in-progress"


@dataclass
class Claim:
    cache_key: str
    fingerprint: str


def _fingerprint(method: str, path: str, body: bytes) -> str:
    return hashlib.sha256(method.encode() + b" " + path.encode() + b"\n" + body).hexdigest()


def begin(*, scope: str, key: str | None, method: str, path: str, body: bytes) -> Claim | None:
    """Claim ``key`` for this request, or raise IdempotentReplay / ApiError."""
    if not key:
        return None
    if len(key) > MAX_KEY_LENGTH or not key.isprintable():
        raise ApiError(
            ErrorCode.BAD_REQUEST, f"{HEADER} must be 1-{MAX_KEY_LENGTH} printable characters.", 400
        )
    cache_key = "idem:" + hashlib.sha256(f"{scope}\n{key}".encode()).hexdigest()
    fingerprint = _fingerprint(method, path, body)
    try:
        claimed = cache.add(
            cache_key, {"state": _IN_PROGRESS, "fp": fingerprint}, settings.IDEMPOTENCY_TTL_SECONDS
        )
        record = None if claimed else cache.get(cache_key)
    except Exception:
        logger.warning("idempotency cache unavailable; running without replay protection")
        return None
    if claimed:
        return Claim(cache_key=cache_key, fingerprint=fingerprint)
    if record is None:  # expired between add and get: treat as new
        return begin(scope=scope, key=key, method=method, path=path, body=body)
    if record["fp"] != fingerprint:
        raise ApiError(
            ErrorCode.IDEMPOTENCY_MISMATCH,
            f"This {HEADER} was already used with a different request body.",
            422,
        )
    if record["state"] == _IN_PROGRESS:
        raise ApiError(
            ErrorCode.IDEMPOTENCY_IN_PROGRESS,
            f"A request with this {HEADER} is still being processed.",
            409,
            headers={"Retry-After": "1"},
        )
    raise IdempotentReplay(record["status"], record["body"], record.get("content_type", ""))


def finish(claim: Claim, *, status: int, body: Any) -> None:
    """Store a successful response for replay; forget the claim for anything else, so a
    corrected retry with the same key can run."""
    try:
        if 200 <= status < 300:
            json.dumps(body)  # only JSON-able bodies are replayable
            cache.set(
                claim.cache_key,
                {"state": "done", "fp": claim.fingerprint, "status": status, "body": body},
                settings.IDEMPOTENCY_TTL_SECONDS,
            )
        else:
            cache.delete(claim.cache_key)
    except Exception:
        logger.warning("idempotency record not stored", exc_info=True)
