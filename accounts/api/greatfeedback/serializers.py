from __future__ import annotations

from datetime import datetime

from django.utils import timezone
from rest_framework import serializers

from accounts.models import ApiToken, Role


class ApiTokenCreateInput(serializers.Serializer):
    name = serializers.CharField(max_length=200)
    # OWNER and ADMIN are accepted and clamped to MEMBER at issuance (the document's rule);
    # anything that is not a role at all is a 422.
    role = serializers.ChoiceField(choices=Role.choices, required=False, allow_null=True)
    expires_at = serializers.DateTimeField(required=False, allow_null=True)

    def validate_expires_at(self, value: datetime | None) -> datetime | None:
        if value is not None and value <= timezone.now():
            raise serializers.ValidationError("expires_at must be in the future.")
        return value


class ApiTokenOutput(serializers.ModelSerializer):
    workspace_id = serializers.CharField(read_only=True)
    created_by = serializers.SerializerMethodField()
    prefix = serializers.CharField(read_only=True)

    class Meta:
        model = ApiToken
        fields = [
            "id",
            "workspace_id",
            "name",
            "role",
            "prefix",
            "last4",
            "created_by",
            "created_at",
            "expires_at",
            "last_used_at",
            "revoked_at",
        ]
        read_only_fields = fields

    def get_created_by(self, token: ApiToken) -> str | None:
        return token.created_by.email if token.created_by is not None else None


class ApiTokenCreated(ApiTokenOutput):
    """The mint response: the row plus the plaintext, shown this once."""

    token = serializers.CharField(read_only=True)

    class Meta(ApiTokenOutput.Meta):
        fields = ["token", *ApiTokenOutput.Meta.fields]
        read_only_fields = fields
