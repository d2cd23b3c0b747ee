"""Weekly values: set-based SQL that turns snapshots into per-organisation, per-municipality and
per-region values for an ISO week (Monday–Sunday).

An organisation's value for a week is its latest snapshot dated in that week; without one it has
no row ("нет данных") and is left out of the sums. A rate is NULL when its numerator or
denominator is unknown. Areas sum numerators and denominators (never average percentages) over
the organisations whose type counts in the indicator (IndicatorRule), count who has data and who
meets each target, and every level records the change since the week before. One recompute is a
fixed number of statements whatever the number of organisations, and running it twice gives the
same rows.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from django.db import connection, transaction

from organizations.models import Municipality, Organization, OrgType, Region

from .models import (
    Indicator,
    IndicatorRule,
    Snapshot,
    WeeklyMunicipalityValue,
    WeeklyOrganizationValue,
    WeeklyRegionValue,
)
from .selectors import target_value, targets_in_force

STAFF, STUDENTS_PARENTS = "staff", "students_parents"


@dataclass(frozen=True)
class Rate:
    name: str
    group: str  # which headline indicator's organisation types it is summed over
    numerator: str  # SQL over the snapshot ``s`` (and ``o`` for the organisation's type)
    denominator: str


_PARENTS_ONLY = "{parents_only}"
RATES: tuple[Rate, ...] = (
    Rate("staff_activity", STAFF, "s.staff_active", "s.teachers_total"),
    Rate(
        "students_parents_activity",
        STUDENTS_PARENTS,
        f"CASE WHEN {_PARENTS_ONLY} THEN s.parents_active "
        "ELSE s.students_active + s.parents_active END",
        f"CASE WHEN {_PARENTS_ONLY} THEN s.parents_total "
        "ELSE s.students_total + s.parents_total END",
    ),
    Rate("teachers_registered", STAFF, "s.teachers_registered", "s.teachers_total"),
    Rate("students_registered", STUDENTS_PARENTS, "s.students_registered", "s.students_total"),
    Rate("parents_registered", STUDENTS_PARENTS, "s.parents_registered", "s.parents_total"),
    # ЭЖД linking: the share of registered accounts linked to the electronic diary.
    Rate("teachers_ejd", STAFF, "s.teachers_ejd", "s.teachers_registered"),
    Rate("students_ejd", STUDENTS_PARENTS, "s.students_ejd", "s.students_registered"),
    Rate("parents_ejd", STUDENTS_PARENTS, "s.parents_ejd", "s.parents_registered"),
)
GROUP_FLAG = {STAFF: "in_staff_indicator", STUDENTS_PARENTS: "in_students_parents_indicator"}
HEADLINE = {STAFF: "staff_activity", STUDENTS_PARENTS: "students_parents_activity"}
CHANGED = ("staff_activity", "students_parents_activity")

ORG = WeeklyOrganizationValue._meta.db_table
MO = WeeklyMunicipalityValue._meta.db_table
REG = WeeklyRegionValue._meta.db_table
SNAP = Snapshot._meta.db_table
ORGS = Organization._meta.db_table
MOS = Municipality._meta.db_table


def week_start(day: dt.date) -> dt.date:
    """The Monday of the ISO week a date falls in."""
    return day - dt.timedelta(days=day.weekday())


def parse_iso_week(text: str) -> dt.date:
    """'2025-W48' → the Monday of that ISO week."""
    year, _, week = text.upper().partition("-W")
    return dt.date.fromisocalendar(int(year), int(week), 1)


def iso_week_label(monday: dt.date) -> str:
    year, week, _ = monday.isocalendar()
    return f"{year}-W{week:02d}"


@dataclass(frozen=True)
class WeekRules:
    """Which organisation types count, and the targets in force, for one week."""

    types: dict[str, tuple[str, ...]]  # group -> org type codes
    parents_only: tuple[str, ...]
    # region id -> (staff stage 1, staff stage 2, sp stage 1, sp stage 2)
    targets: dict[int, tuple]

    @classmethod
    def for_week(cls, monday: dt.date) -> WeekRules:
        rules = {r.indicator: r for r in IndicatorRule.objects.all()}
        staff = rules.get(Indicator.STAFF_ACTIVITY)
        sp = rules.get(Indicator.STUDENTS_PARENTS_ACTIVITY)
        in_force = targets_in_force(monday)
        targets = {}
        for region_id in Region.objects.values_list("pk", flat=True):
            row = [
                target_value(in_force, indicator, stage, region_id)
                for indicator in (Indicator.STAFF_ACTIVITY, Indicator.STUDENTS_PARENTS_ACTIVITY)
                for stage in (1, 2)
            ]
            targets[region_id] = tuple(row)
        return cls(
            types={
                STAFF: tuple(staff.org_types) if staff else (),
                STUDENTS_PARENTS: tuple(sp.org_types) if sp else (),
            },
            parents_only=tuple(sp.parents_only_types) if sp else (),
            targets=targets,
        )


def _types_sql(column: str, codes: Iterable[str]) -> str:
    """``column IN ('ou', 'dou')`` with the codes checked against OrgType (inlined safely)."""
    codes = sorted(set(codes))
    unknown = set(codes) - set(OrgType.values)
    if unknown:
        raise ValueError(f"Unknown organisation types in an IndicatorRule: {unknown}")
    if not codes:
        return "1 = 0"
    return f"{column} IN ({', '.join(repr(str(c)) for c in codes)})"


def _number_sql(value: Decimal | None) -> str:
    return "CAST(NULL AS NUMERIC)" if value is None else f"CAST({Decimal(value)} AS NUMERIC)"


def _pct(num: str, den: str) -> str:
    return (
        f"CASE WHEN ({num}) IS NOT NULL AND ({den}) > 0 "
        f"THEN ROUND(CAST({num} AS NUMERIC) * 100.0 / ({den}), 2) END"
    )


def _targets_cte(rules: WeekRules) -> str:
    rows = [
        f"({int(region_id)}, {', '.join(_number_sql(v) for v in values)})"
        for region_id, values in rules.targets.items()
    ] or ["(NULL, NULL, NULL, NULL, NULL)"]
    return (
        "targets(region_id, staff1, staff2, sp1, sp2) AS "
        f"(SELECT * FROM (VALUES {', '.join(rows)}) AS t)"
    )


def _regions_sql(column: str, region_ids: Iterable[int] | None) -> str:
    if region_ids is None:
        return "1 = 1"
    ids = sorted({int(i) for i in region_ids})
    return f"{column} IN ({', '.join(map(str, ids))})" if ids else "1 = 0"


def _true_if(condition: str) -> str:
    return f"CASE WHEN {condition} THEN 1 = 1 ELSE 1 = 0 END"


def _week_params(monday: dt.date) -> dict:
    return {
        "monday": monday,
        "sunday": monday + dt.timedelta(days=6),
        "previous": monday - dt.timedelta(days=7),
    }


def _compute_organizations(monday: dt.date, rules: WeekRules, region_ids) -> None:
    staff_in = _types_sql("o.org_type", rules.types[STAFF])
    sp_in = _types_sql("o.org_type", rules.types[STUDENTS_PARENTS])
    parents_only = _types_sql("o.org_type", rules.parents_only)
    rate_columns, rate_sql, pct_sql = [], [], {}
    for rate in RATES:
        num = rate.numerator.format(parents_only=parents_only)
        den = rate.denominator.format(parents_only=parents_only)
        pct_sql[rate.name] = _pct(num, den)
        rate_columns += [f"{rate.name}_num", f"{rate.name}_den", f"{rate.name}_pct"]
        rate_sql += [num, den, pct_sql[rate.name]]

    def met(group: str, target: str) -> str:
        pct = pct_sql[HEADLINE[group]]
        counted = staff_in if group == STAFF else sp_in
        return (
            f"CASE WHEN ({counted}) AND ({pct}) IS NOT NULL AND {target} IS NOT NULL "
            f"THEN ({pct}) >= {target} END"
        )

    above_100 = " OR ".join(f"COALESCE(({pct}) > 100, 1 = 0)" for pct in pct_sql.values())
    columns = {
        "organization_id": "s.organization_id",
        "week_start": "%(monday)s",
        "snapshot_date": "s.date",
        "in_staff_indicator": _true_if(staff_in),
        "in_students_parents_indicator": _true_if(sp_in),
        **dict(zip(rate_columns, rate_sql, strict=True)),
        "staff_stage1_met": met(STAFF, "t.staff1"),
        "staff_stage2_met": met(STAFF, "t.staff2"),
        "students_parents_stage1_met": met(STUDENTS_PARENTS, "t.sp1"),
        "students_parents_stage2_met": met(STUDENTS_PARENTS, "t.sp2"),
        "flags": "s.flags",
        "rate_above_100": f"({above_100})",
        **{f"{name}_change": f"({pct_sql[name]}) - p.{name}_pct" for name in CHANGED},
        "computed_at": "CURRENT_TIMESTAMP",
    }
    region_filter = _regions_sql("m.region_id", region_ids)
    # The week's rows of the scope are replaced whole: an organisation whose snapshot went
    # away loses its row, and nothing has to be compared row by row.
    delete = f"""
        DELETE FROM {ORG} WHERE week_start = %(monday)s AND organization_id IN (
            SELECT o.id FROM {ORGS} o JOIN {MOS} m ON m.id = o.municipality_id
            WHERE {region_filter}
        )
    """
    insert = f"""
        WITH {_targets_cte(rules)},
        latest AS (
            SELECT s.organization_id, MAX(s.date) AS d
            FROM {SNAP} s
            JOIN {ORGS} o ON o.id = s.organization_id
            JOIN {MOS} m ON m.id = o.municipality_id
            WHERE s.date BETWEEN %(monday)s AND %(sunday)s AND {region_filter}
            GROUP BY s.organization_id
        )
        INSERT INTO {ORG} ({", ".join(columns)})
        SELECT {", ".join(columns.values())}
        FROM latest
        JOIN {SNAP} s ON s.organization_id = latest.organization_id AND s.date = latest.d
        JOIN {ORGS} o ON o.id = s.organization_id
        JOIN {MOS} m ON m.id = o.municipality_id
        LEFT JOIN targets t ON t.region_id = m.region_id
        LEFT JOIN {ORG} p ON p.organization_id = s.organization_id
            AND p.week_start = %(previous)s
        WHERE s.date BETWEEN %(monday)s AND %(sunday)s
    """
    with connection.cursor() as cursor:
        cursor.execute(delete, _week_params(monday))
        cursor.execute(insert, _week_params(monday))


def _area_rate_columns(sum_of) -> dict[str, str]:
    columns = {}
    for rate in RATES:
        num, den = sum_of(rate, "num"), sum_of(rate, "den")
        columns[f"{rate.name}_num"] = num
        columns[f"{rate.name}_den"] = den
        columns[f"{rate.name}_pct"] = _pct(num, den)
    return columns


COUNTERS = (
    "organizations",
    "organizations_with_data",
    "organizations_without_data",
    "organizations_flagged",
    "staff_stage1_met_count",
    "staff_stage2_met_count",
    "students_parents_stage1_met_count",
    "students_parents_stage2_met_count",
)


def _compute_municipalities(monday: dt.date, rules: WeekRules, region_ids) -> None:
    counted = _types_sql("o.org_type", {*rules.types[STAFF], *rules.types[STUDENTS_PARENTS]})

    def sum_of(rate: Rate, part: str) -> str:
        flag = f"w.{GROUP_FLAG[rate.group]}"
        known = f"w.{rate.name}_num IS NOT NULL AND w.{rate.name}_den > 0"
        return f"SUM(CASE WHEN {flag} AND {known} THEN w.{rate.name}_{part} END)"

    def count_if(condition: str) -> str:
        return f"SUM(CASE WHEN {condition} THEN 1 ELSE 0 END)"

    columns = {
        "municipality_id": "o.municipality_id",
        "week_start": "%(monday)s",
        "organizations": count_if(f"{counted} AND (o.is_active OR w.id IS NOT NULL)"),
        "organizations_with_data": count_if(f"{counted} AND w.id IS NOT NULL"),
        "organizations_without_data": count_if(f"{counted} AND o.is_active AND w.id IS NULL"),
        "organizations_flagged": count_if(
            f"{counted} AND (w.rate_above_100 OR CAST(w.flags AS TEXT) <> '[]')"
        ),
        "staff_stage1_met_count": count_if("w.staff_stage1_met"),
        "staff_stage2_met_count": count_if("w.staff_stage2_met"),
        "students_parents_stage1_met_count": count_if("w.students_parents_stage1_met"),
        "students_parents_stage2_met_count": count_if("w.students_parents_stage2_met"),
        **_area_rate_columns(sum_of),
        "computed_at": "CURRENT_TIMESTAMP",
    }
    updates = ", ".join(f"{c} = EXCLUDED.{c}" for c in list(columns)[2:])
    sql = f"""
        INSERT INTO {MO} ({", ".join(columns)})
        SELECT {", ".join(columns.values())}
        FROM {ORGS} o
        JOIN {MOS} m ON m.id = o.municipality_id
        LEFT JOIN {ORG} w ON w.organization_id = o.id AND w.week_start = %(monday)s
        WHERE {_regions_sql("m.region_id", region_ids)}
        GROUP BY o.municipality_id
        ON CONFLICT (municipality_id, week_start) DO UPDATE SET {updates}
    """
    with connection.cursor() as cursor:
        cursor.execute(sql, {"monday": monday})


def _compute_regions(monday: dt.date, region_ids) -> None:
    def sum_of(rate: Rate, part: str) -> str:
        return f"SUM(v.{rate.name}_{part})"

    columns = {
        "region_id": "m.region_id",
        "week_start": "%(monday)s",
        **{name: f"SUM(v.{name})" for name in COUNTERS},
        **_area_rate_columns(sum_of),
        "computed_at": "CURRENT_TIMESTAMP",
    }
    updates = ", ".join(f"{c} = EXCLUDED.{c}" for c in list(columns)[2:])
    sql = f"""
        INSERT INTO {REG} ({", ".join(columns)})
        SELECT {", ".join(columns.values())}
        FROM {MO} v JOIN {MOS} m ON m.id = v.municipality_id
        WHERE v.week_start = %(monday)s AND {_regions_sql("m.region_id", region_ids)}
        GROUP BY m.region_id
        ON CONFLICT (region_id, week_start) DO UPDATE SET {updates}
    """
    with connection.cursor() as cursor:
        cursor.execute(sql, {"monday": monday})


def _update_changes(table: str, key: str, monday: dt.date, scope_sql: str) -> None:
    """Each headline rate's change since the week before, for this week's rows."""
    sets = ", ".join(
        f"{name}_change = {name}_pct - (SELECT p.{name}_pct FROM {table} p "
        f"WHERE p.{key} = {table}.{key} AND p.week_start = %(previous)s)"
        for name in CHANGED
    )
    sql = f"UPDATE {table} SET {sets} WHERE week_start = %(monday)s AND {scope_sql}"
    with connection.cursor() as cursor:
        cursor.execute(sql, {"monday": monday, "previous": monday - dt.timedelta(days=7)})


def _lock_week(monday: dt.date) -> None:
    """Serialise recomputes of the same week (PostgreSQL; SQLite serialises writers itself).

    Weekly values are derived data that a recompute rebuilds, so this transaction does not wait
    for its commit to reach the disk.
    """
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s, %s)", [4810, monday.toordinal()])
            cursor.execute("SET LOCAL synchronous_commit = off")


def _scopes(region_ids) -> dict[str, str]:
    """SQL conditions restricting each weekly table to the regions recomputed."""
    if region_ids is None:
        return {ORG: "1 = 1", MO: "1 = 1", REG: "1 = 1"}
    in_regions = _regions_sql("region_id", region_ids)
    return {
        ORG: f"organization_id IN (SELECT o.id FROM {ORGS} o JOIN {MOS} m "
        f"ON m.id = o.municipality_id WHERE {_regions_sql('m.region_id', region_ids)})",
        MO: f"municipality_id IN (SELECT id FROM {MOS} WHERE {in_regions})",
        REG: in_regions,
    }


def weekly_values_compute_weeks(
    *, mondays: Iterable[dt.date], region_ids: Iterable[int] | None = None
) -> list[dt.date]:
    """Recompute weeks (of every organisation, or of the given regions) and their rollups.

    Weeks are computed in order, each taking its changes from the week before; afterwards the
    week following the last one has its changes refreshed, since they depend on it.
    """
    mondays = sorted({week_start(m) for m in mondays})
    region_ids = None if region_ids is None else sorted(set(region_ids))
    scopes = _scopes(region_ids)
    for monday in mondays:
        rules = WeekRules.for_week(monday)
        with transaction.atomic():
            _lock_week(monday)
            _compute_organizations(monday, rules, region_ids)
            _compute_municipalities(monday, rules, region_ids)
            _compute_regions(monday, region_ids)
            _update_changes(MO, "municipality_id", monday, scopes[MO])
            _update_changes(REG, "region_id", monday, scopes[REG])
            following = monday + dt.timedelta(days=7)
            if following not in mondays:
                for table, key in ((ORG, "organization_id"), (MO, "municipality_id"),
                                   (REG, "region_id")):  # fmt: skip
                    _update_changes(table, key, following, scopes[table])
    return mondays


def weekly_values_compute(*, monday: dt.date, region_ids: Iterable[int] | None = None) -> None:
    """Recompute one week (see weekly_values_compute_weeks)."""
    weekly_values_compute_weeks(mondays=[monday], region_ids=region_ids)


def weeks_with_snapshots(region_ids: Iterable[int] | None = None) -> list[dt.date]:
    """Every week that has at least one snapshot (of the given regions)."""
    snapshots = Snapshot.objects.all()
    if region_ids is not None:
        snapshots = snapshots.filter(organization__municipality__region_id__in=list(region_ids))
    return sorted({week_start(d) for d in snapshots.values_list("date", flat=True).distinct()})
