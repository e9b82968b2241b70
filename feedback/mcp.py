"""Minolith's MCP tools (the document's "MCP Tools", docs/mcp.md), served at ``/mcp`` for a
``mlth_`` project key.

Each tool is the REST endpoint it mirrors, through the same validation
(``api.minolith.serializers``), selectors and services: the same rules, the same messages,
the same audit rows. Differences, all from the document or the channel: items created here
have source ``mcp`` (and cost a credit like any item; at the cap the 402's message becomes a
tool error); the ``X-Minolith-Agent`` name travels on the caller's ``Actor`` into the item,
the note and every audit row; and text that end users wrote comes back inside the response's
untrusted-content boundary (``config.untrusted``).
"""

from __future__ import annotations

from typing import Any, cast

from django.http import QueryDict

from accounts.caller import Caller
from accounts.models import Role
from config.api.errors import ApiError, ErrorCode
from config.mcp.transport import Call, Tool, ToolError
from config.untrusted import Boundary
from feedback import errors, selectors, services
from feedback.api.minolith import serializers as s
from feedback.filters import ItemFilterSet
from feedback.models import Item, ItemPriority, ItemSource, ItemStatus, ItemType
from projects.models import Project

LIST_DEFAULT, LIST_MAX = 20, 100
ID_DESCRIPTION = "Feedback item ID (fbk_xxxxxxxx)."

SUBMIT_SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {
        "body": {"type": "string", "description": "The feedback content. Max 50,000 characters."},
        "title": {"type": "string", "description": "Short summary. Max 500 characters."},
        "type": {
            "type": "string",
            "enum": ItemType.values,
            "description": "Type of feedback. Defaults to feedback.",
        },
        "tags": {
            "type": "array",
            "items": {"type": "string"},
            "description": "Array of tags. Max 10 tags.",
        },
        "page_url": {
            "type": "string",
            "description": "URL of the page where the feedback originated.",
        },
        "user_email": {
            "type": "string",
            "description": "Email of the person submitting feedback.",
        },
        "user_name": {"type": "string", "description": "Name of the person submitting feedback."},
        "user_id_external": {
            "type": "string",
            "description": "Your application's user ID for the submitter.",
        },
    },
    "required": ["body"],
}
LIST_SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {
        "status": {
            "type": "string",
            "enum": ItemStatus.values,
            "description": "Filter by status.",
        },
        "type": {
            "type": "string",
            "description": "Filter by type. Comma-separated for multiple: 'bug,idea'.",
        },
        "priority": {
            "type": "string",
            "description": "Filter by priority. Comma-separated for multiple: 'high,urgent'.",
        },
        "tags": {
            "type": "string",
            "description": "Filter by tags. Comma-separated: 'performance,search'.",
        },
        "user_email": {
            "type": "string",
            "description": "Filter by submitter email (exact match).",
        },
        "limit": {"type": "integer", "description": "Max items to return (1-100, default 20)."},
    },
    "required": [],
}
GET_SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {"id": {"type": "string", "description": ID_DESCRIPTION}},
    "required": ["id"],
}
UPDATE_SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {
        "id": {"type": "string", "description": ID_DESCRIPTION},
        "status": {
            "type": "string",
            "enum": ItemStatus.values,
            "description": "New status for the item.",
        },
        "priority": {
            "type": "string",
            "enum": ItemPriority.values,
            "description": "New priority for the item.",
        },
        "tags": {
            "type": "array",
            "items": {"type": "string"},
            "description": "Replace all tags on the item.",
        },
    },
    "required": ["id"],
}
NOTE_SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {
        "id": {"type": "string", "description": ID_DESCRIPTION},
        "body": {"type": "string", "description": "Note content. Max 50,000 characters."},
    },
    "required": ["id", "body"],
}


# --- helpers --------------------------------------------------------------------------------
def _caller(call: Call) -> Caller:
    caller: Caller = call.context
    if caller.project is None:
        raise ToolError("This API key is not bound to a project.")
    return caller


def _writer(call: Call) -> Caller:
    caller = _caller(call)
    if not caller.has_role(Role.MEMBER):
        raise ApiError(ErrorCode.INSUFFICIENT_ROLE, "Insufficient role", 403)
    return caller


def _item(caller: Caller, item_id: str) -> Item:
    queryset = selectors.item_queryset(workspace=caller.workspace, project=caller.project)
    item = selectors.item_get(queryset=queryset, item_id=item_id)
    if item is None:
        raise errors.ItemNotFound(item_id)
    return item


