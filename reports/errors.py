"""Domain errors of the Writeback reports API (rendered in the Writeback shape)."""

from __future__ import annotations

from config.api.errors import ApiError, ErrorCode, FieldError

INGEST_FIELD = "ingest_key"


class IngestKeyRejected(ApiError):
    """401: the body's ingest key is missing, malformed, unknown, or of the wrong family."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(
            code=code,
            message=message,
            status=401,
            fields=[FieldError(INGEST_FIELD, message, code)],
            # 401 needs a challenge (RFC 9110); this credential travels in the body, so the
            # challenge names that instead of inviting a Bearer header.
            headers={"WWW-Authenticate": 'IngestKey realm="writeback", field="ingest_key"'},
        )


def missing_ingest_key() -> IngestKeyRejected:
    return IngestKeyRejected(
        "missing_ingest_key",
        "ingest_key is required: send your project's ingest key (wk_...) in the JSON body.",
    )


def unknown_ingest_key() -> IngestKeyRejected:
    return IngestKeyRejected(
        "invalid_ingest_key", "ingest_key is not a valid ingest key for any project."
    )


def api_key_as_ingest_key() -> IngestKeyRejected:
    return IngestKeyRejected(
        "invalid_ingest_key",
        "ingest_key holds an API key (wk_sk_...), which only reads reports; "
        "submit reports with the project's ingest key (wk_...).",
    )


def workspace_deleted() -> IngestKeyRejected:
    return IngestKeyRejected(
        ErrorCode.WORKSPACE_DELETED,
        "ingest_key belongs to a project whose workspace has been deleted; "
        "reports are not accepted unless the workspace owner restores it.",
    )
