"""Dashboard data: the region, the district and the organisation for a chosen week, built from
the stored weekly values in a fixed number of queries whatever the number of organisations.

Views render these objects; the Excel exports reuse the same rows.

A week is only as good as its coverage: a small or late upload gives a week a handful of
organisations, and its rates speak for them alone. Pages open on the latest week whose coverage
is adequate (``settings.DASHBOARD_MIN_COVERAGE_PCT``) and mark rates from partial weeks.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, field, replace
from decimal import Decimal

from django.conf import settings
from django.db.models import Count, Q

from organizations.models import Municipality, Organization, Region
from organizations.selectors import organizations_matching

from . import comparison
from .bands import arrow, band
from .models import (
    Snapshot,
    Target,
    WeeklyMunicipalityValue,
    WeeklyOrganizationValue,
    WeeklyRegionValue,
)
from .selectors import target_value, targets_in_force
from .weekly import RATES, rule_types

# (indicator, tile title, whom the people gap counts: the forms for 1, 2 and 5 people)
KPI_DEFS = (
    ("staff_activity", "Активность сотрудников", ("сотрудник", "сотрудника", "сотрудников")),
    (
        "students_parents_activity",
        "Активность обучающихся и родителей",
        # The tile names whom it counts; "человек" agrees with every number.
        ("человек", "человека", "человек"),
    ),
    ("teachers_registered", "Учителей зарегистрировано", ("учитель", "учителя", "учителей")),
    ("students_registered", "Учеников зарегистрировано", ("ученик", "ученика", "учеников")),
    ("parents_registered", "Родителей зарегистрировано", ("родитель", "родителя", "родителей")),
)
EJD_DEFS = (
    ("teachers_ejd", "Учителя связали ЭЖД"),
    ("students_ejd", "Ученики связали ЭЖД"),
    ("parents_ejd", "Родители связали ЭЖД"),
)
HEADLINE = ("staff_activity", "students_parents_activity")
# The organisation row's flag of whether its type counts in a headline indicator.
COUNTED_FLAG = {
    "staff_activity": "in_staff_indicator",
    "students_parents_activity": "in_students_parents_indicator",
}


def adequate(with_data: int, before: int | None) -> bool:
    """Whether ``with_data`` organisations are enough against the ``before`` that had data the
    week before (none before: nothing to fall short of)."""
    return not before or with_data * 100 >= settings.DASHBOARD_MIN_COVERAGE_PCT * before


@dataclass(frozen=True)
class Population:
    """Whom an area's figures count, so that every count can say it: the active organisations
    of the registry, of which ``counted`` are of the types the indicators count
    (IndicatorRule), and the others by type (education authorities, «другое»)."""

    registry: int
    counted: int
    excluded: tuple[tuple[str, int], ...]  # (type's short name, organisations)


def counted_types() -> frozenset[str]:
    """The organisation types any indicator counts (one query)."""
    return frozenset(t for types in rule_types().values() for t in types)


def population_of(organizations, types: frozenset[str] | None = None) -> Population:
    """The population of the area whose organisations (a queryset) are given: one query."""
    types = counted_types() if types is None else types
    choices = Organization._meta.get_field("org_type").choices
    by_type = dict(
        organizations.filter(is_active=True)
        .values_list("org_type")
        .annotate(n=Count("pk"))
        .order_by()
    )
    excluded = tuple(
        (label, by_type[code]) for code, label in choices if code in by_type and code not in types
    )
    return Population(
        registry=sum(by_type.values()),
        counted=sum(n for code, n in by_type.items() if code in types),
        excluded=excluded,
    )


@dataclass(frozen=True)
class Coverage:
    """How many organisations an area's week of figures comes from."""

    with_data: int
    organizations: int
    before: int | None  # organisations with data in the area's previous week with data
    population: Population | None = None  # the area's registry, for the page to say whom

    @property
    def adequate(self) -> bool:
        return adequate(self.with_data, self.before)


