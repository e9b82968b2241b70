"""The annotations inbox (dashboard): every site of the workspace or one site's, the site
filter, newest first, keyset pages, counts per status, who may read it, and escaping of what
visitors wrote."""

import re
from datetime import UTC, datetime, timedelta

import pytest
from django.test import Client

from tests.annotations.factories import AnnotationFactory
from tests.dashboard.helpers import signed_in
from tests.factories import ProjectFactory

BASE = datetime(2026, 3, 17, 12, 0, tzinfo=UTC)


def at(minutes: int) -> datetime:
    return BASE + timedelta(minutes=minutes)


def inbox(workspace, query: str = "") -> str:
    return f"/w/{workspace.pk}/annotations/{query}"


def site_inbox(workspace, project, query: str = "") -> str:
    return f"/w/{workspace.pk}/projects/{project.pk}/annotations/{query}"


def listed(response) -> list[str]:
    """The annotation ids on the page, in page order."""
    assert response.status_code == 200, response.content[:800]
    return re.findall(r'id="annotation-([0-9a-f]{32})"', response.content.decode())


def tab(label: str, count: int) -> str:
    return f'{label} <span class="count">{count}</span></a>'


@pytest.fixture
def second_site(workspace):
    return ProjectFactory.create(workspace=workspace, name="Backoffice", slug="backoffice")


@pytest.fixture
def annotations(project, second_site):
    return {
        "new_bug": AnnotationFactory.create(
            project=project, kind="bug", status="new", created_at=at(0)
        ),
        "ack_idea": AnnotationFactory.create(
            project=project, kind="idea", status="ack", auto_fix=True, created_at=at(10)
        ),
        "resolved": AnnotationFactory.create(
            project=project, kind="comment", status="resolved", created_at=at(20)
        ),
        "other_site": AnnotationFactory.create(
            project=second_site, kind="bug", status="new", created_at=at(30)
        ),
    }


# --- Who may read ----------------------------------------------------------------------------
@pytest.mark.parametrize("persona", ["member", "guest"])
def test_inbox_lists_every_site_newest_first_for_members_and_guests(
    request, persona, workspace, annotations
):
    response = signed_in(request.getfixturevalue(persona)).get(inbox(workspace))

    assert listed(response) == [
        annotations[k].pk for k in ("other_site", "resolved", "ack_idea", "new_bug")
    ]


def test_inbox_of_another_workspace_is_404(outsider, workspace, annotations):
    assert signed_in(outsider).get(inbox(workspace)).status_code == 404


def test_inbox_signed_out_goes_to_sign_in(workspace):
    response = Client().get(inbox(workspace))
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_outsider_annotations_never_appear_in_the_inbox(
    owner, workspace, annotations, other_project
):
    theirs = AnnotationFactory.create(project=other_project, created_at=at(99))

    ids = listed(signed_in(owner).get(inbox(workspace)))

    assert theirs.pk not in ids
    assert len(ids) == 4


def test_site_inbox_shows_only_that_site(member, workspace, project, annotations):
    ids = listed(signed_in(member).get(site_inbox(workspace, project)))

    assert ids == [annotations[k].pk for k in ("resolved", "ack_idea", "new_bug")]


def test_site_inbox_of_another_workspaces_site_is_404(member, workspace, other_project):
    response = signed_in(member).get(site_inbox(workspace, other_project))
    assert response.status_code == 404


# --- Filters ---------------------------------------------------------------------------------
def test_inbox_site_filter_narrows_to_one_site(owner, workspace, second_site, annotations):
    ids = listed(signed_in(owner).get(inbox(workspace, f"?site={second_site.pk}")))
    assert ids == [annotations["other_site"].pk]


def test_inbox_site_filter_with_another_workspaces_site_is_ignored_with_a_message(
    owner, workspace, annotations, other_project
):
    response = signed_in(owner).get(inbox(workspace, f"?site={other_project.pk}"))

    assert len(listed(response)) == 4
    assert "no such site in this workspace" in response.content.decode()


def test_inbox_counts_every_status_with_no_filter(owner, workspace, annotations):
    html = signed_in(owner).get(inbox(workspace)).content.decode()

    assert tab("All", 4) in html
    assert tab("New", 2) in html
    assert tab("Acknowledged", 1) in html
    assert tab("Resolved", 1) in html
    assert tab("Duplicate", 0) in html


