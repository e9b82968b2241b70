"""The snippets the dashboard shows are the docs' examples: projects.snippets rendered with
the docs' shell variables must stand verbatim in docs/api/*.md, so changing one without the
other fails here."""

from __future__ import annotations

import shlex
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from projects import snippets
from projects.snippets import Var

DOCS = Path(__file__).resolve().parents[2] / "docs" / "api"
BASE = Var("BASE")
MAKE_RUN = "http://127.0.0.1:8000"

V = Var
# key: (doc, function, its values besides base_url=$BASE)
DOCUMENTED: dict[str, tuple[str, Callable[..., str], dict[str, Any]]] = {
    "widget": ("minolith.md", snippets.widget_embed, {"slug": "demo-project"}),
    "annotate": (
        "greatfeedback.md",
        snippets.annotate_embed,
        {"site_id": V("SITE_ID"), "widget_token": V("WIDGET_TOKEN")},
    ),
    "writeback": ("writeback.md", snippets.writeback_report_curl, {"ingest_key": V("INGEST_KEY")}),
    "writeback-read": (
        "writeback.md",
        snippets.writeback_reports_read_curl,
        {"project_id": V("PROJECT_ID"), "api_key": V("API_KEY")},
    ),
    "minolith": ("minolith.md", snippets.minolith_item_curl, {"project_key": V("MLTH_KEY")}),
    "fluister": (
        "fluister.md",
        snippets.fluister_feedback_curl,
        {"project_key": V("API_KEY"), "project_id": V("PROJECT_ID")},
    ),
    "greatfeedback": (
        "greatfeedback.md",
        snippets.greatfeedback_sites_curl,
        {"token": V("GFAT_TOKEN")},
    ),
    "mcp": ("greatfeedback.md", snippets.mcp_add_command, {"mcp_token": V("MCP_TOKEN")}),
}


@pytest.mark.parametrize("key", sorted(DOCUMENTED))
def test_snippet_stands_verbatim_in_the_docs(key):
    doc, render, values = DOCUMENTED[key]
    # HTML has no shell to expand $BASE: the widget embeds show make run's address.
    text = render(base_url=MAKE_RUN if key in ("widget", "annotate") else BASE, **values)
    assert text in (DOCS / doc).read_text(encoding="utf-8"), f"{key} drifted from {doc}"


def test_every_project_page_snippet_is_documented(project):
    shown = snippets.project_snippets(base_url=MAKE_RUN, project=project, ingest_key=None)
    assert {s.key for s in shown} | {"mcp"} == set(DOCUMENTED)


def test_a_var_in_a_json_body_is_expanded_by_the_shell():
    text = snippets.writeback_report_curl(base_url=BASE, ingest_key=Var("INGEST_KEY"))
    assert '"ingest_key": "\'"$INGEST_KEY"\'",' in text


def test_a_quote_in_a_value_stays_one_shell_word():
    text = snippets.writeback_report_curl(base_url="http://x", ingest_key="wk_it's")
    words = shlex.split(text.replace("\\\n", " "))
    assert words[-1].startswith("{")
    assert '"ingest_key": "wk_it\'s"' in words[-1]