@dataclass(frozen=True)
class Kpi:
    code: str
    label: str
    value: Decimal | None
    num: int | None
    den: int | None
    change: Decimal | None
    stage1: Decimal | None
    stage2: Decimal | None
    whom: tuple[str, str, str] = ("", "", "")
    # An area's rate: how many of its organisations it comes from, and whether that is too few
    # (the week's coverage, or the indicator's own among the organisations with data).
    covered: int | None = None
    of: int | None = None
    partial: bool = False

    @property
    def target(self) -> Decimal | None:
        return self.stage2 if self.stage2 is not None else self.stage1

    @property
    def band(self) -> str:
        """The colour band; none for a partial rate, which must not look like a target met."""
        return "none" if self.partial else band(self.value, self.target)

    @property
    def arrow(self) -> str:
        return arrow(self.change)

    @property
    def gap_people(self) -> int | None:
        """How many more people must be active (registered) to reach the Stage 2 target."""
        return people_gap(self.num, self.den, self.stage2)

    @property
    def stage1_gap_people(self) -> int | None:
        return people_gap(self.num, self.den, self.stage1)


def people_gap(num: int | None, den: int | None, target: Decimal | None) -> int | None:
    if num is None or not den or target is None:
        return None
    return max(0, math.ceil(den * target / 100) - num)


def _kpi(row, previous, code: str, label: str, whom, in_force, region_id, reach=None) -> Kpi:
    value = getattr(row, f"{code}_pct") if row else None
    before = getattr(previous, f"{code}_pct") if previous else None
    if row is not None and code in HEADLINE:
        change = getattr(row, f"{code}_change")
    else:
        change = value - before if value is not None and before is not None else None
    return Kpi(
        code=code,
        label=label,
        value=value,
        num=getattr(row, f"{code}_num") if row else None,
        den=getattr(row, f"{code}_den") if row else None,
        change=change,
        stage1=target_value(in_force, code, 1, region_id),
        stage2=target_value(in_force, code, 2, region_id),
        whom=whom,
        **(reach(code) if reach else {}),
    )


def kpis_for(row, previous, in_force, region_id, reach=None) -> list[Kpi]:
    """The tiles' indicators; ``reach(code)`` gives an area's coverage fields of each."""
    return [
        _kpi(row, previous, c, label, whom, in_force, region_id, reach)
        for c, label, whom in KPI_DEFS
    ]


def ejd_for(row, previous, in_force, region_id, reach=None) -> list[Kpi]:
    return [
        _kpi(row, previous, c, label, ("", "", ""), in_force, region_id, reach)
        for c, label in EJD_DEFS
    ]


def _pick_week(
    weeks: list[dt.date], requested: dt.date | None, default: dt.date | None = None
) -> dt.date | None:
    if requested in weeks:
        return requested
    return default or (weeks[-1] if weeks else None)


def indicator_reach(values) -> dict[str, tuple[int, int]]:
    """Per tile indicator, of the week's organisation rows given: how many count in it (a
    headline indicator: the stored flag of the organisation's type; another: its type is one
    its own rule counts, as in the area's sums, and it has people of that kind) and how many of
    those have its rate. Two queries (the rules, the counts).

    Bounded by the area's organisations with data, so never "13 of 12"."""
    codes = [code for code, _, _ in KPI_DEFS] + [code for code, _ in EJD_DEFS]
    types = rule_types()
    rules = {rate.name: rate.rule for rate in RATES}
    aggregates = {}
    for code in codes:
        flag = COUNTED_FLAG.get(code)
        counted = (
            Q(**{flag: True})
            if flag
            else Q(organization__org_type__in=types[rules[code]]) & Q(**{f"{code}_den__gt": 0})
        )
        aggregates[f"{code}__counted"] = Count("pk", filter=counted)
        aggregates[f"{code}__known"] = Count(
            "pk", filter=counted & Q(**{f"{code}_pct__isnull": False})
        )
    totals = values.aggregate(**aggregates)
    return {code: (totals[f"{code}__counted"], totals[f"{code}__known"]) for code in codes}


def _area_reach(coverage: Coverage | None, reach: dict[str, tuple[int, int]]):
    def fields(code: str) -> dict:
        if coverage is None:
            return {}
        counted, known = reach.get(code, (0, 0))
        return {
            "covered": known,
            "of": coverage.organizations,
            "partial": not coverage.adequate or not adequate(known, counted),
        }

    return fields


