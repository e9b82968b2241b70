"""GET and PATCH /api/v1/annotations/{id}: the detail with its thread, resolutions, persona
runs and signed screenshot link; the three PATCH fields and their rules; roles, scoping,
audit rows and a fixed number of queries."""

from urllib.parse import urlsplit

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from accounts.models import AuditLog, Role
from annotations.models import Annotation, AnnotationStatus, PersonaRun, ReplyAuthorKind
from tests.annotations.factories import (
    AnnotationFactory,
    PersonaFactory,
    ReplyFactory,
    ResolutionFactory,
    UploadFactory,
)
from tests.config.helpers import csrf_client
from tests.conftest import bearer_client
from tests.factories import MembershipFactory, UserFactory

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def annotation(project):
    return AnnotationFactory.create(project=project, body="The Pay button is grey on grey.")


def detail(annotation) -> str:
    return f"/api/v1/annotations/{annotation.pk}"


def with_screenshot(annotation):
    from django.core.files.base import ContentFile
    from django.core.files.storage import default_storage

    upload = UploadFactory.create(
        annotation=annotation,
        kind="screenshot",
        key=f"gf/{annotation.project_id}/screenshot/{'a' * 32}.png",
        uploaded_at=timezone.now(),
        size=len(PNG),
    )
    default_storage.save(upload.key, ContentFile(PNG))
    Annotation.objects.filter(pk=annotation.pk).update(screenshot_key=upload.key)
    annotation.refresh_from_db()
    return annotation


# --- GET ------------------------------------------------------------------------------------
def test_detail_has_replies_resolutions_and_persona_runs_oldest_first(
    gf_client, annotation, workspace
):
    first = ReplyFactory.create(annotation=annotation, body="Seen it")
    second = ReplyFactory.create(annotation=annotation, body="Fixed", author_kind="agent")
    resolution = ResolutionFactory.create(annotation=annotation)
    persona = PersonaFactory.create(workspace=workspace)
    run = PersonaRun.objects.create(
        annotation=annotation, persona=persona, persona_slug=persona.slug,
        persona_name=persona.name, status="done", engine="builtin", verdict="concerns",
        severity="medium",
        findings=[{"check": "contrast", "outcome": "fail", "message": "Too pale",
                   "severity": "medium", "evidence": {"ratio": 1.6}, "suggested_fix": "Darken"}],
    )  # fmt: skip

    data = gf_client.get(detail(annotation)).json()

    assert data["id"] == annotation.pk
    assert data["body"] == "The Pay button is grey on grey."
    assert [r["id"] for r in data["replies"]] == [first.pk, second.pk]
    assert data["replies"][1]["author_kind"] == "agent"
    assert [r["id"] for r in data["resolutions"]] == [resolution.pk]
    assert [r["id"] for r in data["persona_runs"]] == [run.pk]
    assert data["persona_runs"][0]["findings"][0]["evidence"] == {"ratio": 1.6}
    assert data["screenshot_url"] is None
    assert data["styles"] == annotation.styles
    assert data["viewport"] == annotation.viewport


def test_detail_screenshot_is_a_short_lived_signed_link_members_can_open(gf_client, annotation):
    with_screenshot(annotation)

    url = gf_client.get(detail(annotation)).json()["screenshot_url"]
    parts = urlsplit(url)
    image = APIClient().get(f"{parts.path}?{parts.query}")

    assert "expires=" in parts.query
    assert image.status_code == 200
    assert b"".join(image.streaming_content) == PNG  # type: ignore[attr-defined]
    assert APIClient().get(parts.path).status_code == 403


def test_guest_sees_the_detail_but_no_screenshot_link(gf_guest_token, annotation):
    with_screenshot(annotation)

    data = bearer_client(gf_guest_token.raw).get(detail(annotation)).json()

    assert data["screenshot_key"] == annotation.screenshot_key
    assert data["screenshot_url"] is None


def test_another_workspaces_annotation_is_404_for_every_method(gf_client, other_project):
    foreign = AnnotationFactory.create(project=other_project)

    for response in (
        gf_client.get(detail(foreign)),
        gf_client.patch(detail(foreign), {"status": "ack"}, format="json"),
        gf_client.post(f"{detail(foreign)}/replies", {"body": "mine now"}, format="json"),
        gf_client.get(f"{detail(foreign)}/markdown"),
    ):
        assert response.status_code == 404
        assert response.json() == {"detail": "Annotation not found."}
    foreign.refresh_from_db()
    assert foreign.status == "new"
    assert not foreign.replies.exists()


@pytest.mark.parametrize("bad_id", ["nope", "0" * 31, "Z" * 32])
def test_malformed_ids_are_404(gf_client, bad_id):
    assert gf_client.get(f"/api/v1/annotations/{bad_id}").status_code == 404


def test_detail_costs_a_fixed_number_of_queries(
    gf_client, annotation, workspace, locmem_cache, django_assert_num_queries
):
    ReplyFactory.create_batch(5, annotation=annotation)
    ResolutionFactory.create_batch(3, annotation=annotation)
    gf_client.get(detail(annotation))

    # token + annotation (with site, workspace, assignee) + replies + resolutions + runs
    with django_assert_num_queries(5):
        assert gf_client.get(detail(annotation)).status_code == 200


