"""Operator access to feedback rows. Read-mostly: triage belongs in the dashboard, where
every change goes through the services and is audited."""

from django.contrib import admin

from feedback.models import Item, Note


class NoteInline(admin.TabularInline):
    model = Note
    extra = 0
    fields = ("id", "body", "actor_id", "created_at")
    readonly_fields = fields
    can_delete = False


@admin.register(Item)
class ItemAdmin(admin.ModelAdmin):
    list_display = ("id", "project", "type", "status", "priority", "source", "created_at")
    list_filter = ("status", "type", "priority", "source")
    search_fields = ("id", "title", "user_email")
    readonly_fields = [f.name for f in Item._meta.fields]
    inlines = [NoteInline]

    def has_add_permission(self, request: object) -> bool:
        return False

    def has_change_permission(self, request: object, obj: object = None) -> bool:
        return False
