"""The agent-report tools both MCP servers offer (docs/mcp.md): ``submit_report`` stores a
Writeback report for the caller's project, so an agent can say how a tool went without
leaving MCP. Same validation (``ReportInput``) and writer (``report_create``) as
``POST /v1/reports``; the ingest key is not needed because the MCP credential already names
the project. ``check_report_replies`` reads back what the team answered on the dashboard
(``ReportReply``), so an agent learns that its report was fixed, declined or needs more."""

from __future__ import annotations

from datetime import UTC
from typing import Any

from django.utils.dateparse import parse_datetime

from config.mcp.transport import Call, Tool, ToolError
from config.untrusted import Boundary
from reports import selectors, services
from reports.api.writeback.serializers import ReportInput, report_out
from reports.models import Outcome, ReplyStatus

REPLIES_DEFAULT, REPLIES_MAX = 20, 50
DETAILS_EXCERPT = 300


def submit_report(call: Call, args: dict[str, Any]) -> dict[str, Any]:
    project = call.context.project
    if project is None:
        raise ToolError("This API key is not bound to a project.")
    data = ReportInput(data=args)
    if not data.is_valid():
        messages = next(iter(data.errors.values()))
        raise ToolError(str(messages[0]) if isinstance(messages, list) else str(messages))
    report = services.report_create(project_id=project.pk, **data.validated_data)
    row = {f: getattr(report, f) for f in ("id", "outcome", "tool_name", "source", "details")}
    return {"report": report_out({**row, "created_at": report.created_at})}


def check_report_replies(call: Call, args: dict[str, Any]) -> dict[str, Any]:
    project = call.context.project
    if project is None:
        raise ToolError("This API key is not bound to a project.")
    limit = args.get("limit", REPLIES_DEFAULT)
    if not 1 <= limit <= REPLIES_MAX:
        raise ToolError(f"limit must be between 1 and {REPLIES_MAX}.")
    since = None
    if "since" in args:
        since = parse_datetime(args["since"])
        if since is None:
            raise ToolError("since must be an ISO 8601 timestamp, e.g. 2026-12-05T09:00:00Z.")
        if since.tzinfo is None:
            since = since.replace(tzinfo=UTC)
    rows = selectors.report_replies(
        project=project, since=since, source=args.get("source", ""), limit=limit
    )
    # The report's details were written by whoever holds the ingest key (or an agent through
    # this tool): not the team, so they come back inside the boundary like visitor text.
    boundary = Boundary()
    replies = []
    for i, reply in enumerate(rows[:limit]):
        report = reply.report
        details = report.details
        if len(details) > DETAILS_EXCERPT:
            details = details[:DETAILS_EXCERPT] + "…"
        replies.append(
            {
                "report_id": report.pk,
                "outcome": report.outcome,
                "tool_name": report.tool_name or None,
                "source": report.source or None,
                "reported_at": report.created_at.isoformat().replace("+00:00", "Z"),
                "details_excerpt": boundary.wrap(
                    details,
                    field_path=f"replies[{i}].details_excerpt",
                    provenance={"channel": "writeback report", "source": report.source or None},
                ),
                "status": reply.status,
                "reply": reply.body or None,
                "replied_at": reply.replied_at.isoformat().replace("+00:00", "Z"),
            }
        )
    return {
        "replies": replies,
        "has_more": len(rows) > limit,
        "untrusted_content": boundary.summary(),
    }


REPORT_TOOLS = [
    Tool(
        "submit_report",
        "Report how a tool or workflow went for you (success, failure, confusing, gave_up, "
        "request), so the team can fix what trips agents up. Report after a failure, after "
        "anything confusing, and when you give up; a short success note helps too.",
        {
            "type": "object",
            "properties": {
                "outcome": {"type": "string", "enum": Outcome.values},
                "details": {
                    "type": "string",
                    "description": "What you tried and what happened (max 50,000 characters).",
                },
                "tool_name": {"type": "string", "description": "The tool or feature involved."},
                "source": {"type": "string", "description": "Who you are, e.g. claude-code."},
            },
            "required": ["outcome", "details"],
            "additionalProperties": False,
        },
        submit_report,
    ),
    Tool(
        "check_report_replies",
        "What the team answered to this project's agent reports, newest answer first: each "
        f"with its status ({', '.join(ReplyStatus.values)}) and reply text. Check it at the "
        "start of a session to learn which problems you reported were fixed or need more "
        "information.",
        {
            "type": "object",
            "properties": {
                "since": {
                    "type": "string",
                    "description": "Only answers given at or after this ISO 8601 timestamp.",
                },
                "source": {
                    "type": "string",
                    "description": "Only answers to reports filed with this source (the "
                    "source you gave submit_report, e.g. claude-code).",
                },
                "limit": {
                    "type": "integer",
                    "description": f"1-{REPLIES_MAX}, default {REPLIES_DEFAULT}.",
                },
            },
            "required": [],
            "additionalProperties": False,
        },
        check_report_replies,
        read_only=True,
    ),
]
