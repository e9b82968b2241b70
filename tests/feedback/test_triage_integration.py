"""Inline AI triage on every feedback item, whatever channel it came through: the Minolith
API, the public widget endpoint, Fluister and the service itself; the type mapping; the
similar-item count; and the 0-14 bounds."""

from __future__ import annotations

import random
from datetime import timedelta

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from accounts.audit import Actor
from accounts.models import AuditLog
from feedback import services
from feedback.models import Item, ItemSource
from tests.factories import ProjectFactory
from tests.feedback.factories import ItemFactory
from triage import similar
from triage.engine import triage

ITEMS = "/v1/feedback/items"
DUTCH = "De login knop werkt niet op mobiel"


def public(slug: str = "storefront") -> str:
    return f"/v1/feedback/public/{slug}"


def create(project, **data) -> Item:
    data.setdefault("body", DUTCH)
    return services.item_create(
        project=project, actor=Actor.system(), source=ItemSource.API, **data
    )


def assert_triaged(item: Item, *, page: str = "", similar: int = 0) -> None:
    expected = triage(item.body, title=item.title, page=page, similar_count=similar)
    assert (item.category, item.sentiment, item.impact_score, item.triage_language) == (
        expected.category,
        expected.sentiment,
        expected.impact_score,
        expected.language,
    )
    assert item.triage_engine == "builtin"
    assert item.triaged_at is not None
    assert item.llm_triage_status == "none"
    assert item.triage_signals["points"]["similar"] == expected.signals["points"]["similar"]
    assert item.triage_signals["similar_count"] == similar


# --- every channel -----------------------------------------------------------------------------
def test_minolith_api_item_without_type_defaults_to_feedback_and_is_triaged(
    minolith_client, project
):
    response = minolith_client.post(
        ITEMS, {"body": DUTCH, "page_url": "https://shop.example/login"}, format="json"
    )

    assert response.status_code == 201
    assert response.json()["data"]["type"] == "feedback"  # the document's default
    item = Item.objects.get()
    assert_triaged(item, page="https://shop.example/login")
    assert (item.category, item.triage_label, item.sentiment, item.type) == (
        "bug",
        "bug",
        "negative",
        "feedback",
    )
    assert "type_source" not in item.triage_signals
    assert AuditLog.objects.get(action="feedback.item.create").data["type"] == "feedback"


def test_minolith_api_keeps_the_type_the_submitter_gave(minolith_client, project):
    response = minolith_client.post(ITEMS, {"body": DUTCH, "type": "question"}, format="json")

    assert response.json()["data"]["type"] == "question"
    item = Item.objects.get()
    assert (item.type, item.category) == ("question", "bug")


def test_null_type_counts_as_no_type(minolith_client, project):
    response = minolith_client.post(
        ITEMS, {"body": "Would be great to have a dark mode.", "type": None}, format="json"
    )

    assert response.json()["data"]["type"] == "feedback"
    assert Item.objects.get().category == "feature"


def test_praise_is_labelled_praise_and_reported_as_question_never_feature(minolith_client, project):
    text = "Thank you so much, the new dashboard is wonderful! Great work."
    assert triage(text).label == "praise"

    response = minolith_client.post(ITEMS, {"body": text}, format="json")

    assert response.json()["data"]["type"] == "feedback"
    item = Item.objects.get()
    assert (item.triage_label, item.category, item.type) == ("praise", "question", "feedback")


def test_widget_submission_is_triaged(api_client, project):
    response = api_client.post(
        public(), {"body": DUTCH, "page_url": "https://shop.example/login"}, format="json"
    )

    assert response.status_code == 201
    item = Item.objects.get()
    assert item.source == "widget"
    assert_triaged(item, page="https://shop.example/login")
    assert (item.type, item.category) == ("feedback", "bug")


def test_widget_untyped_submission_gets_feedback_and_a_chosen_type_is_kept(api_client, project):
    api_client.post(public(), {"body": DUTCH}, format="json")
    api_client.post(public(), {"body": DUTCH, "type": "bug"}, format="json")
    api_client.post(public(), {"body": DUTCH, "type": "idea"}, format="json")

    assert sorted(Item.objects.values_list("type", flat=True)) == ["bug", "feedback", "idea"]
    assert set(Item.objects.values_list("category", flat=True)) == {"bug"}


@pytest.mark.parametrize("page", ["http://[::1/checkout", "https://[bad-host]x/pay", "http://["])
def test_unparsable_page_url_is_stored_and_triaged_on_every_channel(
    page, minolith_client, api_client, mlth_key, project
):
    """urllib raises "Invalid IPv6 URL" for these; schemathesis found them as 500s."""
    fluister = {"projectId": project.pk, "text": "Checkout is broken", "page": page}
    responses = [
        minolith_client.post(
            ITEMS, {"body": "Checkout is broken", "page_url": page}, format="json"
        ),
        api_client.post(public(), {"body": "Checkout is broken", "page_url": page}, format="json"),
        minolith_client.post("/v1/feedback", fluister, format="json"),
    ]

    assert [r.status_code for r in responses] == [201, 201, 201]
    assert Item.objects.filter(page_url=page).count() == 3
    assert set(Item.objects.values_list("category", flat=True)) == {"bug"}


