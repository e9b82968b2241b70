"""``Idempotency-Key`` replay for POST writes.

Same caller + same key + same body: the first (2xx) response again, and no second row.
Same key with a different body: 422 ``idempotency_key_reused``. A request still running with
the same key: 409. Records live in the cache for IDEMPOTENCY_TTL_SECONDS; if the cache is
down the request runs without replay protection (logged), which is what a client that sent
no key would get.

A stored response can hold a secret shown once (the plaintext of a freshly minted API
token), so the body is sealed with Fernet under a key derived from SECRET_KEY *and* the
client's Idempotency-Key, which is never stored (the cache key is its SHA-256): a cache dump
alone replays nothing readable.
"""

from __future__ import annotations

import base64
import hashlib
import json
import logging
from dataclasses import dataclass
from typing import Any

from cryptography.fernet import Fernet, InvalidToken
from django.conf import settings
from django.core.cache import cache
from django.utils.crypto import salted_hmac

from config.api.errors import ApiError, ErrorCode, IdempotentReplay

logger = logging.getLogger("backtalk.idempotency")
HEADER = "Idempotency-Key"
MAX_KEY_LENGTH = 255
_IN_PROGRESS = "in-progress"


@dataclass
class Claim:
    cache_key: str
    fingerprint: str
    seal_key: bytes = b""


def _fingerprint(method: str, path: str, body: bytes) -> str:
    return hashlib.sha256(method.encode() + b" " + path.encode() + b"\n" + body).hexdigest()


def _seal_key(scope: str, key: str) -> bytes:
    digest = salted_hmac("backtalk.idempotency", f"{scope}\n{key}", algorithm="sha256").digest()
    return base64.urlsafe_b64encode(digest)


def _seal(seal_key: bytes, body: Any) -> str:
    return Fernet(seal_key).encrypt(json.dumps(body).encode()).decode()


def _unseal(seal_key: bytes, sealed: str) -> Any:
    return json.loads(Fernet(seal_key).decrypt(sealed.encode()))


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
    seal_key = _seal_key(scope, key)
    try:
        claimed = cache.add(
            cache_key, {"state": _IN_PROGRESS, "fp": fingerprint}, settings.IDEMPOTENCY_TTL_SECONDS
        )
        record = None if claimed else cache.get(cache_key)
    except Exception:
        logger.warning("idempotency cache unavailable; running without replay protection")
        return None
    if claimed:
        return Claim(cache_key=cache_key, fingerprint=fingerprint, seal_key=seal_key)
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
    try:
        first_body = _unseal(seal_key, record["sealed"])
    except (InvalidToken, KeyError, TypeError, ValueError):
        # Sealed under another SECRET_KEY (rotated) or not ours: as if it had expired.
        logger.warning("idempotency record unreadable; running the request again")
        cache.delete(cache_key)
        return begin(scope=scope, key=key, method=method, path=path, body=body)
    raise IdempotentReplay(record["status"], first_body, record.get("content_type", ""))


def finish(claim: Claim, *, status: int, body: Any) -> None:
    """Store a successful response for replay; forget the claim for anything else, so a
    corrected retry with the same key can run."""
    try:
        if 200 <= status < 300:
            sealed = _seal(claim.seal_key, body)  # only JSON-able bodies are replayable
            cache.set(
                claim.cache_key,
                {"state": "done", "fp": claim.fingerprint, "status": status, "sealed": sealed},
                settings.IDEMPOTENCY_TTL_SECONDS,
            )
        else:
            cache.delete(claim.cache_key)
    except Exception:
        logger.warning("idempotency record not stored", exc_info=True)
