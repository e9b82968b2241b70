"""Both MCP servers driven by the official Python SDK clients of both major lines, over real
HTTP, against a real server in a subprocess (runserver, DEBUG off, production settings).

The SDKs live in their own venvs (``make mcp-sdks``: var/mcp-sdk-v1 with ``mcp>=1.9,<2``,
var/mcp-sdk-v2 with ``mcp>=2``), because they are clients we test against, not dependencies
of Backtalk. Without them the tests skip, unless REQUIRE_MCP_SDKS=1 (CI) makes that a failure.
Each SDK negotiates its own protocol revision: 1.x the 2025 handshake, 2.x 2026-07-28.
"""

import json
import os
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.config.subprocess_server import ROOT, Server, prepare, runserver

CLIENT = Path(__file__).with_name("mcp_sdk_client.py")
SDKS = {"v1": ROOT / "var" / "mcp-sdk-v1", "v2": ROOT / "var" / "mcp-sdk-v2"}
EXPECTED_VERSION = {"v1": "2025-06-18", "v2": "2026-07-28"}

# The Minolith document's input schemas, verbatim (its "MCP Tools" section).
MINOLITH_STATUS = ["open", "under_review", "planned", "in_progress", "completed", "declined"]
MINOLITH_SCHEMAS = {
    "submit_feedback": (
        ["body"],
        {"body": "string", "title": "string", "type": "string", "tags": "array",
         "page_url": "string", "user_email": "string", "user_name": "string",
         "user_id_external": "string"},
    ),
    "list_feedback": (
        [],
        {"status": "string", "type": "string", "priority": "string", "tags": "string",
         "user_email": "string", "limit": "integer"},
    ),
    "get_feedback_item": (["id"], {"id": "string"}),
    "update_feedback_status": (
        ["id"], {"id": "string", "status": "string", "priority": "string", "tags": "array"},
    ),
    "add_feedback_note": (["id", "body"], {"id": "string", "body": "string"}),
}  # fmt: skip
# greatfeedback's tool signatures as the document lists them (name, required, optional).
GF_SIGNATURES = {
    "list_annotations": ([], ["status", "kind", "since", "auto_fix", "limit"]),
    "read_annotation": (["id"], []),
    "acknowledge": (["id"], []),
    "reply": (["id", "message"], []),
    "resolve": (["id", "summary"], []),
    "patch_annotation": (["id"], ["status", "summary", "assignee_id"]),
    "get_resolution_upload_url": (["annotation_id", "kind", "content_type"], []),
    "attach_resolution": (
        ["annotation_id"],
        ["before_key", "after_key", "diff_url", "explanation"],
    ),
    "list_resolutions": (["annotation_id"], []),
    "run_personas": (["id"], ["persona_ids"]),
}


def sdk_python(line: str) -> Path:
    python = SDKS[line] / "bin" / "python"
    if not python.exists():
        if os.environ.get("REQUIRE_MCP_SDKS") == "1":
            pytest.fail(f"{python} is missing and REQUIRE_MCP_SDKS=1 (run `make mcp-sdks`)")
        pytest.skip(f"{python} is missing: run `make mcp-sdks`")
    return python