def test_title_counts_towards_triage(project):
    item = create(project, title="Checkout crashes", body="Every time, on the last step.")

    assert_triaged(item)
    assert item.category == "bug"


def test_minolith_response_shape_is_unchanged(minolith_client, project):
    data = minolith_client.post(ITEMS, {"body": DUTCH}, format="json").json()["data"]

    assert "category" not in data
    assert "impact_score" not in data


def test_failed_create_triages_nothing_and_stores_nothing(minolith_client, project):
    project.spending_cap_credits = 0
    project.save()

    response = minolith_client.post(ITEMS, {"body": DUTCH}, format="json")

    assert response.status_code == 402
    assert Item.objects.count() == 0


# --- similar items -------------------------------------------------------------------------------
def test_similar_items_raise_the_impact_score(project):
    scores = [create(project, page_url=f"https://shop.example/login?try={i}") for i in range(4)]

    assert [i.triage_signals["similar_count"] for i in scores] == [0, 1, 2, 3]
    assert [i.triage_signals["points"]["similar"] for i in scores] == [0, 1, 1, 2]
    for n, item in enumerate(scores):
        assert_triaged(item, page=item.page_url, similar=n)
    assert scores[3].impact_score == scores[0].impact_score + 2
    assert scores[0].triage_similar_key == "bug|/login"


def test_similar_means_same_project_category_and_page_in_30_days(project, workspace):
    now = timezone.now()
    key = "bug|/login"
    ItemFactory.create(project=project, triage_similar_key=key, created_at=now - timedelta(days=2))
    ItemFactory.create(project=project, triage_similar_key=key, created_at=now - timedelta(days=31))
    ItemFactory.create(project=project, triage_similar_key="question|/login")
    ItemFactory.create(project=project, triage_similar_key="bug|/checkout")
    ItemFactory.create(project=ProjectFactory.create(workspace=workspace), triage_similar_key=key)

    item = create(project, page_url="/login")

    assert item.triage_signals["similar_count"] == 1


def test_count_similar_is_one_query_and_capped(project, django_assert_num_queries):
    key = "bug|/checkout"
    Item.objects.bulk_create(
        [
            Item(id=f"fbk_{i:012x}", project=project, body="x", triage_similar_key=key)
            for i in range(similar.SIMILAR_COUNT_CAP + 5)
        ]
    )

    with django_assert_num_queries(1):
        n = similar.count_similar(model=Item, project_id=project.pk, key=key, now=timezone.now())

    assert n == similar.SIMILAR_COUNT_CAP


def test_no_key_means_no_similar_query(project, django_assert_num_queries):
    with django_assert_num_queries(0):
        assert (
            similar.count_similar(model=Item, project_id=project.pk, key="", now=timezone.now())
            == 0
        )


@pytest.mark.parametrize(
    ("page", "path"),
    [
        ("", ""),
        ("/login", "/login"),
        ("/Login/", "/login"),
        ("https://shop.example.com/orders/123?x=1#top", "/orders/:id"),
        ("https://shop.example.com", "/"),
        ("/account/settings", "/account/settings"),
        ("/t/9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08", "/t/:id"),
        ("http://[::1", "/"),  # urllib refuses it (ValueError): the part after the host
    ],
)
def test_page_path_folds_hosts_queries_and_ids(page, path):
    assert similar.page_path(page) == path


def test_pageless_item_uses_a_money_word_from_the_text(project):
    first = create(project, body="I cannot pay, the payment fails every time.")
    again = create(project, body="Still cannot pay with my card.")
    plain = create(project, body="The export button does nothing.")

    assert first.triage_similar_key == "bug|~pay"
    assert (again.triage_similar_key, again.triage_signals["similar_count"]) == ("bug|~pay", 1)
    assert (plain.triage_similar_key, plain.triage_signals["similar_count"]) == ("", 0)


# --- 0..14 --------------------------------------------------------------------------------------
def test_worst_case_item_stays_at_most_14(project):
    for _ in range(12):
        item = create(
            project,
            body="I was charged twice and lost all my data, the checkout crashes!",
            page_url="/checkout",
        )

    assert item.impact_score == 14
    assert item.triage_signals["points"]["similar"] == 3


def test_impact_score_is_always_within_bounds_for_random_input(project):
    rng = random.Random(20260409)
    alphabet = "abcdefghijklmnopqrstuvwxyz !?.,éß€😀\n0123456789/"
    for _ in range(40):
        body = "".join(rng.choice(alphabet) for _ in range(rng.randint(1, 200)))
        page = "/" + "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 30)))
        item = create(project, body=body, page_url=page.strip())
        assert isinstance(item.impact_score, int)
        assert 0 <= item.impact_score <= 14
        item.refresh_from_db()
        assert 0 <= item.impact_score <= 14


def test_database_refuses_an_impact_score_of_15(project):
    item = ItemFactory.create(project=project)

    with pytest.raises(IntegrityError), transaction.atomic():
        Item.objects.filter(pk=item.pk).update(impact_score=15)


def test_database_refuses_an_unknown_category(project):
    item = ItemFactory.create(project=project)

    with pytest.raises(IntegrityError), transaction.atomic():
        Item.objects.filter(pk=item.pk).update(category="praise")
