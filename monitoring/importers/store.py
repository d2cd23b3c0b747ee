"""Apply a registry plan and write the snapshots of a parsed file: bulk writes only.

The caller holds the transaction: a file goes in whole or not at all. Snapshots are upserted
on (organisation, date); a row whose values equal what is stored is left alone (a re-upload of
the same data changes nothing), and a row with other values replaces that date's snapshot.
Uploads write one at a time (``_serialise_writes``), so two of them end as one after the other.
The regions, МО and organisations the import creates or changes get their history rows (the
audit log's «Журнал изменений») in the same transaction, in bulk: bulk writes send no signals,
so simple-history would record nothing of them. The upload is the reason, its uploader the user.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from operator import attrgetter

from django.db import connection
from django.utils import timezone

from monitoring.db import insert_rows, select_in, upsert
from monitoring.models import COUNT_FIELDS, Snapshot, Upload
from organizations.models import (
    Municipality,
    Organization,
    OrganizationAlias,
    Region,
)

from .registry import RegistryPlan

# Compared to decide "unchanged", and written on change (is_active, flags, extra come last).
SNAPSHOT_VALUES = (*COUNT_FIELDS, "is_active", "flags", "extra")
SNAPSHOTS = Snapshot._meta.db_table
ORGANIZATIONS = Organization._meta.db_table
# pg_advisory_xact_lock key of upload writes (one bigint; weekly.py locks (4810, day) pairs,
# a separate key space).
WRITE_LOCK = 4811


@dataclass
class WriteOutcome:
    written: int = 0
    unchanged: int = 0
    regions_created: int = 0
    municipalities_created: int = 0
    organizations_created: int = 0
    organizations_renamed: int = 0
    organizations_moved: int = 0
    dates: set[dt.date] = field(default_factory=set)  # dates whose snapshots changed
    municipality_ids: set[int] = field(default_factory=set)  # of the rows written or compared
    created_organization_ids: list[int] = field(default_factory=list)
    created_municipality_ids: list[int] = field(default_factory=list)
    # Confirmed moves: the organisations and the МО they left (their weeks change too).
    moved_organization_ids: list[int] = field(default_factory=list)
    moved_from_municipality_ids: set[int] = field(default_factory=set)


def _serialise_writes() -> None:
    """Take the upload write lock until the transaction ends (PostgreSQL; SQLite serialises
    writers itself). Without it two uploads of the same keys interleave: each compares its rows
    with what was stored before the other one committed and skips those it takes for unchanged,
    so the result mixes both files; and their registry inserts, in different orders, can
    deadlock. Uploads are few and a write takes seconds, so one at a time costs little."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [WRITE_LOCK])


def _drop_created_meanwhile(plan: RegistryPlan) -> None:
    """The plan was made before the write lock: another upload may have created some of its
    new entries since. Keep as new only what is still missing (the upload reports, and hands to
    the rollout sync, only what it created), and refresh the maps the new entries hang on."""
    if not (plan.new_regions or plan.new_municipalities or plan.new_organizations):
        return
    plan.regions = dict(Region.objects.values_list("code", "pk"))
    plan.municipalities = {
        (code, name): pk
        for pk, name, code in Municipality.objects.values_list("pk", "name", "region__code")
    }
    plan.new_regions = {c: n for c, n in plan.new_regions.items() if c not in plan.regions}
    plan.new_municipalities = {k for k in plan.new_municipalities if k not in plan.municipalities}
    existing = {
        sid
        for (sid,) in select_in(
            f"SELECT sferum_id FROM {ORGANIZATIONS} WHERE {{keys}}",
            "sferum_id",
            plan.new_organizations,
        )
    }
    plan.new_organizations = {
        sid: row for sid, row in plan.new_organizations.items() if sid not in existing
    }


@dataclass
class _Created:
    """The registry entries an import created (their pks set once known), for their history."""

    regions: list[Region] = field(default_factory=list)
    municipalities: list[Municipality] = field(default_factory=list)
    organizations: list[Organization] = field(default_factory=list)


