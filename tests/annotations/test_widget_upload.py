"""``POST /api/widget/sites/{site_id}/annotations/upload-url`` and ``screenshot_key`` at
submit: images only, the resolution upload URL's answer, a key of this site that was
uploaded and is claimed once (else 422 naming screenshot_key, nothing stored)."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest
from rest_framework.test import APIClient

from annotations.models import Annotation, Upload
from tests.annotations.test_widget_submit import BODY, submit, url

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def mint(client, project, content_type="image/png", token=None):
    return client.post(
        url(project) + "/upload-url",
        {"content_type": content_type},
        format="json",
        HTTP_X_GF_WIDGET_TOKEN=project.widget_token if token is None else token,
    )


def put(upload_url: str, body: bytes, content_type: str = "image/png"):
    parts = urlsplit(upload_url)
    return APIClient().put(f"{parts.path}?{parts.query}", data=body, content_type=content_type)


def test_upload_url_answers_the_resolution_upload_shape(api_client, project):
    response = mint(api_client, project)

    assert response.status_code == 201, response.content
    data = response.json()
    assert set(data) == {"url", "method", "headers", "key", "expires_in_seconds"}
    assert (data["method"], data["headers"]) == ("PUT", {"Content-Type": "image/png"})
    assert data["key"].startswith(f"gf/{project.pk}/screenshot/")
    upload = Upload.objects.get(key=data["key"])
    assert (upload.project, upload.kind, upload.annotation) == (project, "screenshot", None)


@pytest.mark.parametrize("content_type", ["image/gif", "text/html", "", None])
def test_upload_url_takes_images_only(api_client, project, content_type):
    response = mint(api_client, project, content_type)

    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body", "content_type"]
    assert not Upload.objects.exists()


def test_upload_url_needs_the_sites_widget_token(api_client, project):
    assert mint(api_client, project, token="gfwt_nope").status_code == 401
    assert not Upload.objects.exists()


def test_submit_with_an_uploaded_screenshot_claims_it(api_client, project):
    minted = mint(api_client, project).json()
    assert put(minted["url"], PNG).status_code in {200, 201, 204}

    response = submit(api_client, project, {**BODY, "screenshot_key": minted["key"]})

    assert response.status_code == 201, response.content
    data = response.json()
    assert data["screenshot_key"] == minted["key"]
    upload = Upload.objects.get(key=minted["key"])
    assert upload.annotation_id == data["id"]
    assert upload.attached_at is not None


def test_a_screenshot_key_is_claimed_once(api_client, project):
    minted = mint(api_client, project).json()
    put(minted["url"], PNG)
    assert submit(api_client, project, {**BODY, "screenshot_key": minted["key"]}).status_code == 201

    response = submit(api_client, project, {**BODY, "screenshot_key": minted["key"]})

    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body", "screenshot_key"]
    assert Annotation.objects.count() == 1


def test_a_screenshot_key_never_uploaded_is_422_and_stores_nothing(api_client, project):
    minted = mint(api_client, project).json()

    response = submit(api_client, project, {**BODY, "screenshot_key": minted["key"]})

    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body", "screenshot_key"]
    assert not Annotation.objects.exists()
    assert Upload.objects.get(key=minted["key"]).attached_at is None


def test_another_sites_screenshot_key_is_422(api_client, project, other_project):
    minted = mint(api_client, other_project).json()
    put(minted["url"], PNG)

    response = submit(api_client, project, {**BODY, "screenshot_key": minted["key"]})

    assert response.status_code == 422
    assert not Annotation.objects.exists()
