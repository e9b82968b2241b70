"""AI triage in the dashboard: badges in the inbox and on the item page, sorting by impact,
corrections (htmx and plain POST, with their audit row), the corrections CSV and the
per-project breakdown, with who may do what."""

from __future__ import annotations

import csv
import io
from datetime import timedelta
from typing import Any

import pytest
from django.http import StreamingHttpResponse
from django.test import Client
from django.utils import timezone

from accounts.models import AuditLog
from feedback.models import Item
from tests.factories import ProjectFactory
from tests.feedback.factories import ItemFactory
from triage.models import TriageCorrection

HX: dict[str, Any] = {"HTTP_HX_REQUEST": "true"}  # **extra for the test client


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def inbox(workspace) -> str:
    return f"/w/{workspace.pk}/inbox/"


def correct_url(workspace, item) -> str:
    return f"/w/{workspace.pk}/inbox/{item.pk}/triage/correct/"


def csv_url(workspace, project) -> str:
    return f"/w/{workspace.pk}/projects/{project.pk}/triage/corrections.csv"


def breakdown_url(workspace, project) -> str:
    return f"/w/{workspace.pk}/projects/{project.pk}/triage/"


def triaged(project, **fields) -> Item:
    defaults = {
        "category": "bug",
        "sentiment": "negative",
        "impact_score": 8,
        "triage_engine": "builtin",
        "triage_language": "nl",
        "triage_signals": {
            "points": {"severity": 3, "page": 3, "sentiment": 2, "similar": 0},
            "severity_terms": ["werkt niet"],
        },
        "triage_label": "bug",
        "type": "bug",
        "body": "De login knop werkt niet op mobiel",
        "page_url": "/login",
    }
    return ItemFactory.create(project=project, **{**defaults, **fields})


@pytest.fixture
def item(project):
    return triaged(project)


def read_csv(response) -> list[list[str]]:
    body = b"".join(response.streaming_content).decode("utf-8")
    return list(csv.reader(io.StringIO(body)))


# --- showing ---------------------------------------------------------------------------------
def test_inbox_row_shows_category_sentiment_and_impact(owner, workspace, item):
    html = signed_in(owner).get(inbox(workspace)).content.decode()

    assert 'class="badge tri c-bug"' in html
    assert 'class="badge tri m-negative"' in html
    assert "Impact 8" in html


def test_untriaged_item_says_so(owner, workspace, project):
    ItemFactory.create(project=project)

    html = signed_in(owner).get(inbox(workspace)).content.decode()

    assert "Not triaged" in html


def test_item_page_shows_triage_and_why(owner, workspace, item):
    html = signed_in(owner).get(f"{inbox(workspace)}{item.pk}/").content.decode()

    assert "AI triage" in html
    assert "8 / 14" in html
    assert "severity 3 + page 3 + tone 2 + similar 0" in html
    assert "<code>werkt niet</code>" in html
    assert 'name="field" value="category"' in html
    assert correct_url(workspace, item) in html


def test_guest_sees_triage_but_no_correction_form(guest, workspace, item):
    html = signed_in(guest).get(f"{inbox(workspace)}{item.pk}/").content.decode()

    assert "AI triage" in html
    assert 'class="badge tri c-bug"' in html
    assert 'name="field"' not in html
    assert "corrections.csv" not in html


def test_triage_values_are_fixed_labels_not_user_text(owner, workspace, project):
    item = triaged(project, triage_signals={"severity_terms": ["<script>x</script>"]})

    html = signed_in(owner).get(f"{inbox(workspace)}{item.pk}/").content.decode()

    assert "<script>x</script>" not in html
    assert "&lt;script&gt;x&lt;/script&gt;" in html


# --- sorting by impact ---------------------------------------------------------------------------
def test_inbox_sorts_by_impact_when_asked(owner, workspace, project):
    now = timezone.now()
    low = triaged(project, impact_score=2, created_at=now)
    high = triaged(project, impact_score=12, created_at=now - timedelta(hours=2))
    mid = triaged(project, impact_score=7, created_at=now - timedelta(hours=1))
    client = signed_in(owner)

    def order(url: str) -> list[str]:
        html = client.get(url).content.decode()
        return sorted((low.pk, high.pk, mid.pk), key=lambda pk: html.index(f'id="item-{pk}"'))

    assert order(inbox(workspace)) == [low.pk, mid.pk, high.pk]
    assert order(f"{inbox(workspace)}?sort=impact") == [high.pk, mid.pk, low.pk]
    assert order(f"{inbox(workspace)}?sort=bogus") == [low.pk, mid.pk, high.pk]


