"""POST /api/v1/annotations/{id}/replies: author kind by caller, field rules, idempotent
replay, roles and the audit row; and the resolution notifier's system reply."""

import pytest

from accounts.models import AuditLog
from annotations.models import NotificationStatus, Reply
from annotations.resolutions import resolution_notify
from tests.annotations.factories import AnnotationFactory, ResolutionFactory
from tests.config.helpers import csrf_client
from tests.conftest import bearer_client


@pytest.fixture
def annotation(project):
    return AnnotationFactory.create(project=project)


def replies(annotation) -> str:
    return f"/api/v1/annotations/{annotation.pk}/replies"


def test_token_caller_reply_is_an_agent_reply_as_in_the_quick_start(
    gf_client, gf_token, annotation
):
    response = gf_client.post(replies(annotation), {"body": "fixed in #1234"}, format="json")

    assert response.status_code == 201
    data = response.json()
    assert data["body"] == "fixed in #1234"
    assert data["author_kind"] == "agent"
    assert data["author_name"] is None
    assert data["annotation_id"] == annotation.pk
    reply = Reply.objects.get(pk=data["id"])
    assert reply.actor_id == f"token:{gf_token.token.pk}"
    audit = AuditLog.objects.get(action="annotation.reply.create")
    assert (audit.actor_id, audit.target_id) == (f"token:{gf_token.token.pk}", annotation.pk)


def test_author_name_is_kept(gf_client, annotation):
    response = gf_client.post(
        replies(annotation), {"body": "On it", "author_name": "CI bot"}, format="json"
    )

    assert response.json()["author_name"] == "CI bot"


def test_session_caller_reply_is_a_user_reply(workspace, member, annotation):
    response = csrf_client(member, workspace).post(
        replies(annotation), {"body": "Thanks!"}, format="json"
    )

    assert response.status_code == 201, response.content
    assert response.json()["author_kind"] == "user"
    assert Reply.objects.get().author_user == member


def test_guest_token_may_reply_as_documented(gf_guest_token, annotation):
    client = bearer_client(gf_guest_token.raw)

    assert client.post(replies(annotation), {"body": "noted"}, format="json").status_code == 201


def test_reply_shows_in_the_detail_thread_and_moves_updated_at(gf_client, annotation):
    before = annotation.updated_at
    gf_client.post(replies(annotation), {"body": "first"}, format="json")
    gf_client.post(replies(annotation), {"body": "second"}, format="json")

    data = gf_client.get(f"/api/v1/annotations/{annotation.pk}").json()

    assert [r["body"] for r in data["replies"]] == ["first", "second"]
    annotation.refresh_from_db()
    assert annotation.updated_at > before


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"body": ""},
        {"body": "   "},
        {"body": None},
        {"body": "x" * 10_001},
        {"body": "ok", "author_name": "n" * 201},
        {"body": "ok", "author_kind": "system"},
        ["not", "an", "object"],
    ],
)
def test_bad_reply_is_refused_and_stores_nothing(gf_client, annotation, body):
    response = gf_client.post(replies(annotation), body, format="json")

    assert response.status_code in (400, 422)
    assert "detail" in response.json()
    assert not Reply.objects.exists()


def test_a_reply_of_10000_characters_is_accepted(gf_client, annotation):
    response = gf_client.post(replies(annotation), {"body": "x" * 10_000}, format="json")

    assert response.status_code == 201


def test_idempotency_key_replays_the_first_answer_and_stores_one_reply(gf_client, annotation):
    first = gf_client.post(
        replies(annotation), {"body": "once"}, format="json", HTTP_IDEMPOTENCY_KEY="k-1"
    )
    again = gf_client.post(
        replies(annotation), {"body": "once"}, format="json", HTTP_IDEMPOTENCY_KEY="k-1"
    )

    assert first.status_code == again.status_code == 201
    assert again.json() == first.json()
    assert Reply.objects.count() == 1


def test_idempotency_key_reused_with_another_body_is_refused(gf_client, annotation):
    gf_client.post(replies(annotation), {"body": "once"}, format="json", HTTP_IDEMPOTENCY_KEY="k")

    other = gf_client.post(
        replies(annotation), {"body": "twice"}, format="json", HTTP_IDEMPOTENCY_KEY="k"
    )

    assert other.status_code in (409, 422)
    assert Reply.objects.count() == 1


def test_resolution_notice_for_a_submitter_without_email_is_a_system_reply(project):
    annotation = AnnotationFactory.create(project=project, submitter_email="")
    resolution = ResolutionFactory.create(
        annotation=annotation, explanation="Raised the contrast to 7:1."
    )

    assert resolution_notify(resolution_id=resolution.pk) == NotificationStatus.REPLIED

    reply = Reply.objects.get(annotation=annotation)
    assert reply.author_kind == "system"
    assert reply.actor_id == "system"
    assert "7:1" in reply.body
    resolution.refresh_from_db()
    assert resolution.notification_status == NotificationStatus.REPLIED


def test_reply_costs_a_fixed_number_of_queries_and_reads_no_json_columns(
    gf_client, annotation, locmem_cache, django_assert_num_queries
):
    gf_client.post(replies(annotation), {"body": "warm-up"}, format="json")

    # token + annotation (id, updated_at, site id, workspace id) + the write: savepoint,
    # reply insert, annotation updated_at, audit row, release (a transaction on a server)
    with django_assert_num_queries(7) as captured:
        response = gf_client.post(replies(annotation), {"body": "On it"}, format="json")

    assert response.status_code == 201
    lookup = next(
        q["sql"] for q in captured.captured_queries if "annotations_annotation" in q["sql"]
    )
    assert '"element"' not in lookup
    assert "ORDER BY" not in lookup
