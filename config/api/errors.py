"""One error type for every API family (STYLE 3.3.1).

Services and views raise ``ApiError`` (or a domain subclass); the exception handler turns
every other exception into one, and the calling view's family renders it in its documented
shape. ``code`` is a stable machine-readable string; families with a documented catalogue
(Minolith) use their catalogue codes directly.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum


class ErrorCode(StrEnum):
    BAD_REQUEST = "bad_request"
    INVALID_JSON = "invalid_json"
    VALIDATION = "validation_error"
    INVALID_CURSOR = "invalid_cursor"
    UNAUTHORIZED = "unauthorized"
    FORBIDDEN = "forbidden"
    INSUFFICIENT_ROLE = "insufficient_role"
    SESSION_REQUIRED = "session_required"
    WORKSPACE_DELETED = "workspace_deleted"
    NOT_FOUND = "not_found"
    METHOD_NOT_ALLOWED = "method_not_allowed"
    NOT_ACCEPTABLE = "not_acceptable"
    CONFLICT = "conflict"
    IDEMPOTENCY_MISMATCH = "idempotency_key_reused"
    IDEMPOTENCY_IN_PROGRESS = "idempotency_key_in_progress"
    GONE = "gone"
    PAYLOAD_TOO_LARGE = "payload_too_large"
    UNSUPPORTED_MEDIA_TYPE = "unsupported_media_type"
    RATE_LIMITED = "rate_limit_exceeded"
    SERVICE_UNAVAILABLE = "service_unavailable"
    INTERNAL = "internal_error"


@dataclass(frozen=True)
class FieldError:
    """One problem with one input field; ``field`` is a dotted path (``tags.3``)."""

    field: str
    message: str
    code: str = ErrorCode.VALIDATION


@dataclass
class ApiError(Exception):
    code: str
    message: str
    status: int = 400
    fields: list[FieldError] = field(default_factory=list)
    headers: Mapping[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        super().__init__(self.message)

    @property
    def first_field(self) -> FieldError | None:
        return self.fields[0] if self.fields else None


def validation_error(field_name: str, message: str, code: str = ErrorCode.VALIDATION) -> ApiError:
    return ApiError(
        code=code,
        message=message,
        status=422,
        fields=[FieldError(field=field_name, message=message, code=code)],
    )


def not_found(message: str = "Not found.", code: str = ErrorCode.NOT_FOUND) -> ApiError:
    return ApiError(code=code, message=message, status=404)


class IdempotentReplay(Exception):
    """Raised when an Idempotency-Key was seen before: carries the first response."""

    def __init__(self, status: int, body: object, content_type: str) -> None:
        super().__init__("idempotent replay")
        self.status = status
        self.body = body
        self.content_type = content_type