def test_impact_order_pages_through_every_item_once(owner, workspace, project):
    now = timezone.now()
    made = [
        triaged(project, impact_score=i % 15, created_at=now - timedelta(minutes=i))
        for i in range(30)
    ]
    client = signed_in(owner)

    first = client.get(f"{inbox(workspace)}?sort=impact")
    cursor = first.context["next_cursor"]
    second = client.get(f"{inbox(workspace)}?sort=impact&cursor={cursor}")

    seen = [i.pk for i in first.context["items"]] + [i.pk for i in second.context["items"]]
    assert sorted(seen) == sorted(i.pk for i in made)
    scores = [i.impact_score for i in [*first.context["items"], *second.context["items"]]]
    assert scores == sorted(scores, reverse=True)
    assert second.context["next_cursor"] is None
    assert "highest impact first" in first.content.decode()


# --- corrections ------------------------------------------------------------------------------
def test_owner_corrects_category_with_htmx(owner, workspace, item):
    client = signed_in(owner)

    response = client.post(
        correct_url(workspace, item), {"field": "category", "value": "feature"}, **HX
    )

    assert response.status_code == 200
    html = response.content.decode()
    assert html.lstrip().startswith('<section class="card triage-card" id="triage"')
    assert "Category corrected." in html
    assert '<span id="triage-badges" hx-swap-oob="true">' in html  # the page header follows
    item.refresh_from_db()
    assert (item.category, item.triage_label, item.triage_engine, item.type) == (
        "feature",
        "feature",
        "manual",
        "bug",  # the client-visible type is never triage's
    )
    correction = TriageCorrection.objects.get()
    assert (correction.source, correction.text, correction.label_after) == (
        "feedback.item",
        item.body,
        "feature",
    )
    assert (
        correction.object_id,
        correction.project_id,
        correction.field,
        correction.old_value,
        correction.new_value,
        correction.corrected_by,
    ) == (item.pk, item.project_id, "category", "bug", "feature", owner)
    audit = AuditLog.objects.get(action="feedback.item.triage_correct")
    assert audit.actor_id == f"user:{owner.pk}"
    assert audit.data == {
        "changes": {"category": ["bug", "feature"]},
        "correction": correction.pk,
    }


def test_member_corrects_sentiment_with_a_plain_post(member, workspace, item):
    response = signed_in(member).post(
        correct_url(workspace, item), {"field": "sentiment", "value": "neutral"}
    )

    assert response.status_code == 302
    assert response["Location"].endswith(f"/inbox/{item.pk}/#triage")
    item.refresh_from_db()
    assert (item.sentiment, item.triage_engine, item.impact_score) == ("neutral", "manual", 8)


def test_correcting_never_changes_the_type(owner, workspace, project):
    item = triaged(project, type="bug")

    signed_in(owner).post(correct_url(workspace, item), {"field": "category", "value": "question"})

    item.refresh_from_db()
    assert (item.category, item.type) == ("question", "bug")


def test_same_value_writes_nothing(owner, workspace, item):
    response = signed_in(owner).post(
        correct_url(workspace, item), {"field": "category", "value": "bug"}, **HX
    )

    assert "Category unchanged." in response.content.decode()
    assert TriageCorrection.objects.count() == 0
    assert not AuditLog.objects.filter(action="feedback.item.triage_correct").exists()
    item.refresh_from_db()
    assert item.triage_engine == "builtin"


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (
            {"field": "category", "value": "praise"},
            "Category must be one of bug, feature, question.",
        ),
        (
            {"field": "sentiment", "value": "furious"},
            "Sentiment must be one of positive, neutral, negative.",
        ),
        ({"field": "impact_score", "value": "14"}, "Select a valid choice."),
        ({"field": "category"}, "This field is required."),
    ],
)
def test_invalid_correction_changes_nothing(owner, workspace, item, data, message):
    response = signed_in(owner).post(correct_url(workspace, item), data, **HX)

    assert response.status_code == 200
    assert message in response.content.decode()
    item.refresh_from_db()
    assert (item.category, item.sentiment, item.triage_engine) == ("bug", "negative", "builtin")
    assert TriageCorrection.objects.count() == 0