@dataclass
class TrendPoint:
    week: dt.date
    values: dict[str, Decimal | None]
    targets: dict[str, Decimal | None]


def _trend(rows, targets: list[Target], region_id) -> list[TrendPoint]:
    points = []
    for row in rows:
        in_force = targets_in_force(row.week_start, targets)
        points.append(
            TrendPoint(
                week=row.week_start,
                values={code: getattr(row, f"{code}_pct") for code, _, _ in KPI_DEFS},
                targets={
                    f"{code}_stage{stage}": target_value(in_force, code, stage, region_id)
                    for code in HEADLINE
                    for stage in (1, 2)
                },
            )
        )
    return points


@dataclass
class AreaDashboard:
    """What a region or district page shows for one week."""

    week: dt.date | None
    weeks: list[dt.date]
    current: object | None  # the area's weekly row
    kpis: list[Kpi] = field(default_factory=list)
    ejd: list[Kpi] = field(default_factory=list)
    trend: list[TrendPoint] = field(default_factory=list)
    coverage: Coverage | None = None
    partial_weeks: frozenset[dt.date] = frozenset()
    latest_complete: dt.date | None = None  # the default week: the latest adequate one

    @property
    def partial(self) -> bool:
        return self.coverage is not None and not self.coverage.adequate

    @property
    def previous_week(self) -> dt.date | None:
        earlier = [w for w in self.weeks if self.week and w < self.week]
        return earlier[-1] if earlier else None

    @property
    def next_week(self) -> dt.date | None:
        later = [w for w in self.weeks if self.week and w > self.week]
        return later[0] if later else None


def _coverages(with_data: list) -> dict[dt.date, Coverage]:
    """Each week's coverage against the area's previous week with data (a week without any
    upload does not make the next partial week look complete)."""
    coverages, before = {}, None
    for row in with_data:
        coverages[row.week_start] = Coverage(row.organizations_with_data, row.organizations, before)
        before = row.organizations_with_data
    return coverages


def _area(
    rows: list, requested: dt.date | None, region_id: int, values, population: Population
) -> AreaDashboard:
    """``values``: the area's organisation rows (any week), for each indicator's coverage;
    ``population``: the area's registry, which the coverage line names."""
    with_data = [r for r in rows if r.organizations_with_data]
    weeks = [r.week_start for r in with_data]
    coverages = _coverages(with_data)
    partial_weeks = frozenset(w for w, c in coverages.items() if not c.adequate)
    complete = [w for w in weeks if w not in partial_weeks]
    latest_complete = complete[-1] if complete else None
    week = _pick_week(weeks, requested, latest_complete)
    by_week = {r.week_start: r for r in rows}
    current = by_week.get(week)
    previous = by_week.get(week - dt.timedelta(days=7)) if week else None
    targets = list(Target.objects.all())
    in_force = targets_in_force(week, targets) if week else {}
    coverage = coverages.get(week)
    if coverage is not None:
        coverage = replace(coverage, population=population)
    reach = _area_reach(coverage, indicator_reach(values.filter(week_start=week)) if week else {})
    return AreaDashboard(
        week=week,
        weeks=weeks,
        current=current,
        kpis=kpis_for(current, previous, in_force, region_id, reach),
        ejd=ejd_for(current, previous, in_force, region_id, reach),
        trend=_trend(with_data, targets, region_id),
        coverage=coverage,
        partial_weeks=partial_weeks,
        latest_complete=latest_complete,
    )


def _row_reach(row, previous):
    """A league row's (a municipality's) coverage against its own week before."""

    def fields(code: str) -> dict:
        if row is None:
            return {}
        before = previous.organizations_with_data if previous else None
        return {
            "covered": row.organizations_with_data,
            "of": row.organizations,
            "partial": not adequate(row.organizations_with_data, before),
        }

    return fields


@dataclass(frozen=True)
class LeagueRow:
    """One line of a league table: a municipality of the region, or an organisation."""

    name: str
    pk: int
    value_row: object | None
    kpis: dict[str, Kpi]
    extra: dict = field(default_factory=dict)
    # The last 8 weeks of each headline indicator (comparison.Steady), the place in the league
    # or its group ((N, of M), None: not ranked) and the group (comparison.Group) when the
    # page compares like with like. Leagues built elsewhere (notify) leave them empty.
    steady: dict = field(default_factory=dict)
    place: tuple[int, int] | None = None
    group: object | None = None


