"""Django admin for operators. Token digests are read-only and no plaintext is ever shown:
the admin cannot mint tokens (that goes through the dashboard, which shows it once)."""

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.http import HttpRequest

from accounts.models import ApiToken, AuditLog, Invitation, Membership, User, Workspace


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    ordering = ["email"]
    list_display = ["email", "name", "is_active", "is_staff", "date_joined"]
    search_fields = ["email", "name"]
    fieldsets = [
        (None, {"fields": ["email", "password", "name"]}),
        (
            "Permissions",
            {"fields": ["is_active", "is_staff", "is_superuser", "groups", "user_permissions"]},
        ),
        ("Dates", {"fields": ["last_login", "date_joined"]}),
    ]
    add_fieldsets = [(None, {"classes": ["wide"], "fields": ["email", "password1", "password2"]})]


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    raw_id_fields = ["user"]


@admin.register(Workspace)
class WorkspaceAdmin(admin.ModelAdmin):
    list_display = ["name", "id", "created_at", "deleted_at"]
    search_fields = ["name", "id"]
    list_filter = ["deleted_at"]
    inlines = [MembershipInline]


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ["user", "workspace", "role", "created_at"]
    list_filter = ["role"]
    raw_id_fields = ["user", "workspace"]


@admin.register(Invitation)
class InvitationAdmin(admin.ModelAdmin):
    list_display = ["email", "workspace", "role", "created_at", "accepted_at", "revoked_at"]
    readonly_fields = ["token_hash"]
    raw_id_fields = ["workspace", "invited_by", "accepted_by"]


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ["name", "family", "workspace", "role", "last4", "created_at", "revoked_at"]
    list_filter = ["family", "role"]
    search_fields = ["name", "last4", "id"]
    readonly_fields = ["id", "family", "token_hash", "last4", "created_at", "last_used_at"]
    raw_id_fields = ["workspace", "project", "created_by"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False


@admin.register(AuditLog)
class AuditLogAdmin(admin.ModelAdmin):
    list_display = ["created_at", "actor_id", "action", "target_type", "target_id", "workspace"]
    list_filter = ["action"]
    search_fields = ["actor_id", "target_id"]
    readonly_fields = [f.name for f in AuditLog._meta.fields]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: AuditLog | None = None) -> bool:
        return False
