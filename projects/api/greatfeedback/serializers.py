from __future__ import annotations

from rest_framework import serializers

from projects.models import Project


class SiteOutput(serializers.ModelSerializer):
    """A site as greatfeedback lists it. Never carries mcp_token, widget_token or the
    loader secret: only the OWNER-session secrets endpoint reveals those."""

    workspace_id = serializers.CharField(read_only=True)

    class Meta:
        model = Project
        fields = ["id", "workspace_id", "name", "slug", "domain", "allowed_origins", "created_at"]
        read_only_fields = fields


class SecretsOutput(serializers.Serializer):
    widget_token = serializers.CharField()
    mcp_token = serializers.CharField()
    loader_secret_id = serializers.CharField()


class RotatedSecretsOutput(SecretsOutput):
    mcp_url = serializers.CharField()
