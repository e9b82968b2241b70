"""The Model Context Protocol over Streamable HTTP, as a plain Django view (docs/mcp.md).

Why not the SDK's server: it needs ASGI, and the REST API must stay on WSGI (PERFORMANCE.md);
`make run` serves one port with runserver. So each MCP endpoint is a view on that port that
reads one JSON-RPC message (or a batch) from a POST and answers ``application/json``: no SSE
stream, no server-side session, any worker can answer any request.

Protocol revisions, negotiated from what the client sends:

* 2025-03-26 and 2025-06-18 (the SDK's 1.x line, and 2.x in legacy mode): ``initialize``
  answers the client's version when we speak it, else the newest of the two; notifications
  (``notifications/initialized``...) are answered 202 with no body; later requests carry
  ``MCP-Protocol-Version`` (an unknown one is a 400). No ``Mcp-Session-Id`` is issued: the
  spec makes sessions optional and we keep no state.
* 2026-07-28 (the SDK's 2.x line): no handshake; ``server/discover`` lists what we support,
  and every request names its version in ``params._meta["io.modelcontextprotocol/
  protocolVersion"]``; an unknown one is JSON-RPC error -32022 with ``data.supported``.
  Results carry ``resultType`` (and ``cacheScope``/``ttlMs`` where the revision requires).

GET and DELETE are 405 (the spec allows a server without a GET stream or sessions). An
``Origin`` header must be allowed (``MCP_ALLOWED_ORIGINS``, or the server's own origin):
DNS-rebinding protection. Authentication happens in the endpoint's view before any of this.

Tool errors (bad arguments, a rule of the service refusing) come back as a result with
``isError: true`` and the same message the REST API gives, never as a protocol error.
"""

from __future__ import annotations

import base64
import json
import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from rest_framework.exceptions import ParseError

from config.api.errors import ApiError
from config.api.parsers import loads_strict, read_limited

logger = logging.getLogger("backtalk.mcp")

HANDSHAKE_VERSIONS = ("2025-03-26", "2025-06-18")
MODERN_VERSIONS = ("2026-07-28",)
SUPPORTED_VERSIONS = (*HANDSHAKE_VERSIONS, *MODERN_VERSIONS)
VERSION_META_KEY = "io.modelcontextprotocol/protocolVersion"
SERVER_INFO_META_KEY = "io.modelcontextprotocol/serverInfo"
VERSION_HEADER = "MCP-Protocol-Version"
METHOD_HEADER = "Mcp-Method"
NAME_HEADER = "Mcp-Name"
# The request param each method names in Mcp-Name (2026-07-28), for the methods we serve.
NAME_PARAMS = {"tools/call": "name"}

PARSE_ERROR = -32700
INVALID_REQUEST = -32600
METHOD_NOT_FOUND = -32601
INVALID_PARAMS = -32602
INTERNAL_ERROR = -32603
UNSUPPORTED_PROTOCOL_VERSION = -32022
HEADER_MISMATCH = -32020

MAX_BATCH = 20


class ToolError(Exception):
    """A tool refused its input: the message goes back to the agent as a tool error."""


@dataclass(frozen=True)
class Tool:
    name: str
    description: str
    input_schema: dict[str, Any]
    handler: Callable[[Any, dict[str, Any]], Any]
    read_only: bool = False

    def listing(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "description": self.description,
            "inputSchema": self.input_schema,
            "annotations": {"readOnlyHint": self.read_only},
        }


@dataclass
class Server:
    name: str
    title: str
    instructions: str
    tools: list[Tool] = field(default_factory=list)

    def tool(self, name: str) -> Tool | None:
        return next((t for t in self.tools if t.name == name), None)

    def info(self) -> dict[str, str]:
        return {"name": self.name, "title": self.title, "version": _version()}


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("backtalk")
    except PackageNotFoundError:  # pragma: no cover - the package is installed by make
        return "0"


