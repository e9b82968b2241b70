"""AWS_STORAGE_BUCKET_NAME switches default storage to S3 (django-storages + boto3), and the
switch really writes to an S3 endpoint: moto's server mode answers the S3 HTTP protocol on a
local port, so boto3 and django-storages run unmodified. The Django side runs in a fresh
interpreter under an exact environment, as production would configure it."""

from __future__ import annotations

import json
import secrets
from collections.abc import Iterator
from pathlib import Path

import boto3
import pytest
from moto.server import ThreadedMotoServer

from tests.config.test_settings import run

pytestmark = pytest.mark.s3

REGION = "eu-west-1"
CREDENTIALS = {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing"}

SAVE_AND_READ = """
import json
import django
django.setup()
from django.core.files.base import ContentFile
from django.core.files.storage import storages
default_storage = storages["default"]
name = default_storage.save("screenshots/probe.png", ContentFile(b"\\x89PNG probe bytes"))
second = default_storage.save("screenshots/probe.png", ContentFile(b"another"))
with default_storage.open(name) as handle:
    body = handle.read().decode("latin-1")
print(json.dumps({
    "backend": type(default_storage).__module__ + "." + type(default_storage).__name__,
    "name": name, "second": second, "body": body, "url": default_storage.url(name),
    "exists": default_storage.exists(name),
}))
default_storage.delete(second)
"""


@pytest.fixture(scope="module")
def s3_endpoint() -> Iterator[str]:
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    try:
        yield f"http://{host}:{port}"
    finally:
        server.stop()


@pytest.fixture
def bucket(s3_endpoint: str) -> tuple[object, str]:
    client = boto3.client(
        "s3",
        endpoint_url=s3_endpoint,
        region_name=REGION,
        aws_access_key_id=CREDENTIALS["AWS_ACCESS_KEY_ID"],
        aws_secret_access_key=CREDENTIALS["AWS_SECRET_ACCESS_KEY"],
    )
    name = f"backtalk-test-{secrets.token_hex(4)}"
    client.create_bucket(Bucket=name, CreateBucketConfiguration={"LocationConstraint": REGION})
    return client, name


def test_bucket_env_stores_uploads_in_s3_through_boto3(s3_endpoint, bucket, tmp_path: Path):
    client, name = bucket
    env = {
        "AWS_STORAGE_BUCKET_NAME": name,
        "AWS_S3_ENDPOINT_URL": s3_endpoint,
        "AWS_S3_REGION_NAME": REGION,
        **CREDENTIALS,
    }

    result = run(["-c", SAVE_AND_READ], env, tmp_path)

    assert result.returncode == 0, result.stderr
    out = json.loads(result.stdout)
    assert out["backend"] == "storages.backends.s3.S3Storage"
    assert out["name"] == "screenshots/probe.png"
    assert out["exists"] is True
    assert out["body"] == "\x89PNG probe bytes"
    # file_overwrite=False: a second upload under the same name never replaces the first.
    assert out["second"] != out["name"]
    assert out["second"].startswith("screenshots/probe_")
    # querystring_auth: links to private objects are signed and expire.
    assert out["url"].startswith(f"{s3_endpoint}/{name}/screenshots/probe.png?")
    assert "X-Amz-Signature=" in out["url"]
    stored = client.get_object(Bucket=name, Key="screenshots/probe.png")
    assert stored["Body"].read() == b"\x89PNG probe bytes"
    keys = [o["Key"] for o in client.list_objects_v2(Bucket=name)["Contents"]]
    assert keys == ["screenshots/probe.png"]  # the second upload was deleted again
    assert not (tmp_path / "media").exists()  # nothing went to local files


def test_without_bucket_env_uploads_stay_on_local_files(tmp_path: Path):
    result = run(["-c", SAVE_AND_READ], {}, tmp_path)

    assert result.returncode == 0, result.stderr
    out = json.loads(result.stdout)
    assert out["backend"] == "django.core.files.storage.filesystem.FileSystemStorage"
    assert (tmp_path / "media" / "screenshots" / "probe.png").read_bytes() == b"\x89PNG probe bytes"
