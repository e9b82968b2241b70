"""The finer points of both MCP servers, with the official Python SDK clients over real HTTP
against a live ``runserver`` (tests/config/test_mcp_sdk.py runs each server's main workflow).

Three clients: the 1.x line (``mcp>=1.9,<2``: initialize, 2025-06-18), the 2.x line in its
default auto mode (``server/discover``, 2026-07-28, no handshake) and the 2.x line forced to
the legacy handshake (``mode="legacy"``, what a 2.x client does against an older server).
They run from ``make mcp-sdks``'s venvs through tests/config/mcp_sdk_driver.py. Checked here:
Minolith's input schemas verbatim (descriptions and enums too), refusals carrying the very
message the REST API gives, the agent name on the audit rows, scoping to the key's project
and the token's site across workspaces, malformed, unknown, revoked and rotated credentials
as the SDK meets them, and the report tool's reports read back through the Writeback API.
"""

from __future__ import annotations

import json
import os
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.config.subprocess_server import ROOT, Server, manage, prepare, runserver

pytestmark = [
    pytest.mark.mcp_sdk,
    # The live server always runs on its own fresh SQLite var dir (subprocess_server), so a
    # second pass under DATABASE_URL would repeat the very same exchanges: CI's PostgreSQL
    # pass skips them and keeps its time for the tests that do depend on the database.
    pytest.mark.skipif(
        bool(os.environ.get("DATABASE_URL")),
        reason="the live MCP server runs on its own SQLite; covered by the embedded-defaults pass",
    ),
]

DRIVER = Path(__file__).with_name("mcp_sdk_driver.py")
CLIENTS = {
    # id: (venv made by `make mcp-sdks`, connect mode, protocol version the server settles on)
    "sdk1": ("v1", "legacy", "2025-06-18"),
    "sdk2": ("v2", "auto", "2026-07-28"),
    "sdk2-legacy": ("v2", "legacy", "2025-06-18"),
}
AGENT = "claude-code-sdk-test"

# Minolith's "MCP Tools" input schemas, verbatim from the document.
ITEM_STATUSES = ["open", "under_review", "planned", "in_progress", "completed", "declined"]
ID = {"type": "string", "description": "Feedback item ID (fbk_xxxxxxxx)."}
MINOLITH_SCHEMAS: dict[str, dict[str, Any]] = {
    "submit_feedback": {
        "type": "object",
        "properties": {
            "body": {"type": "string",
                     "description": "The feedback content. Max 50,000 characters."},
            "title": {"type": "string", "description": "Short summary. Max 500 characters."},
            "type": {"type": "string", "enum": ["feedback", "bug", "idea", "question", "praise"],
                     "description": "Type of feedback. Defaults to feedback."},
            "tags": {"type": "array", "items": {"type": "string"},
                     "description": "Array of tags. Max 10 tags."},
            "page_url": {"type": "string",
                         "description": "URL of the page where the feedback originated."},
            "user_email": {"type": "string",
                           "description": "Email of the person submitting feedback."},
            "user_name": {"type": "string",
                          "description": "Name of the person submitting feedback."},
            "user_id_external": {"type": "string",
                                 "description": "Your application's user ID for the submitter."},
        },
        "required": ["body"],
    },
    "list_feedback": {
        "type": "object",
        "properties": {
            "status": {"type": "string", "enum": ITEM_STATUSES, "description": "Filter by status."},
            "type": {"type": "string",
                     "description": "Filter by type. Comma-separated for multiple: 'bug,idea'."},
            "priority": {"type": "string", "description":
                         "Filter by priority. Comma-separated for multiple: 'high,urgent'."},
            "tags": {"type": "string",
                     "description": "Filter by tags. Comma-separated: 'performance,search'."},
            "user_email": {"type": "string",
                           "description": "Filter by submitter email (exact match)."},
            "limit": {"type": "integer", "description": "Max items to return (1-100, default 20)."},
        },
        "required": [],
    },
    "get_feedback_item": {"type": "object", "properties": {"id": ID}, "required": ["id"]},
    "update_feedback_status": {
        "type": "object",
        "properties": {
            "id": ID,
            "status": {"type": "string", "enum": ITEM_STATUSES,
                       "description": "New status for the item."},
            "priority": {"type": "string", "enum": ["low", "medium", "high", "urgent"],
                         "description": "New priority for the item."},
            "tags": {"type": "array", "items": {"type": "string"},
                     "description": "Replace all tags on the item."},
        },
        "required": ["id"],
    },
    "add_feedback_note": {
        "type": "object",
        "properties": {
            "id": ID,
            "body": {"type": "string", "description": "Note content. Max 50,000 characters."},
        },
        "required": ["id", "body"],
    },
}  # fmt: skip

