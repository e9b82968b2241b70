"""Hard-delete workspaces soft-deleted longer ago than WORKSPACE_DELETE_GRACE_DAYS.

Run it daily from cron or a scheduler: ``python manage.py purge_workspaces``.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from accounts.services import workspace_purge_expired


class Command(BaseCommand):
    help = "Purge workspaces whose 30-day deletion grace period is over."

    def handle(self, *args: Any, **options: Any) -> None:
        purged = workspace_purge_expired()
        self.stdout.write(f"purged {len(purged)} workspace(s)")
        for workspace_id in purged:
            self.stdout.write(f"  {workspace_id}")
