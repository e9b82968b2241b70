"""Resolutions through HTTP: attach rules for upload keys, field rules, roles, workspace
scoping, idempotent replay, the signed before/after links, and the submitter notification."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest
from django.core import mail
from rest_framework.test import APIClient

from accounts.models import AuditLog
from annotations.models import NotificationStatus, Resolution, Upload
from tests.annotations.factories import AnnotationFactory, ResolutionFactory
from tests.conftest import bearer_client

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def annotation(project):
    return AnnotationFactory.create(
        project=project, submitter_email="visitor@example.org", submitter_name="Vera"
    )


def uploaded_key(client, annotation, kind="after", body=PNG) -> str:
    minted = client.post(
        f"/api/v1/annotations/{annotation.pk}/resolutions/upload-url",
        {"kind": kind, "content_type": "image/png"},
        format="json",
    ).json()
    parts = urlsplit(minted["url"])
    put = APIClient().put(f"{parts.path}?{parts.query}", data=body, content_type="image/png")
    assert put.status_code == 200
    return minted["key"]


def create(client, annotation, body, **headers):
    return client.post(
        f"/api/v1/annotations/{annotation.pk}/resolutions", body, format="json", **headers
    )


def test_create_resolution_with_uploaded_keys_returns_201_and_emails_the_submitter(
    gf_client, annotation, django_capture_on_commit_callbacks
):
    before = uploaded_key(gf_client, annotation, "before")
    after = uploaded_key(gf_client, annotation, "after")

    with django_capture_on_commit_callbacks(execute=True):
        response = create(
            gf_client,
            annotation,
            {
                "before_key": before,
                "after_key": after,
                "diff_url": "https://github.com/x/y/pull/42",
                "explanation": "Increased CTA contrast.",
            },
        )

    assert response.status_code == 201, response.content
    body = response.json()
    assert set(body) == {
        "id",
        "annotation_id",
        "before_key",
        "after_key",
        "before_url",
        "after_url",
        "diff_url",
        "explanation",
        "notification_status",
        "created_at",
    }
    assert body["annotation_id"] == annotation.pk
    assert (body["before_key"], body["after_key"]) == (before, after)
    assert body["diff_url"] == "https://github.com/x/y/pull/42"
    assert body["notification_status"] == "pending"  # the answer precedes the task
    assert Resolution.objects.get().notification_status == NotificationStatus.EMAILED
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["visitor@example.org"]
    assert "Increased CTA contrast." in message.body
    assert "https://github.com/x/y/pull/42" in message.body
    assert AuditLog.objects.filter(
        action="annotation.resolution.create", target_id=annotation.pk
    ).exists()
    assert Upload.objects.filter(attached_at__isnull=False).count() == 2


def test_member_gets_signed_image_links_that_serve_the_bytes(gf_client, annotation):
    after = uploaded_key(gf_client, annotation, "after")
    create(gf_client, annotation, {"after_key": after})

    items = gf_client.get(f"/api/v1/annotations/{annotation.pk}/resolutions").json()["items"]
    url = items[0]["after_url"]
    parts = urlsplit(url)
    image = APIClient().get(f"{parts.path}?{parts.query}")
    unsigned = APIClient().get(parts.path)

    assert items[0]["before_url"] is None
    assert image.status_code == 200
    assert image["Content-Type"] == "image/png"
    assert image["X-Content-Type-Options"] == "nosniff"
    assert b"".join(image.streaming_content) == PNG  # type: ignore[attr-defined]
    assert unsigned.status_code == 403
    # A write signature is not a read signature: the upload URL cannot read.
    assert url != after


def test_guest_lists_resolutions_oldest_first_without_image_links(
    gf_client, gf_guest_token, annotation
):
    after = uploaded_key(gf_client, annotation, "after")
    first = create(gf_client, annotation, {"after_key": after}).json()
    second = create(gf_client, annotation, {"explanation": "Reverted, then re-fixed."}).json()

    response = bearer_client(gf_guest_token.raw).get(
        f"/api/v1/annotations/{annotation.pk}/resolutions"
    )

    assert response.status_code == 200
    items = response.json()["items"]
    assert [i["id"] for i in items] == [first["id"], second["id"]]
    assert items[0]["after_key"] == after
    assert items[0]["after_url"] is None  # before/after images: members only
    assert items[1]["explanation"] == "Reverted, then re-fixed."
    assert items[1]["after_key"] is None
    assert items[1]["diff_url"] is None


def test_guest_cannot_create_a_resolution(gf_guest_token, annotation):
    response = create(bearer_client(gf_guest_token.raw), annotation, {"explanation": "x"})

    assert response.status_code == 403
    assert response.json() == {"detail": "Insufficient role"}
    assert not Resolution.objects.exists()


def test_resolution_routes_for_another_workspaces_annotation_are_404(gf_client, other_project):
    foreign = AnnotationFactory.create(project=other_project)
    ResolutionFactory.create(annotation=foreign)

    listed = gf_client.get(f"/api/v1/annotations/{foreign.pk}/resolutions")
    created = create(gf_client, foreign, {"explanation": "x"})

    assert listed.status_code == created.status_code == 404
    assert listed.json() == {"detail": "Annotation not found."}
    assert Resolution.objects.count() == 1


def test_resolution_without_any_field_is_400(gf_client, annotation):
    response = create(gf_client, annotation, {})

    assert response.status_code == 400
    assert response.json() == {
        "detail": "At least one of before_key, after_key, diff_url or explanation is required."
    }
    assert not Resolution.objects.exists()


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"diff_url": "http://github.com/x/y/pull/1"}, "diff_url"),
        ({"diff_url": "javascript:alert(1)"}, "diff_url"),
        ({"explanation": "é" * 2049}, "explanation"),  # 4,098 bytes
        ({"explanation": None}, "explanation"),
    ],
)
def test_resolution_with_bad_field_is_422_naming_it(gf_client, annotation, body, field):
    response = create(gf_client, annotation, body)

    assert response.status_code == 422
    assert [e["loc"] for e in response.json()["detail"]] == [["body", field]]
    assert not Resolution.objects.exists()


def test_explanation_of_exactly_4_kb_is_accepted(gf_client, annotation):
    response = create(gf_client, annotation, {"explanation": "x" * 4096})

    assert response.status_code == 201


def test_keys_that_were_not_minted_uploaded_or_of_this_kind_are_400(gf_client, annotation, project):
    other_annotation = AnnotationFactory.create(project=project)
    foreign_key = uploaded_key(gf_client, other_annotation, "after")
    before = uploaded_key(gf_client, annotation, "before")
    not_uploaded = gf_client.post(
        f"/api/v1/annotations/{annotation.pk}/resolutions/upload-url",
        {"kind": "after", "content_type": "image/png"},
        format="json",
    ).json()["key"]

    cases = [
        ({"after_key": f"gf/{project.pk}/after/{'0' * 32}.png"}, "after_key: not a after"),
        ({"after_key": "../../etc/passwd"}, "after_key: not a after"),
        ({"after_key": foreign_key}, "after_key: not an upload key minted for this annotation."),
        ({"after_key": before}, "after_key: not a after upload key"),
        ({"after_key": not_uploaded}, "after_key: nothing was uploaded to this key."),
    ]
    for body, message in cases:
        response = create(gf_client, annotation, {**body, "explanation": "fix"})
        assert response.status_code == 400, body
        assert response.json()["detail"].startswith(message), response.json()
    assert not Resolution.objects.exists()
    assert not Upload.objects.filter(attached_at__isnull=False).exists()


def test_an_attached_key_cannot_be_attached_again(gf_client, annotation):
    after = uploaded_key(gf_client, annotation, "after")
    assert create(gf_client, annotation, {"after_key": after}).status_code == 201

    again = create(gf_client, annotation, {"after_key": after})

    assert again.status_code == 400
    assert again.json() == {"detail": "after_key: this upload is already attached."}
    assert Resolution.objects.count() == 1


def test_idempotent_replay_returns_the_first_resolution_once(
    gf_client, annotation, django_capture_on_commit_callbacks
):
    body = {"diff_url": "https://github.com/x/y/pull/7"}
    with django_capture_on_commit_callbacks(execute=True):
        first = create(gf_client, annotation, body, HTTP_IDEMPOTENCY_KEY="fix-7")
        replay = create(gf_client, annotation, body, HTTP_IDEMPOTENCY_KEY="fix-7")
    changed = create(gf_client, annotation, {"explanation": "x"}, HTTP_IDEMPOTENCY_KEY="fix-7")

    assert first.status_code == replay.status_code == 201
    assert replay.json() == first.json()
    assert replay["Idempotent-Replayed"] == "true"
    assert changed.status_code == 422
    assert Resolution.objects.count() == 1
    assert len(mail.outbox) == 1
