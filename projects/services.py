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


def _record(
    *, actor: Actor, project: Project, action: str, data: dict[str, object] | None = None
) -> None:
    audit.record(
        actor=actor,
        workspace=project.workspace,
        action=action,
        target_type="project",
        target_id=project.pk,
        data=data,
    )


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
                _record(
                    actor=actor,
                    project=project,
                    action="project.create",
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
            _record(actor=actor, project=project, action="project.update", data=dict(changes))
    except IntegrityError:
        for field, value in previous.items():
            setattr(project, field, value)  # the row was not changed; neither is the object
        slug = changes.get("slug")
        if isinstance(slug, str) and _slug_in_use(slug, exclude_pk=project.pk):
            raise SlugTaken(slug) from None
        raise
    return project


def _rotate(*, project: Project, actor: Actor, secret: str) -> str:
    """A fresh ``secret`` (mcp_token, widget_token or ingest_key); the old one stops
    resolving at once, because its digest is replaced in the same write."""
    with transaction.atomic(durable=True):
        raw = project.set_secret(secret)
        project.save(update_fields=[secret, f"{secret}_hash", "updated_at"])
        _record(actor=actor, project=project, action=f"project.rotate_{secret}")
    return raw


def project_rotate_mcp_token(*, project: Project, actor: Actor) -> str:
    return _rotate(project=project, actor=actor, secret="mcp_token")


def project_rotate_widget_token(*, project: Project, actor: Actor) -> str:
    """A fresh widget token; embeds carrying the old one get 401 from the widget endpoints
    at once (annotations.api.greatfeedback.widget_views)."""
    return _rotate(project=project, actor=actor, secret="widget_token")


def project_rotate_ingest_key(*, project: Project, actor: Actor) -> str:
    old_digest = project.ingest_key_hash
    raw = _rotate(project=project, actor=actor, secret="ingest_key")
    # POST /v1/reports caches key -> project (selectors.ingest_target_get): drop it now.
    ingest_key_cache_forget(old_digest)
    return raw


def project_secrets_reveal(*, project: Project, actor: Actor) -> dict[str, str]:
    """The secrets the dashboard reveals to an OWNER on an explicit click. Nothing changes,
    but the reveal is audited so an operator can see who looked at them and when."""
    with transaction.atomic(durable=True):
        _record(actor=actor, project=project, action="project.reveal_secrets")
    return {
        "widget_token": project.widget_token,
        "mcp_token": project.mcp_token,
        "loader_secret_id": project.loader_secret_id,
    }
