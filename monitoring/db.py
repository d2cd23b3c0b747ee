"""Database helpers the bulk paths share: chunked lookups and a fast upsert.

On PostgreSQL the upsert sends pages of rows with psycopg2's execute_values (one statement per
page); elsewhere it falls back to Django's bulk_create with update_conflicts.
"""

from collections.abc import Iterable, Iterator, Sequence
from itertools import islice

from django.db import connection, models

LOOKUP_CHUNK = 10_000
UPSERT_PAGE = 5_000


def chunked(values: Iterable, size: int = LOOKUP_CHUNK) -> Iterator[list]:
    iterator = iter(values)
    while chunk := list(islice(iterator, size)):
        yield chunk


def values_in_chunks(queryset, field: str, keys: Iterable, *columns: str) -> Iterator[tuple]:
    """``queryset.filter(field__in=keys).values_list(*columns)``, a chunk of keys at a time
    (SQLite limits the parameters of one statement)."""
    for chunk in chunked(keys):
        yield from queryset.filter(**{f"{field}__in": chunk}).values_list(*columns)


def upsert(
    model: type[models.Model],
    rows: Sequence[dict],
    *,
    unique_fields: Sequence[str],
    update_fields: Sequence[str],
) -> int:
    """Insert rows (dicts of column attnames → values), updating the ones that conflict."""
    if not rows:
        return 0
    if connection.vendor != "postgresql":
        objs = [model(**row) for row in rows]
        model.objects.bulk_create(
            objs,
            update_conflicts=True,
            unique_fields=list(unique_fields),
            update_fields=list(update_fields),
            batch_size=500,
        )
        return len(rows)
    from psycopg2.extras import Json, execute_values

    meta = model._meta
    columns = list(rows[0])
    column_names = [meta.get_field(name).column for name in columns]
    json_columns = {
        i for i, name in enumerate(columns) if isinstance(meta.get_field(name), models.JSONField)
    }
    conflict = ", ".join(meta.get_field(name).column for name in unique_fields)
    updates = ", ".join(
        f"{meta.get_field(n).column} = EXCLUDED.{meta.get_field(n).column}" for n in update_fields
    )
    sql = (
        f"INSERT INTO {meta.db_table} ({', '.join(column_names)}) VALUES %s "
        f"ON CONFLICT ({conflict}) DO UPDATE SET {updates}"
    )

    def tuples():
        for row in rows:
            values = list(row.values())
            for i in json_columns:
                values[i] = Json(values[i])
            yield tuple(values)

    with connection.cursor() as cursor:
        execute_values(cursor.cursor, sql, tuples(), page_size=UPSERT_PAGE)
    return len(rows)
