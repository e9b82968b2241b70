"""greatfeedback resolutions and their upload URLs: input validation and output shape."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from annotations import constants as C
from annotations.models import Resolution, UploadKind
from annotations.uploads import signed_read_url


class UploadUrlInput(serializers.Serializer):
    """``{kind: before|after, content_type: image/png|image/jpeg|image/webp}``."""

    kind = serializers.ChoiceField(choices=[UploadKind.BEFORE, UploadKind.AFTER])
    content_type = serializers.ChoiceField(choices=list(C.IMAGE_CONTENT_TYPES))


class UploadUrlOutput(serializers.Serializer):
    url = serializers.CharField()
    method = serializers.CharField()
    headers = serializers.DictField(child=serializers.CharField())
    key = serializers.CharField()
    expires_in_seconds = serializers.IntegerField()


class ResolutionInput(serializers.Serializer):
    """``{before_key?, after_key?, diff_url?, explanation?}``. Formats are checked here
    (422 naming the field); "at least one" and the keys' provenance are the service's (400)."""

    before_key = serializers.CharField(
        required=False, allow_blank=True, max_length=C.STORAGE_KEY_MAX, trim_whitespace=False
    )
    after_key = serializers.CharField(
        required=False, allow_blank=True, max_length=C.STORAGE_KEY_MAX, trim_whitespace=False
    )
    diff_url = serializers.CharField(required=False, allow_blank=True, max_length=C.DIFF_URL_MAX)
    explanation = serializers.CharField(required=False, allow_blank=True, trim_whitespace=False)

    def validate_diff_url(self, value: str) -> str:
        if not value:
            return value
        url = serializers.URLField().to_internal_value(value)
        if not url.lower().startswith("https://"):
            raise serializers.ValidationError("diff_url must be an https:// URL.")
        return url

    def validate_explanation(self, value: str) -> str:
        if len(value.encode("utf-8", "surrogatepass")) > C.EXPLANATION_MAX_BYTES:
            raise serializers.ValidationError(
                f"explanation is capped at {C.EXPLANATION_MAX_BYTES} bytes (4 KB)."
            )
        return value


class ResolutionOutput(serializers.ModelSerializer):
    """A resolution. ``before_url``/``after_url`` are short-lived signed links, given to
    MEMBER and above only (``context["show_images"]``); GUEST callers see null."""

    annotation_id = serializers.CharField(read_only=True)
    before_key = serializers.SerializerMethodField()
    after_key = serializers.SerializerMethodField()
    before_url = serializers.SerializerMethodField()
    after_url = serializers.SerializerMethodField()
    diff_url = serializers.SerializerMethodField()
    explanation = serializers.SerializerMethodField()

    class Meta:
        model = Resolution
        fields = [
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
        ]
        read_only_fields = fields

    def _image_url(self, key: str) -> str | None:
        if not key or not self.context.get("show_images"):
            return None
        return signed_read_url(key, request=self.context.get("request"))

    def get_before_key(self, obj: Resolution) -> str | None:
        return obj.before_key or None

    def get_after_key(self, obj: Resolution) -> str | None:
        return obj.after_key or None

    def get_before_url(self, obj: Resolution) -> str | None:
        return self._image_url(obj.before_key)

    def get_after_url(self, obj: Resolution) -> str | None:
        return self._image_url(obj.after_key)

    def get_diff_url(self, obj: Resolution) -> str | None:
        return obj.diff_url or None

    def get_explanation(self, obj: Resolution) -> str | None:
        return obj.explanation or None


def resolution_context(request: Any, *, show_images: bool) -> dict[str, Any]:
    return {"request": request, "show_images": show_images}