# --- Keyset pages ----------------------------------------------------------------------------
def next_link(html: str) -> str | None:
    found = re.search(r'rel="next" href="\?([^"]+)"', html)
    return found[1].replace("&amp;", "&") if found else None


def test_inbox_pages_by_keyset_cursor_without_gaps_or_repeats(owner, workspace, project):
    rows = [AnnotationFactory.create(project=project, created_at=at(i)) for i in range(30)]
    # Two at the same instant: the id breaks the tie, so neither is lost between pages.
    rows.append(AnnotationFactory.create(project=project, created_at=at(5)))
    client = signed_in(owner)

    first = client.get(inbox(workspace))
    cursor_query = next_link(first.content.decode())
    assert cursor_query is not None
    second = client.get(inbox(workspace, f"?{cursor_query}"))

    seen = listed(first) + listed(second)
    assert len(listed(first)) == 25
    assert next_link(second.content.decode()) is None
    assert len(seen) == len(set(seen)) == 31
    expected = sorted(rows, key=lambda a: (a.created_at, a.pk), reverse=True)
    assert seen == [a.pk for a in expected]


def test_inbox_tampered_cursor_shows_the_first_page_with_a_message(owner, workspace, annotations):
    response = signed_in(owner).get(inbox(workspace, "?cursor=not-a-real-cursor"))

    assert len(listed(response)) == 4
    assert "That page link has expired" in response.content.decode()


# --- Escaping --------------------------------------------------------------------------------
def test_inbox_renders_a_submitted_script_as_text(owner, workspace, project):
    AnnotationFactory.create(
        project=project,
        body="<script>alert('body')</script>",
        page_url="https://x.example/<img src=x onerror=alert(1)>",
        selector='a[title="<b>"]',
    )

    html = signed_in(owner).get(inbox(workspace)).content.decode()

    assert "<script>alert(" not in html
    assert "&lt;script&gt;alert(&#x27;body&#x27;)&lt;/script&gt;" in html
    assert "<img src=x" not in html
    assert "<b>" not in html


def test_inbox_empty_workspace_points_to_the_widget_snippet(owner, workspace, project):
    html = signed_in(owner).get(inbox(workspace)).content.decode()
    assert "No annotations yet" in html


def test_nav_links_the_annotations_inbox(guest, workspace, project):
    html = signed_in(guest).get(f"/w/{workspace.pk}/annotations/").content.decode()

    assert f'<a href="/w/{workspace.pk}/annotations/" aria-current="page">Annotations</a>' in html


def test_site_page_links_its_annotations_and_stakeholders(guest, workspace, project):
    html = signed_in(guest).get(f"/w/{workspace.pk}/projects/{project.pk}/").content.decode()

    assert f"/w/{workspace.pk}/projects/{project.pk}/annotations/" in html
    assert f"/w/{workspace.pk}/projects/{project.pk}/stakeholders/" in html


def test_inbox_runs_the_same_queries_for_3_or_25_rows(
    owner, workspace, project, django_assert_max_num_queries
):
    for i in range(3):
        AnnotationFactory.create(project=project, assignee=owner, created_at=at(i))
    client = signed_in(owner)
    client.get(inbox(workspace))  # warm the session

    with django_assert_max_num_queries(30) as few:
        listed(client.get(inbox(workspace)))
    for i in range(30):
        AnnotationFactory.create(project=project, assignee=owner, created_at=at(10 + i))
    with django_assert_max_num_queries(len(few)):
        assert len(listed(client.get(inbox(workspace)))) == 25


def test_annotation_page_leads_back_to_the_filtered_inbox(owner, workspace, project, annotations):
    client = signed_in(owner)
    html = client.get(site_inbox(workspace, project)).content.decode()
    link = re.search(r'class="title" href="([^"]+)"', html)
    assert link

    page = client.get(link[1].replace("&amp;", "&")).content.decode()

    back = re.search(r'<div class="crumbs"><a href="([^"]+)"', page)
    assert back
    assert back[1].replace("&amp;", "&") == inbox(workspace, f"?site={project.pk}")
