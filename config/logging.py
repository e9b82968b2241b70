"""Log filter that keeps secrets that travel in URLs (the MCP token) out of log lines."""

from __future__ import annotations

import logging
import re

# /mcp/<token> (greatfeedback MCP) and /invitations/<token>/ carry a secret in the path.
_SECRET_PATH = re.compile(r"(/mcp/|/invitations/)[^/\s?\"']+")


def redact(text: str) -> str:
    return _SECRET_PATH.sub(r"\1[redacted]", text)


class RedactSecretsFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        redacted = redact(message)
        if redacted != message:
            record.msg = redacted
            record.args = ()
        return True
