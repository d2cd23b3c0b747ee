"""Database helpers for the bulk paths: lookups by large key sets, and a fast upsert.

On PostgreSQL a key set travels as one array parameter (``= ANY(%s)``) and an upsert streams
its rows with COPY into a temporary table, then merges them with one INSERT … ON CONFLICT.
Elsewhere (SQLite) lookups go in chunks of IN lists and the upsert uses Django's bulk_create
with update_conflicts.
"""

from __future__ import annotations

import csv
import io
import json
import zlib
from collections.abc import Iterable, Iterator, Sequence
from itertools import islice

from django.db import connection, models, transaction

LOOKUP_CHUNK = 10_000
NULL = r"\N"  # NULL in insert_rows' COPY (csv writes it unquoted; no value of ours is "\N")


def chunked(values: Iterable, size: int = LOOKUP_CHUNK) -> Iterator[list]:
    iterator = iter(values)
    while chunk := list(islice(iterator, size)):
        yield chunk


def select_in(sql: str, column: str, keys: Iterable, params: Sequence = ()) -> list[tuple]:
    """Run ``sql`` whose WHERE clause contains ``{keys}``, standing for ``column`` in ``keys``.

    ``params`` fill the other placeholders, which must all come before ``{keys}``.
    """
    keys = list(keys)
    if not keys:
        return []
    rows: list[tuple] = []
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(sql.format(keys=f"{column} = ANY(%s)"), [*params, keys])
            return cursor.fetchall()
        for chunk in chunked(keys, 900):
            marks = ", ".join(["%s"] * len(chunk))
            cursor.execute(sql.format(keys=f"{column} IN ({marks})"), [*params, *chunk])
            rows += cursor.fetchall()
    return rows


def _json_text(value) -> str | None:
    if value is None:
        return None
    if not value:
        return "[]" if isinstance(value, list) else "{}"
    return json.dumps(value, ensure_ascii=False)


def _pg_upsert(model, rows, columns, unique_fields, update_fields) -> None:
    meta = model._meta
    fields = [meta.get_field(name) for name in columns]
    names = [f.column for f in fields]
    temp = f"tmp_upsert_{meta.db_table}_{zlib.crc32(' '.join(names).encode()):x}"
    # CSV for COPY: an unquoted empty field is NULL; csv quotes whatever needs it, in C.
    json_columns = {i for i, f in enumerate(fields) if isinstance(f, models.JSONField)}
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    if json_columns:
        writer.writerows(
            [_json_text(v) if i in json_columns else v for i, v in enumerate(row.values())]
            for row in rows
        )
    else:
        writer.writerows(row.values() for row in rows)
    buffer.seek(0)
    conflict = ", ".join(meta.get_field(name).column for name in unique_fields)
    updates = ", ".join(
        f"{meta.get_field(n).column} = EXCLUDED.{meta.get_field(n).column}" for n in update_fields
    )
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            f"CREATE TEMP TABLE IF NOT EXISTS {temp} ON COMMIT DELETE ROWS AS "
            f"SELECT {', '.join(names)} FROM {meta.db_table} WITH NO DATA"
        )
        cursor.cursor.copy_expert(
            f"COPY {temp} ({', '.join(names)}) FROM STDIN WITH (FORMAT csv)", buffer
        )
        cursor.execute(
            f"INSERT INTO {meta.db_table} ({', '.join(names)}) "
            f"SELECT {', '.join(names)} FROM {temp} "
            f"ON CONFLICT ({conflict}) DO UPDATE SET {updates}"
        )
        cursor.execute(f"TRUNCATE {temp}")


def insert_rows(
    model: type[models.Model],
    columns: Sequence[str],
    rows: Iterable[Sequence],
    *,
    constants: dict | None = None,
) -> None:
    """Insert rows (value tuples in the order of ``columns``, field attnames) that cannot
    conflict, each completed with the same ``constants`` (attname → value): on PostgreSQL one
    COPY straight into the table, streamed from ``rows`` (None is NULL, an empty string stays
    an empty string)."""
    constants = constants or {}
    if connection.vendor != "postgresql":
        objects = [model(**dict(zip(columns, row, strict=True)), **constants) for row in rows]
        model.objects.bulk_create(objects, batch_size=500)
        return
    meta = model._meta
    if any(meta.get_field(name).null for name in columns):
        rows = ([NULL if v is None else v for v in row] for row in rows)
    # Rendered once, not once a row.
    tail = tuple(NULL if v is None else str(v) for v in constants.values())
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerows((*row, *tail) for row in rows)
    if not buffer.tell():
        return
    buffer.seek(0)
    names = ", ".join(meta.get_field(name).column for name in [*columns, *constants])
    with connection.cursor() as cursor:
        cursor.cursor.copy_expert(
            f"COPY {meta.db_table} ({names}) FROM STDIN WITH (FORMAT csv, NULL '{NULL}')", buffer
        )


def upsert(
    model: type[models.Model],
    rows: Sequence[dict],
    *,
    unique_fields: Sequence[str],
    update_fields: Sequence[str],
) -> int:
    """Insert rows (dicts of field attnames → values, every dict with the same keys in the same
    order), updating those that conflict on ``unique_fields``. Text values must not be empty
    strings (an empty CSV field is NULL to COPY)."""
    if not rows:
        return 0
    if connection.vendor == "postgresql":
        _pg_upsert(model, rows, list(rows[0]), unique_fields, update_fields)
    else:
        model.objects.bulk_create(
            [model(**row) for row in rows],
            update_conflicts=True,
            unique_fields=list(unique_fields),
            update_fields=list(update_fields),
            batch_size=500,
        )
    return len(rows)
