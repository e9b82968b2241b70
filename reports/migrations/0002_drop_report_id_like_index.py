"""Drop the varchar_pattern_ops index Django adds on PostgreSQL for a CharField primary key.

Report ids are only ever compared for equality (the primary key index serves that); nobody
runs LIKE on them. The extra index cost one more B-tree insert per ingested report and
~40 MB per million reports. SQLite has no such index, so this is a no-op there.
"""

from django.db import migrations


def drop_like_index(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexname FROM pg_indexes "
            "WHERE schemaname = current_schema() AND tablename = 'reports_report' "
            "AND indexdef LIKE '%%(id varchar_pattern_ops)%%'"
        )
        for (name,) in cursor.fetchall():
            cursor.execute(f'DROP INDEX IF EXISTS "{name}"')


class Migration(migrations.Migration):
    dependencies = [("reports", "0001_report")]

    operations = [
        # Reversing leaves the index out: it was never used.
        migrations.RunPython(drop_like_index, migrations.RunPython.noop, elidable=True),
    ]
