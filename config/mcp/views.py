"""The two MCP endpoints: authentication first (an HTTP 401 before any MCP processing), then
``config.mcp.transport.serve`` with the endpoint's server and the resolved caller."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.csrf import csrf_exempt

from accounts.audit import Actor
from accounts.authentication import CHALLENGE
from accounts.caller import Caller
from accounts.models import TokenFamily
from accounts.tokens import TokenRejected, resolve_api_token
from annotations.mcp import SiteContext
from config.mcp.servers import greatfeedback_server, minolith_server
from config.mcp.transport import serve
from projects.selectors import project_by_mcp_token

AGENT_HEADER = "X-Minolith-Agent"
AGENT_MAX = 100


def _unauthorized(reason: str) -> JsonResponse:
    response = JsonResponse({"error": {"code": "unauthorized", "message": reason}}, status=401)
    response["WWW-Authenticate"] = CHALLENGE.replace("Missing bearer token.", reason)
    return response


@csrf_exempt
def minolith_mcp(request: HttpRequest) -> HttpResponse:
    """``/mcp`` with ``Authorization: Bearer mlth_...`` and optional ``X-Minolith-Agent``."""
    header = request.headers.get("Authorization", "")
    scheme, _, raw = header.partition(" ")
    if scheme.lower() != "bearer" or not raw.strip():
        return _unauthorized("Missing bearer token.")
    try:
        token = resolve_api_token(raw.strip(), TokenFamily.MINOLITH)
    except TokenRejected as exc:
        return _unauthorized(exc.reason)
    agent = " ".join(request.headers.get(AGENT_HEADER, "").split())[:AGENT_MAX]
    caller = Caller(
        workspace=token.workspace,
        role=token.role,
        actor=Actor(actor_id=f"token:{token.pk}", user=token.created_by, agent=agent),
        token=token,
        user=token.created_by,
        project=token.project,
    )
    return serve(request, minolith_server(), caller)


@csrf_exempt
def greatfeedback_mcp(request: HttpRequest, mcp_token: str) -> HttpResponse:
    """``/mcp/<mcp_token>``: the site's MCP token in the path is the credential."""
    site = project_by_mcp_token(mcp_token)
    if site is None or site.workspace.is_deleted:
        return _unauthorized("Unknown or rotated MCP token.")
    return serve(request, greatfeedback_server(), SiteContext(project=site))