# --- PATCH ----------------------------------------------------------------------------------
@pytest.mark.parametrize("status", AnnotationStatus.values)
def test_patch_sets_each_documented_status(gf_client, annotation, status):
    response = gf_client.patch(detail(annotation), {"status": status}, format="json")

    assert response.status_code == 200
    assert response.json()["status"] == status
    annotation.refresh_from_db()
    assert annotation.status == status


def test_patch_resolved_with_summary_as_in_the_quick_start(gf_client, annotation, gf_token):
    response = gf_client.patch(
        detail(annotation), {"status": "resolved", "summary": "shipped in v2"}, format="json"
    )

    assert response.status_code == 200
    assert (response.json()["status"], response.json()["summary"]) == ("resolved", "shipped in v2")
    row = AuditLog.objects.get(action="annotation.update", target_id=annotation.pk)
    assert row.actor_id == f"token:{gf_token.token.pk}"
    assert row.data == {
        "changes": {"status": ["new", "resolved"], "summary": ["", "shipped in v2"]}
    }


@pytest.mark.parametrize("status", ["open", "RESOLVED", "wont_fix", "", None, 3])
def test_unknown_status_is_a_400_and_changes_nothing(gf_client, annotation, status):
    response = gf_client.patch(detail(annotation), {"status": status}, format="json")

    assert response.status_code == 400
    annotation.refresh_from_db()
    assert annotation.status == "new"
    assert not AuditLog.objects.filter(action="annotation.update").exists()


def test_unknown_status_message_lists_the_statuses(gf_client, annotation):
    response = gf_client.patch(detail(annotation), {"status": "open"}, format="json")

    assert response.json()["detail"].startswith("Unknown status 'open'. Accepted values are: new,")


def test_assignee_must_be_a_member_of_the_workspace(gf_client, annotation, member, outsider):
    ok = gf_client.patch(detail(annotation), {"assignee_id": member.pk}, format="json")
    assert ok.status_code == 200
    assert ok.json()["assignee_id"] == member.pk

    refused = gf_client.patch(detail(annotation), {"assignee_id": outsider.pk}, format="json")
    assert refused.status_code == 400
    assert refused.json() == {"detail": "assignee_id must be a member of this workspace."}
    annotation.refresh_from_db()
    assert annotation.assignee_id == member.pk


def test_assignee_null_unassigns(gf_client, annotation, member):
    gf_client.patch(detail(annotation), {"assignee_id": member.pk}, format="json")

    response = gf_client.patch(detail(annotation), {"assignee_id": None}, format="json")

    assert response.json()["assignee_id"] is None


def test_summary_over_4_kb_is_refused(gf_client, annotation):
    at_limit = gf_client.patch(detail(annotation), {"summary": "é" * 2048}, format="json")
    over = gf_client.patch(detail(annotation), {"summary": "é" * 2049}, format="json")

    assert at_limit.status_code == 200
    assert over.status_code in (400, 422)
    annotation.refresh_from_db()
    assert annotation.summary == "é" * 2048


def test_unknown_patch_field_is_refused(gf_client, annotation):
    response = gf_client.patch(detail(annotation), {"body": "rewritten"}, format="json")

    assert response.status_code in (400, 422)
    annotation.refresh_from_db()
    assert annotation.body == "The Pay button is grey on grey."


def test_patch_with_nothing_changed_writes_nothing(gf_client, annotation):
    before = annotation.updated_at

    response = gf_client.patch(detail(annotation), {"status": "new"}, format="json")

    assert response.status_code == 200
    annotation.refresh_from_db()
    assert annotation.updated_at == before
    assert not AuditLog.objects.filter(action="annotation.update").exists()


def test_guest_token_may_patch_as_documented(gf_guest_token, annotation):
    client = bearer_client(gf_guest_token.raw)

    assert client.patch(detail(annotation), {"status": "ack"}, format="json").status_code == 200


def test_session_caller_patch_is_audited_as_the_user(workspace, annotation):
    user = UserFactory.create()
    MembershipFactory.create(workspace=workspace, user=user, role=Role.MEMBER)
    client = csrf_client(user, workspace)

    response = client.patch(detail(annotation), {"status": "triaged"}, format="json")

    assert response.status_code == 200, response.content
    row = AuditLog.objects.get(action="annotation.update")
    assert row.actor_id == f"user:{user.pk}"


def test_reply_author_kinds_follow_the_caller(annotation):
    assert {k.value for k in ReplyAuthorKind} == {"agent", "user", "submitter", "system"}


@pytest.mark.parametrize("assignee_id", [10**30, 2**63])
def test_an_assignee_id_beyond_any_user_id_is_a_400_not_a_500(gf_client, annotation, assignee_id):
    response = gf_client.patch(detail(annotation), {"assignee_id": assignee_id}, format="json")

    assert response.status_code == 400
    assert response.json() == {"detail": "assignee_id must be a member of this workspace."}
    annotation.refresh_from_db()
    assert annotation.assignee_id is None


def test_a_summary_with_a_nul_character_is_refused(gf_client, annotation):
    response = gf_client.patch(detail(annotation), {"summary": "a\x00b"}, format="json")

    assert response.status_code in (400, 422)
    annotation.refresh_from_db()
    assert annotation.summary == ""