def drive(line: str, url: str, headers: dict[str, str], calls: list) -> dict:
    result = subprocess.run(  # noqa: S603 - the SDK venv's interpreter and our script
        [str(sdk_python(line)), str(CLIENT), url, json.dumps(headers), json.dumps(calls)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    return json.loads(result.stdout)


@pytest.fixture(scope="module")
def server(tmp_path_factory) -> Iterator[Server]:
    var_dir = tmp_path_factory.mktemp("mcp-sdk")
    credentials = prepare(var_dir)
    with runserver(var_dir, credentials) as live:
        yield live


def widget_annotation(server: Server, body: str) -> str:
    creds = server.credentials
    response = server.request(
        f"/api/widget/sites/{creds['project_id']}/annotations",
        json_body={"body": body, "page_url": "https://shop.example.com/cart", "kind": "bug"},
        headers={"X-GF-Widget-Token": creds["widget_token"]},
    )
    assert response.status == 201, response.text
    return response.json()["id"]


def rest(server: Server, path: str, credential: str = "api_token") -> dict:
    response = server.request(
        path, headers={"Authorization": f"Bearer {server.credentials[credential]}"}
    )
    assert response.status == 200, response.text
    return response.json()


@pytest.mark.parametrize("line", ["v1", "v2"])
def test_greatfeedback_server_with_the_official_sdk(server, line):
    creds = server.credentials
    annotation_id = widget_annotation(server, f"Cart total overlaps the button ({line})")
    calls = [
        ["list_annotations", {"status": "new", "limit": 50}],
        ["read_annotation", {"id": annotation_id}],
        ["acknowledge", {"id": annotation_id}],
        ["reply", {"id": annotation_id, "message": f"On it ({line})"}],
        ["resolve", {"id": annotation_id, "summary": "Moved the total above the button"}],
        ["patch_annotation", {"id": annotation_id, "status": "open"}],
        ["read_annotation", {"id": "0" * 32}],
        ["attach_resolution", {"annotation_id": annotation_id, "diff_url": "http://x.example/1"}],
        ["attach_resolution", {"annotation_id": annotation_id, "explanation": "Reordered."}],
        ["list_resolutions", {"annotation_id": annotation_id}],
        ["submit_report", {"outcome": "success", "details": f"gf tools via SDK {line}"}],
    ]
    out = drive(line, f"{server.url}/mcp/{creds['mcp_token']}", {}, calls)

    assert out["protocol_version"] == EXPECTED_VERSION[line]
    assert out["server_name"] == "backtalk-greatfeedback"
    assert "untrusted" in out["instructions"]
    tools = {t["name"]: t["inputSchema"] for t in out["tools"]}
    for name, (required, optional) in GF_SIGNATURES.items():
        assert sorted(tools[name]["required"]) == sorted(required), name
        assert set(tools[name]["properties"]) == {*required, *optional}, name
    results = out["calls"]
    listed = [i["id"] for i in results[0]["structured"]["items"]]
    assert annotation_id in listed
    read = results[1]["structured"]
    assert read["annotation"]["body"].startswith(f"<{read['untrusted_content']['boundary']}>")
    assert [c["is_error"] for c in results] == [
        False, False, False, False, False, True, True, True, False, False, False,
    ]  # fmt: skip
    assert results[5]["text"].startswith("Unknown status 'open'.")
    assert results[6]["text"] == "Annotation not found."
    assert "https://" in results[7]["text"]
    # The effects, through the REST API and the audit log.
    detail = rest(server, f"/api/v1/annotations/{annotation_id}")
    assert (detail["status"], detail["summary"]) == ("resolved", "Moved the total above the button")
    assert next((r["author_kind"], r["body"]) for r in detail["replies"]) == (
        "agent",
        f"On it ({line})",
    )
    assert len(detail["resolutions"]) == 1
    actors = server.query(
        "SELECT DISTINCT actor_id FROM accounts_auditlog WHERE target_id = ?", (annotation_id,)
    )
    assert (f"mcp:{creds['project_id']}",) in actors


@pytest.mark.parametrize("line", ["v1", "v2"])
def test_minolith_server_with_the_official_sdk(server, line):
    creds = server.credentials
    headers = {
        "Authorization": f"Bearer {creds['project_api_key']}",
        "X-Minolith-Agent": f"sdk-{line}",
    }
    calls = [
        ["submit_feedback", {"body": "The CSV export is missing created_at.", "type": "bug",
                             "tags": ["export"], "title": f"CSV ({line})"}],
        ["list_feedback", {"status": "open", "type": "bug", "limit": 50}],
        ["get_feedback_item", {"id": "$0.data.id"}],
        ["update_feedback_status", {"id": "$0.data.id", "status": "in_progress",
                                    "priority": "high"}],
        ["add_feedback_note", {"id": "$0.data.id", "body": "Root cause found."}],
        ["update_feedback_status", {"id": "$0.data.id", "status": "done"}],
        ["submit_report", {"outcome": "confusing", "details": "limit max is 100?",
                           "tool_name": "list_feedback"}],
    ]  # fmt: skip
    out = drive(line, f"{server.url}/mcp", headers, calls)

    assert out["protocol_version"] == EXPECTED_VERSION[line]
    tools = {t["name"]: t["inputSchema"] for t in out["tools"]}
    for name, (required, types) in MINOLITH_SCHEMAS.items():
        schema = tools[name]
        assert schema["required"] == required, name
        assert {k: v["type"] for k, v in schema["properties"].items()} == types, name
    assert tools["list_feedback"]["properties"]["status"]["enum"] == MINOLITH_STATUS
    results = out["calls"]
    assert [c["is_error"] for c in results] == [False, False, False, False, False, True, False]
    item_id = results[0]["structured"]["data"]["id"]
    assert item_id in [i["id"] for i in results[1]["structured"]["data"]]
    via_rest = rest(server, f"/v1/feedback/items/{item_id}", "project_api_key")["data"]
    assert (via_rest["status"], via_rest["priority"], via_rest["source"]) == (
        "in_progress", "high", "mcp",
    )  # fmt: skip
    assert [n["body"] for n in via_rest["notes"]] == ["Root cause found."]
    agents = server.query("SELECT agent_name FROM feedback_item WHERE id = ?", (item_id,))
    assert agents == [(f"sdk-{line}",)]


def test_bad_credentials_are_refused_before_mcp(server):
    assert (
        server.request("/mcp", json_body={"jsonrpc": "2.0", "id": 1, "method": "ping"}).status
        == 401
    )
    rotated = server.request(
        "/mcp/gfmcp_" + "0" * 48, json_body={"jsonrpc": "2.0", "id": 1, "method": "ping"}
    )
    assert rotated.status == 401
