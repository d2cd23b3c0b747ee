"""Match parsed rows against the registry: which organisations exist, which are new or renamed,
which municipalities and regions the file adds, and which rows lie outside the uploader's scope.

A row that places a registered organisation in another МО is an error of that row: a file does
not move an organisation by itself. Only someone whose scope covers both МО may move it, and
only by saying so (``move_organizations``); the preview lists the proposed moves.

Reads only (a constant number of queries per 10,000 rows); ``store`` applies the plan.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field

from monitoring.db import select_in
from monitoring.models import Snapshot
from organizations.models import Municipality, Organization, Region
from organizations.selectors import Scope

from .parser import ParsedRow
from .problems import ERROR, WARNING, Problem

MunicipalityKey = tuple[str, str]  # (region code, municipality name)
# The confirmation a move needs (the preview's checkbox, the command's --move-organizations).
MOVE_LABEL = "Перенести ОО в другое МО, как в файле"
SNAPSHOTS = Snapshot._meta.db_table
ORGANIZATIONS = Organization._meta.db_table
MUNICIPALITIES = Municipality._meta.db_table


@dataclass(frozen=True, slots=True)
class KnownOrganization:
    pk: int
    short_name: str
    org_type: str
    municipality_id: int
    region_id: int
    latest_date: dt.date | None


@dataclass
class RegistryPlan:
    """What writing a file would do to the registry, and which rows may be written."""

    known: dict[int, KnownOrganization] = field(default_factory=dict)  # by Sferum ID
    regions: dict[str, int] = field(default_factory=dict)  # code -> pk
    municipalities: dict[MunicipalityKey, int] = field(default_factory=dict)
    new_regions: dict[str, str] = field(default_factory=dict)  # code -> name
    new_municipalities: set[MunicipalityKey] = field(default_factory=set)
    new_organizations: dict[int, ParsedRow] = field(default_factory=dict)  # latest row per ID
    renamed: dict[int, tuple[str, str, dt.date]] = field(default_factory=dict)  # old, new, date
    retyped: dict[int, str] = field(default_factory=dict)  # sferum_id -> new type code
    # sferum_id -> the МО the file puts it in (its latest row): proposed, or confirmed when
    # ``moves_confirmed`` (then the store applies them).
    moves: dict[int, MunicipalityKey] = field(default_factory=dict)
    moves_confirmed: bool = False
    move_rows: int = 0  # rows held back as errors only because a move was not confirmed
    municipality_names: dict[int, str] = field(default_factory=dict)  # pk -> name
    rows: list[ParsedRow] = field(default_factory=list)  # rows in scope
    out_of_scope: list[ParsedRow] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)  # registry warnings
    per_municipality: Counter = field(default_factory=Counter)  # name -> organisations
    # (sheet, Excel row) -> the registered МО the row concerns, its organisation's first, then
    # the one the file names (who may see the row); rows naming an МО not yet registered add
    # its region code ("" when unknown) to ``unregistered_area_regions``.
    row_areas: dict[tuple[str, int], tuple[int, ...]] = field(default_factory=dict)
    unregistered_area_regions: set[str] = field(default_factory=set)

    def summary(self, limit: int = 200) -> dict:
        """A JSON-serialisable preview (lists capped at ``limit``)."""
        return {
            "areas": {
                "municipalities": sorted({pk for pks in self.row_areas.values() for pk in pks}),
                "new_in_regions": sorted(self.unregistered_area_regions),
            },
            "per_municipality": sorted(self.per_municipality.items()),
            "new_regions": sorted(self.new_regions.items()),
            "new_municipalities": sorted(
                f"{name} ({code})" for code, name in self.new_municipalities
            ),
            "new_organizations": [
                {"sferum_id": r.sferum_id, "name": r.short_name, "municipality": r.municipality}
                for r in list(self.new_organizations.values())[:limit]
            ],
            "new_organizations_total": len(self.new_organizations),
            "renamed": [
                {"sferum_id": sid, "old": old, "new": new}
                for sid, (old, new, _) in list(self.renamed.items())[:limit]
            ],
            "renamed_total": len(self.renamed),
            "moves": [
                {
                    "sferum_id": sid,
                    "name": self.known[sid].short_name,
                    "old": self.municipality_names.get(self.known[sid].municipality_id, ""),
                    "new": name,
                    "new_municipality": (code, name) not in self.municipalities
                    or (code, name) in self.new_municipalities,
                }
                for sid, (code, name) in list(self.moves.items())[:limit]
            ],
            "moves_total": len(self.moves),
            "moves_confirmed": self.moves_confirmed,
            "move_rows": self.move_rows,
            "out_of_scope": [
                {
                    "sheet": r.sheet,
                    "row": r.row,
                    "sferum_id": r.sferum_id,
                    "name": r.short_name,
                    "municipality": r.municipality,
                }
                for r in self.out_of_scope[:limit]
            ],
            "out_of_scope_total": len(self.out_of_scope),
        }


def _municipality_key(row: ParsedRow, known, regions_by_pk, codes_by_name) -> MunicipalityKey:
    """The row's municipality: by the file's region code, else the registry's region of the
    organisation, else the one region that has a municipality of that name."""
    code = row.region_code or (regions_by_pk.get(known.region_id) if known else None)
    if not code:
        codes = codes_by_name.get(row.municipality, ())
        code = next(iter(codes)) if len(codes) == 1 else ""
    return code, row.municipality


def _in_scope(scope: Scope, known: KnownOrganization | None, region_pk, municipality_pk) -> bool:
    if scope.is_operator:
        return True
    if known is not None:
        return (
            known.region_id in scope.region_ids
            or known.municipality_id in scope.municipality_ids
            or known.pk in scope.organization_ids
        )
    return (region_pk is not None and region_pk in scope.region_ids) or (
        municipality_pk is not None and municipality_pk in scope.municipality_ids
    )


def _moved_problem(
    plan: RegistryPlan,
    row: ParsedRow,
    known: KnownOrganization,
    key: MunicipalityKey,
    severity: str,
    code: str,
    tail: str,
    *,
    columns: dict,
    file_name: str,
    regions_by_pk: dict,
) -> Problem:
    """A row that puts a registered organisation in another МО, located at its «МО» cell."""
    registered_code = regions_by_pk.get(known.region_id, "")
    registered = f"«{plan.municipality_names.get(known.municipality_id, '')}»"
    in_file = f"«{key[1]}»"
    if key[0] != registered_code:
        registered, in_file = f"{registered} ({registered_code})", f"{in_file} ({key[0]})"
    letter, header = columns.get((row.sheet, "municipality"), (None, None))
    return Problem(
        severity,
        code,
        f"ОО {row.sferum_id} «{known.short_name}» зарегистрирована в МО {registered}, а в "
        f"столбце «МО» файла указано МО {in_file}. {tail}",
        file_name,
        row.sheet,
        row.row,
        letter,
        header,
        str(row.sferum_id),
        row.short_name,
    )


def plan_registry(
    rows: list[ParsedRow],
    *,
    scope: Scope,
    file_name: str,
    columns: dict[tuple[str, str], tuple[str, str]] | None = None,
    move_organizations: bool = False,
) -> RegistryPlan:
    """``columns`` locate the problems (ParseResult.columns); ``move_organizations``: the
    uploader confirmed moving organisations to the МО the file names, where their scope covers
    both МО."""
    plan = RegistryPlan(moves_confirmed=move_organizations)
    columns = columns or {}
    known_rows = select_in(
        f"""SELECT o.sferum_id, o.id, o.short_name, o.org_type, o.municipality_id, m.region_id,
                   (SELECT MAX(s.date) FROM {SNAPSHOTS} s WHERE s.organization_id = o.id)
            FROM {ORGANIZATIONS} o JOIN {MUNICIPALITIES} m ON m.id = o.municipality_id
            WHERE {{keys}}""",
        "o.sferum_id",
        {row.sferum_id for row in rows},
    )
    for sid, pk, name, org_type, mo_id, region_id, latest in known_rows:
        if isinstance(latest, str):  # SQLite returns dates of raw queries as text
            latest = dt.date.fromisoformat(latest)
        plan.known[sid] = KnownOrganization(pk, name, org_type, mo_id, region_id, latest)
    plan.regions = dict(Region.objects.values_list("code", "pk"))
    regions_by_pk = {pk: code for code, pk in plan.regions.items()}
    plan.municipalities = {
        (code, name): pk
        for pk, name, code in Municipality.objects.values_list("pk", "name", "region__code")
    }
    plan.municipality_names = {pk: name for (_code, name), pk in plan.municipalities.items()}
    codes_by_name: dict[str, set[str]] = {}
    for code, name in plan.municipalities:
        codes_by_name.setdefault(name, set()).add(code)

    latest_row: dict[int, ParsedRow] = {}
    move_source: dict[int, ParsedRow] = {}  # the row each move follows: its latest
    located = {"columns": columns, "file_name": file_name, "regions_by_pk": regions_by_pk}
    for row in rows:
        known = plan.known.get(row.sferum_id)
        key = _municipality_key(row, known, regions_by_pk, codes_by_name)
        in_file_pk = plan.municipalities.get(key)
        if in_file_pk is None:
            plan.unregistered_area_regions.add(key[0])
        areas = (known.municipality_id if known else None, in_file_pk)
        plan.row_areas[(row.sheet, row.row)] = tuple(
            pk for i, pk in enumerate(areas) if pk is not None and pk not in areas[:i]
        )
        if not key[0]:
            plan.problems.append(
                Problem(
                    ERROR,
                    "region_unknown",
                    f"ОО {row.sferum_id} «{row.short_name}» нет в реестре, а код региона в "
                    "строке не указан: нужен столбец «Код региона».",
                    file_name,
                    row.sheet,
                    row.row,
                    sferum_id=str(row.sferum_id),
                    organization=row.short_name,
                )
            )
            continue
        region_pk = plan.regions.get(key[0])
        municipality_pk = plan.municipalities.get(key)
        if known is not None and municipality_pk != known.municipality_id:
            registered = _in_scope(scope, known, None, None)
            in_file = _in_scope(scope, None, region_pk, municipality_pk)
            if not (registered or in_file):
                plan.out_of_scope.append(row)
                continue
            movable = registered and in_file
            source = move_source.get(row.sferum_id)
            if movable and (source is None or row.date >= source.date):
                plan.moves[row.sferum_id] = key
                move_source[row.sferum_id] = row
            if not (movable and move_organizations):
                plan.move_rows += int(movable)
                tail = (
                    f"Строка не загружена. Чтобы перенести ОО, отметьте «{MOVE_LABEL}»."
                    if movable
                    else "Строка не загружена: перенести ОО в другое МО может тот, кто "
                    "отвечает за оба МО (региональный координатор)."
                )
                code = "municipality_move" if movable else "municipality_mismatch"
                plan.problems.append(
                    _moved_problem(plan, row, known, key, ERROR, code, tail, **located)
                )
                continue
        elif not _in_scope(scope, known, region_pk, municipality_pk):
            plan.out_of_scope.append(row)
            continue
        plan.rows.append(row)
        previous = latest_row.get(row.sferum_id)
        if previous is None or row.date >= previous.date:
            latest_row[row.sferum_id] = row

    for sid, row in latest_row.items():
        known = plan.known.get(sid)
        key = _municipality_key(row, known, regions_by_pk, codes_by_name)
        plan.per_municipality[row.municipality] += 1
        if known is None:
            plan.new_organizations[sid] = row
            if key[0] not in plan.regions:
                plan.new_regions[key[0]] = row.region_name or f"Регион {key[0]}"
            if key not in plan.municipalities:
                plan.new_municipalities.add(key)
            continue
        # Only a file at least as recent as what we hold may rename or retype an organisation.
        if known.latest_date is not None and row.date < known.latest_date:
            continue
        if row.short_name and row.short_name != known.short_name:
            plan.renamed[sid] = (known.short_name, row.short_name, row.date)
        if row.org_type != "other" and row.org_type != known.org_type:
            plan.retyped[sid] = row.org_type
    if move_organizations:
        for sid, key in plan.moves.items():
            row = move_source[sid]
            if key[0] not in plan.regions:
                plan.new_regions[key[0]] = row.region_name or f"Регион {key[0]}"
            if key not in plan.municipalities:
                plan.new_municipalities.add(key)
            tail = "ОО перенесена в МО из файла: перенос подтвердил загрузивший."
            plan.problems.append(
                _moved_problem(
                    plan, row, plan.known[sid], key, WARNING, "municipality_moved", tail, **located
                )
            )
    return plan