def test_guest_cannot_correct(guest, workspace, item):
    response = signed_in(guest).post(
        correct_url(workspace, item), {"field": "category", "value": "feature"}
    )

    assert response.status_code == 403
    item.refresh_from_db()
    assert item.category == "bug"
    assert TriageCorrection.objects.count() == 0


def test_outsider_gets_404_for_a_correction(outsider, workspace, item):
    response = signed_in(outsider).post(
        correct_url(workspace, item), {"field": "category", "value": "feature"}
    )

    assert response.status_code == 404
    assert TriageCorrection.objects.count() == 0


def test_item_of_another_workspace_is_404_even_in_your_own(outsider, other_workspace, item):
    response = signed_in(outsider).post(
        correct_url(other_workspace, item), {"field": "category", "value": "feature"}
    )

    assert response.status_code == 404
    item.refresh_from_db()
    assert item.category == "bug"


def test_correction_needs_csrf(owner, workspace, item):
    client = Client(enforce_csrf_checks=True)
    client.force_login(owner)

    response = client.post(correct_url(workspace, item), {"field": "category", "value": "feature"})

    assert response.status_code == 403
    assert TriageCorrection.objects.count() == 0


# --- CSV export -------------------------------------------------------------------------------
def test_owner_exports_corrections_as_csv(owner, workspace, project, item):
    client = signed_in(owner)
    client.post(correct_url(workspace, item), {"field": "category", "value": "feature"})
    client.post(correct_url(workspace, item), {"field": "sentiment", "value": "neutral"})
    other = ProjectFactory.create(workspace=workspace)
    other_item = triaged(other)
    client.post(correct_url(workspace, other_item), {"field": "category", "value": "question"})

    response = client.get(csv_url(workspace, project))

    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith(
        f'attachment; filename="triage-corrections-{project.slug}-'
    )
    rows = read_csv(response)
    assert rows[0] == [
        "text",
        "page",
        "language",
        "field",
        "old",
        "new",
        "when",
        "source",
        "object_id",
        "category",
        "sentiment",
        "label",
        "corrected_by",
    ]
    assert [r[:6] for r in rows[1:]] == [
        ["De login knop werkt niet op mobiel", "/login", "nl", "category", "bug", "feature"],
        ["De login knop werkt niet op mobiel", "/login", "nl", "sentiment", "negative", "neutral"],
    ]
    assert [r[7:] for r in rows[1:]] == [
        ["feedback.item", item.pk, "feature", "negative", "feature", owner.email],
        ["feedback.item", item.pk, "feature", "neutral", "feature", owner.email],
    ]
    assert all(len(r[6]) == 20 and r[6].endswith("Z") for r in rows[1:])


def test_csv_defuses_spreadsheet_formulas(owner, workspace, project):
    item = triaged(project, body='=HYPERLINK("http://evil.example","x")', page_url="@SUM(1)")
    signed_in(owner).post(correct_url(workspace, item), {"field": "category", "value": "feature"})

    rows = read_csv(signed_in(owner).get(csv_url(workspace, project)))

    assert rows[1][0] == '\'=HYPERLINK("http://evil.example","x")'
    assert rows[1][1] == "'@SUM(1)"


def test_member_may_export(member, workspace, project):
    assert signed_in(member).get(csv_url(workspace, project)).status_code == 200


def test_guest_may_not_export(guest, workspace, project):
    assert signed_in(guest).get(csv_url(workspace, project)).status_code == 403


def test_outsider_export_is_404(outsider, workspace, project):
    assert signed_in(outsider).get(csv_url(workspace, project)).status_code == 404


def test_export_of_another_workspaces_project_is_404(owner, workspace, other_project):
    assert signed_in(owner).get(csv_url(workspace, other_project)).status_code == 404


def test_signed_out_export_redirects_to_sign_in(workspace, project):
    response = Client().get(csv_url(workspace, project))

    assert response.status_code == 302
    assert "/login/" in response["Location"]


