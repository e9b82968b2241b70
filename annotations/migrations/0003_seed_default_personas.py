"""Seed the shipped default personas into every workspace that existed before personas.

New workspaces are seeded at creation (``accounts.signals.workspace_created``). This adds,
per workspace, the defaults it lacks by slug, from the same reviewed file
(annotations/personas/defaults.json as shipped when the migration runs); running it again
adds nothing. Reversing deletes nothing: personas may have been edited since.
"""

from django.db import migrations
from django.utils import timezone


def seed(apps, schema_editor):
    from annotations.personas.catalogue import load_defaults

    Workspace = apps.get_model("accounts", "Workspace")
    Persona = apps.get_model("annotations", "Persona")
    defaults = load_defaults()
    now = timezone.now()
    for workspace_id in Workspace.objects.values_list("pk", flat=True).iterator():
        existing = set(
            Persona.objects.filter(workspace_id=workspace_id).values_list("slug", flat=True)
        )
        Persona.objects.bulk_create(
            [
                Persona(
                    workspace_id=workspace_id,
                    slug=d.slug,
                    created_at=now,
                    updated_at=now,
                    **d.fields(),
                )
                for d in defaults
                if d.slug not in existing
            ]
        )


class Migration(migrations.Migration):
    dependencies = [
        ("annotations", "0002_annotation_triage"),
    ]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
