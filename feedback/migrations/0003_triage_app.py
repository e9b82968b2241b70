# Triage moves to its own app (issue 13): corrections move to triage.TriageCorrection
# (generic target, with the text and labels they record), and items get the fine label.

from django.db import migrations, models


def copy_corrections(apps, schema_editor):
    """Old feedback corrections -> triage corrections, keeping ids' order and timestamps."""
    Old = apps.get_model("feedback", "TriageCorrection")
    New = apps.get_model("triage", "TriageCorrection")
    ContentType = apps.get_model("contenttypes", "ContentType")
    db = schema_editor.connection.alias
    ct, _ = ContentType.objects.using(db).get_or_create(app_label="feedback", model="item")
    rows = []
    for old in Old.objects.using(db).select_related("item").order_by("id").iterator():
        item = old.item
        rows.append(
            New(
                content_type_id=ct.pk,
                object_id=item.pk,
                project_id=old.project_id,
                field=old.field,
                old_value=old.old_value,
                new_value=old.new_value,
                text=item.body,
                page=item.page_url[:2048],
                language=item.triage_language,
                category_after=item.category,
                sentiment_after=item.sentiment,
                label_after=item.triage_label,
                corrected_by_id=old.corrected_by_id,
                created_at=old.created_at,
            )
        )
    New.objects.using(db).bulk_create(rows, batch_size=500)


def label_from_category(apps, schema_editor):
    """Items triaged before the fine label existed: their label is their category."""
    Item = apps.get_model("feedback", "Item")
    db = schema_editor.connection.alias
    Item.objects.using(db).exclude(category="").update(triage_label=models.F("category"))


class Migration(migrations.Migration):

    dependencies = [
        ("contenttypes", "0002_remove_content_type_name"),
        ("feedback", "0002_item_triage_fields"),
        ("projects", "0001_initial"),
        ("triage", "0001_triage_corrections"),
    ]

    operations = [
        migrations.AddField(
            model_name="item",
            name="triage_label",
            field=models.CharField(
                blank=True,
                choices=[
                    ("bug", "Bug"),
                    ("feature", "Feature request"),
                    ("question", "Question"),
                    ("praise", "Praise"),
                    ("other", "Not actionable"),
                ],
                default="",
                max_length=8,
            ),
        ),
        migrations.AddConstraint(
            model_name="item",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    ("triage_label__in", ["", "bug", "feature", "question", "praise", "other"])
                ),
                name="fbk_label_valid",
            ),
        ),
        migrations.RunPython(label_from_category, migrations.RunPython.noop),
        migrations.RunPython(copy_corrections, migrations.RunPython.noop),
        # One DeleteModel (not RemoveField x3 first): its reverse recreates the whole table,
        # indexes included, so the migration can be unapplied.
        migrations.DeleteModel(name="TriageCorrection"),
    ]