def _create_registry_entries(plan: RegistryPlan, outcome: WriteOutcome) -> _Created:
    _drop_created_meanwhile(plan)
    created = _Created()
    if plan.new_regions:
        created.regions = [Region(code=code, name=name) for code, name in plan.new_regions.items()]
        Region.objects.bulk_create(created.regions, ignore_conflicts=True)
        plan.regions = dict(Region.objects.values_list("code", "pk"))
        for region in created.regions:
            region.pk = plan.regions[region.code]
        outcome.regions_created = len(plan.new_regions)
    if plan.new_municipalities:
        keys = list(plan.new_municipalities)
        created.municipalities = [
            Municipality(region_id=plan.regions[code], name=name) for code, name in keys
        ]
        Municipality.objects.bulk_create(created.municipalities, ignore_conflicts=True)
        plan.municipalities = {
            (code, name): pk
            for pk, name, code in Municipality.objects.values_list("pk", "name", "region__code")
        }
        for key, municipality in zip(keys, created.municipalities, strict=True):
            municipality.pk = plan.municipalities[key]
        outcome.municipalities_created = len(plan.new_municipalities)
    if plan.new_organizations:
        codes_by_name = {}
        for code, name in plan.municipalities:
            codes_by_name.setdefault(name, set()).add(code)
        organizations = []
        for row in plan.new_organizations.values():
            code = row.region_code or next(iter(codes_by_name[row.municipality]))
            organizations.append(
                Organization(
                    sferum_id=row.sferum_id,
                    short_name=row.short_name,
                    org_type=row.org_type,
                    municipality_id=plan.municipalities[(code, row.municipality)],
                    link=row.link or "",
                    is_active=row.is_active is not False,
                )
            )
        Organization.objects.bulk_create(organizations, ignore_conflicts=True, batch_size=2000)
        outcome.organizations_created = len(organizations)
        created.organizations = organizations
    return created


def _history_reason(upload: Upload) -> str:
    """«загрузка статистики № 12 «file.xlsx»», cut to fit the history's reason column."""
    limit = Organization.history.model._meta.get_field("history_change_reason").max_length
    reason = f"загрузка статистики № {upload.pk} «{upload.file_name}»"
    return reason if len(reason) <= limit else f"{reason[: limit - 2]}…»"


def _write_history(model, objects, history_type: str, *, upload: Upload, when) -> None:
    """One history row per object, as simple-history would write it on save: the tracked
    fields' values, then who, when and why. One COPY, however many objects."""
    if not objects:
        return
    names = [f.attname for f in model.history.model.tracked_fields]
    values = attrgetter(*names) if len(names) > 1 else lambda o: (getattr(o, names[0]),)
    insert_rows(
        model.history.model,
        names,
        map(values, objects),
        constants={
            "history_date": when,
            "history_type": history_type,
            "history_user_id": upload.uploaded_by_id,
            "history_change_reason": _history_reason(upload),
        },
    )


def _record_history(
    created: _Created, changed: list[Organization], ids: dict[int, int], *, upload: Upload
) -> None:
    when = timezone.now()
    for organization in created.organizations:
        organization.pk = ids[organization.sferum_id]
    _write_history(Region, created.regions, "+", upload=upload, when=when)
    _write_history(Municipality, created.municipalities, "+", upload=upload, when=when)
    _write_history(Organization, created.organizations, "+", upload=upload, when=when)
    _write_history(Organization, changed, "~", upload=upload, when=when)


def _move_targets(plan: RegistryPlan) -> dict[int, int]:
    """sferum_id -> pk of the МО a confirmed move puts it in (created by now)."""
    if not plan.moves_confirmed:
        return {}
    return {sid: plan.municipalities[key] for sid, key in plan.moves.items()}