# --- breakdown ----------------------------------------------------------------------------------
def test_breakdown_counts_categories_and_sentiments_per_day(owner, workspace, project):
    now = timezone.now()
    triaged(project, category="bug", sentiment="negative", created_at=now)
    triaged(project, category="bug", sentiment="neutral", created_at=now)
    triaged(project, category="question", sentiment="neutral", created_at=now - timedelta(days=2))
    ItemFactory.create(project=project, created_at=now - timedelta(days=2))  # untriaged
    triaged(project, created_at=now - timedelta(days=31))  # outside the window
    triaged(ProjectFactory.create(workspace=workspace), created_at=now)  # another project

    response = signed_in(owner).get(breakdown_url(workspace, project))

    assert response.status_code == 200
    breakdown = response.context["breakdown"]
    assert breakdown.total == 4
    assert breakdown.categories == {"bug": 2, "feature": 0, "question": 1, "untriaged": 1}
    assert breakdown.sentiments == {"positive": 0, "neutral": 2, "negative": 1, "untriaged": 1}
    assert len(breakdown.buckets) == 30
    today = breakdown.buckets[-1]
    assert (today.start, today.categories["bug"], today.total) == (now.date(), 2, 2)
    two_days_ago = breakdown.buckets[-3]
    assert two_days_ago.categories == {"bug": 0, "feature": 0, "question": 1, "untriaged": 1}
    html = response.content.decode()
    assert '<h2 id="chart-1">By category</h2>' in html
    assert '<h2 id="chart-2">By sentiment</h2>' in html
    assert "<svg" in html
    assert 'class="seg c-bug"' in html
    assert "<script" not in html.split("<main", 1)[-1].split("</main>", 1)[0]


def test_breakdown_per_week_covers_the_same_30_days(owner, workspace, project):
    now = timezone.now()
    for days in (0, 1, 8, 29):
        triaged(project, created_at=now - timedelta(days=days))

    breakdown = (
        signed_in(owner)
        .get(f"{breakdown_url(workspace, project)}?bucket=week")
        .context["breakdown"]
    )

    assert breakdown.bucket == "week"
    assert 5 <= len(breakdown.buckets) <= 6
    assert breakdown.buckets[0].start == breakdown.first
    assert breakdown.buckets[-1].end == breakdown.last
    assert sum(b.total for b in breakdown.buckets) == 4
    assert all(b.start.weekday() == 0 for b in breakdown.buckets[1:])


def test_breakdown_runs_a_fixed_number_of_queries(
    owner, workspace, project, locmem_cache, django_assert_num_queries
):
    client = signed_in(owner)
    triaged(project)
    client.get(breakdown_url(workspace, project))
    # session, user, membership, project, the GROUP BY, corrections count, workspace switcher
    with django_assert_num_queries(7) as first:
        client.get(breakdown_url(workspace, project))
    now = timezone.now()
    for days in range(20):
        triaged(project, created_at=now - timedelta(days=days), category="question")
    with django_assert_num_queries(len(first.captured_queries)):
        client.get(breakdown_url(workspace, project))


def test_guest_may_view_the_breakdown(guest, workspace, project):
    response = signed_in(guest).get(breakdown_url(workspace, project))

    assert response.status_code == 200
    assert "corrections.csv" not in response.content.decode()


def test_breakdown_outsider_and_foreign_project_are_404(
    outsider, owner, workspace, project, other_project
):
    assert signed_in(outsider).get(breakdown_url(workspace, project)).status_code == 404
    assert signed_in(owner).get(breakdown_url(workspace, other_project)).status_code == 404
    assert signed_in(owner).get(f"/w/{workspace.pk}/projects/nope/triage/").status_code == 404


def test_inbox_links_each_project_to_its_breakdown(owner, workspace, project):
    html = signed_in(owner).get(inbox(workspace)).content.decode()

    assert breakdown_url(workspace, project) in html