# --- argument checking -----------------------------------------------------------------------
_JSON_TYPES: dict[str, tuple[type, ...]] = {
    "string": (str,),
    "integer": (int,),
    "number": (int, float),
    "boolean": (bool,),
    "array": (list,),
    "object": (dict,),
}


def _types(spec: Mapping[str, Any]) -> list[str]:
    declared = spec.get("type")
    if declared is None:
        return []
    return list(declared) if isinstance(declared, list) else [declared]


def check_arguments(schema: Mapping[str, Any], arguments: Any) -> dict[str, Any]:
    """The tool's declared JSON Schema, as far as our schemas use it: object, required,
    property types (a null is "not given" unless the type admits null), array item types, no
    unknown properties. ToolError otherwise. Enums are left to the service, so an unknown
    status gets the very message the REST API gives."""
    if arguments is None:
        arguments = {}
    if not isinstance(arguments, dict):
        raise ToolError("arguments must be an object.")
    properties: dict[str, Any] = schema.get("properties", {})
    unknown = sorted(set(arguments) - set(properties))
    if unknown:
        raise ToolError(f"Unknown argument(s): {', '.join(unknown)}.")
    cleaned: dict[str, Any] = {}
    for name, value in arguments.items():
        spec = properties[name]
        if value is None and "null" not in _types(spec):
            continue  # null for an optional argument: not given
        _check_value(name, spec, value)
        cleaned[name] = value
    missing = [name for name in schema.get("required", []) if name not in cleaned]
    if missing:
        raise ToolError(f"Missing required argument(s): {', '.join(missing)}.")
    return cleaned


def _check_value(name: str, spec: Mapping[str, Any], value: Any) -> None:
    types = _types(spec)
    if types and not any(_is(value, t) for t in types):
        raise ToolError(f"{name} must be of type {' or '.join(types)}.")
    if isinstance(value, list) and "items" in spec:
        for item in value:
            _check_value(f"{name}[]", spec["items"], item)


def _is(value: Any, json_type: str) -> bool:
    if json_type == "null":
        return value is None
    if isinstance(value, bool):
        return json_type == "boolean"
    return isinstance(value, _JSON_TYPES[json_type])


# --- JSON-RPC --------------------------------------------------------------------------------
@dataclass
class Call:
    """One request as the handlers see it: the caller resolved by the endpoint's view."""

    http: HttpRequest
    context: Any
    version: str


def _error(msg_id: Any, code: int, message: str, data: Any = None) -> dict[str, Any]:
    error: dict[str, Any] = {"code": code, "message": message}
    if data is not None:
        error["data"] = data
    return {"jsonrpc": "2.0", "id": msg_id, "error": error}


def _result(msg_id: Any, result: dict[str, Any]) -> dict[str, Any]:
    return {"jsonrpc": "2.0", "id": msg_id, "result": result}


def _modern(result: dict[str, Any], version: str, *, cacheable: bool = False) -> dict[str, Any]:
    if version in MODERN_VERSIONS:
        result["resultType"] = "complete"
        if cacheable:
            result.setdefault("cacheScope", "private")  # tools are per token (scoped data)
            result.setdefault("ttlMs", 0)
    return result


def _capabilities() -> dict[str, Any]:
    return {"tools": {"listChanged": False}}


def tool_result(value: Any, *, error: bool = False) -> dict[str, Any]:
    if error:
        return {"content": [{"type": "text", "text": str(value)}], "isError": True}
    structured = value if isinstance(value, dict) else {"result": value}
    # Compact: the text is what many clients put in the model's context, where every
    # indentation space is a token spent on nothing.
    text = json.dumps(structured, ensure_ascii=False, separators=(",", ":"), default=str)
    return {
        "content": [{"type": "text", "text": text}],
        "structuredContent": structured,
        "isError": False,
    }


