"""The audit log page: who did what, newest first, filtered by actor kind and action."""

from __future__ import annotations

from typing import Any

from django.core.paginator import Paginator

from accounts.dashboard import WorkspacePage
from accounts.forms import AuditFilterForm
from accounts.models import Role
from accounts.selectors import audit_action_list, audit_actor_labels, audit_entry_list

AUDIT_PAGE_SIZE = 50


class AuditListView(WorkspacePage):
    template_name = "accounts/audit_list.html"
    required_role = Role.ADMIN

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        form = AuditFilterForm(
            self.request.GET or None, actions=audit_action_list(workspace=self.workspace)
        )
        # Unknown filter values are ignored (the whole log), not an error page.
        filters = form.cleaned_data if form.is_valid() else {}
        rows = audit_entry_list(
            workspace=self.workspace,
            actor_kind=filters.get("actor", ""),
            action=filters.get("action", ""),
        )
        page = Paginator(rows, AUDIT_PAGE_SIZE).get_page(self.request.GET.get("page"))
        entries = list(page.object_list)
        labels = audit_actor_labels(
            workspace=self.workspace, actor_ids={e.actor_id for e in entries}
        )
        for entry in entries:
            # Display-only attribute for the template, not a model field.
            entry.actor_label = labels.get(entry.actor_id, entry.actor_id)  # type: ignore[attr-defined]
        query = self.request.GET.copy()
        query.pop("page", None)
        context.update(
            filter_form=form, page_obj=page, entries=entries, querystring=query.urlencode()
        )
        return context
