"""Upload URLs on local storage, through HTTP: mint, PUT once, size cap, magic bytes,
signature and expiry, and the signed read link."""

from __future__ import annotations

import time
from urllib.parse import parse_qs, urlsplit

import pytest
from rest_framework.test import APIClient

from annotations import constants as C
from annotations.models import Upload
from tests.annotations.factories import AnnotationFactory

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 64
WEBP = b"RIFF\x00\x00\x00\x00WEBPVP8 " + b"\x00" * 64


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def annotation(project):
    return AnnotationFactory.create(project=project)


def mint(client, annotation, kind="after", content_type="image/png"):
    response = client.post(
        f"/api/v1/annotations/{annotation.pk}/resolutions/upload-url",
        {"kind": kind, "content_type": content_type},
        format="json",
    )
    assert response.status_code == 201, response.content
    return response.json()


def put(url: str, body: bytes, content_type: str = "image/png"):
    parts = urlsplit(url)
    return APIClient().put(f"{parts.path}?{parts.query}", data=body, content_type=content_type)


def test_upload_url_answers_the_documented_shape(gf_client, annotation, project):
    data = mint(gf_client, annotation)

    assert set(data) == {"url", "method", "headers", "key", "expires_in_seconds"}
    assert data["method"] == "PUT"
    assert data["headers"] == {"Content-Type": "image/png"}
    assert data["expires_in_seconds"] == C.UPLOAD_URL_TTL_SECONDS
    assert data["key"].startswith(f"gf/{project.pk}/after/")
    assert data["key"].endswith(".png")
    assert data["url"].startswith(f"http://127.0.0.1:8000/api/v1/uploads/{data['key']}?")
    assert set(parse_qs(urlsplit(data["url"]).query)) == {"expires", "sig"}


@pytest.mark.parametrize(
    ("content_type", "body"),
    [("image/png", PNG), ("image/jpeg", JPEG), ("image/webp", WEBP)],
)
def test_put_to_upload_url_stores_the_image_once(
    gf_client, annotation, settings, content_type, body
):
    data = mint(gf_client, annotation, content_type=content_type)

    first = put(data["url"], body, content_type)
    replay = put(data["url"], body, content_type)

    assert first.status_code == 200, first.content
    assert first.json() == {"key": data["key"], "size": len(body)}
    assert replay.status_code == 409
    assert replay.json() == {"detail": "This upload URL was already used."}
    assert (settings.MEDIA_ROOT / data["key"]).read_bytes() == body
    upload = Upload.objects.get(key=data["key"])
    assert upload.uploaded_at is not None
    assert upload.size == len(body)


def test_put_over_the_size_cap_is_413_and_stores_nothing(
    gf_client, annotation, settings, monkeypatch
):
    monkeypatch.setattr(C, "UPLOAD_MAX_BYTES", 100)
    data = mint(gf_client, annotation)

    response = put(data["url"], PNG + b"\x00" * 100)

    assert response.status_code == 413
    assert response.json() == {"detail": "Uploads are limited to 100 bytes."}
    assert not (settings.MEDIA_ROOT / data["key"]).exists()
    assert Upload.objects.get(key=data["key"]).uploaded_at is None
    assert put(data["url"], PNG).status_code == 200  # the URL is still usable


def test_put_whose_bytes_are_not_the_minted_type_is_415(gf_client, annotation, settings):
    data = mint(gf_client, annotation, content_type="image/png")

    wrong_magic = put(data["url"], JPEG, "image/png")
    wrong_header = put(data["url"], PNG, "image/jpeg")
    html = put(data["url"], b"<html><script>alert(1)</script>", "image/png")

    assert wrong_magic.status_code == 415
    assert wrong_magic.json() == {"detail": "The body is not a image/png image."}
    assert wrong_header.status_code == 415
    assert wrong_header.json() == {"detail": "Content-Type must be image/png, as minted."}
    assert html.status_code == 415
    assert not (settings.MEDIA_ROOT / data["key"]).exists()


def test_put_with_a_tampered_signature_is_403(gf_client, annotation):
    data = mint(gf_client, annotation)
    parts = urlsplit(data["url"])
    query = parse_qs(parts.query)
    sig = query["sig"][0]
    forged_sig = ("0" if sig[0] != "0" else "1") + sig[1:]
    later = str(int(query["expires"][0]) + 3600)

    bad_sig = APIClient().put(
        f"{parts.path}?expires={query['expires'][0]}&sig={forged_sig}",
        data=PNG,
        content_type="image/png",
    )
    extended = APIClient().put(
        f"{parts.path}?expires={later}&sig={sig}", data=PNG, content_type="image/png"
    )
    unsigned = APIClient().put(parts.path, data=PNG, content_type="image/png")

    for response in (bad_sig, extended, unsigned):
        assert response.status_code == 403
        assert response.json() == {"detail": "Invalid or missing signature."}
    assert Upload.objects.get(key=data["key"]).uploaded_at is None


def test_put_after_expiry_is_410(gf_client, annotation, monkeypatch):
    data = mint(gf_client, annotation)
    expires = int(parse_qs(urlsplit(data["url"]).query)["expires"][0])
    monkeypatch.setattr(time, "time", lambda: expires + 1)

    response = put(data["url"], PNG)

    assert response.status_code == 410
    assert response.json() == {"detail": "This upload URL has expired."}


def test_upload_url_needs_member_role(gf_guest_token, annotation):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {gf_guest_token.raw}")

    response = client.post(
        f"/api/v1/annotations/{annotation.pk}/resolutions/upload-url",
        {"kind": "after", "content_type": "image/png"},
        format="json",
    )

    assert response.status_code == 403
    assert response.json() == {"detail": "Insufficient role"}
    assert not Upload.objects.exists()


def test_upload_url_for_another_workspaces_annotation_is_404(gf_client, other_project):
    foreign = AnnotationFactory.create(project=other_project)

    response = gf_client.post(
        f"/api/v1/annotations/{foreign.pk}/resolutions/upload-url",
        {"kind": "after", "content_type": "image/png"},
        format="json",
    )

    assert response.status_code == 404
    assert response.json() == {"detail": "Annotation not found."}
    assert not Upload.objects.exists()


@pytest.mark.parametrize(
    ("body", "loc"),
    [
        ({"kind": "screenshot", "content_type": "image/png"}, ["body", "kind"]),
        ({"kind": "after", "content_type": "image/gif"}, ["body", "content_type"]),
        ({"content_type": "image/png"}, ["body", "kind"]),
    ],
)
def test_upload_url_with_bad_kind_or_type_is_422(gf_client, annotation, body, loc):
    response = gf_client.post(
        f"/api/v1/annotations/{annotation.pk}/resolutions/upload-url", body, format="json"
    )

    assert response.status_code == 422
    assert [e["loc"] for e in response.json()["detail"]] == [loc]
    assert not Upload.objects.exists()


def test_upload_url_answers_cors_for_a_cross_origin_put():
    response = APIClient().options(
        "/api/v1/uploads/gf/x",
        HTTP_ORIGIN="https://shop.example.com",
        HTTP_ACCESS_CONTROL_REQUEST_METHOD="PUT",
        HTTP_ACCESS_CONTROL_REQUEST_HEADERS="content-type",
    )

    assert response.status_code == 200
    assert response["Access-Control-Allow-Origin"] in {"*", "https://shop.example.com"}
    assert "PUT" in response["Access-Control-Allow-Methods"]
