"""Persona reads: every one starts from the caller's workspace.

List order (the document's): category ascending, defaults before customs within a
category, then name ascending. Names compare case-insensitively (``Lower(name)``, so
"accessibility auditor" sits beside "Accessibility tester"), ties broken by id so the
keyset cursor is total. Categories are stored lower-case, so they need no folding.
"""

from __future__ import annotations

from collections.abc import Sequence

from django.db.models import Case, IntegerField, QuerySet, Value, When
from django.db.models.functions import Lower

from accounts.models import Workspace
from annotations.models import Annotation, Persona, PersonaRun
from annotations.personas.catalogue import default_run_slugs

# The keyset of the list order: rank 0 = default, 1 = custom (so ascending puts defaults
# first), and the folded name.
LIST_KEYS = ("category", "custom_rank", "name_key", "id")


def persona_list(*, workspace: Workspace, category: str | None = None) -> QuerySet[Persona]:
    queryset = Persona.objects.for_workspace(workspace).annotate(
        custom_rank=Case(
            When(is_default=True, then=Value(0)), default=Value(1), output_field=IntegerField()
        ),
        name_key=Lower("name"),
    )
    if category is not None:
        queryset = queryset.filter(category=category)
    return queryset.order_by(*LIST_KEYS)


def persona_get(*, workspace: Workspace, persona_id: str) -> Persona | None:
    return Persona.objects.for_workspace(workspace).with_id(persona_id).first()


def personas_by_ids(*, workspace: Workspace, ids: Sequence[str]) -> dict[str, Persona]:
    valid = [i for i in ids if isinstance(i, str)]
    found = Persona.objects.for_workspace(workspace).filter(pk__in=valid)
    return {p.pk: p for p in found}


def default_run_personas(*, workspace: Workspace) -> list[Persona]:
    """The documented default set of run-personas that the workspace still has."""
    return list(
        Persona.objects.for_workspace(workspace)
        .filter(slug__in=default_run_slugs())
        .order_by("category", "slug")
    )


def personas_to_run(*, workspace: Workspace, ids: Sequence[str]) -> list[Persona]:
    """The personas a run-personas call names (in request order), or the default set when it
    names none. Unknown or foreign ids, or a deleted default set, raise the documented 400."""
    from annotations.personas import errors

    if not ids:
        personas = default_run_personas(workspace=workspace)
        if not personas:
            raise errors.no_personas_to_run()
        return personas
    found = personas_by_ids(workspace=workspace, ids=ids)
    unknown = [i for i in ids if i not in found]
    if unknown:
        raise errors.unknown_personas(unknown)
    return [found[i] for i in ids]


def personas_by_category(*, workspace: Workspace) -> list[tuple[str, list[Persona]]]:
    """The workspace's personas in list order, grouped by category (the dashboard's picker)."""
    groups: dict[str, list[Persona]] = {}
    for persona in persona_list(workspace=workspace):
        groups.setdefault(persona.category, []).append(persona)
    return list(groups.items())


def persona_runs(*, annotation: Annotation) -> QuerySet[PersonaRun]:
    """The annotation's runs, oldest first (the model's order)."""
    return PersonaRun.objects.filter(annotation=annotation).order_by("created_at", "id")
