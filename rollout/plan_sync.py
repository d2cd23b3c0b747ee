"""Set-based sync of plan-item tasks: the items of each organisation's type, and the district
(УО) items of each municipality, in a few SQL statements per kind whatever the number of rows.

Which tasks should be active is one relation, ``wanted`` (item, owner): the active
organisation-level items joined by type to the active organisations, or every active district
item with every municipality. Against it:

- restore: archived tasks that apply again come back, their ticks and history intact;
- archive: active tasks that no longer apply (an item switched off, an organisation closed or
  of another type) go to the archive;
- insert: the missing district tasks are created by ``INSERT … SELECT`` straight from the
  registry.

An organisation's item tasks are created lazily (``create_organization_items``): a national
registry holds 70,000 organisations × 17 items, and a row that says only «не начато» carries
nothing the matrix cannot tell from the templates. They are made when a page about the
organisation or its «Мои шаги» is opened, before anyone can tick them; until then the matrix and
every figure count a missing task of an applicable item as «не начато» (matrix.py).

Nothing is deleted and no status is touched. Syncs take turns (an advisory lock on PostgreSQL,
the database lock on SQLite), so a manual ``rollout_sync`` beside an import's never creates a row
twice; the lazy insert skips rows another request made first (ON CONFLICT DO NOTHING).
``owner_ids`` of None means every row; a list of ids is one parameter (a PostgreSQL array, a
JSON array on SQLite), never a statement per chunk.
"""

from __future__ import annotations

import json
from collections.abc import Collection
from typing import NamedTuple

from django.db import connection
from django.utils import timezone

from organizations.models import Municipality, Organization

from .models import PlanItemTemplate, Status, Task


class Counts(NamedTuple):
    created: int
    archived: int
    restored: int


def _q(name: str) -> str:
    return connection.ops.quote_name(name)


def _ids_filter(column: str, ids: Collection[int] | None) -> tuple[str, list]:
    """`` AND column IN ids`` with one parameter; nothing when ``ids`` is None (every row)."""
    if ids is None:
        return "", []
    if connection.vendor == "postgresql":
        # A relation, not "= ANY(array)": that is a linear search of the array for each row.
        return f" AND {column} IN (SELECT unnest(%s::bigint[]))", [list(ids)]
    return f" AND {column} IN (SELECT value FROM json_each(%s))", [json.dumps(list(ids))]


def _values_filter(column: str, values: Collection[int] | None) -> tuple[str, list]:
    if values is None:
        return "", []
    if not values:
        return " AND 1 = 0", []
    return f" AND {column} IN ({', '.join(['%s'] * len(values))})", list(values)


def _execute(sql: str, params: list) -> int:
    """Run a write; the number of rows it wrote."""
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        if connection.vendor == "sqlite":
            # Python's sqlite3 reports no rowcount for a statement that starts with WITH.
            cursor.execute("SELECT changes()")
            return cursor.fetchone()[0]
        return max(cursor.rowcount, 0)


# PostgreSQL: syncs take turns (``lock``), so a plain INSERT never meets a row another sync is
# creating; ON CONFLICT would cost a third more per row. SQLite writes one at a time anyway.
_INSERT = {False: "INSERT INTO", True: "INSERT OR IGNORE INTO"}
# Statistics are renewed after a sync that created this many tasks (a national import's first).
ANALYZE_AFTER_ROWS = 20_000
_LOCK_KEY = 7_126_001  # pg_advisory_xact_lock: the plan-task sync


