"""Image uploads for greatfeedback: resolution before/after shots and widget screenshots.

Three steps, whichever storage is configured (DESIGN.md 1, "files"):

1. ``upload_mint`` records an ``Upload`` row (what may be stored under which key, for which
   site/annotation and kind, until when) and answers where to PUT the bytes: a presigned S3
   PUT when the default storage is django-storages' S3 backend, otherwise a signed Backtalk
   URL served by ``upload_put_accept`` (HMAC over key, content type and expiry; one PUT only).
2. The client PUTs the image. On local storage the size cap and the magic bytes are checked
   as the bytes arrive; on S3 the bucket accepts whatever the presigned URL allows.
3. ``upload_claim`` binds the key to the resolution/annotation that names it: the key must
   have been minted for this site (and annotation) and kind, be uploaded (on S3 a HEAD checks
   size and type, and the first bytes are read for the magic number), and be unclaimed.

``signed_read_url`` hands out a short-lived read link: a presigned S3 GET, or a signed
Backtalk URL that ``upload_read_open`` verifies. Who may receive one (members only for
before/after images) is the caller's decision.

The signatures use Django's ``salted_hmac`` under SECRET_KEY with a salt per purpose, so a
read link can never be replayed as a write link and vice versa; they are compared in
constant time.
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass
from datetime import timedelta
from typing import IO, Any
from urllib.parse import urlencode

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import Storage, storages
from django.db import transaction
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone
from django.utils.crypto import constant_time_compare, salted_hmac

from annotations import constants as C
from annotations.models import Annotation, Upload, UploadKind
from config.api.errors import ApiError, ErrorCode, FieldError
from config.ids import hex32
from config.site import site_url
from projects.models import Project

_PUT_SALT = "backtalk.gf.upload.put"
_READ_SALT = "backtalk.gf.upload.read"
EXTENSIONS = {"image/png": "png", "image/jpeg": "jpg", "image/webp": "webp"}
# gf/<site id>/<kind>/<32 hex>.<ext>: the only names the upload routes accept, so a path
# in a URL can never walk out of the uploads' folder.
KEY_PATTERN = re.compile(
    r"gf/[0-9a-f]{32}/(?:before|after|screenshot)/[0-9a-f]{32}\.(?:png|jpg|webp)"
)
READ_URL_TTL_SECONDS: int = getattr(settings, "GF_READ_URL_TTL_SECONDS", 300)
SNIFF_BYTES = 12


class UploadError(ApiError):
    """A rejected PUT or read of an upload URL (rendered in the greatfeedback shape)."""


class UploadKeyInvalid(ApiError):
    """A key a write names that this site/annotation may not use; names the field."""


def upload_key_invalid(field: str, message: str, status: int = 400) -> UploadKeyInvalid:
    full = f"{field}: {message}"
    return UploadKeyInvalid(
        code=ErrorCode.VALIDATION,
        message=full,
        status=status,
        fields=[FieldError(field=field, message=message)],
    )


# --- content sniffing ----------------------------------------------------------------------
def sniff_content_type(head: bytes) -> str | None:
    """The image type the first bytes announce (PNG, JPEG, WebP), or None."""
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if head.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if len(head) >= 12 and head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "image/webp"
    return None


# --- storage -------------------------------------------------------------------------------
def _storage() -> Storage:
    return storages["default"]


def s3_configured() -> bool:
    """True when the default storage is django-storages' S3 backend (AWS_STORAGE_BUCKET_NAME)."""
    try:
        from storages.backends.s3 import S3Storage
    except ImportError:  # pragma: no cover - django-storages is a dependency
        return False
    return isinstance(_storage(), S3Storage)


@dataclass(frozen=True)
class _S3:
    client: Any
    bucket: str
    name: str  # the object key, with the storage's location prefix


def _s3(key: str) -> _S3:
    storage: Any = _storage()
    return _S3(
        client=storage.connection.meta.client,
        bucket=storage.bucket_name,
        name=storage._normalize_name(key),  # honours AWS_LOCATION like storage.save would
    )


# --- signatures ----------------------------------------------------------------------------
def _sign(salt: str, *parts: str) -> str:
    return salted_hmac(salt, "\n".join(parts), algorithm="sha256").hexdigest()


def _signed_url(route: str, key: str, query: dict[str, str], request: HttpRequest | None) -> str:
    return f"{site_url(request)}{reverse(route, kwargs={'key': key})}?{urlencode(query)}"


def _check_signature(salt: str, key: str, expires: str, sig: str, *parts: str) -> None:
    if not KEY_PATTERN.fullmatch(key) or not expires.isdigit() or not sig:
        raise UploadError(ErrorCode.FORBIDDEN, "Invalid or missing signature.", 403)
    if not constant_time_compare(_sign(salt, key, *parts, expires), sig):
        raise UploadError(ErrorCode.FORBIDDEN, "Invalid or missing signature.", 403)
    if int(expires) < time.time():
        raise UploadError(ErrorCode.GONE, "This upload URL has expired.", 410)


