"""The annotation page (dashboard): what the widget captured, the thread, the resolutions,
escaping, a fixed number of queries, and cross-workspace 404s."""

from __future__ import annotations

import pytest

from tests.annotations.factories import (
    AnnotationFactory,
    ReplyFactory,
    ResolutionFactory,
)
from tests.dashboard.helpers import signed_in

HOSTILE = "<script>alert('x')</script>"


def page(workspace, annotation) -> str:
    return f"/w/{workspace.pk}/annotations/{annotation.pk}/"


@pytest.fixture
def annotation(project):
    return AnnotationFactory.create(
        project=project,
        body="The Pay button is grey on white",
        element={
            "tag": "button",
            "text": "Pay now",
            "id": "pay-now",
            "classes": ["btn", "btn-primary"],
            "rect": {"x": 341.5, "y": 192, "width": 136.6, "height": 76.8},
        },
        viewport={
            "width": 1366,
            "height": 768,
            "device_pixel_ratio": 2,
            "scroll_x": 0,
            "scroll_y": 120,
        },
        styles={"color": "rgb(119, 119, 119)", "font-size": "14px"},
    )


def html_of(response) -> str:
    assert response.status_code == 200, response.content[:800]
    return response.content.decode()


# --- Reading ---------------------------------------------------------------------------------
@pytest.mark.parametrize("persona", ["member", "guest"])
def test_annotation_page_shows_what_the_widget_captured(request, persona, workspace, annotation):
    html = html_of(signed_in(request.getfixturevalue(persona)).get(page(workspace, annotation)))

    assert "The Pay button is grey on white" in html
    assert "https://shop.example.com/checkout" in html
    assert '<code id="selector"' in html
    assert 'data-copy="#selector"' in html  # the selector's copy button
    element = html[html.index('id="element-table"') :]
    assert "<code>tag</code></th><td" in element
    assert "btn btn-primary" in element
    assert "rgb(119, 119, 119)" in html[html.index('id="styles-table"') :]
    viewport = html[html.index('id="viewport-table"') :]
    assert "<code>device_pixel_ratio</code>" in viewport
    assert "1366" in viewport


def test_annotation_of_another_workspace_is_404(member, workspace, other_project):
    theirs = AnnotationFactory.create(project=other_project)

    assert signed_in(member).get(page(workspace, theirs)).status_code == 404


def test_annotation_page_for_an_outsider_is_404(outsider, workspace, annotation):
    assert signed_in(outsider).get(page(workspace, annotation)).status_code == 404


def test_malformed_annotation_id_is_404(member, workspace):
    assert signed_in(member).get(f"/w/{workspace.pk}/annotations/nothex/").status_code == 404


# --- Thread ----------------------------------------------------------------------------------
def test_submitted_and_replied_script_renders_escaped(member, workspace, project):
    annotation = AnnotationFactory.create(
        project=project,
        body=HOSTILE,
        selector=HOSTILE,
        page_url="javascript:alert(1)",
        element={"tag": HOSTILE, "text": HOSTILE},
        styles={"color": HOSTILE},
        submitter_name=HOSTILE,
    )
    ReplyFactory.create(annotation=annotation, body=HOSTILE, author_name=HOSTILE)
    ResolutionFactory.create(annotation=annotation, explanation=HOSTILE, diff_url=HOSTILE)

    html = html_of(signed_in(member).get(page(workspace, annotation)))

    assert "<script>alert(" not in html
    assert html.count("&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;") >= 8
    assert 'href="javascript:' not in html


def test_annotation_page_runs_a_fixed_number_of_queries(
    member, workspace, project, annotation, django_assert_max_num_queries
):
    for i in range(5):
        ReplyFactory.create(annotation=annotation, body=f"reply {i}")
        ResolutionFactory.create(annotation=annotation)
    client = signed_in(member)
    client.get(page(workspace, annotation))  # warm the session

    with django_assert_max_num_queries(25) as captured:
        html_of(client.get(page(workspace, annotation)))
    few = len(captured)

    for i in range(20):
        ReplyFactory.create(annotation=annotation, body=f"more {i}")
        ResolutionFactory.create(annotation=annotation)
    with django_assert_max_num_queries(few) as captured:
        html_of(client.get(page(workspace, annotation)))
