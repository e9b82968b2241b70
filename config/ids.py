"""Identifier and secret formats shared by every app.

Formats come from the API documents: Writeback ids are 32 lowercase hex characters,
Minolith ids are ``fbk_``/``fbn_`` + 12 hex. Secrets are a family prefix + 48 hex
characters (192 bits); the body is hex so no secret of one family can begin with another
family's longer prefix (``wk_`` + hex never reads as ``wk_sk_``).
"""

from __future__ import annotations

import hashlib
import re
import secrets

SECRET_BODY_HEX = 48
HEX32 = re.compile(r"[0-9a-f]{32}")


def hex32() -> str:
    """A 32-hex id (Writeback project/report ids, workspaces, tokens)."""
    return secrets.token_hex(16)


def prefixed_id(prefix: str, hex_chars: int = 12) -> str:
    return prefix + secrets.token_hex(hex_chars // 2)


def new_secret(prefix: str) -> str:
    return prefix + secrets.token_hex(SECRET_BODY_HEX // 2)


def secret_digest(raw: str) -> str:
    """SHA-256 hex digest: the only form in which a credential is looked up."""
    return hashlib.sha256(raw.encode("utf-8", "surrogatepass")).hexdigest()


def is_hex32(value: str) -> bool:
    return bool(HEX32.fullmatch(value))  # fullmatch: "$" would let a trailing newline through
