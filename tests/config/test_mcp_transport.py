"""The MCP transport through Django's test client: authentication before MCP, version
negotiation for both SDK lines, notifications, methods, batches and malformed messages."""

import json

import pytest
from django.test import Client

from projects.services import project_rotate_mcp_token
from tests.config.mcp_helpers import MODERN, rpc
from tests.factories import mint_token


@pytest.fixture
def client():
    return Client()


@pytest.fixture
def gf_url(project):
    return f"/mcp/{project.mcp_token}"


@pytest.fixture
def mlth_key(workspace, owner, project):
    from accounts.models import TokenFamily

    _, raw = mint_token(workspace=workspace, created_by=owner, family=TokenFamily.MINOLITH,
                        project=project)  # fmt: skip
    return raw


def auth(raw):
    return {"HTTP_AUTHORIZATION": f"Bearer {raw}"}


# --- authentication -------------------------------------------------------------------------
@pytest.mark.parametrize(
    "header", [None, "Bearer", "Basic abc", "Bearer mlth_nope", "Bearer gfat_x"]
)
def test_minolith_endpoint_refuses_a_missing_or_bad_key_with_401_before_mcp(client, header):
    headers = {"HTTP_AUTHORIZATION": header} if header else {}

    response = rpc(client, "/mcp", "tools/list", **headers)

    assert response.status_code == 401
    assert response["WWW-Authenticate"].startswith('Bearer error="invalid_token"')


def test_minolith_endpoint_refuses_a_revoked_key(client, mlth_key, owner):
    from accounts.audit import Actor
    from accounts.services import api_token_revoke
    from accounts.tokens import resolve_api_token

    assert rpc(client, "/mcp", "tools/list", **auth(mlth_key)).status_code == 200
    api_token_revoke(token=resolve_api_token(mlth_key, "mlth"), actor=Actor.for_user(owner))

    assert rpc(client, "/mcp", "tools/list", **auth(mlth_key)).status_code == 401


def test_unknown_mcp_token_is_401(client, db):
    response = rpc(client, "/mcp/gfmcp_" + "0" * 48, "tools/list")

    assert response.status_code == 401
    assert "WWW-Authenticate" in response


def test_a_rotated_mcp_token_stops_at_once(client, project, owner, gf_url):
    from accounts.audit import Actor

    assert rpc(client, gf_url, "tools/list").status_code == 200
    project_rotate_mcp_token(project=project, actor=Actor.for_user(owner))
    project.refresh_from_db()

    assert rpc(client, gf_url, "tools/list").status_code == 401
    assert rpc(client, f"/mcp/{project.mcp_token}", "tools/list").status_code == 200


# --- handshake era (2025-03-26, 2025-06-18) -------------------------------------------------
@pytest.mark.parametrize("version", ["2025-03-26", "2025-06-18"])
def test_initialize_answers_the_clients_version_with_tools_and_instructions(
    client, gf_url, version
):
    params = {
        "protocolVersion": version,
        "capabilities": {},
        "clientInfo": {"name": "t", "version": "1"},
    }
    result = rpc(client, gf_url, "initialize", params).json()["result"]

    assert result["protocolVersion"] == version
    assert result["capabilities"] == {"tools": {"listChanged": False}}
    assert result["serverInfo"]["name"] == "backtalk-greatfeedback"
    assert "untrusted" in result["instructions"]
    assert "submit_report" in result["instructions"]


def test_initialize_with_an_unknown_version_answers_the_newest_we_speak(client, gf_url):
    result = rpc(client, gf_url, "initialize", {"protocolVersion": "2024-01-01"}).json()["result"]

    assert result["protocolVersion"] == "2025-06-18"


def test_notifications_are_accepted_with_202_and_no_body(client, gf_url):
    response = rpc(client, gf_url, "notifications/initialized", msg_id=None)

    assert response.status_code == 202
    assert response.content == b""


def test_an_unknown_protocol_version_header_is_a_400(client, gf_url):
    response = rpc(client, gf_url, "tools/list", HTTP_MCP_PROTOCOL_VERSION="1999-01-01")

    assert response.status_code == 400


# --- 2026-07-28 -------------------------------------------------------------------------------
def test_discover_lists_every_supported_version(client, gf_url):
    result = rpc(client, gf_url, "server/discover", modern=True).json()["result"]

    assert result["supportedVersions"] == ["2025-03-26", "2025-06-18", MODERN]
    assert result["resultType"] == "complete"
    assert result["cacheScope"] == "private"
    assert result["_meta"]["io.modelcontextprotocol/serverInfo"]["name"] == "backtalk-greatfeedback"


def test_a_modern_request_naming_an_unknown_version_is_error_32022(client, gf_url):
    message = {
        "jsonrpc": "2.0", "id": 7, "method": "tools/list",
        "params": {"_meta": {"io.modelcontextprotocol/protocolVersion": "2030-01-01"}},
    }  # fmt: skip
    body = client.post(gf_url, json.dumps(message), content_type="application/json").json()

    assert body["error"]["code"] == -32022
    assert MODERN in body["error"]["data"]["supported"]


