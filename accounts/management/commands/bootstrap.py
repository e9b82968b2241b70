"""First-run tool: a user, a workspace they own, a project, and a fresh key of every family.

Idempotent for the user, workspace and project (reused by email / name); credentials are
minted fresh on every run because plaintext exists only at issuance.
"""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from accounts import services
from accounts.audit import Actor
from accounts.models import Membership, Role, TokenFamily, User
from projects.models import Project
from projects.services import project_create


class Command(BaseCommand):
    help = "Create (or reuse) an owner, workspace and project and print fresh credentials."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--email", default="owner@example.com")
        parser.add_argument("--password", default=None)
        parser.add_argument("--workspace", default="Demo workspace")
        parser.add_argument("--project", default="Demo project")
        parser.add_argument("--json", action="store_true", help="print one JSON object only")

    def handle(self, *args: Any, **options: Any) -> None:
        email = options["email"].strip().lower()
        password = options["password"]
        user = User.objects.filter(email__iexact=email).first()
        if user is None:
            if not password:
                raise CommandError("--password is required to create a new user")
            user = services.user_create(email=email, password=password)
        elif password:
            user.set_password(password)
            user.save(update_fields=["password"])
        actor = Actor.for_user(user)

        membership = (
            Membership.objects.select_related("workspace")
            .filter(
                user=user,
                role=Role.OWNER,
                workspace__name=options["workspace"],
                workspace__deleted_at__isnull=True,
            )
            .first()
        )
        workspace = (
            membership.workspace
            if membership
            else services.workspace_create(owner=user, name=options["workspace"], actor=actor)
        )
        project = Project.objects.filter(workspace=workspace, name=options["project"]).first()
        if project is None:
            project = project_create(workspace=workspace, name=options["project"], actor=actor)

        def mint(
            family: str, name: str, role: str = Role.MEMBER, with_project: bool = False
        ) -> str:
            _, raw = services.api_token_mint(
                workspace=workspace,
                family=family,
                name=name,
                role=role,
                actor=actor,
                project=project if with_project else None,
            )
            return raw

        result = {
            "user_email": user.email,
            "workspace_id": workspace.pk,
            "project_id": project.pk,
            "project_slug": project.slug,
            "ingest_key": project.ingest_key,
            "api_key": mint(TokenFamily.WRITEBACK_READ, "bootstrap Writeback key"),
            "api_token": mint(TokenFamily.GREATFEEDBACK, "bootstrap member token"),
            "guest_api_token": mint(TokenFamily.GREATFEEDBACK, "bootstrap guest token", Role.GUEST),
            "project_api_key": mint(
                TokenFamily.MINOLITH, "bootstrap Minolith key", with_project=True
            ),
            "mcp_token": project.mcp_token,
            "widget_token": project.widget_token,
        }
        if options["json"]:
            self.stdout.write(json.dumps(result))
            return
        width = max(len(k) for k in result)
        for key, value in result.items():
            self.stdout.write(f"{key.ljust(width)}  {value}")
