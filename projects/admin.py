from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from projects.models import Project


@admin.register(Project)
class ProjectAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "workspace", "created_at", "credits_used"]
    search_fields = ["name", "slug", "id"]
    raw_id_fields = ["workspace"]
    # Secrets are revealed only in the dashboard (OWNER, explicit click); admin shows digests.
    exclude = ["ingest_key", "widget_token", "mcp_token", "loader_secret_id"]
    readonly_fields = [
        "id",
        "ingest_key_hash",
        "widget_token_hash",
        "mcp_token_hash",
        "credits_used",
        "created_at",
        "updated_at",
    ]

    def save_model(self, request: HttpRequest, obj: Project, form: Any, change: bool) -> None:
        # A project added here needs its keys like one created in the dashboard; without
        # them it had empty secrets and a second add collided on the unique digests.
        if not change:
            obj.set_all_secrets()
        super().save_model(request, obj, form, change)
