"""Triggers that keep ReportRollup exact (see the model's docstring), per database vendor,
and the count of the reports stored before them.

Written as RunPython with the vendor's SQL because PostgreSQL needs a PL/pgSQL function and
SQLite a trigger body; both upsert one row per grain on the rollup's unique key.

The backfill is in this migration, not a separate data migration, on purpose: both run in
one transaction, and CREATE TRIGGER holds a lock on reports_report that blocks concurrent
INSERTs until the commit. So a report written by a live server during the migration is
counted exactly once, by the trigger after the commit; in two transactions a report written
between them could be counted twice or lost.
"""

from django.db import migrations

ROLLUP = "reports_reportrollup"
COLUMNS = "(project_id, grain, day, outcome, tool_name, source, report_count)"
KEY = "(project_id, grain, tool_name, source, day, outcome)"


def _values(row, day):
    """One VALUES tuple per grain: all reports, per tool name, per source."""
    return (
        f"({row}.project_id, 'a', {day}, {row}.outcome, '', '', 1), "
        f"({row}.project_id, 't', {day}, {row}.outcome, {row}.tool_name, '', 1), "
        f"({row}.project_id, 's', {day}, {row}.outcome, '', {row}.source, 1)"
    )


def _match(row, day):
    return (
        f"project_id = {row}.project_id AND day = {day} AND outcome = {row}.outcome AND ("
        f"(grain = 'a' AND tool_name = '' AND source = '') "
        f"OR (grain = 't' AND tool_name = {row}.tool_name AND source = '') "
        f"OR (grain = 's' AND tool_name = '' AND source = {row}.source))"
    )


PG_DAY = "({row}.created_at AT TIME ZONE 'UTC')::date"
POSTGRES_UP = [
    f"""
CREATE OR REPLACE FUNCTION report_rollup_apply() RETURNS trigger AS $$
BEGIN
    IF TG_OP IN ('DELETE', 'UPDATE') THEN
        UPDATE {ROLLUP} SET report_count = report_count - 1
        WHERE {_match("OLD", PG_DAY.format(row="OLD"))};
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        INSERT INTO {ROLLUP} {COLUMNS}
        VALUES {_values("NEW", PG_DAY.format(row="NEW"))}
        ON CONFLICT {KEY} DO UPDATE SET report_count = {ROLLUP}.report_count + 1;
    END IF;
    RETURN NULL;
END
$$ LANGUAGE plpgsql
""",
    """
CREATE TRIGGER report_rollup_insert_delete AFTER INSERT OR DELETE ON reports_report
    FOR EACH ROW EXECUTE FUNCTION report_rollup_apply()
""",
    """
CREATE TRIGGER report_rollup_update
    AFTER UPDATE OF project_id, created_at, outcome, tool_name, source ON reports_report
    FOR EACH ROW EXECUTE FUNCTION report_rollup_apply()
""",
]
POSTGRES_DOWN = [
    "DROP TRIGGER IF EXISTS report_rollup_insert_delete ON reports_report",
    "DROP TRIGGER IF EXISTS report_rollup_update ON reports_report",
    "DROP FUNCTION IF EXISTS report_rollup_apply()",
]

# SQLite stores a UTC date-time as text 'YYYY-MM-DD HH:MM:SS[.ffffff]': date() is its day.
_SQLITE_ADD = f"""
    INSERT INTO {ROLLUP} {COLUMNS}
    VALUES {_values("NEW", "date(NEW.created_at)")}
    ON CONFLICT {KEY} DO UPDATE SET report_count = report_count + 1;"""
_SQLITE_REMOVE = f"""
    UPDATE {ROLLUP} SET report_count = report_count - 1
    WHERE {_match("OLD", "date(OLD.created_at)")};"""
SQLITE_UP = [
    f"CREATE TRIGGER report_rollup_insert AFTER INSERT ON reports_report BEGIN{_SQLITE_ADD}\nEND",
    f"CREATE TRIGGER report_rollup_delete AFTER DELETE ON reports_report BEGIN{_SQLITE_REMOVE}\nEND",
    "CREATE TRIGGER report_rollup_update AFTER UPDATE OF project_id, created_at, outcome, "
    f"tool_name, source ON reports_report BEGIN{_SQLITE_REMOVE}{_SQLITE_ADD}\nEND",
]
SQLITE_DOWN = [
    "DROP TRIGGER IF EXISTS report_rollup_insert",
    "DROP TRIGGER IF EXISTS report_rollup_delete",
    "DROP TRIGGER IF EXISTS report_rollup_update",
]

DAY_SQL = {"postgresql": "(created_at AT TIME ZONE 'UTC')::date", "sqlite": "date(created_at)"}
GRAINS = {"a": ("''", "''"), "t": ("tool_name", "''"), "s": ("''", "source")}


def backfill_sql(vendor):
    """One INSERT ... SELECT ... GROUP BY per grain ("WHERE true": SQLite's parser needs it
    between a SELECT and ON CONFLICT)."""
    day = DAY_SQL[vendor]
    statements = []
    for grain, (tool, source) in GRAINS.items():
        # PostgreSQL refuses a constant in GROUP BY: group by the real columns only.
        group = ", ".join(c for c in ("project_id", day, "outcome", tool, source) if c != "''")
        statements.append(
            f"INSERT INTO {ROLLUP} {COLUMNS} "
            f"SELECT project_id, '{grain}', {day}, outcome, {tool}, {source}, COUNT(*) "
            f"FROM reports_report WHERE true GROUP BY {group} "
            f"ON CONFLICT {KEY} DO UPDATE SET report_count = excluded.report_count"
        )
    return statements


def create_triggers(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        statements = POSTGRES_UP
    elif vendor == "sqlite":
        statements = SQLITE_UP
    else:
        raise RuntimeError(f"ReportRollup triggers exist for PostgreSQL and SQLite, not {vendor}")
    for statement in [*statements, *backfill_sql(vendor)]:
        schema_editor.execute(statement)


def drop_triggers(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    statements = POSTGRES_DOWN if vendor == "postgresql" else SQLITE_DOWN
    for statement in [*statements, f"DELETE FROM {ROLLUP}"]:
        schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [("reports", "0004_report_rollup")]

    operations = [migrations.RunPython(create_triggers, drop_triggers)]