# --- mint ----------------------------------------------------------------------------------
def upload_mint(
    *,
    project: Project,
    kind: str,
    content_type: str,
    annotation: Annotation | None = None,
    request: HttpRequest | None = None,
) -> dict[str, Any]:
    """Record a new upload key and answer ``{url, method, headers, key, expires_in_seconds}``.

    ``before``/``after`` keys are bound to ``annotation``; ``screenshot`` keys (the widget,
    before its annotation exists) only to the site. The caller has validated ``kind`` and
    ``content_type`` against the documented values; they are checked again here because a
    wrong one would mint a key nothing could ever claim. ``request`` only supplies the
    host of a local URL when SITE_URL is unset.
    """
    if kind not in UploadKind.values or content_type not in C.IMAGE_CONTENT_TYPES:
        raise ValueError(f"unsupported upload {kind!r} / {content_type!r}")
    if (kind == UploadKind.SCREENSHOT) != (annotation is None):
        raise ValueError("screenshot keys have no annotation; before/after keys need one")
    ttl = C.UPLOAD_URL_TTL_SECONDS
    key = f"gf/{project.pk}/{kind}/{hex32()}.{EXTENSIONS[content_type]}"
    expires_at = timezone.now() + timedelta(seconds=ttl)
    Upload.objects.create(
        project=project,
        annotation=annotation,
        kind=kind,
        key=key,
        content_type=content_type,
        expires_at=expires_at,
    )
    headers = {"Content-Type": content_type}
    if s3_configured():
        s3 = _s3(key)
        url = s3.client.generate_presigned_url(
            "put_object",
            Params={"Bucket": s3.bucket, "Key": s3.name, "ContentType": content_type},
            ExpiresIn=ttl,
            HttpMethod="PUT",
        )
    else:
        expires = str(int(expires_at.timestamp()))
        sig = _sign(_PUT_SALT, key, content_type, expires)
        url = _signed_url("gf-upload", key, {"expires": expires, "sig": sig}, request)
    return {
        "url": url,
        "method": "PUT",
        "headers": headers,
        "key": key,
        "expires_in_seconds": ttl,
    }


# --- the local PUT -------------------------------------------------------------------------
def upload_put_accept(
    *,
    key: str,
    expires: str,
    sig: str,
    content_type: str,
    content_length: int | None,
    stream: IO[bytes] | HttpRequest,  # a file, or the request itself (read() streams the body)
) -> Upload:
    """Store the body of a PUT to a signed local upload URL, once.

    Order: signature and expiry (403/410), the row (404), the declared Content-Type
    (415), the size cap (413, before reading when Content-Length says so, and while reading
    otherwise), the magic bytes (415), then an atomic claim of the one allowed PUT
    (409 for a replay) and the write.
    """
    upload = Upload.objects.filter(key=key).first() if KEY_PATTERN.fullmatch(key) else None
    signed_type = upload.content_type if upload is not None else content_type
    _check_signature(_PUT_SALT, key, expires, sig, signed_type)
    if upload is None:
        raise UploadError(ErrorCode.NOT_FOUND, "Not found.", 404)
    if upload.uploaded_at is not None:
        raise UploadError(ErrorCode.CONFLICT, "This upload URL was already used.", 409)
    if content_type.split(";")[0].strip().lower() != upload.content_type:
        raise UploadError(
            ErrorCode.UNSUPPORTED_MEDIA_TYPE,
            f"Content-Type must be {upload.content_type}, as minted.",
            415,
        )
    cap = C.UPLOAD_MAX_BYTES
    too_large = UploadError(
        ErrorCode.PAYLOAD_TOO_LARGE, f"Uploads are limited to {cap} bytes.", 413
    )
    if content_length is not None and content_length > cap:
        raise too_large
    body = stream.read(cap + 1)
    if len(body) > cap:
        raise too_large
    if not body:
        raise UploadError(ErrorCode.BAD_REQUEST, "The upload body is empty.", 400)
    if sniff_content_type(body[:SNIFF_BYTES]) != upload.content_type:
        raise UploadError(
            ErrorCode.UNSUPPORTED_MEDIA_TYPE,
            f"The body is not a {upload.content_type} image.",
            415,
        )
    now = timezone.now()
    with transaction.atomic():
        # The one-PUT rule holds across processes: only the request that flips uploaded_at
        # from NULL writes the file.
        claimed = Upload.objects.filter(pk=upload.pk, uploaded_at__isnull=True).update(
            uploaded_at=now, size=len(body)
        )
        if not claimed:
            raise UploadError(ErrorCode.CONFLICT, "This upload URL was already used.", 409)
        stored = _storage().save(key, ContentFile(body))
        if stored != key:  # a file was already there (not ours): never serve it as this key
            _storage().delete(stored)
            raise UploadError(ErrorCode.CONFLICT, "This upload URL was already used.", 409)
    upload.uploaded_at, upload.size = now, len(body)
    return upload


