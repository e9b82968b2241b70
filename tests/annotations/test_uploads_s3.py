"""Upload URLs against moto's S3 server over real HTTP: the presigned PUT boto3 signs, the
HEAD + first-bytes check when a resolution attaches the key, and the presigned read link.
Reuses the S3 server fixtures of tests/config/test_s3_storage.py."""

from __future__ import annotations

import urllib.error
import urllib.request

import pytest

from annotations import constants as C
from annotations.models import Resolution, Upload
from tests.annotations.factories import AnnotationFactory
from tests.config.test_s3_storage import (  # noqa: F401  (fixtures)
    CREDENTIALS,
    REGION,
    bucket,
    s3_endpoint,
)

pytestmark = pytest.mark.s3

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


@pytest.fixture
def s3_storage(settings, s3_endpoint, bucket):  # noqa: F811  (fixtures)
    client, name = bucket
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "storages.backends.s3.S3Storage",
            "OPTIONS": {
                "bucket_name": name,
                "endpoint_url": s3_endpoint,
                "region_name": REGION,
                "access_key": CREDENTIALS["AWS_ACCESS_KEY_ID"],
                "secret_key": CREDENTIALS["AWS_SECRET_ACCESS_KEY"],
                "default_acl": None,
                "querystring_auth": True,
                "signature_version": "s3v4",
                "file_overwrite": False,
            },
        },
    }
    return client, name


@pytest.fixture
def annotation(project):
    return AnnotationFactory.create(project=project)


def mint(client, annotation, kind="after"):
    response = client.post(
        f"/api/v1/annotations/{annotation.pk}/resolutions/upload-url",
        {"kind": kind, "content_type": "image/png"},
        format="json",
    )
    assert response.status_code == 201, response.content
    return response.json()


def http_put(minted: dict, body: bytes) -> int:
    request = urllib.request.Request(  # noqa: S310  (the moto server's http URL)
        minted["url"], data=body, method="PUT", headers=minted["headers"]
    )
    with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
        return response.status


def test_presigned_put_then_attach_then_presigned_read(
    gf_client,
    annotation,
    s3_storage,
    s3_endpoint,  # noqa: F811  (fixture)
):
    client, name = s3_storage
    minted = mint(gf_client, annotation)

    assert minted["url"].startswith(f"{s3_endpoint}/{name}/{minted['key']}?")
    assert "X-Amz-Signature=" in minted["url"]
    assert http_put(minted, PNG) == 200
    created = gf_client.post(
        f"/api/v1/annotations/{annotation.pk}/resolutions",
        {"after_key": minted["key"]},
        format="json",
    )

    assert created.status_code == 201, created.content
    upload = Upload.objects.get(key=minted["key"])
    assert upload.size == len(PNG)
    assert upload.attached_at is not None
    read_url = created.json()["after_url"]
    assert "X-Amz-Signature=" in read_url
    with urllib.request.urlopen(read_url, timeout=10) as response:  # noqa: S310
        assert response.read() == PNG
    stored = client.get_object(Bucket=name, Key=minted["key"])
    assert stored["ContentType"] == "image/png"


def test_attach_before_the_put_is_400(gf_client, annotation, s3_storage):
    minted = mint(gf_client, annotation)

    response = gf_client.post(
        f"/api/v1/annotations/{annotation.pk}/resolutions",
        {"after_key": minted["key"]},
        format="json",
    )

    assert response.status_code == 400
    assert response.json() == {"detail": "after_key: nothing was uploaded to this key."}
    assert not Resolution.objects.exists()


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (PNG + b"\x00" * 200, "after_key: the upload is larger than 100 bytes."),
        (b"\xff\xd8\xff\xe0" + b"\x00" * 20, "after_key: the upload is not a image/png image."),
    ],
)
def test_attach_of_an_oversized_or_mistyped_object_is_400_and_deletes_it(
    gf_client, annotation, s3_storage, monkeypatch, body, message
):
    client, name = s3_storage
    monkeypatch.setattr(C, "UPLOAD_MAX_BYTES", 100)
    minted = mint(gf_client, annotation)
    assert http_put(minted, body) == 200

    response = gf_client.post(
        f"/api/v1/annotations/{annotation.pk}/resolutions",
        {"after_key": minted["key"]},
        format="json",
    )

    assert response.status_code == 400
    assert response.json() == {"detail": message}
    assert client.list_objects_v2(Bucket=name).get("KeyCount") == 0
    assert not Resolution.objects.exists()


def test_object_stored_with_another_content_type_is_not_attachable(
    gf_client, annotation, s3_storage
):
    # A real S3 refuses this PUT (Content-Type is a signed header); moto does not check
    # signatures, so the HEAD at attach time is what stops it either way.
    minted = mint(gf_client, annotation)
    assert http_put({**minted, "headers": {"Content-Type": "text/html"}}, PNG) == 200

    response = gf_client.post(
        f"/api/v1/annotations/{annotation.pk}/resolutions",
        {"after_key": minted["key"]},
        format="json",
    )

    assert response.status_code == 400
    assert response.json() == {"detail": "after_key: the upload's Content-Type is not image/png."}
