"""Drive a Backtalk MCP endpoint with the official Python SDK, whichever major line is
installed (run by tests/config/test_mcp_sdk.py with each SDK venv's interpreter, never
imported by the test process).

Usage: python mcp_sdk_client.py URL HEADERS_JSON CALLS_JSON
CALLS_JSON is a list of [tool_name, arguments]; an argument value "$N.path.to.value" is
taken from the structured result of call N (0-based). Prints one JSON object.
"""

import asyncio
import json
import sys
from importlib.metadata import version
from typing import Any


def resolve(value: Any, results: list[dict[str, Any]]) -> Any:
    if isinstance(value, str) and value.startswith("$"):
        index, *path = value[1:].split(".")
        found: Any = results[int(index)]["structured"]
        for part in path:
            found = found[int(part)] if isinstance(found, list) else found[part]
        return found
    return value


def dump_result(result: Any) -> dict[str, Any]:
    text = "".join(getattr(block, "text", "") for block in result.content)
    structured = getattr(result, "structuredContent", None)
    if structured is None:
        structured = getattr(result, "structured_content", None)
    is_error = getattr(result, "isError", None)
    if is_error is None:
        is_error = getattr(result, "is_error", False)
    return {"is_error": bool(is_error), "text": text, "structured": structured}


def dump_tool(tool: Any) -> dict[str, Any]:
    schema = getattr(tool, "inputSchema", None) or getattr(tool, "input_schema", None)
    dump = getattr(schema, "model_dump", None)
    if dump is not None:
        schema = dump(by_alias=True, exclude_none=True)
    return {"name": tool.name, "inputSchema": schema}


async def run_v1(url: str, headers: dict[str, str], calls: list) -> dict[str, Any]:
    from mcp import ClientSession
    from mcp.client.streamable_http import streamablehttp_client

    async with (
        streamablehttp_client(url, headers=headers) as (read, write, _),
        ClientSession(read, write) as session,
    ):
        init = await session.initialize()
        tools = await session.list_tools()
        results: list[dict[str, Any]] = []
        for name, arguments in calls:
            arguments = {k: resolve(v, results) for k, v in arguments.items()}
            results.append(dump_result(await session.call_tool(name, arguments)))
        return {
            "protocol_version": init.protocolVersion,
            "server_name": init.serverInfo.name,
            "instructions": init.instructions,
            "tools": [dump_tool(t) for t in tools.tools],
            "calls": results,
        }


async def run_v2(url: str, headers: dict[str, str], calls: list) -> dict[str, Any]:
    from mcp.client import Client
    from mcp.client.streamable_http import streamable_http_client
    from mcp.shared._httpx_utils import create_mcp_http_client

    transport = streamable_http_client(url, http_client=create_mcp_http_client(headers=headers))
    async with Client(transport) as client:
        tools = await client.list_tools()
        results: list[dict[str, Any]] = []
        for name, arguments in calls:
            arguments = {k: resolve(v, results) for k, v in arguments.items()}
            results.append(dump_result(await client.call_tool(name, arguments)))
        info = client.server_info
        return {
            "protocol_version": client.protocol_version,
            "server_name": info.name if info else None,
            "instructions": client.instructions,
            "tools": [dump_tool(t) for t in tools.tools],
            "calls": results,
        }


def main() -> None:
    url, headers, calls = sys.argv[1], json.loads(sys.argv[2]), json.loads(sys.argv[3])
    sdk = version("mcp")
    runner = run_v1 if sdk.startswith("1.") else run_v2
    out = asyncio.run(runner(url, headers, calls))
    print(json.dumps({"sdk": sdk, **out}, default=str))


if __name__ == "__main__":
    main()
