"""Several writes as ONE PostgreSQL statement: data-modifying CTEs (issue 15).

A write that charges credits, inserts a row, its tag rows and its audit row took eight
round trips (BEGIN, UPDATE, SAVEPOINT, INSERT, RELEASE, INSERT, INSERT, COMMIT), and the
project row stayed locked across all of them. As one statement it is one round trip, still
all or nothing (a statement is atomic; in autocommit it commits by itself), and the row lock
lasts only that statement:

    WITH charged AS (UPDATE ... RETURNING 1),
         w1 AS (INSERT INTO feedback_item (...) SELECT %s, ... FROM charged RETURNING 1),
         w2 AS (INSERT INTO accounts_auditlog (...) SELECT %s, ... FROM w1 RETURNING 1)
    SELECT count(*) FROM w1

Each INSERT is compiled by Django's own compiler from an unsaved model instance (field
defaults, ``pre_save``, JSON adaptation and placeholders are Django's), then its
``VALUES (...)`` becomes ``SELECT ... FROM <previous step>``: a row is written only when the
step before it produced one. PostgreSQL only (SQLite has no data-modifying CTEs); callers
keep their ORM path for other backends.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.db import connection
from django.db.models import Model
from django.db.models.sql import InsertQuery


def supported() -> bool:
    return connection.vendor == "postgresql"


_SELECTS: dict[tuple[str, type[Model], bool], tuple[str, str, list[Any]]] = {}


def insert_from(obj: Model, source: str) -> tuple[str, list[Any]]:
    """``INSERT INTO <obj's table> (...) SELECT <obj's values> FROM <source> RETURNING 1``.

    The text is compiled by Django once per model (and backend) and kept; each call takes
    the values through the fields' own ``pre_save`` and ``get_db_prep_save``, as the
    compiler does. A model with a field that needs its own placeholder is compiled each
    time."""
    meta = obj._meta
    with_auto = not (meta.auto_field is not None and obj.pk is None)
    key = (connection.vendor, type(obj), with_auto)
    plan = _SELECTS.get(key)
    if plan is None:
        fields = [
            f
            for f in meta.local_concrete_fields
            if not f.generated and (with_auto or f is not meta.auto_field)
        ]
        query = InsertQuery(type(obj))
        query.insert_values(fields, [obj], raw=False)
        [(sql, params)] = query.get_compiler(connection=connection).as_sql()
        head, sep, values = sql.partition(" VALUES (")
        if not sep or not values.endswith(")") or " VALUES (" in values:
            raise ValueError(f"unexpected INSERT shape: {sql[:200]}")
        if any(hasattr(f, "get_placeholder") for f in fields):
            return f"{head} SELECT {values[:-1]} FROM {source} RETURNING 1", list(params)  # noqa: S608  # identifiers from _meta, values are parameters
        plan = (head, values[:-1], fields)
        _SELECTS[key] = plan
    head, values, fields = plan
    params = [f.get_db_prep_save(f.pre_save(obj, True), connection) for f in fields]
    return f"{head} SELECT {values} FROM {source} RETURNING 1", params  # noqa: S608  # identifiers from _meta, values are parameters


def run(first: tuple[str, Sequence[Any]], objs: Sequence[Model]) -> int:
    """Run ``first`` (a statement with ``RETURNING``); insert ``objs[0]`` only if it
    returned a row, and the rest of ``objs`` only if ``objs[0]`` was written. Returns how
    many rows ``objs[0]``'s INSERT wrote (0 or 1)."""
    steps = [f"s0 AS ({first[0]})"]
    params: list[Any] = list(first[1])
    for n, obj in enumerate(objs, start=1):
        sql, p = insert_from(obj, f"s{n - 1}" if n == 1 else "s1")
        steps.append(f"s{n} AS ({sql})")
        params += p
    with connection.cursor() as cursor:
        sql = "WITH " + ", ".join(steps) + " SELECT count(*) FROM s1"  # noqa: S608  # ditto
        cursor.execute(sql, params)
        row = cursor.fetchone()
    return int(row[0]) if row else 0


_INSERTS: dict[tuple[str, type[Model]], tuple[str, list[Any]]] = {}


def insert(obj: Model) -> None:
    """``obj.save(force_insert=True)`` for a hot path: the INSERT's text is built once per
    model and backend from ``_meta`` (Django's compiler rebuilt it on every call, ~0.1 ms),
    the values go through each field's own ``pre_save`` and ``get_db_prep_save``. Models
    with a field that needs its own SQL placeholder, or without a primary key value, are
    saved by the ORM."""
    model = type(obj)
    key = (connection.vendor, model)
    plan = _INSERTS.get(key)
    if plan is None:
        meta = obj._meta
        fields = [f for f in meta.local_concrete_fields if not f.generated]
        qn = connection.ops.quote_name
        if meta.auto_field is not None or any(hasattr(f, "get_placeholder") for f in fields):
            plan = ("", [])
        else:
            plan = (
                f"INSERT INTO {qn(meta.db_table)} ({', '.join(qn(str(f.column)) for f in fields)}) "  # noqa: S608  # identifiers from _meta
                f"VALUES ({', '.join(['%s'] * len(fields))})",
                fields,
            )
        _INSERTS[key] = plan
    sql, fields = plan
    if not sql:
        obj.save(force_insert=True)
        return
    params = [f.get_db_prep_save(f.pre_save(obj, True), connection) for f in fields]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
    obj._state.adding = False
    obj._state.db = "default"
