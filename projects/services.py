"""Project writes: creation with fresh secrets, settings, secret rotation."""

from __future__ import annotations

import secrets

from django.db import IntegrityError, transaction
from django.utils.text import slugify

from accounts import audit
from accounts.audit import Actor
from accounts.models import Workspace
from projects.models import Project
from projects.selectors import ingest_key_cache_forget

SLUG_ATTEMPTS = 5


class SlugTaken(Exception):
    """Another project took this public slug between the form's check and the write (two
    submissions racing). The caller answers it like the form's own "already taken"."""


def _slug_in_use(slug: str, *, exclude_pk: str | None = None) -> bool:
    return Project.objects.filter(slug=slug).exclude(pk=exclude_pk).exists()


def unique_slug(name: str) -> str:
    base = slugify(name)[:48] or "project"
    slug = base
    while Project.objects.filter(slug=slug).exists():
        slug = f"{base}-{secrets.token_hex(3)}"
    return slug


def project_create(
    *,
    workspace: Workspace,
    name: str,
    actor: Actor,
    slug: str | None = None,
    domain: str = "",
    allowed_origins: list[str] | None = None,
    spending_cap_credits: int | None = None,
) -> Project:
    for attempt in range(SLUG_ATTEMPTS):
        project = Project(
            workspace=workspace,
            name=name,
            slug=slug or unique_slug(name),
            domain=domain,
            allowed_origins=allowed_origins or [],
            spending_cap_credits=spending_cap_credits,
        )
        project.set_all_secrets()
        try:
            with transaction.atomic(durable=True):
                project.save()
                audit.record(
                    actor=actor,
                    workspace=workspace,
                    action="project.create",
                    target_type="project",
                    target_id=project.pk,
                    data={"name": name, "slug": project.slug},
                )
        except IntegrityError:
            if not _slug_in_use(project.slug):
                raise
            if slug or attempt == SLUG_ATTEMPTS - 1:
                raise SlugTaken(project.slug) from None
            continue  # a derived slug lost a race: derive another
        return project
    raise AssertionError("unreachable")  # the loop returns or raises


def project_update(*, project: Project, actor: Actor, **changes: object) -> Project:
    allowed = {"name", "slug", "domain", "allowed_origins", "spending_cap_credits"}
    unknown = set(changes) - allowed
    if unknown:
        raise ValueError(f"Cannot change {sorted(unknown)}")
    previous = {field: getattr(project, field) for field in changes}
    try:
        with transaction.atomic(durable=True):
            for field, value in changes.items():
                setattr(project, field, value)
            project.save(update_fields=[*changes, "updated_at"])
            audit.record(
                actor=actor,
                workspace=project.workspace,
                action="project.update",
                target_type="project",
                target_id=project.pk,
                data=dict(changes),
            )
    except IntegrityError:
        for field, value in previous.items():
            setattr(project, field, value)  # the row was not changed; neither is the object
        slug = changes.get("slug")
        if isinstance(slug, str) and _slug_in_use(slug, exclude_pk=project.pk):
            raise SlugTaken(slug) from None
        raise
    return project


def project_rotate_mcp_token(*, project: Project, actor: Actor) -> str:
    """A fresh MCP token; the old one stops resolving at once (its digest is replaced)."""
    with transaction.atomic(durable=True):
        raw = project.set_mcp_token()
        project.save(update_fields=["mcp_token", "mcp_token_hash", "updated_at"])
        audit.record(
            actor=actor,
            workspace=project.workspace,
            action="project.rotate_mcp_token",
            target_type="project",
            target_id=project.pk,
        )
    return raw


def project_rotate_ingest_key(*, project: Project, actor: Actor) -> str:
    old_digest = project.ingest_key_hash
    with transaction.atomic(durable=True):
        raw = project.set_ingest_key()
        project.save(update_fields=["ingest_key", "ingest_key_hash", "updated_at"])
        audit.record(
            actor=actor,
            workspace=project.workspace,
            action="project.rotate_ingest_key",
            target_type="project",
            target_id=project.pk,
        )
    # POST /v1/reports caches key -> project (reports.selectors): the old key stops now.
    ingest_key_cache_forget(old_digest)
    return raw


def project_secrets_reveal(*, project: Project, actor: Actor) -> dict[str, str]:
    """The secrets the dashboard reveals to an OWNER on an explicit click. Nothing changes,
    but the reveal is audited so an operator can see who looked at them and when."""
    with transaction.atomic(durable=True):
        audit.record(
            actor=actor,
            workspace=project.workspace,
            action="project.reveal_secrets",
            target_type="project",
            target_id=project.pk,
        )
    return {
        "widget_token": project.widget_token,
        "mcp_token": project.mcp_token,
        "loader_secret_id": project.loader_secret_id,
    }