def lock() -> None:
    """Wait for any other plan-task sync to commit (held until this transaction ends)."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_LOCK_KEY])


def _scalar(sql: str, params: list) -> int:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchone()[0]


def _apply(
    *,
    owner: str,
    cte: str,
    cte_params: list,
    wanted: str,
    wanted_params: list,
    owner_filter: tuple[str, list],
    scope: str,
    scope_params: list,
    create: bool = True,
) -> Counts:
    """Restore, archive and (``create``) insert the plan tasks of the owner column ``owner`` so
    that the active ones in ``scope`` are exactly ``wanted`` (or a part of it, without
    ``create``): a SELECT of item_id, owner_id from the owners ``o`` (reading the CTE ``cte``),
    to which ``owner_filter`` adds the owner ids the insert is limited to."""
    lock()
    task = _q(Task._meta.db_table)
    item_col, owner_col = f"{task}.{_q('plan_item_id')}", f"{task}.{_q(owner)}"
    archived, archived_at = _q("archived"), _q("archived_at")
    now = connection.ops.adapt_datetimefield_value(timezone.now())
    where = f"{item_col} IS NOT NULL AND {owner_col} IS NOT NULL{scope}"
    is_wanted = (
        f"EXISTS (SELECT 1 FROM ({wanted}) w "
        f"WHERE w.item_id = {item_col} AND w.owner_id = {owner_col})"
    )
    restored = _execute(
        f"{cte}UPDATE {task} SET {archived} = %s, {archived_at} = NULL "
        f"WHERE {where} AND {task}.{archived} = %s AND {is_wanted}",
        [*cte_params, False, *scope_params, True, *wanted_params],
    )
    archived_count = _execute(
        f"{cte}UPDATE {task} SET {archived} = %s, {archived_at} = %s "
        f"WHERE {where} AND {task}.{archived} = %s AND NOT {is_wanted}",
        [*cte_params, True, now, *scope_params, False, *wanted_params],
    )
    if not create:
        return Counts(0, archived_count, restored)
    # Every active task in scope is now wanted: as many as are wanted means none is missing,
    # and a sync that changes nothing skips the anti-join over a million pairs.
    active = _scalar(
        f"SELECT count(*) FROM {task} WHERE {where} AND {task}.{archived} = %s",
        [*scope_params, False],
    )
    expected = _scalar(
        f"{cte}SELECT count(*) FROM ({wanted}{owner_filter[0]}) w",
        [*cte_params, *wanted_params, *owner_filter[1]],
    )
    if active >= expected:
        return Counts(0, archived_count, restored)
    # In the order of the unique index (owner, item): a million rows inserted at random places
    # of it cost half as much again.
    created = _insert_missing(
        owner, cte + _INSERT[connection.vendor == "sqlite"], cte_params, wanted, wanted_params,
        owner_filter, "ORDER BY w.owner_id, w.item_id",
    )  # fmt: skip
    if created >= ANALYZE_AFTER_ROWS and connection.vendor == "postgresql":
        # The planner would take the table for as small as before until autovacuum comes:
        # the next sync, which changes nothing, then costs 8 s instead of 1 s.
        with connection.cursor() as cursor:
            cursor.execute(f"ANALYZE {task}")
    return Counts(created, archived_count, restored)


def _insert_missing(
    owner: str,
    head: str,
    head_params: list,
    wanted: str,
    wanted_params: list,
    owner_filter: tuple[str, list],
    tail: str,
) -> int:
    """``head`` (a CTE and INSERT INTO) the tasks of ``wanted`` that do not exist, then ``tail``."""
    task = _q(Task._meta.db_table)
    columns = ("plan_item_id", owner, "class_name", "status", "comment", "reason", "archived",
               "created_at")  # fmt: skip
    now = connection.ops.adapt_datetimefield_value(timezone.now())
    return _execute(
        f"{head} {task} ({', '.join(_q(c) for c in columns)}) "
        f"SELECT w.item_id, w.owner_id, '', %s, '', '', %s, %s FROM ({wanted}{owner_filter[0]}) w "
        f"WHERE NOT EXISTS (SELECT 1 FROM {task} t "
        f"WHERE t.{_q('plan_item_id')} = w.item_id AND t.{_q(owner)} = w.owner_id) {tail}",
        [*head_params, Status.NOT_STARTED, False, now, *wanted_params, *owner_filter[1]],
    )


# No item applies: every task in scope goes to the archive and none is created.
_NOTHING = "SELECT 0 AS item_id, 0 AS owner_id FROM (SELECT 0 AS id) o WHERE 1 = 0"


def _organization_wanted(
    items: list[PlanItemTemplate], item_ids: Collection[int] | None
) -> tuple[str, list, str, list]:
    """(cte, its params, wanted, its params): the organisation-level items among ``items``
    (restricted to ``item_ids``) paired with the active organisations of their types."""
    pairs = [
        (item.pk, org_type)
        for item in items
        if item.org_types and (item_ids is None or item.pk in item_ids)
        for org_type in item.org_types
    ]
    if not pairs:
        return "", [], _NOTHING, []
    cte = "WITH applicable(item_id, org_type) AS (VALUES {}) ".format(
        ", ".join(["(%s, %s)"] * len(pairs))
    )
    org = _q(Organization._meta.db_table)
    wanted = (
        f"SELECT a.item_id AS item_id, o.{_q('id')} AS owner_id FROM {org} o "
        f"JOIN applicable a ON a.org_type = o.{_q('org_type')} WHERE o.{_q('is_active')} = %s"
    )
    return cte, [value for pair in pairs for value in pair], wanted, [True]


def sync_organization_items(
    items: list[PlanItemTemplate],
    organization_ids: Collection[int] | None = None,
    item_ids: Collection[int] | None = None,
) -> Counts:
    """Restore and archive the tasks of the organisation-level items among the active ``items``
    (restricted to ``item_ids``, when a template changed) for the given organisations (None:
    all). The missing ones are not created here but by ``create_organization_items``."""
    cte, cte_params, wanted, wanted_params = _organization_wanted(items, item_ids)
    task_org = f"{_q(Task._meta.db_table)}.{_q('organization_id')}"
    scope, scope_params = _ids_filter(task_org, organization_ids)
    items_sql, items_params = _values_filter(
        f"{_q(Task._meta.db_table)}.{_q('plan_item_id')}", item_ids
    )
    return _apply(
        owner="organization_id",
        cte=cte,
        cte_params=cte_params,
        wanted=wanted,
        wanted_params=wanted_params,
        owner_filter=_ids_filter(f"o.{_q('id')}", organization_ids),
        scope=scope + items_sql,
        scope_params=scope_params + items_params,
        create=False,
    )


def create_organization_items(
    items: list[PlanItemTemplate], organization_ids: Collection[int]
) -> int:
    """Create the missing tasks of the given organisations' items (the few organisations a page
    is about): one statement, no lock; a row another request created first is skipped."""
    if not organization_ids:
        return 0
    cte, cte_params, wanted, wanted_params = _organization_wanted(items, None)
    if not cte:
        return 0
    return _insert_missing(
        "organization_id", f"{cte}INSERT INTO", cte_params, wanted, wanted_params,
        _ids_filter(f"o.{_q('id')}", organization_ids), "ON CONFLICT DO NOTHING",
    )  # fmt: skip


def sync_municipality_items(
    items: list[PlanItemTemplate],
    municipality_ids: Collection[int] | None = None,
    item_ids: Collection[int] | None = None,
) -> Counts:
    """Tasks of the district (УО) items among the active ``items`` for the given
    municipalities (None: all)."""
    district = [i.pk for i in items if i.for_district and (item_ids is None or i.pk in item_ids)]
    cte = "WITH applicable(item_id) AS (VALUES {}) ".format(", ".join(["(%s)"] * len(district)))
    mo = _q(Municipality._meta.db_table)
    wanted = (
        f"SELECT a.item_id AS item_id, o.{_q('id')} AS owner_id FROM {mo} o "
        "CROSS JOIN applicable a WHERE 1 = 1"
    )
    task = _q(Task._meta.db_table)
    scope, scope_params = _ids_filter(f"{task}.{_q('municipality_id')}", municipality_ids)
    items_sql, items_params = _values_filter(f"{task}.{_q('plan_item_id')}", item_ids)
    cte_params = district
    if not district:
        cte, cte_params, wanted = "", [], _NOTHING
    return _apply(
        owner="municipality_id",
        cte=cte,
        cte_params=cte_params,
        wanted=wanted,
        wanted_params=[],
        owner_filter=_ids_filter(f"o.{_q('id')}", municipality_ids),
        scope=scope + items_sql,
        scope_params=scope_params + items_params,
    )