# --- claim ---------------------------------------------------------------------------------
def _s3_check(upload: Upload, field: str, status: int) -> int:
    """HEAD the object (size, type) and read its first bytes (magic number); delete an
    object that breaks the rules so it cannot be claimed later. Returns the size."""
    from botocore.exceptions import ClientError

    s3 = _s3(upload.key)
    try:
        head = s3.client.head_object(Bucket=s3.bucket, Key=s3.name)
    except ClientError as exc:
        raise upload_key_invalid(field, "nothing was uploaded to this key.", status) from exc
    size = int(head.get("ContentLength", 0))
    problem = ""
    if size > C.UPLOAD_MAX_BYTES:
        problem = f"the upload is larger than {C.UPLOAD_MAX_BYTES} bytes."
    elif (head.get("ContentType") or "").split(";")[0].strip().lower() != upload.content_type:
        problem = f"the upload's Content-Type is not {upload.content_type}."
    else:
        first = s3.client.get_object(
            Bucket=s3.bucket, Key=s3.name, Range=f"bytes=0-{SNIFF_BYTES - 1}"
        )
        if sniff_content_type(first["Body"].read()) != upload.content_type:
            problem = f"the upload is not a {upload.content_type} image."
    if problem:
        s3.client.delete_object(Bucket=s3.bucket, Key=s3.name)
        raise upload_key_invalid(field, problem, status)
    return size


def upload_claim(
    *,
    project: Project,
    key: str,
    kind: str,
    annotation: Annotation | None = None,
    field: str | None = None,
    status: int = 400,
) -> Upload:
    """Bind an uploaded key to the write that names it, inside that write's transaction.

    Raises ``UploadKeyInvalid`` naming ``field`` (default ``<kind>_key``) with ``status``
    (400 for resolutions; the widget passes 422) when the key was not minted for this site,
    annotation and kind, was not uploaded, breaks the size/type rules, or was claimed before.
    A screenshot key gets its annotation set here.
    """
    field = field or f"{kind}_key"
    upload = (
        Upload.objects.select_for_update().filter(key=key, project=project).first()
        if isinstance(key, str) and KEY_PATTERN.fullmatch(key)
        else None
    )
    if upload is None or upload.kind != kind:
        raise upload_key_invalid(field, f"not a {kind} upload key minted for this site.", status)
    if kind != UploadKind.SCREENSHOT and (
        annotation is None or upload.annotation_id != annotation.pk
    ):
        raise upload_key_invalid(field, "not an upload key minted for this annotation.", status)
    if upload.attached_at is not None:
        raise upload_key_invalid(field, "this upload is already attached.", status)
    if s3_configured():
        upload.size = _s3_check(upload, field, status)
        upload.uploaded_at = upload.uploaded_at or timezone.now()
    elif upload.uploaded_at is None:
        raise upload_key_invalid(field, "nothing was uploaded to this key.", status)
    upload.attached_at = timezone.now()
    if annotation is not None:
        upload.annotation = annotation
    upload.save(update_fields=["size", "uploaded_at", "attached_at", "annotation"])
    return upload


# --- reads ---------------------------------------------------------------------------------
def signed_read_url(key: str, *, ttl: int | None = None, request: HttpRequest | None = None) -> str:
    """A short-lived link that reads ``key``: a presigned S3 GET, or a signed Backtalk URL.
    Empty for an empty key (an annotation without a screenshot)."""
    if not key:
        return ""
    ttl = ttl or READ_URL_TTL_SECONDS
    if s3_configured():
        return str(_storage().url(key, expire=ttl))  # type: ignore[call-arg]  # S3Storage.url
    expires = str(int(time.time()) + ttl)
    sig = _sign(_READ_SALT, key, expires)
    return _signed_url("gf-upload", key, {"expires": expires, "sig": sig}, request)


def upload_read_open(*, key: str, expires: str, sig: str) -> tuple[IO[bytes], Upload]:
    """Verify a signed read link for local storage and open the file (403/410/404)."""
    _check_signature(_READ_SALT, key, expires, sig)
    upload = Upload.objects.filter(key=key, uploaded_at__isnull=False).first()
    if upload is None or not _storage().exists(key):
        raise UploadError(ErrorCode.NOT_FOUND, "Not found.", 404)
    return _storage().open(key, "rb"), upload


def cors_for_upload_urls(sender: object, request: HttpRequest, **kwargs: object) -> bool | None:
    """django-cors-headers: the signed upload/read URLs answer every origin. The signature
    is the only credential (no cookie is read or allowed), and the widget PUTs its
    screenshot from the visited site's origin."""
    return True if request.path.startswith("/api/v1/uploads/") else None