# greatfeedback's "MCP tools": name -> (parameters, required); "?" in the document = optional.
GF_STATUSES = ["new", "ack", "triaged", "in_progress", "resolved", "won_t_fix", "duplicate"]
GREATFEEDBACK_TOOLS: dict[str, tuple[set[str], set[str]]] = {
    "list_annotations": ({"status", "kind", "since", "auto_fix", "limit"}, set()),
    "read_annotation": ({"id"}, {"id"}),
    "acknowledge": ({"id"}, {"id"}),
    "reply": ({"id", "message"}, {"id", "message"}),
    "resolve": ({"id", "summary"}, {"id", "summary"}),
    "patch_annotation": ({"id", "status", "summary", "assignee_id"}, {"id"}),
    "get_resolution_upload_url": (
        {"annotation_id", "kind", "content_type"},
        {"annotation_id", "kind", "content_type"},
    ),
    "attach_resolution": (
        {"annotation_id", "before_key", "after_key", "diff_url", "explanation"},
        {"annotation_id"},
    ),
    "list_resolutions": ({"annotation_id"}, {"annotation_id"}),
    "run_personas": ({"id", "persona_ids"}, {"id"}),
}
REPORT_TOOLS = {"submit_report", "check_report_replies"}


# --- the live server and the clients ---------------------------------------------------------
@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    var_dir = tmp_path_factory.mktemp("mcp-live")
    credentials = prepare(var_dir)
    # An outsider: another workspace with its own project, key and site token.
    outsider = json.loads(
        manage(
            var_dir,
            "bootstrap",
            "--email",
            "outsider@example.com",
            "--workspace",
            "Other",
            "--project",
            "Other site",
            "--password",
            "another-sturdy-password-7",
            "--json",
        )
    )
    credentials.update({f"outsider_{k}": v for k, v in outsider.items()})
    with runserver(var_dir, credentials) as server:
        yield server


def sdk_python(line: str) -> Path:
    """As in test_mcp_sdk.py: missing venvs skip, or fail under REQUIRE_MCP_SDKS=1 (CI)."""
    python = ROOT / "var" / f"mcp-sdk-{line}" / "bin" / "python"
    if not python.exists():
        if os.environ.get("REQUIRE_MCP_SDKS") == "1":
            pytest.fail(f"{python} is missing and REQUIRE_MCP_SDKS=1 (run `make mcp-sdks`)")
        pytest.skip(f"{python} is missing: run `make mcp-sdks`")
    return python


def make_client(name: str) -> tuple[str, Path, str, str]:
    line, mode, version = CLIENTS[name]
    return name, sdk_python(line), mode, version


@pytest.fixture(scope="module", params=list(CLIENTS))
def client(request: pytest.FixtureRequest) -> tuple[str, Path, str, str]:
    return make_client(request.param)