def _call_tool(server: Server, call: Call, params: Mapping[str, Any]) -> dict[str, Any]:
    name = params.get("name")
    tool = server.tool(name) if isinstance(name, str) else None
    if tool is None:
        return tool_result(f"Unknown tool: {str(name)[:100]}.", error=True)
    try:
        arguments = check_arguments(tool.input_schema, params.get("arguments"))
        return tool_result(tool.handler(call, arguments))
    except ToolError as exc:
        return tool_result(str(exc), error=True)
    except ApiError as exc:
        # The REST family's message for the same refusal (404, 400, 402, 403...).
        return tool_result(exc.message, error=True)
    except (Http404, PermissionDenied) as exc:
        # Shared code that speaks Django's exceptions: still a refusal, not a crash.
        return tool_result(str(exc) or "Not found.", error=True)


def _dispatch(server: Server, call: Call, message: dict[str, Any]) -> dict[str, Any] | None:
    msg_id = message.get("id")
    method = message.get("method")
    params = message.get("params") or {}
    if not isinstance(method, str) or not isinstance(params, dict):
        return _error(msg_id, INVALID_REQUEST, "Invalid request.")
    if "id" not in message:  # a notification: nothing to answer
        return None
    meta = params.get("_meta") if isinstance(params.get("_meta"), dict) else {}
    asked = meta.get(VERSION_META_KEY) if meta else None
    if asked is not None or method == "server/discover":
        if asked not in MODERN_VERSIONS:
            return _error(
                msg_id,
                UNSUPPORTED_PROTOCOL_VERSION,
                "Unsupported protocol version.",
                {"supported": list(SUPPORTED_VERSIONS), "requested": asked},
            )
        call.version = asked
    if method == "initialize":
        requested = params.get("protocolVersion")
        version = requested if requested in HANDSHAKE_VERSIONS else HANDSHAKE_VERSIONS[-1]
        return _result(
            msg_id,
            {
                "protocolVersion": version,
                "capabilities": _capabilities(),
                "serverInfo": server.info(),
                "instructions": server.instructions,
            },
        )
    if method == "server/discover":
        return _result(
            msg_id,
            _modern(
                {
                    "supportedVersions": list(SUPPORTED_VERSIONS),
                    "capabilities": _capabilities(),
                    "instructions": server.instructions,
                    "_meta": {SERVER_INFO_META_KEY: server.info()},
                },
                call.version,
                cacheable=True,
            ),
        )
    if method == "ping":
        return _result(msg_id, _modern({}, call.version))
    if method == "tools/list":
        tools = [tool.listing() for tool in server.tools]
        return _result(msg_id, _modern({"tools": tools}, call.version, cacheable=True))
    if method == "tools/call":
        try:
            outcome = _call_tool(server, call, params)
        except Exception:
            # A bug, not a refusal: logged with its traceback, answered as JSON-RPC's
            # internal error so the client gets a protocol answer instead of an HTML 500.
            logger.exception("MCP tool %r failed", params.get("name"))
            return _error(msg_id, INTERNAL_ERROR, "Internal error.")
        return _result(msg_id, _modern(outcome, call.version))
    return _error(msg_id, METHOD_NOT_FOUND, f"Method not found: {method[:100]}")


def _origin_allowed(request: HttpRequest) -> bool:
    origin = request.headers.get("Origin")
    if not origin:
        return True  # not a browser: CLIs and SDKs send none
    allowed = settings.MCP_ALLOWED_ORIGINS
    own = f"{request.scheme}://{request.get_host()}"
    return origin == own or origin in allowed