def region_dashboard(region: Region, requested: dt.date | None, municipalities) -> tuple:
    """The region's week, and its municipalities (those given, already scoped) as a league in
    the ranking order (monitoring.comparison: no size bands for municipalities)."""
    rows = list(WeeklyRegionValue.objects.filter(region=region).order_by("week_start"))
    values = WeeklyOrganizationValue.objects.filter(organization__municipality__region=region)
    population = population_of(Organization.objects.filter(municipality__region=region))
    area = _area(rows, requested, region.pk, values, population)
    league = []
    if area.week:
        area_values = WeeklyMunicipalityValue.objects.filter(municipality__in=municipalities)
        values = area_values.filter(
            week_start__in=[area.week, area.week - dt.timedelta(days=7)]
        ).select_related("municipality")
        current = {v.municipality_id: v for v in values if v.week_start == area.week}
        previous = {v.municipality_id: v for v in values if v.week_start != area.week}
        targets = list(Target.objects.all())
        in_force = targets_in_force(area.week, targets)
        steady = comparison.municipality_steadiness(area_values, area.week, targets, region.pk)
        for municipality in municipalities.order_by("name"):
            row, before = current.get(municipality.pk), previous.get(municipality.pk)
            kpis = kpis_for(row, before, in_force, region.pk, _row_reach(row, before))
            league.append(
                LeagueRow(municipality.name, municipality.pk, row, {k.code: k for k in kpis},
                          steady=steady.get(municipality.pk, {}))
            )  # fmt: skip
        league = comparison.ranked(league)
    return area, league


@dataclass
class OrganizationFilters:
    """The district league's filters: type and search (the registry's), and the comparison
    with like organisations: ``size_by`` ("staff", "students" or "": all together) and
    ``band`` (a size band's key, comparison.band_keys; it implies its basis)."""

    org_type: str = ""
    query: str = ""
    size_by: str = ""
    band: str = ""

    @property
    def comparison(self) -> comparison.Comparison:
        return comparison.Comparison.of(self.size_by, self.band)

    def apply(self, organizations):
        if self.org_type:
            organizations = organizations.filter(org_type=self.org_type)
        return organizations_matching(organizations, self.query)


def district_dashboard(
    municipality: Municipality,
    requested: dt.date | None,
    organizations,
    filters: OrganizationFilters,
) -> tuple:
    """The district's week and its organisations (scoped queryset) with their week's values and
    their last 8 weeks, in the ranking order, grouped by type and size band and only the chosen
    band's when the filters compare like with like (monitoring.comparison)."""
    rows = list(
        WeeklyMunicipalityValue.objects.filter(municipality=municipality).order_by("week_start")
    )
    region_id = municipality.region_id
    values = WeeklyOrganizationValue.objects.filter(organization__municipality=municipality)
    types = counted_types()
    population = population_of(Organization.objects.filter(municipality=municipality), types)
    area = _area(rows, requested, region_id, values, population)
    organizations = filters.apply(organizations.filter(municipality=municipality))
    league = []
    if area.week:
        values = WeeklyOrganizationValue.objects.filter(
            week_start__in=[area.week, area.week - dt.timedelta(days=7)],
            organization__municipality=municipality,
        )
        current = {v.organization_id: v for v in values if v.week_start == area.week}
        previous = {v.organization_id: v for v in values if v.week_start != area.week}
        in_force = targets_in_force(area.week, list(Target.objects.all()))
        area_values = WeeklyOrganizationValue.objects.filter(
            organization__municipality=municipality
        )
        steady = comparison.organization_steadiness(area_values, area.week)
        for org in organizations.filter(is_active=True).order_by("short_name"):
            row = current.get(org.pk)
            kpis = kpis_for(row, previous.get(org.pk), in_force, region_id)
            league.append(
                LeagueRow(org.short_name, org.pk, row, {k.code: k for k in kpis},
                          {"org_type": org.get_org_type_display(), "organization": org,
                           "counted": org.org_type in types},
                          steady=steady.get(org.pk, {}))
            )  # fmt: skip
        league = comparison.grouped(league, filters.comparison)
    return area, league