def _rename(plan: RegistryPlan, ids: dict[int, int], outcome: WriteOutcome) -> list[Organization]:
    """Rename, retype and (confirmed) move organisations; returns those changed."""
    if plan.renamed:
        OrganizationAlias.objects.bulk_create(
            [
                OrganizationAlias(organization_id=ids[sid], name=old, replaced_on=date)
                for sid, (old, _new, date) in plan.renamed.items()
            ],
            ignore_conflicts=True,
        )
    moves = _move_targets(plan)
    changed = set(plan.renamed) | set(plan.retyped) | set(moves)
    if not changed:
        return []
    organizations = list(Organization.objects.filter(sferum_id__in=changed))
    for org in organizations:
        if org.sferum_id in plan.renamed:
            org.short_name = plan.renamed[org.sferum_id][1]
        org.org_type = plan.retyped.get(org.sferum_id, org.org_type)
        if org.sferum_id in moves and moves[org.sferum_id] != org.municipality_id:
            outcome.moved_organization_ids.append(org.pk)
            outcome.moved_from_municipality_ids.add(org.municipality_id)
            org.municipality_id = moves[org.sferum_id]
    Organization.objects.bulk_update(
        organizations,
        ["short_name", "org_type", "municipality", "updated_at"],
        batch_size=1000,
    )
    outcome.organizations_renamed = len(plan.renamed)
    outcome.organizations_moved = len(moves)
    return organizations


def _stored_values(dates: set[dt.date], organization_ids) -> dict[tuple, list]:
    """What the snapshots of these organisations hold on these dates, to spot unchanged rows."""
    if not dates:
        return {}
    marks = ", ".join(["%s"] * len(dates))
    rows = select_in(
        f"SELECT organization_id, date, {', '.join(SNAPSHOT_VALUES)} FROM {SNAPSHOTS} "
        f"WHERE date IN ({marks}) AND {{keys}}",
        "organization_id",
        organization_ids,
        sorted(dates),
    )
    stored = {}
    for org_id, date, *values in rows:
        if isinstance(date, str):  # SQLite returns raw dates, booleans and JSON as text/ints
            date = dt.date.fromisoformat(date)
        values[-3] = None if values[-3] is None else bool(values[-3])
        values[-2:] = [json.loads(v) if isinstance(v, str) else v for v in values[-2:]]
        stored[(org_id, date)] = values
    return stored


def store_plan(
    plan: RegistryPlan,
    *,
    upload: Upload,
    progress: Callable[[int, str], None] = lambda pct, note: None,
) -> WriteOutcome:
    outcome = WriteOutcome()
    _serialise_writes()
    created = _create_registry_entries(plan, outcome)
    sferum_ids = {row.sferum_id for row in plan.rows}
    ids, municipality_ids = {}, set(_move_targets(plan).values())
    for sid, pk, municipality_id in select_in(
        f"SELECT sferum_id, id, municipality_id FROM {ORGANIZATIONS} WHERE {{keys}}",
        "sferum_id",
        sferum_ids,
    ):
        ids[sid] = pk
        municipality_ids.add(municipality_id)
    outcome.municipality_ids = municipality_ids
    outcome.created_organization_ids = [ids[sid] for sid in plan.new_organizations if sid in ids]
    outcome.created_municipality_ids = [
        plan.municipalities[key] for key in plan.new_municipalities if key in plan.municipalities
    ]
    changed = _rename(plan, ids, outcome)
    _record_history(created, changed, ids, upload=upload)
    progress(40, "Реестр обновлён, сравниваем значения")

    stored = _stored_values({row.date for row in plan.rows}, ids.values())
    now = timezone.now()
    to_write = []
    for row in plan.rows:
        org_id = ids[row.sferum_id]
        values = [getattr(row, name) for name in COUNT_FIELDS]
        values += [row.is_active, list(row.flags), row.extra]
        if stored.get((org_id, row.date)) == values:
            outcome.unchanged += 1
            continue
        record = dict(zip(SNAPSHOT_VALUES, values, strict=True))
        record.update(organization_id=org_id, date=row.date, upload_id=upload.pk, updated_at=now)
        to_write.append(record)
        outcome.dates.add(row.date)
    progress(60, f"Записываем {len(to_write)} строк")
    outcome.written = upsert(
        Snapshot,
        to_write,
        unique_fields=("organization", "date"),
        update_fields=(*SNAPSHOT_VALUES, "upload", "updated_at"),
    )
    return outcome
