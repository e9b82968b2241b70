"""The agent-report tool both MCP servers offer (docs/mcp.md): ``submit_report`` stores a
Writeback report for the caller's project, so an agent can say how a tool went without
leaving MCP. Same validation (``ReportInput``) and writer (``report_create``) as
``POST /v1/reports``; the ingest key is not needed because the MCP credential already names
the project."""

from __future__ import annotations

from typing import Any

from config.mcp.transport import Call, Tool, ToolError
from reports import services
from reports.api.writeback.serializers import ReportInput, report_out
from reports.models import Outcome


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
]