def _counted(row: LeagueRow, code: str) -> bool:
    """Whether the organisation's type counts in the indicator (not an education authority);
    a municipality's row always counts."""
    return row.value_row is not None and getattr(row.value_row, COUNTED_FLAG[code], True)


def with_data_for(league: list[LeagueRow], code: str) -> int:
    """How many counted organisations of the league have the indicator's rate this week."""
    return sum(1 for r in league if _counted(r, code) and r.kpis[code].value is not None)


def _weeks_on_target(row: LeagueRow, code: str) -> int:
    record = row.steady.get(code)
    return record.on_target if record else 0


def furthest_from_target(league: list[LeagueRow], code: str, limit: int = 10) -> list[LeagueRow]:
    """Counted organisations below the Stage 2 target this week: the least steady first (fewest
    weeks on target of the last 8), then by people missing, then by name. So one that dipped
    this week after weeks on target comes after those that have stayed below. A league without
    the weeks (built elsewhere) is ranked by people missing alone."""
    ranked = [r for r in league if _counted(r, code) and r.kpis[code].gap_people]
    return sorted(
        ranked,
        key=lambda r: (_weeks_on_target(r, code), -(r.kpis[code].gap_people or 0), r.name),
    )[:limit]


def change_over(row: LeagueRow, code: str, weeks: int = 1) -> Decimal | None:
    """The rate's change over 1 week (the stored change) or over 4 (comparison.Steady)."""
    if weeks == 1:
        return row.kpis[code].change
    if weeks == comparison.CHANGE_WEEKS:
        record = row.steady.get(code)
        return record.change if record else None
    raise ValueError(f"No change over {weeks} weeks is computed")


def improved_most(
    league: list[LeagueRow], code: str, limit: int = 10, *, weeks: int = 1
) -> list[LeagueRow]:
    """Counted organisations whose value rose most over ``weeks`` (1: since the week before;
    4: over 4 weeks, what the dashboards show), ties by weeks on target, then by name."""
    ranked = [r for r in league if _counted(r, code) and (change_over(r, code, weeks) or 0) > 0]
    return sorted(
        ranked,
        key=lambda r: (-change_over(r, code, weeks), -_weeks_on_target(r, code), r.name),
    )[:limit]


@dataclass
class OrganizationDashboard:
    week: dt.date | None
    weeks: list[dt.date]
    current: WeeklyOrganizationValue | None
    kpis: list[Kpi]
    ejd: list[Kpi]
    history: list[WeeklyOrganizationValue]
    trend: list[TrendPoint]
    snapshot: Snapshot | None
    uploads: list  # (date, upload) of the snapshots behind the weeks shown

    @property
    def previous_week(self):
        earlier = [w for w in self.weeks if self.week and w < self.week]
        return earlier[-1] if earlier else None

    @property
    def next_week(self):
        later = [w for w in self.weeks if self.week and w > self.week]
        return later[0] if later else None


def organization_dashboard(organization: Organization, requested: dt.date | None):
    history = list(
        WeeklyOrganizationValue.objects.filter(organization=organization).order_by("week_start")
    )
    weeks = [v.week_start for v in history]
    week = _pick_week(weeks, requested)
    by_week = {v.week_start: v for v in history}
    current = by_week.get(week)
    previous = by_week.get(week - dt.timedelta(days=7)) if week else None
    region_id = organization.municipality.region_id
    targets = list(Target.objects.all())
    in_force = targets_in_force(week, targets) if week else {}
    snapshots = list(
        Snapshot.objects.filter(organization=organization)
        .select_related("upload__uploaded_by")
        .order_by("-date")
    )
    snapshot = next((s for s in snapshots if current and s.date == current.snapshot_date), None)
    return OrganizationDashboard(
        week=week,
        weeks=weeks,
        current=current,
        kpis=kpis_for(current, previous, in_force, region_id),
        ejd=ejd_for(current, previous, in_force, region_id),
        history=list(reversed(history)),
        trend=_trend(history, targets, region_id),
        snapshot=snapshot,
        uploads=[(s.date, s.upload) for s in snapshots],
    )