def test_modern_results_carry_result_type(client, gf_url):
    tools = rpc(client, gf_url, "tools/list", modern=True).json()["result"]

    assert tools["resultType"] == "complete"
    assert tools["ttlMs"] == 0


# --- methods and malformed messages ---------------------------------------------------------
def test_ping(client, gf_url):
    assert rpc(client, gf_url, "ping").json() == {"jsonrpc": "2.0", "id": 1, "result": {}}


def test_unknown_method_is_32601(client, gf_url):
    assert rpc(client, gf_url, "resources/list").json()["error"]["code"] == -32601


@pytest.mark.parametrize("body", [b"{not json", b"", b"\xff\xfe", b"[]", b"42", b'{"id": 1}'])
def test_malformed_bodies_are_json_rpc_errors_never_500(client, gf_url, body):
    response = client.post(gf_url, body, content_type="application/json")

    assert response.status_code == 400
    assert response.json()["error"]["code"] in (-32700, -32600)


def test_batches_answer_each_request_and_skip_notifications(client, gf_url):
    batch = [
        {"jsonrpc": "2.0", "id": 1, "method": "ping"},
        {"jsonrpc": "2.0", "method": "notifications/initialized"},
        {"jsonrpc": "2.0", "id": 2, "method": "tools/list"},
    ]
    answers = client.post(gf_url, json.dumps(batch), content_type="application/json").json()

    assert [a["id"] for a in answers] == [1, 2]


@pytest.mark.parametrize("method", ["get", "delete", "put"])
def test_other_http_methods_are_405(client, gf_url, method):
    response = getattr(client, method)(gf_url)

    assert response.status_code == 405
    assert response["Allow"] == "POST"


def test_a_foreign_origin_is_refused_and_the_servers_own_is_allowed(client, gf_url, settings):
    settings.MCP_ALLOWED_ORIGINS = ["https://agent.example.com"]

    assert rpc(client, gf_url, "ping", HTTP_ORIGIN="https://evil.example").status_code == 403
    assert rpc(client, gf_url, "ping", HTTP_ORIGIN="http://testserver").status_code == 200
    assert rpc(client, gf_url, "ping", HTTP_ORIGIN="https://agent.example.com").status_code == 200


def test_unknown_tool_is_a_tool_error(client, gf_url):
    result = rpc(client, gf_url, "tools/call", {"name": "drop_tables", "arguments": {}}).json()

    assert result["result"]["isError"] is True
    assert "Unknown tool" in result["result"]["content"][0]["text"]


def test_a_tool_that_crashes_is_a_json_rpc_internal_error_never_a_500(client, gf_url, monkeypatch):
    from config.mcp import transport

    def broken(schema, arguments):
        raise RuntimeError("a bug")

    monkeypatch.setattr(transport, "check_arguments", broken)
    response = rpc(client, gf_url, "tools/call", {"name": "list_annotations", "arguments": {}})

    assert response.status_code == 200
    assert response.json()["error"] == {"code": -32603, "message": "Internal error."}


def test_both_endpoints_list_their_tools(client, gf_url, mlth_key):
    gf = rpc(client, gf_url, "tools/list").json()["result"]["tools"]
    mlth = rpc(client, "/mcp", "tools/list", **auth(mlth_key)).json()["result"]["tools"]

    assert [t["name"] for t in gf] == [
        "list_annotations", "read_annotation", "acknowledge", "reply", "resolve",
        "patch_annotation", "get_resolution_upload_url", "attach_resolution",
        "list_resolutions", "run_personas", "submit_report", "check_report_replies",
    ]  # fmt: skip
    assert [t["name"] for t in mlth] == [
        "submit_feedback", "list_feedback", "get_feedback_item", "update_feedback_status",
        "add_feedback_note", "submit_report", "check_report_replies",
    ]  # fmt: skip


def modern_call(client, url, name, **headers):
    return rpc(client, url, "tools/call", {"name": name, "arguments": {}}, modern=True, **headers)


def test_modern_headers_that_match_the_body_are_accepted(client, gf_url):
    response = modern_call(
        client, gf_url, "list_annotations",
        HTTP_MCP_PROTOCOL_VERSION=MODERN, HTTP_MCP_METHOD="tools/call",
        HTTP_MCP_NAME="list_annotations",
    )  # fmt: skip

    assert response.status_code == 200
    assert response.json()["result"]["isError"] is False


@pytest.mark.parametrize(
    ("headers", "named"),
    [
        ({"HTTP_MCP_METHOD": "tools/list"}, "Mcp-Method"),
        ({"HTTP_MCP_NAME": "read_annotation"}, "Mcp-Name"),
        ({"HTTP_MCP_NAME": "=?base64?cmVhZF9hbm5vdGF0aW9u?="}, "Mcp-Name"),
        ({"HTTP_MCP_NAME": "=?base64?not base64?="}, "Mcp-Name"),
    ],
)
def test_modern_headers_that_contradict_the_body_are_refused(client, gf_url, headers, named):
    response = modern_call(client, gf_url, "list_annotations", **headers)

    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == -32020
    assert error["message"].startswith(f"{named} header does not match")