def test_exported_corrections_become_training_rows(owner, workspace, project, tmp_path):
    from triage.engine import corrections, dataset

    item = triaged(project, body="=Het afrekenen lukt niet")
    praise = triaged(project, body="Super app, dank jullie wel!", triage_label="praise")
    foreign = triaged(project, body="Det fungerar inte", triage_language="sv")
    client = signed_in(owner)
    client.post(correct_url(workspace, item), {"field": "sentiment", "value": "neutral"})
    client.post(correct_url(workspace, item), {"field": "category", "value": "question"})
    client.post(correct_url(workspace, praise), {"field": "sentiment", "value": "positive"})
    client.post(correct_url(workspace, foreign), {"field": "category", "value": "feature"})
    export = tmp_path / "corrections.csv"
    response = client.get(csv_url(workspace, project))
    assert isinstance(response, StreamingHttpResponse)
    export.write_bytes(b"".join(response.streaming_content))
    out = tmp_path / "rows.jsonl"

    with export.open(encoding="utf-8", newline="") as fh:
        rows, skipped = corrections.convert(csv.DictReader(fh))
    with out.open("w", encoding="utf-8") as fh:
        corrections.write_jsonl(rows, fh)

    assert skipped == {"language": 1, "labels": 0, "known": 0}
    assert [(e.text, e.lang, e.category, e.sentiment, e.praise) for e in dataset.load(out)] == [
        ("=Het afrekenen lukt niet", "nl", "question", "neutral", False),
        ("Super app, dank jullie wel!", "nl", "bug", "positive", True),
    ]
    assert dataset.load(out)[0].group == f"correction-{item.pk}"
    assert rows[0]["source"] == f"correction:feedback.item:{item.pk}"  # provenance


def test_corrections_guard_and_unguard_are_inverses():
    from triage.engine.corrections import guard, unguard

    for text in ("=SUM(1)", "'=SUM(1)", "'quoted'", "''", "-1", "\tx", "plain", ""):
        assert unguard(guard(text)) == text
    assert guard("=SUM(1)") == "'=SUM(1)"
    assert guard("'=SUM(1)") == "''=SUM(1)"
    assert guard("plain") == "plain"


# --- the sidebar's entry -----------------------------------------------------------------------
def triage_index(workspace) -> str:
    return f"/w/{workspace.pk}/triage/"


def test_sidebar_links_to_the_triage_entry(owner, workspace, project):
    html = signed_in(owner).get(f"/w/{workspace.pk}/").content.decode()

    assert f'<a href="/w/{workspace.pk}/triage/">Triage</a>' in html


def test_triage_entry_with_one_project_opens_its_breakdown(owner, workspace, project):
    response = signed_in(owner).get(triage_index(workspace))

    assert response.status_code == 302
    assert response["Location"] == breakdown_url(workspace, project)


def test_triage_entry_lists_projects_with_their_recent_item_counts(owner, workspace, project):
    other = ProjectFactory.create(workspace=workspace, name="<i>Another</i>")
    triaged(project)
    triaged(project, created_at=timezone.now() - timedelta(days=31))  # outside the window

    response = signed_in(owner).get(triage_index(workspace))

    assert response.status_code == 200
    counts = {p.name: p.recent_items for p in response.context["projects"]}
    assert counts == {"Storefront": 1, "<i>Another</i>": 0}
    html = response.content.decode()
    assert breakdown_url(workspace, project) in html
    assert breakdown_url(workspace, other) in html
    assert "&lt;i&gt;Another&lt;/i&gt;" in html
    assert f'<a href="/w/{workspace.pk}/triage/" aria-current="page">Triage</a>' in html


def test_triage_entry_without_projects_says_so(owner):
    from accounts.services import workspace_create

    empty = workspace_create(owner=owner, name="Empty")

    response = signed_in(owner).get(triage_index(empty))

    assert response.status_code == 200
    assert "No projects yet" in response.content.decode()


def test_triage_entry_for_non_member_is_404(outsider, workspace, project):
    assert signed_in(outsider).get(triage_index(workspace)).status_code == 404


def test_breakdown_page_marks_triage_not_projects_in_the_sidebar(owner, workspace, project):
    html = signed_in(owner).get(breakdown_url(workspace, project)).content.decode()

    assert f'<a href="/w/{workspace.pk}/triage/" aria-current="page">Triage</a>' in html
    assert f'<a href="/w/{workspace.pk}/projects/">Projects</a>' in html
