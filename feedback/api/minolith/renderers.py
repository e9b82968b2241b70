"""``Accept: text/markdown``: every Minolith feedback response as readable markdown.

DRF's content negotiation picks this renderer from the Accept header, so views return the
same data either way and errors (rendered by the one exception handler) come out in
markdown too. User text must not change the document's structure: free text (bodies) goes
in a fenced block longer than any backtick run inside it, short values in code spans, and
the rest (titles, names, messages) is escaped character by character (backslash escapes,
valid in CommonMark for any ASCII punctuation, on every character with a markdown meaning,
and entities for ``<`` and ``&``), so no heading, link, HTML tag or table can be injected.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from rest_framework.renderers import BaseRenderer

from config.markdown import code, escape, fenced


def _or_none(value: Any, render: Any = code) -> str:
    return render(value) if value not in (None, "", []) else "_none_"


def item_block(item: Mapping[str, Any], heading: str = "##") -> str:
    title = escape(item["title"]) if item.get("title") else "_(untitled)_"
    tags = ", ".join(code(t) for t in item.get("tags") or []) or "_none_"
    submitter = []
    if item.get("user_name"):
        submitter.append(escape(item["user_name"]))
    if item.get("user_email"):
        submitter.append(code(item["user_email"]))
    if item.get("user_id_external"):
        submitter.append(f"external ID {code(item['user_id_external'])}")
    lines = [
        f"{heading} {title}",
        "",
        f"- **ID:** {code(item['id'])}",
        f"- **Type:** {item['type']}",
        f"- **Status:** {item['status']}",
        f"- **Priority:** {item['priority'] or '_none_'}",
        f"- **Source:** {item['source']}",
        f"- **Tags:** {tags}",
        f"- **Page URL:** {_or_none(item.get('page_url'))}",
        f"- **Submitted by:** {', '.join(submitter) if submitter else '_not given_'}",
        f"- **Created:** {item['created_at']} UTC",
        f"- **Updated:** {item['updated_at']} UTC",
        "",
        fenced(item["body"]),
    ]
    notes = item.get("notes")
    if notes is not None:
        lines += ["", f"{heading}# Notes ({len(notes)})"]
        if not notes:
            lines += ["", "_No notes yet._"]
        for note in notes:
            lines += ["", note_block(note, heading=f"{heading}##")]
    return "\n".join(lines)


def note_block(note: Mapping[str, Any], heading: str = "##") -> str:
    return "\n".join(
        [
            f"{heading} Note {code(note['id'])} · {note['created_at']} UTC",
            "",
            f"- **Item:** {code(note['item_id'])}",
            "",
            fenced(note["body"]),
        ]
    )


def list_document(items: list[Mapping[str, Any]], pagination: Mapping[str, Any]) -> str:
    count = len(items)
    lines = [
        "# Feedback items",
        "",
        f"{count} item{'s' if count != 1 else ''} on this page · limit {pagination['limit']}"
        f" · more: {'yes' if pagination['has_more'] else 'no'}",
    ]
    if not items:
        lines += ["", "_No feedback items match._"]
    for index, item in enumerate(items, start=1):
        block = item_block(item, heading="##")
        block = block.replace("## ", f"## {index}. ", 1)
        lines += ["", "---", "", block]
    lines += ["", "---", ""]
    if pagination.get("next_cursor"):
        lines.append(f"**Next page:** pass `cursor={pagination['next_cursor']}`")
    else:
        lines.append("_This is the last page._")
    return "\n".join(lines)


def error_document(error: Mapping[str, Any], status: int) -> str:
    return "\n".join(
        [
            f"# Error: {escape(error.get('code', 'error'))}",
            "",
            escape(error.get("message", "")),
            "",
            f"- **HTTP status:** {status}",
            f"- **Docs:** {code(error.get('docs', ''))}",
        ]
    )


def document(data: Any, *, status: int, method: str) -> str:
    """The markdown for one response body, chosen by its shape."""
    if isinstance(data, Mapping) and isinstance(data.get("error"), Mapping):
        return error_document(data["error"], status)
    payload = data.get("data") if isinstance(data, Mapping) else None
    if isinstance(payload, list) and isinstance(data.get("pagination"), Mapping):
        return list_document(payload, data["pagination"])
    if isinstance(payload, Mapping) and "item_id" in payload:
        return "# Note added\n\n" + note_block(payload, heading="##")
    if isinstance(payload, Mapping) and "status" in payload:
        if status == 201:
            title = "# Feedback item created"
        elif method == "PUT":
            title = "# Feedback item updated"
        else:
            title = "# Feedback item"
        return f"{title}\n\n" + item_block(payload, heading="##")
    return "# Response\n\n" + fenced(json.dumps(data, indent=2, ensure_ascii=False), "json")


class MinolithMarkdownRenderer(BaseRenderer):
    media_type = "text/markdown"
    format = "md"
    charset = "utf-8"

    def render(
        self,
        data: Any,
        accepted_media_type: str | None = None,
        renderer_context: Mapping[str, Any] | None = None,
    ) -> bytes:
        if data is None:
            return b""
        context = renderer_context or {}
        response = context.get("response")
        request = context.get("request")
        status = getattr(response, "status_code", 200)
        method = getattr(request, "method", "GET")
        return (document(data, status=status, method=method) + "\n").encode("utf-8")