def _header_mismatch(request: HttpRequest, message: dict[str, Any]) -> str | None:
    """2026-07-28 mirrors the body in headers (``MCP-Protocol-Version``, ``Mcp-Method``,
    ``Mcp-Name``) so proxies and gateways can route and filter on them; a request whose
    headers say something else than its body is refused (-32020, HTTP 400), as the SDK's own
    server does, so no gateway can be shown one call while another runs. Absent headers are
    tolerated (hand-written clients, curl); older revisions are not checked."""
    params = message.get("params")
    meta = params.get("_meta") if isinstance(params, dict) else None
    version = meta.get(VERSION_META_KEY) if isinstance(meta, dict) else None
    if version not in MODERN_VERSIONS:
        return None
    headers = request.headers
    if VERSION_HEADER in headers and headers[VERSION_HEADER] != version:
        return f"{VERSION_HEADER} header does not match the request envelope's protocol version"
    method = message.get("method")
    if METHOD_HEADER in headers and headers[METHOD_HEADER] != method:
        return f"{METHOD_HEADER} header does not match the request body's method"
    name_param = NAME_PARAMS.get(str(method))
    if name_param and NAME_HEADER in headers and isinstance(params, dict):
        header = _decode_header_value(headers[NAME_HEADER])
        if header != params.get(name_param):
            return (
                f"{NAME_HEADER} header does not match the request body's {name_param!r} parameter"
            )
    return None


def _decode_header_value(value: str) -> str | None:
    """A header value as sent: verbatim, or base64 inside ``=?base64?...?=`` (non-ASCII and
    edge whitespace, as the SDK encodes them); None when the wrapping is malformed."""
    if value.startswith("=?base64?") and value.endswith("?="):
        try:
            return base64.b64decode(value[9:-2], validate=True).decode("utf-8")
        except (ValueError, UnicodeDecodeError):
            return None
    return value


def serve(request: HttpRequest, server: Server, context: Any) -> HttpResponse:
    """Answer one POST to an MCP endpoint whose caller (``context``) is already resolved."""
    if request.method != "POST":
        response = JsonResponse(
            _error(None, INVALID_REQUEST, "Method not allowed: POST JSON-RPC messages here."),
            status=405,
        )
        response["Allow"] = "POST"
        return response
    if not _origin_allowed(request):
        return JsonResponse(_error(None, INVALID_REQUEST, "Origin not allowed."), status=403)
    header_version = request.headers.get(VERSION_HEADER)
    if header_version and header_version not in SUPPORTED_VERSIONS:
        return JsonResponse(
            _error(None, INVALID_REQUEST, f"Unsupported {VERSION_HEADER}: {header_version[:40]}"),
            status=400,
        )
    try:
        # The REST families' strict reading: size cap (413), UTF-8, no NaN, bounded nesting,
        # and no NUL or lone surrogate in any string (PostgreSQL could not store them).
        payload = loads_strict(read_limited(request, request))
    except ParseError as exc:
        return JsonResponse(_error(None, PARSE_ERROR, f"Parse error: {exc.detail}"), status=400)
    except ApiError as exc:
        return JsonResponse(_error(None, INVALID_REQUEST, exc.message), status=exc.status)
    call = Call(http=request, context=context, version=header_version or HANDSHAKE_VERSIONS[0])
    if isinstance(payload, list):
        if not payload or len(payload) > MAX_BATCH:
            return JsonResponse(_error(None, INVALID_REQUEST, "Invalid batch."), status=400)
        answers = [
            _dispatch(server, call, m)
            if isinstance(m, dict)
            else _error(None, INVALID_REQUEST, "Invalid request.")
            for m in payload
        ]
        answered = [a for a in answers if a is not None]
        if not answered:
            return HttpResponse(status=202)
        return JsonResponse(answered, safe=False)
    if not isinstance(payload, dict) or payload.get("jsonrpc") != "2.0":
        return JsonResponse(_error(None, INVALID_REQUEST, "Invalid request."), status=400)
    if "method" not in payload:  # a response to a server request we never sent
        return HttpResponse(status=202)
    mismatch = _header_mismatch(request, payload)
    if mismatch:
        return JsonResponse(_error(payload.get("id"), HEADER_MISMATCH, mismatch), status=400)
    answer = _dispatch(server, call, payload)
    if answer is None:
        return HttpResponse(status=202)
    return JsonResponse(answer)