def drive(
    client: tuple[str, Path, str, str],
    url: str,
    steps: list[dict[str, Any]],
    headers: dict[str, str] | None = None,
) -> dict[str, Any]:
    _, python, mode, _ = client
    plan = {"url": url, "headers": headers or {}, "mode": mode, "steps": steps}
    result = subprocess.run(  # noqa: S603 - the SDK venv's interpreter running our driver
        [str(python), str(DRIVER)],
        input=json.dumps(plan),
        capture_output=True,
        text=True,
        timeout=120,
        cwd=ROOT,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    return json.loads(result.stdout)


def connected(client: tuple[str, Path, str, str], out: dict[str, Any]) -> list[Any]:
    assert "connect_error" not in out, out
    assert out["protocol_version"] == client[3]
    return out["results"]


def call(name: str, **arguments: Any) -> dict[str, Any]:
    return {"op": "call", "name": name, "arguments": arguments}


def ok(result: dict[str, Any]) -> dict[str, Any]:
    assert result["isError"] is False, result["text"]
    return result["structuredContent"]


def refused(result: dict[str, Any]) -> str:
    assert result["isError"] is True, result
    return result["text"]


def inside(text: str) -> str:
    """The text inside an untrusted-content boundary."""
    lines = text.split("\n")
    assert lines[0].startswith("<untrusted-"), text
    assert lines[-1] == f"</{lines[0][1:]}"
    return "\n".join(lines[1:-1])


def minolith(live: Server, key: str | None = None) -> tuple[str, dict[str, str]]:
    headers = {"X-Minolith-Agent": AGENT}
    if key is not False:
        headers["Authorization"] = f"Bearer {key or live.credentials['project_api_key']}"
    return f"{live.url}/mcp", headers


def rest(live: Server, path: str, token: str, **kwargs: Any) -> Any:
    answer = live.request(path, headers={"Authorization": f"Bearer {token}"}, **kwargs)
    return answer.status, answer.json()


def new_annotation(live: Server, body: str) -> str:
    answer = live.request(
        f"/api/widget/sites/{live.credentials['project_id']}/annotations",
        json_body={
            "body": body,
            "page_url": "https://shop.example.com/checkout",
            "selector": "#pay-now",
            "kind": "design",
        },
        headers={"X-GF-Widget-Token": live.credentials["widget_token"]},
    )
    assert answer.status == 201, answer.text
    return str(answer.json()["id"])


# --- Minolith: /mcp with a mlth_ key ----------------------------------------------------------
def test_minolith_tools_are_listed_with_the_documented_schemas(live, client):
    url, headers = minolith(live)
    out = drive(client, url, [{"op": "list_tools"}], headers)
    tools = {t["name"]: t for t in connected(client, out)[0]}

    assert out["server_name"] == "backtalk-minolith"
    assert set(tools) == set(MINOLITH_SCHEMAS) | REPORT_TOOLS
    for name, schema in MINOLITH_SCHEMAS.items():
        assert tools[name]["inputSchema"] == schema, name
    assert "never an instruction" in out["instructions"]
    assert "submit_report" in out["instructions"]


def test_minolith_workflow_every_tool_with_its_effect_seen_through_rest(live, client):
    key = live.credentials["project_api_key"]
    url, headers = minolith(live)
    steps = [
        call("submit_feedback", body="The CSV export is missing the created_at column.",
             title="CSV export missing timestamp", type="bug", tags=["export", "csv"]),
        call("update_feedback_status", id="$0.data.id", status="in_progress", priority="high"),
        call("add_feedback_note", id="$0.data.id", body="Root cause: the serializer skips it."),
        call("get_feedback_item", id="$0.data.id"),
        call("list_feedback", status="in_progress", type="bug", priority="high,urgent", limit=50),
        call("update_feedback_status", id="$0.data.id", status="shipped"),
        call("get_feedback_item", id="fbk_000000000000"),
    ]  # fmt: skip
    results = connected(client, drive(client, url, steps, headers))

    item_id = ok(results[0])["data"]["id"]
    assert ok(results[0])["data"]["source"] == "mcp"
    assert ok(results[1])["data"]["status"] == "in_progress"
    detail = ok(results[3])["data"]
    assert inside(detail["body"]) == "The CSV export is missing the created_at column."
    assert [inside(n["body"]) for n in detail["notes"]] == ["Root cause: the serializer skips it."]
    assert item_id in [row["id"] for row in ok(results[4])["data"]]

    status, body = rest(live, f"/v1/feedback/items/{item_id}", key)
    assert status == 200
    assert (body["data"]["status"], body["data"]["priority"]) == ("in_progress", "high")
    assert body["data"]["source"] == "mcp"
    assert body["data"]["tags"] == ["export", "csv"]
    assert [n["body"] for n in body["data"]["notes"]] == ["Root cause: the serializer skips it."]

    # Refusals carry the REST API's message for the same request.
    status, rest_error = rest(
        live, f"/v1/feedback/items/{item_id}", key, json_body={"status": "shipped"}, method="PUT"
    )
    assert status == 422
    assert refused(results[5]) == rest_error["error"]["message"]
    status, missing = rest(live, "/v1/feedback/items/fbk_000000000000", key)
    assert status == 404
    assert refused(results[6]) == missing["error"]["message"]

    # The agent's name is on the item, the note and every audit row of these writes.
    assert live.query("SELECT agent_name FROM feedback_item WHERE id = ?", (item_id,)) == [(AGENT,)]
    actions = live.query(
        "SELECT action, actor_id, data FROM accounts_auditlog WHERE target_id = ?", (item_id,)
    )
    assert actions
    for _, actor_id, data in actions:
        assert actor_id.startswith("token:")
        assert json.loads(data)["agent"] == AGENT


def test_minolith_scopes_to_the_keys_project(live, client):
    url, headers = minolith(live)
    mine = connected(client, drive(client, url, [call("submit_feedback", body="Mine")], headers))
    item_id = ok(mine[0])["data"]["id"]

    url, headers = minolith(live, live.credentials["outsider_project_api_key"])
    theirs = connected(
        client,
        drive(client, url, [call("get_feedback_item", id=item_id), call("list_feedback")], headers),
    )

    assert "not found" in refused(theirs[0]).lower()
    assert item_id not in [row["id"] for row in ok(theirs[1])["data"]]


@pytest.mark.parametrize(
    "key", [False, "mlth_" + "0" * 48, "wk_sk_" + "0" * 48, "not-a-key"], ids=str
)
def test_minolith_refuses_bad_keys_before_any_mcp_exchange(live, client, key):
    url, headers = minolith(live, key)
    out = drive(client, url, [{"op": "list_tools"}], headers)

    assert "connect_error" in out
    answer = live.request(
        "/mcp", json_body={"jsonrpc": "2.0", "id": 1, "method": "ping"}, headers=headers
    )
    assert answer.status == 401
    assert answer.headers["WWW-Authenticate"].startswith("Bearer")


# --- greatfeedback: /mcp/<mcp_token> ----------------------------------------------------------
def gf_url(live: Server, token: str | None = None) -> str:
    return f"{live.url}/mcp/{token or live.credentials['mcp_token']}"


def test_greatfeedback_tools_are_listed_with_the_documented_parameters(live, client):
    out = drive(client, gf_url(live), [{"op": "list_tools"}])
    tools = {t["name"]: t["inputSchema"] for t in connected(client, out)[0]}

    assert out["server_name"] == "backtalk-greatfeedback"
    assert set(tools) == set(GREATFEEDBACK_TOOLS) | REPORT_TOOLS
    for name, (parameters, required) in GREATFEEDBACK_TOOLS.items():
        assert set(tools[name]["properties"]) == parameters, name
        assert set(tools[name]["required"]) == required, name
    assert tools["list_annotations"]["properties"]["status"]["enum"] == GF_STATUSES
    assert tools["list_annotations"]["properties"]["auto_fix"]["type"] == "boolean"
    assert tools["patch_annotation"]["properties"]["status"]["enum"] == GF_STATUSES
    assert tools["get_resolution_upload_url"]["properties"]["kind"]["enum"] == ["before", "after"]
    assert tools["run_personas"]["properties"]["persona_ids"]["type"] == "array"


def test_greatfeedback_workflow_every_tool_with_its_effect_seen_through_rest(live, client):
    token = live.credentials["api_token"]
    site = live.credentials["project_id"]
    annotation = new_annotation(live, "The Pay button is grey on grey.")
    steps = [
        call("list_annotations", status="new", kind="design", limit=200),
        call("read_annotation", id=annotation),
        call("acknowledge", id=annotation),
        call("reply", id=annotation, message="Raising the contrast now."),
        call("patch_annotation", id=annotation, status="in_progress", summary="CTA contrast"),
        call("get_resolution_upload_url", annotation_id=annotation, kind="after",
             content_type="image/png"),
        call("attach_resolution", annotation_id=annotation,
             diff_url="https://github.com/x/y/pull/42", explanation="Increased CTA contrast."),
        call("list_resolutions", annotation_id=annotation),
        call("resolve", id=annotation, summary="Contrast raised to 7:1."),
        call("run_personas", id=annotation),
        call("patch_annotation", id=annotation, status="bogus"),
        call("attach_resolution", annotation_id=annotation, diff_url="http://insecure.example/"),
        call("attach_resolution", annotation_id=annotation),
        call("read_annotation", id="0" * 32),
    ]  # fmt: skip
    results = connected(client, drive(client, gf_url(live), steps))

    assert annotation in [a["id"] for a in ok(results[0])["items"]]
    detail = ok(results[1])["annotation"]
    assert inside(detail["body"]) == "The Pay button is grey on grey."
    assert ok(results[2])["annotation"]["status"] == "ack"
    assert ok(results[3])["reply"]["author_kind"] == "agent"
    upload = ok(results[5])
    assert upload["method"] == "PUT"
    assert upload["key"].startswith(f"gf/{site}/after/")
    assert [r["diff_url"] for r in ok(results[7])["items"]] == ["https://github.com/x/y/pull/42"]
    assert ok(results[8])["annotation"]["status"] == "resolved"
    assert ok(results[9])["runs"]

    status, body = rest(live, f"/api/v1/annotations/{annotation}", token)
    assert status == 200
    assert (body["status"], body["summary"]) == ("resolved", "Contrast raised to 7:1.")
    assert "Raising the contrast now." in [r["body"] for r in body["replies"]]
    assert [r["diff_url"] for r in body["resolutions"]] == ["https://github.com/x/y/pull/42"]

    # Tool errors carry the REST API's message for the same request.
    status, rest_error = rest(
        live, f"/api/v1/annotations/{annotation}", token, json_body={"status": "bogus"},
        method="PATCH",
    )  # fmt: skip
    assert status == 400
    assert refused(results[10]) in json.dumps(rest_error)
    assert "https" in refused(results[11])
    assert refused(results[12])
    status, missing = rest(live, f"/api/v1/annotations/{'0' * 32}", token)
    assert status == 404
    assert refused(results[13]) == missing["detail"]

    # Every write is audited as the site's MCP integration.
    actors = {
        actor for (actor,) in live.query(
            "SELECT actor_id FROM accounts_auditlog WHERE target_id = ? AND actor_id != ''",
            (annotation,),
        )
    }  # fmt: skip
    # (Besides the visitor's submission and the notifier's system reply to the resolution.)
    assert actors - {f"widget:{site}", "system"} == {f"mcp:{site}"}


def test_greatfeedback_scopes_to_the_tokens_site(live, client):
    annotation = new_annotation(live, "Only for my site's agents.")
    out = drive(
        client,
        gf_url(live, live.credentials["outsider_mcp_token"]),
        [call("read_annotation", id=annotation), call("acknowledge", id=annotation),
         call("list_annotations")],
    )  # fmt: skip
    results = connected(client, out)

    assert "not found" in refused(results[0]).lower()
    assert "not found" in refused(results[1]).lower()
    assert annotation not in [a["id"] for a in ok(results[2])["items"]]


def test_greatfeedback_unknown_token_is_refused(live, client):
    out = drive(client, gf_url(live, "gfmcp_" + "0" * 48), [{"op": "list_tools"}])

    assert "connect_error" in out


# --- both: the agent report tools ---------------------------------------------------------------
def test_submit_report_on_both_servers_is_a_writeback_report_seen_through_rest(live, client):
    name = f"list_feedback-{client[0]}"
    url, headers = minolith(live)
    first = connected(client, drive(client, url, [call(
        "submit_report", outcome="confusing", details="list_feedback ignored my tag filter",
        tool_name=name, source=AGENT)], headers))  # fmt: skip
    second = connected(client, drive(client, gf_url(live), [call(
        "submit_report", outcome="success", details="resolved an annotation",
        tool_name=name), call("check_report_replies", limit=5)]))  # fmt: skip
    ok(first[0])
    ok(second[0])
    assert set(ok(second[1])) == {"replies", "has_more", "untrusted_content"}

    status, body = rest(
        live,
        f"/v1/dashboard/{live.credentials['project_id']}/reports?tool_name={name}",
        live.credentials["api_key"],
    )
    assert status == 200, body
    assert sorted(r["outcome"] for r in body["reports"]) == ["confusing", "success"]


# --- last: revocation and rotation change what later tests would see -------------------------
def test_zz_a_revoked_key_and_a_rotated_token_stop_at_once(live):
    clients = {name: make_client(name) for name in CLIENTS}
    old_token = live.credentials["mcp_token"]
    manage(live.var_dir, "shell", "-c", ROTATE_AND_REVOKE)
    [(new_token,)] = live.query(
        "SELECT mcp_token FROM projects_project WHERE id = ?", (live.credentials["project_id"],)
    )
    assert new_token != old_token

    for client in clients.values():
        assert "connect_error" in drive(client, gf_url(live, old_token), [{"op": "list_tools"}])
        assert connected(client, drive(client, gf_url(live, new_token), [{"op": "list_tools"}]))
        url, headers = minolith(live)
        assert "connect_error" in drive(client, url, [{"op": "list_tools"}], headers)


ROTATE_AND_REVOKE = """
from accounts.audit import Actor
from accounts.models import ApiToken, TokenFamily, User
from accounts.services import api_token_revoke
from projects.models import Project
from projects.services import project_rotate_mcp_token
user = User.objects.get(email="owner@example.com")
actor = Actor.for_user(user)
project = Project.objects.get(workspace__memberships__user=user)
project_rotate_mcp_token(project=project, actor=actor)
for token in ApiToken.objects.filter(project=project, family=TokenFamily.MINOLITH):
    api_token_revoke(token=token, actor=actor)
"""