def _guard_item(out: dict[str, Any], boundary: Boundary, path: str) -> dict[str, Any]:
    """Wrap what end users wrote (title, body, name) in the response's boundary."""
    provenance = {
        "channel": out["source"],
        "submitter": "end user" if out["source"] == ItemSource.WIDGET else "api client",
        "created_at": out["created_at"],
    }
    for name in ("title", "body", "user_name"):
        out[name] = boundary.wrap(out[name], field_path=f"{path}.{name}", provenance=provenance)
    for i, note in enumerate(out.get("notes") or []):
        note["body"] = boundary.wrap(
            note["body"],
            field_path=f"{path}.notes[{i}].body",
            provenance={"channel": "note", "created_at": note["created_at"]},
        )
    return out


def _answer(key: str, value: Any, boundary: Boundary) -> dict[str, Any]:
    return {key: value, "untrusted_content": boundary.summary()}


# --- tools ----------------------------------------------------------------------------------
def submit_feedback(call: Call, args: dict[str, Any]) -> dict[str, Any]:
    caller = _writer(call)
    data = s.validate_item_create(args)
    item = services.item_create(
        project=cast(Project, caller.project),  # _caller refused a key without one
        actor=caller.actor,
        source=ItemSource.MCP,
        **data,
    )
    boundary = Boundary()
    return _answer("data", _guard_item(s.item_out(s.item_row(item)), boundary, "data"), boundary)


def list_feedback(call: Call, args: dict[str, Any]) -> dict[str, Any]:
    caller = _caller(call)
    limit = args.pop("limit", LIST_DEFAULT)
    if not 1 <= limit <= LIST_MAX:
        raise ToolError(f"limit must be between 1 and {LIST_MAX}.")
    params = QueryDict(mutable=True)
    params.update({k: str(v) for k, v in args.items()})
    queryset = selectors.item_queryset(workspace=caller.workspace, project=caller.project)
    filterset = ItemFilterSet(params, queryset=queryset)
    if not filterset.is_valid():
        error = filterset.first_error()
        raise ToolError(error.message if error else "Invalid filters.")
    rows = list(filterset.qs.order_by("-created_at", "-id").values(*s.ITEM_FIELDS)[: limit + 1])
    boundary = Boundary()
    items = [
        _guard_item(s.item_out(row), boundary, f"data[{i}]") for i, row in enumerate(rows[:limit])
    ]
    return {**_answer("data", items, boundary), "has_more": len(rows) > limit}


def get_feedback_item(call: Call, args: dict[str, Any]) -> dict[str, Any]:
    caller = _caller(call)
    item = _item(caller, args["id"])
    boundary = Boundary()
    detail = s.item_detail_out(item, selectors.note_rows(item=item))
    return _answer("data", _guard_item(detail, boundary, "data"), boundary)


def update_feedback_status(call: Call, args: dict[str, Any]) -> dict[str, Any]:
    caller = _writer(call)
    item = _item(caller, args.pop("id"))
    changes = s.validate_item_update(args, item=item)
    if not changes:
        raise ToolError("Nothing to update: pass status, priority and/or tags.")
    item = services.item_update(item=item, actor=caller.actor, **changes)
    boundary = Boundary()
    return _answer("data", _guard_item(s.item_out(s.item_row(item)), boundary, "data"), boundary)


def add_feedback_note(call: Call, args: dict[str, Any]) -> dict[str, Any]:
    caller = _writer(call)
    item = _item(caller, args["id"])
    data = s.validate_note({"body": args["body"]})
    note = services.note_add(item=item, actor=caller.actor, **data)
    return {"data": s.note_out(note)}


TOOLS = [
    Tool(
        "submit_feedback",
        "Submit a new feedback item. Costs 1 credit.",
        SUBMIT_SCHEMA,
        submit_feedback,
    ),
    Tool(
        "list_feedback",
        "List feedback items with optional filters.",
        LIST_SCHEMA,
        list_feedback,
        read_only=True,
    ),
    Tool(
        "get_feedback_item",
        "Get a single feedback item with its notes.",
        GET_SCHEMA,
        get_feedback_item,
        read_only=True,
    ),
    Tool(
        "update_feedback_status",
        "Update the status and/or priority of a feedback item.",
        UPDATE_SCHEMA,
        update_feedback_status,
    ),
    Tool(
        "add_feedback_note",
        "Add an internal note to a feedback item.",
        NOTE_SCHEMA,
        add_feedback_note,
    ),
]
