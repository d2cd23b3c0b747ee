"""Weekly values: set-based SQL that turns snapshots into per-organisation, per-municipality and
per-region values for an ISO week (Monday–Sunday).

An organisation's value for a week is its latest snapshot dated in that week; without one it has
no row ("нет данных") and is left out of the sums. A rate is NULL when its numerator or
denominator is unknown. Areas sum numerators and denominators (never average percentages) over
the organisations whose type counts in the indicator (IndicatorRule), count who has data and who
meets each target, and every level records the change since the week before. One recompute is a
fixed number of statements whatever the number of organisations, and running it twice gives the
same rows.

Each rate reads its own rule (Rate.rule): the two activity rates and the three registration rates
each have an IndicatorRule row, and an ЭЖД-linking rate (linked / registered) follows the rule of
the registration rate that is its denominator. A rule works the same way for every rate: an
organisation of a type the rule leaves out keeps its own value for the rate (its row shows what
its snapshot says) but is left out of the area's sums for that rate, as the activity rates always
did (for those, in_*_indicator records it and the targets met are NULL). An area's
``organizations`` counts the organisations of the types any rule counts. Only the students-and-
parents activity rule has parents-only types (IndicatorRule.clean refuses them elsewhere); a
registration rule says "students of preschools do not count" by leaving ДОУ out of
students_registered.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from django.db import connection, transaction

from organizations.models import Municipality, Organization, OrgType, Region
from organizations.versions import ALL, data_changed
from sferum_portal.weeks import week_end, week_start

from .models import (
    Indicator,
    IndicatorRule,
    Snapshot,
    Target,
    WeeklyMunicipalityValue,
    WeeklyOrganizationValue,
    WeeklyRegionValue,
)
from .selectors import target_value, targets_in_force

STAFF, STUDENTS_PARENTS = "staff", "students_parents"


@dataclass(frozen=True)
class Rate:
    name: str
    group: str  # the headline group (its in_*_indicator flag and targets on the rows)
    rule: str  # the IndicatorRule (an Indicator) whose organisation types the areas sum it over
    numerator: str  # SQL over the snapshot ``s`` (and ``o`` for the organisation's type)
    denominator: str


_PARENTS_ONLY = "{parents_only}"
_STAFF, _SP = Indicator.STAFF_ACTIVITY, Indicator.STUDENTS_PARENTS_ACTIVITY
_TR, _SR, _PR = (
    Indicator.TEACHERS_REGISTERED,
    Indicator.STUDENTS_REGISTERED,
    Indicator.PARENTS_REGISTERED,
)
RATES: tuple[Rate, ...] = (
    Rate("staff_activity", STAFF, _STAFF, "s.staff_active", "s.teachers_total"),
    Rate(
        "students_parents_activity",
        STUDENTS_PARENTS,
        _SP,
        f"CASE WHEN {_PARENTS_ONLY} THEN s.parents_active "
        "ELSE s.students_active + s.parents_active END",
        f"CASE WHEN {_PARENTS_ONLY} THEN s.parents_total "
        "ELSE s.students_total + s.parents_total END",
    ),
    Rate("teachers_registered", STAFF, _TR, "s.teachers_registered", "s.teachers_total"),
    Rate("students_registered", STUDENTS_PARENTS, _SR, "s.students_registered", "s.students_total"),
    Rate("parents_registered", STUDENTS_PARENTS, _PR, "s.parents_registered", "s.parents_total"),
    # ЭЖД linking: the share of registered accounts linked to the electronic diary, summed over
    # the organisations whose registrations count (there is no rule of its own).
    Rate("teachers_ejd", STAFF, _TR, "s.teachers_ejd", "s.teachers_registered"),
    Rate("students_ejd", STUDENTS_PARENTS, _SR, "s.students_ejd", "s.students_registered"),
    Rate("parents_ejd", STUDENTS_PARENTS, _PR, "s.parents_ejd", "s.parents_registered"),
)
HEADLINE = {STAFF: "staff_activity", STUDENTS_PARENTS: "students_parents_activity"}
CHANGED = ("staff_activity", "students_parents_activity")

ORG = WeeklyOrganizationValue._meta.db_table
MO = WeeklyMunicipalityValue._meta.db_table
REG = WeeklyRegionValue._meta.db_table
SNAP = Snapshot._meta.db_table
ORGS = Organization._meta.db_table
MOS = Municipality._meta.db_table


def rule_types(rules: Iterable[IndicatorRule] | None = None) -> dict[str, tuple[str, ...]]:
    """Indicator -> the organisation types its IndicatorRule counts (one query unless the rules
    are given); an indicator without a row counts none."""
    by_indicator = {
        r.indicator: r for r in (IndicatorRule.objects.all() if rules is None else rules)
    }
    return {
        indicator: tuple(by_indicator[indicator].org_types) if indicator in by_indicator else ()
        for indicator in Indicator.values
    }


@dataclass(frozen=True)
class WeekRules:
    """Which organisation types count, and the targets in force, for the weeks recomputed."""

    types: dict[str, tuple[str, ...]]  # indicator (IndicatorRule) -> org type codes
    parents_only: tuple[str, ...]  # of the students-and-parents activity rule
    # (monday, region id) -> (staff stage 1, staff stage 2, sp stage 1, sp stage 2)
    targets: dict[tuple[dt.date, int], tuple]

    @classmethod
    def for_weeks(cls, mondays: list[dt.date], region_ids: list[int] | None) -> WeekRules:
        rules = list(IndicatorRule.objects.all())
        sp = next((r for r in rules if r.indicator == Indicator.STUDENTS_PARENTS_ACTIVITY), None)
        all_targets = list(Target.objects.all())
        regions = Region.objects.values_list("pk", flat=True)
        if region_ids is not None:
            regions = regions.filter(pk__in=region_ids)
        regions = list(regions)
        targets = {}
        for monday in mondays:
            in_force = targets_in_force(monday, all_targets)
            for region_id in regions:
                targets[monday, region_id] = tuple(
                    target_value(in_force, indicator, stage, region_id)
                    for indicator in (Indicator.STAFF_ACTIVITY, Indicator.STUDENTS_PARENTS_ACTIVITY)
                    for stage in (1, 2)
                )
        return cls(
            types=rule_types(rules),
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


def _date_sql(day: dt.date) -> str:
    """A date literal (from a date object, so safe to inline) typed for the database."""
    text = f"'{day.isoformat()}'"
    return f"DATE {text}" if connection.vendor == "postgresql" else text


def _week_before_sql(column: str) -> str:
    return f"{column} - 7" if connection.vendor == "postgresql" else f"date({column}, '-7 days')"


def _pct(num: str, den: str) -> str:
    return (
        f"CASE WHEN ({num}) IS NOT NULL AND ({den}) > 0 "
        f"THEN ROUND(CAST({num} AS NUMERIC) * 100.0 / ({den}), 2) END"
    )


def _weeks_cte(mondays: list[dt.date]) -> str:
    rows = ", ".join(f"({_date_sql(m)}, {_date_sql(week_end(m))})" for m in mondays)
    return f"weeks(monday, sunday) AS (SELECT * FROM (VALUES {rows}) AS w)"


def _targets_cte(rules: WeekRules) -> str:
    rows = [
        f"({_date_sql(monday)}, {int(region_id)}, {', '.join(_number_sql(v) for v in values)})"
        for (monday, region_id), values in rules.targets.items()
    ] or ["(NULL, NULL, NULL, NULL, NULL, NULL)"]
    return (
        "targets(monday, region_id, staff1, staff2, sp1, sp2) AS "
        f"(SELECT * FROM (VALUES {', '.join(rows)}) AS t)"
    )


def _regions_sql(column: str, region_ids: Iterable[int] | None) -> str:
    if region_ids is None:
        return "1 = 1"
    ids = sorted({int(i) for i in region_ids})
    return f"{column} IN ({', '.join(map(str, ids))})" if ids else "1 = 0"


def _weeks_sql(column: str, mondays: list[dt.date]) -> str:
    return f"{column} IN ({', '.join(_date_sql(m) for m in mondays)})"


def _true_if(condition: str) -> str:
    return f"CASE WHEN {condition} THEN 1 = 1 ELSE 1 = 0 END"


def _compute_organizations(mondays: list[dt.date], rules: WeekRules, region_ids, scope) -> str:
    """Replace the weeks' organisation rows: the latest snapshot of each week (one ranked
    pass over the weeks' snapshots), its rates computed once, whether they meet the targets,
    and the change since the week before (from the batch itself, or from the table)."""
    staff_in = _types_sql("s.org_type", rules.types[Indicator.STAFF_ACTIVITY])
    sp_in = _types_sql("s.org_type", rules.types[Indicator.STUDENTS_PARENTS_ACTIVITY])
    parents_only = _types_sql("s.org_type", rules.parents_only)
    base = {}
    for rate in RATES:
        base[f"{rate.name}_num"] = rate.numerator.format(parents_only=parents_only)
        base[f"{rate.name}_den"] = rate.denominator.format(parents_only=parents_only)
    rated = {f"{r.name}_pct": _pct(f"b.{r.name}_num", f"b.{r.name}_den") for r in RATES}
    lagged = {
        f"prev_{name}_pct": f"LAG({name}_pct) OVER (PARTITION BY organization_id ORDER BY monday)"
        for name in CHANGED
    }

    def met(group: str, target: str) -> str:
        flag = "r.in_staff" if group == STAFF else "r.in_sp"
        pct = f"r.{HEADLINE[group]}_pct"
        known = f"{flag} AND {pct} IS NOT NULL AND {target} IS NOT NULL"
        return f"CASE WHEN {known} THEN {pct} >= {target} END"

    def change(name: str) -> str:
        return (
            f"CASE WHEN r.prev_monday = {_week_before_sql('r.monday')} "
            f"THEN r.{name}_pct - r.prev_{name}_pct ELSE r.{name}_pct - p.{name}_pct END"
        )

    above_100 = " OR ".join(f"COALESCE(r.{rate.name}_pct > 100, 1 = 0)" for rate in RATES)
    columns = {
        "organization_id": "r.organization_id",
        "week_start": "r.monday",
        "snapshot_date": "r.snapshot_date",
        "in_staff_indicator": "r.in_staff",
        "in_students_parents_indicator": "r.in_sp",
        **{name: f"r.{name}" for rate in RATES for name in
           (f"{rate.name}_num", f"{rate.name}_den", f"{rate.name}_pct")},
        "staff_stage1_met": met(STAFF, "t.staff1"),
        "staff_stage2_met": met(STAFF, "t.staff2"),
        "students_parents_stage1_met": met(STUDENTS_PARENTS, "t.sp1"),
        "students_parents_stage2_met": met(STUDENTS_PARENTS, "t.sp2"),
        "flags": "r.flags",
        "rate_above_100": f"({above_100})",
        **{f"{name}_change": change(name) for name in CHANGED},
        "computed_at": "CURRENT_TIMESTAMP",
    }  # fmt: skip
    insert = f"""
        WITH {_weeks_cte(mondays)}, {_targets_cte(rules)},
        s AS (
            SELECT w.monday, x.*, o.org_type, m.region_id,
                   ROW_NUMBER() OVER (
                       PARTITION BY w.monday, x.organization_id ORDER BY x.date DESC
                   ) AS rank_in_week
            FROM weeks w
            JOIN {SNAP} x ON x.date BETWEEN w.monday AND w.sunday
            JOIN {ORGS} o ON o.id = x.organization_id
            JOIN {MOS} m ON m.id = o.municipality_id
            WHERE {_regions_sql("m.region_id", region_ids)}
        ),
        b AS (
            SELECT s.monday, s.organization_id, s.date AS snapshot_date, s.flags, s.region_id,
                   {_true_if(staff_in)} AS in_staff, {_true_if(sp_in)} AS in_sp,
                   {", ".join(f"{sql} AS {name}" for name, sql in base.items())}
            FROM s WHERE s.rank_in_week = 1
        ),
        rated AS (SELECT b.*, {", ".join(f"{sql} AS {n}" for n, sql in rated.items())} FROM b),
        r AS (
            SELECT rated.*,
                   LAG(monday) OVER (PARTITION BY organization_id ORDER BY monday) AS prev_monday,
                   {", ".join(f"{sql} AS {n}" for n, sql in lagged.items())}
            FROM rated
        )
        INSERT INTO {ORG} ({", ".join(columns)})
        SELECT {", ".join(columns.values())}
        FROM r
        LEFT JOIN targets t ON t.monday = r.monday AND t.region_id = r.region_id
        LEFT JOIN {ORG} p ON p.organization_id = r.organization_id
            AND p.week_start = {_week_before_sql("r.monday")}
    """
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {ORG} WHERE {_weeks_sql('week_start', mondays)} AND {scope}")
        cursor.execute(insert)


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


def _compute_municipalities(mondays, rules: WeekRules, region_ids, scope) -> None:
    # An organisation counts in the area if any rule counts its type; each rate sums only the
    # organisations of the types its own rule counts (the same organisation type as the rows'
    # in_*_indicator flags were computed from, in this transaction).
    counted = _types_sql("o.org_type", {t for types in rules.types.values() for t in types})
    included = {rate.name: _types_sql("o.org_type", rules.types[rate.rule]) for rate in RATES}

    def sum_of(rate: Rate, part: str) -> str:
        known = f"v.{rate.name}_num IS NOT NULL AND v.{rate.name}_den > 0"
        return f"SUM(CASE WHEN {included[rate.name]} AND {known} THEN v.{rate.name}_{part} END)"

    def count_if(condition: str) -> str:
        return f"SUM(CASE WHEN {condition} THEN 1 ELSE 0 END)"

    columns = {
        "municipality_id": "o.municipality_id",
        "week_start": "w.monday",
        "organizations": count_if(f"{counted} AND (o.is_active OR v.id IS NOT NULL)"),
        "organizations_with_data": count_if(f"{counted} AND v.id IS NOT NULL"),
        "organizations_without_data": count_if(f"{counted} AND o.is_active AND v.id IS NULL"),
        "organizations_flagged": count_if(
            f"{counted} AND (v.rate_above_100 OR CAST(v.flags AS TEXT) <> '[]')"
        ),
        "staff_stage1_met_count": count_if("v.staff_stage1_met"),
        "staff_stage2_met_count": count_if("v.staff_stage2_met"),
        "students_parents_stage1_met_count": count_if("v.students_parents_stage1_met"),
        "students_parents_stage2_met_count": count_if("v.students_parents_stage2_met"),
        **_area_rate_columns(sum_of),
        "computed_at": "CURRENT_TIMESTAMP",
    }
    insert = f"""
        WITH {_weeks_cte(mondays)}
        INSERT INTO {MO} ({", ".join(columns)})
        SELECT {", ".join(columns.values())}
        FROM weeks w
        CROSS JOIN {ORGS} o
        JOIN {MOS} m ON m.id = o.municipality_id
        LEFT JOIN {ORG} v ON v.organization_id = o.id AND v.week_start = w.monday
        WHERE {_regions_sql("m.region_id", region_ids)}
        GROUP BY o.municipality_id, w.monday
    """
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {MO} WHERE {_weeks_sql('week_start', mondays)} AND {scope}")
        cursor.execute(insert)


def _compute_regions(mondays, region_ids, scope) -> None:
    def sum_of(rate: Rate, part: str) -> str:
        return f"SUM(v.{rate.name}_{part})"

    columns = {
        "region_id": "m.region_id",
        "week_start": "v.week_start",
        **{name: f"SUM(v.{name})" for name in COUNTERS},
        **_area_rate_columns(sum_of),
        "computed_at": "CURRENT_TIMESTAMP",
    }
    insert = f"""
        INSERT INTO {REG} ({", ".join(columns)})
        SELECT {", ".join(columns.values())}
        FROM {MO} v JOIN {MOS} m ON m.id = v.municipality_id
        WHERE {_weeks_sql("v.week_start", mondays)} AND {_regions_sql("m.region_id", region_ids)}
        GROUP BY m.region_id, v.week_start
    """
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {REG} WHERE {_weeks_sql('week_start', mondays)} AND {scope}")
        cursor.execute(insert)


def _update_changes(table: str, key: str, mondays: list[dt.date], scope: str) -> None:
    """Each headline rate's change since the week before, for these weeks' rows (NULL where
    the week before has no row)."""
    weeks = _weeks_sql(f"{table}.week_start", mondays)
    nulls = ", ".join(f"{name}_change = NULL" for name in CHANGED)
    sets = ", ".join(f"{name}_change = {table}.{name}_pct - p.{name}_pct" for name in CHANGED)
    week_before = _week_before_sql(f"{table}.week_start")
    with connection.cursor() as cursor:
        cursor.execute(f"UPDATE {table} SET {nulls} WHERE {weeks} AND {scope}")
        cursor.execute(
            f"UPDATE {table} SET {sets} FROM {table} p "
            f"WHERE p.{key} = {table}.{key} AND p.week_start = {week_before} "
            f"AND {weeks} AND {scope}"
        )


def _lock_weeks(mondays: list[dt.date]) -> None:
    """Serialise recomputes of the same weeks (PostgreSQL; SQLite serialises writers itself).

    Weekly values are derived data that a recompute rebuilds, so this transaction does not wait
    for its commit to reach the disk.
    """
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT pg_advisory_xact_lock(4810, day) FROM unnest(%s) AS day ORDER BY day",
                [[monday.toordinal() for monday in mondays]],
            )
            cursor.execute("SET LOCAL synchronous_commit = off")
            cursor.execute("SET LOCAL jit = off")  # compiling these wide plans costs more


def _scopes(region_ids) -> dict[str, str]:
    """SQL conditions restricting each weekly table (named in full) to the regions recomputed."""
    if region_ids is None:
        return {ORG: "1 = 1", MO: "1 = 1", REG: "1 = 1"}
    return {
        ORG: f"{ORG}.organization_id IN (SELECT o.id FROM {ORGS} o JOIN {MOS} m "
        f"ON m.id = o.municipality_id WHERE {_regions_sql('m.region_id', region_ids)})",
        MO: f"{MO}.municipality_id IN (SELECT id FROM {MOS} WHERE "
        f"{_regions_sql('region_id', region_ids)})",
        REG: _regions_sql(f"{REG}.region_id", region_ids),
    }


def weekly_values_compute_weeks(
    *, mondays: Iterable[dt.date], region_ids: Iterable[int] | None = None
) -> list[dt.date]:
    """Recompute weeks (of every organisation, or of the given regions) and their rollups, in
    one transaction and a fixed number of statements; the week after the last one has its
    changes refreshed too, since they depend on it."""
    mondays = sorted({week_start(m) for m in mondays})
    if not mondays:
        return []
    region_ids = None if region_ids is None else sorted(set(region_ids))
    scopes = _scopes(region_ids)
    rules = WeekRules.for_weeks(mondays, region_ids)
    following = sorted({m + dt.timedelta(days=7) for m in mondays} - set(mondays))
    with transaction.atomic():
        # The following weeks too: their changes are refreshed here, and a recompute of one of
        # them in flight would otherwise keep changes taken from this week's old rows.
        _lock_weeks(sorted({*mondays, *following}))
        _compute_organizations(mondays, rules, region_ids, scopes[ORG])
        _compute_municipalities(mondays, rules, region_ids, scopes[MO])
        _compute_regions(mondays, region_ids, scopes[REG])
        # Organisation rows got their changes on insert; areas are few, so update theirs.
        _update_changes(ORG, "organization_id", following, scopes[ORG])
        for table, key in ((MO, "municipality_id"), (REG, "region_id")):
            _update_changes(table, key, sorted({*mondays, *following}), scopes[table])
        data_changed(ALL)
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
