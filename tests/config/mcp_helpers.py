"""JSON-RPC over Django's test client, for the in-process MCP tests."""

from __future__ import annotations

import json
from typing import Any

from django.test import Client

MODERN = "2026-07-28"
META_KEY = "io.modelcontextprotocol/protocolVersion"


def rpc(
    client: Client,
    url: str,
    method: str,
    params: dict[str, Any] | None = None,
    *,
    msg_id: int | None = 1,
    modern: bool = False,
    **headers: Any,
) -> Any:
    message: dict[str, Any] = {"jsonrpc": "2.0", "method": method}
    if params is not None or modern:
        message["params"] = dict(params or {})
        if modern:
            message["params"]["_meta"] = {META_KEY: MODERN}
    if msg_id is not None:
        message["id"] = msg_id
    return client.post(url, json.dumps(message), content_type="application/json", **headers)


def call_tool(client: Client, url: str, name: str, arguments: dict[str, Any], **headers: Any):
    response = rpc(client, url, "tools/call", {"name": name, "arguments": arguments}, **headers)
    assert response.status_code == 200, response.content
    return response.json()["result"]


def tool_ok(client: Client, url: str, name: str, arguments: dict[str, Any], **headers: Any):
    result = call_tool(client, url, name, arguments, **headers)
    assert result["isError"] is False, result["content"][0]["text"]
    return result["structuredContent"]


def tool_error(client: Client, url: str, name: str, arguments: dict[str, Any], **headers: Any):
    result = call_tool(client, url, name, arguments, **headers)
    assert result["isError"] is True, result
    return result["content"][0]["text"]


def unwrap(text: str | None) -> str | None:
    """The text inside an untrusted-content boundary."""
    if text is None:
        return None
    lines = text.split("\n")
    assert lines[0].startswith("<untrusted-")
    assert lines[-1] == f"</{lines[0][1:]}"
    return "\n".join(lines[1:-1])
