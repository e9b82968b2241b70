"""Copy-ready snippets: the widget embed, one curl line per API family, the MCP line.

One module for the project page, the reports page and docs/api/*.md. Every value may be a
``Var``: the docs render the same functions with shell variables (``$BASE``,
``$INGEST_KEY``), and tests/projects/test_project_snippets_docs.py checks that each result
stands verbatim in the docs, so neither can change without the other.
"""

from __future__ import annotations

import json
import shlex
from dataclasses import dataclass
from typing import Any

from projects.models import Project


@dataclass(frozen=True)
class Var:
    """A shell variable in place of a value (``$NAME``), for the docs' runnable examples."""

    name: str

    def __str__(self) -> str:
        return f"${self.name}"


Value = str | Var


@dataclass(frozen=True)
class Snippet:
    key: str
    title: str
    text: str
    note: str = ""


# Placeholders for keys whose plaintext no longer exists once minted (hash-only).
INGEST_KEY_PLACEHOLDER = "wk_your_ingest_key"
API_KEY_PLACEHOLDER = "wk_sk_your_api_key"
PROJECT_KEY_PLACEHOLDER = "mlth_your_project_key"
GFAT_PLACEHOLDER = "gfat_your_token"
# The widget token is an OWNER secret (the Secrets page reveals it, audited), so the project
# page shows this; the revealed secrets show the same line with the real token.
WIDGET_TOKEN_PLACEHOLDER = "gfwt_your_widget_token"


def _body(data: dict[str, Any]) -> str:
    """``-d '<json>'`` as in the docs (one field a line, closing brace under ``-d``). A
    ``Var`` leaves the single quotes so the shell expands it: ``"'"$INGEST_KEY"'"``."""
    marks = {f"@@{v.name}@@": v for v in data.values() if isinstance(v, Var)}
    plain = {k: f"@@{v.name}@@" if isinstance(v, Var) else v for k, v in data.items()}
    fields = ",\n".join(
        f"    {json.dumps(k)}: {json.dumps(v, ensure_ascii=False)}" for k, v in plain.items()
    )
    text = shlex.quote("{\n" + fields + "\n  }")
    for mark, var in marks.items():
        text = text.replace(mark, f"'\"{var}\"'")
    return f"  -d {text}"


def _curl(method: str, url: str, *, key: Value | None = None, data: dict[str, Any]) -> str:
    lines = [f"curl -X {method} {url}"]
    if key is not None:
        lines.append(f'  -H "Authorization: Bearer {key}"')
    lines.append('  -H "Content-Type: application/json"')
    lines.append(_body(data))
    return " \\\n".join(lines)


def widget_embed(*, base_url: Value, slug: Value) -> str:
    return f'<script src="{base_url}/widget/feedback.js" data-project="{slug}"></script>'


def annotate_embed(*, base_url: Value, site_id: Value, widget_token: Value) -> str:
    """The greatfeedback annotation widget (``/widget/annotate.js``) for one site."""
    return (
        f'<script src="{base_url}/widget/annotate.js" data-site="{site_id}" '
        f'data-token="{widget_token}"></script>'
    )


def writeback_report_curl(*, base_url: Value, ingest_key: Value) -> str:
    """Writeback ``POST /v1/reports`` with the ingest key in the body."""
    return _curl(
        "POST",
        f"{base_url}/v1/reports",
        data={
            "ingest_key": ingest_key,
            "outcome": "confusing",
            "tool_name": "search_index",
            "details": "Parameter name in docs says query but the actual field name is q. "
            "Got a 400 until I guessed correctly.",
        },
    )


def writeback_reports_read_curl(*, base_url: Value, project_id: Value, api_key: Value) -> str:
    return (
        f'curl "{base_url}/v1/dashboard/{project_id}/reports" -H "Authorization: Bearer {api_key}"'
    )


def minolith_item_curl(*, base_url: Value, project_key: Value) -> str:
    return _curl(
        "POST",
        f"{base_url}/v1/feedback/items",
        key=project_key,
        data={"body": "The export button does nothing", "type": "bug"},
    )


def fluister_feedback_curl(*, base_url: Value, project_key: Value, project_id: Value) -> str:
    return _curl(
        "POST",
        f"{base_url}/v1/feedback",
        key=project_key,
        data={
            "projectId": project_id,
            "text": "De login knop werkt niet op mobiel",
            "page": "/login",
            "userEmail": "user@example.com",
        },
    )


def greatfeedback_sites_curl(*, base_url: Value, token: Value) -> str:
    return f'curl {base_url}/api/v1/sites -H "Authorization: Bearer {token}"'


def mcp_add_command(*, base_url: Value, mcp_token: Value) -> str:
    """The line that connects Claude Code to a site's MCP server."""
    return f"claude mcp add greatfeedback {base_url}/mcp/{mcp_token}"


def project_snippets(*, base_url: str, project: Project, ingest_key: str | None) -> list[Snippet]:
    """The project page's snippets; ``ingest_key`` None (guests) shows a placeholder. API keys
    are always placeholders: only their digest is stored."""
    return [
        Snippet(
            "widget",
            "Minolith feedback widget",
            widget_embed(base_url=base_url, slug=project.slug),
            "Paste before </body>. Submissions go to the public endpoint of this project's slug.",
        ),
        Snippet(
            "annotate",
            "greatfeedback annotation widget",
            annotate_embed(
                base_url=base_url, site_id=project.pk, widget_token=WIDGET_TOKEN_PLACEHOLDER
            ),
            "Paste before </body>. Visitors pick an element and comment on it; the widget "
            "token is on the Secrets page (owner).",
        ),
        Snippet(
            "writeback",
            "Writeback: an agent reports an outcome (ingest key)",
            writeback_report_curl(
                base_url=base_url, ingest_key=ingest_key or INGEST_KEY_PLACEHOLDER
            ),
        ),
        Snippet(
            "writeback-read",
            "Writeback: read this project's reports (wk_sk_ API key)",
            writeback_reports_read_curl(
                base_url=base_url, project_id=project.pk, api_key=API_KEY_PLACEHOLDER
            ),
        ),
        Snippet(
            "minolith",
            "Minolith: create a feedback item (mlth_ project key)",
            minolith_item_curl(base_url=base_url, project_key=PROJECT_KEY_PLACEHOLDER),
        ),
        Snippet(
            "fluister",
            "Fluister: send feedback (mlth_ project key + projectId)",
            fluister_feedback_curl(
                base_url=base_url, project_key=PROJECT_KEY_PLACEHOLDER, project_id=project.pk
            ),
        ),
        Snippet(
            "greatfeedback",
            "greatfeedback: list sites (gfat_ API token)",
            greatfeedback_sites_curl(base_url=base_url, token=GFAT_PLACEHOLDER),
            "Mint a gfat_ token under API tokens.",
        ),
    ]
