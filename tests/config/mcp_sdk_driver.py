# mypy: ignore-errors
# (Runs under an official MCP SDK venv, var/mcp-sdk-*, never under the project's venv: mypy
# there has neither mcp 1.x nor 2.x installed, and the two lines' APIs differ.)
"""Drive a Backtalk MCP endpoint with the official Python SDK client, as an agent would.

Run by tests/config/test_mcp_sdk_clients.py with the interpreter of one SDK venv. Reads a
plan from stdin::

    {"url": ..., "headers": {...}, "mode": "legacy" | "auto" | "2026-07-28",
     "steps": [{"op": "list_tools"}, {"op": "call", "name": ..., "arguments": {...}}]}

and prints one JSON document: the SDK version, the negotiated protocol version, the server's
instructions, and each step's result (tool listings, or call results with isError, text and
structuredContent). A string argument ``"$N.a.b"`` is replaced by that path in step N's
structuredContent, so one plan can submit an item and then read it back. A connection that
fails prints ``{"connect_error": ...}`` (an HTTP 401 before any MCP processing ends up here).
"""

from __future__ import annotations

import asyncio
import json
import sys
from importlib.metadata import version
from typing import Any

SDK_VERSION = version("mcp")
MAJOR = int(SDK_VERSION.split(".")[0])


def resolve(value: Any, results: list[Any]) -> Any:
    if isinstance(value, str) and value.startswith("$") and value[1:2].isdigit():
        index, *path = value[1:].split(".")
        found = results[int(index)]["structuredContent"]
        for key in path:
            found = found[int(key)] if isinstance(found, list) else found[key]
        return found
    if isinstance(value, dict):
        return {k: resolve(v, results) for k, v in value.items()}
    if isinstance(value, list):
        return [resolve(v, results) for v in value]
    return value


def dump(model: Any) -> dict[str, Any]:
    return model.model_dump(mode="json", by_alias=True, exclude_none=True)


async def run_steps(session: Any, steps: list[dict[str, Any]]) -> list[Any]:
    results: list[Any] = []
    for step in steps:
        if step["op"] == "list_tools":
            listing = dump(await session.list_tools())
            results.append(listing["tools"])
        elif step["op"] == "call":
            answer = dump(
                await session.call_tool(step["name"], resolve(step["arguments"], results))
            )
            texts = [c.get("text", "") for c in answer.get("content", [])]
            results.append(
                {
                    "isError": bool(answer.get("isError")),
                    "text": "\n".join(texts),
                    "structuredContent": answer.get("structuredContent"),
                }
            )
        else:
            raise ValueError(step["op"])
    return results


async def run_v1(plan: dict[str, Any]) -> dict[str, Any]:
    from mcp import ClientSession
    from mcp.client.streamable_http import streamablehttp_client

    async with (
        streamablehttp_client(plan["url"], headers=plan.get("headers") or {}) as (read, write, _),
        ClientSession(read, write) as session,
    ):
        init = await session.initialize()
        results = await run_steps(session, plan["steps"])
        return {
            "protocol_version": str(init.protocolVersion),
            "instructions": init.instructions,
            "server_name": init.serverInfo.name,
            "results": results,
        }


async def run_v2(plan: dict[str, Any]) -> dict[str, Any]:
    import httpx2
    from mcp import Client
    from mcp.client.streamable_http import streamable_http_client

    http = httpx2.AsyncClient(headers=plan.get("headers") or {}, timeout=30)
    transport = streamable_http_client(plan["url"], http_client=http)
    async with http, Client(transport, mode=plan.get("mode", "auto")) as client:
        info = client.server_info
        results = await run_steps(client, plan["steps"])
        return {
            "protocol_version": client.protocol_version,
            "instructions": client.instructions,
            "server_name": info.name if info is not None else None,
            "results": results,
        }


def main() -> None:
    plan = json.load(sys.stdin)
    runner = run_v1 if MAJOR < 2 else run_v2
    try:
        out = asyncio.run(runner(plan))
    except BaseException as exc:  # the SDKs raise groups and their own types; report, don't crash
        while isinstance(exc, BaseExceptionGroup) and len(exc.exceptions) == 1:
            exc = exc.exceptions[0]
        out = {"connect_error": f"{type(exc).__name__}: {exc}"}
    out["sdk_version"] = SDK_VERSION
    json.dump(out, sys.stdout)


if __name__ == "__main__":
    main()
