"""Fair comparisons on the dashboards: like with like, and steady work over one-week spikes.

Size bands. ``settings.COMPARISON_SIZE_BANDS`` gives, per basis ("staff": the staff total of the
form ОО-1, "students": the students total), the lower bounds of the bands above the first:
(20, 50, 100) makes «до 20 сотрудников», «20–49 сотрудников», «50–99 сотрудников» and «100
сотрудников и больше» (exactly 20 is in «20–49»). An organisation's size is the denominator of its
weekly value of the chosen week (staff: ``staff_activity_den``, students:
``students_registered_den``), so a size needs no column of its own; without a value that week its
size is unknown and it is in a band of its own, «численность неизвестна».

Groups. In a fair comparison the district's league is grouped by (type of organisation, size
band), groups in the order of the types and then of the bands, and ranked inside each group.

Weeks on target. For each row and headline indicator: of the last ``WINDOW_WEEKS`` weeks up to the
chosen one, in how many the value met the Stage 2 target (an organisation: its stored
``*_stage2_met``; a municipality: its rate against the Stage 2 target in force that week), and in
how many it had a value. One aggregate query for the whole league.

The change over 4 weeks: the rate of the chosen week minus the rate of the week 28 days before;
when that week has no value, the nearest earlier week with one inside the window (at most 7 weeks
before) is the base, and ``Steady.since`` says which week it was. One query for the whole league.

The ranking rule (the league's default order, «место» and «место в группе»): rows with this
week's staff activity rate and counted in it, by weeks on target for staff activity (more first),
then by that rate (higher first), then by weeks on target and rate for students and parents, then
by name; the other rows have no place and come last, by name. So an organisation at 95 % for one
week with 1 week of 8 on target ranks below one at 80 % with 8 of 8.

The region's league of municipalities has no size bands: a municipality's rates already sum its
organisations, and the region has a few dozen of them; it gets the weeks on target, the change
over 4 weeks and the same ranking.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, replace
from decimal import Decimal
from itertools import groupby

from django.conf import settings
from django.db.models import Count, Q

from organizations.models import OrgType
from sferum_portal.numbers import group_digits
from sferum_portal.plurals import plural_ru

from .selectors import target_value, targets_in_force

WINDOW_WEEKS = 8
CHANGE_WEEKS = 4
HEADLINE = ("staff_activity", "students_parents_activity")
STAGE2_MET = {
    "staff_activity": "staff_stage2_met",
    "students_parents_activity": "students_parents_stage2_met",
}
# basis -> (the weekly value's field that is the size, the choice's label, the noun's forms:
# counted (1, 2, 5) and after «до» (1, 2, 5))
BASES = {
    "staff": (
        "staff_activity_den",
        "сотрудников",
        ("сотрудник", "сотрудника", "сотрудников"),
        ("сотрудника", "сотрудников", "сотрудников"),
    ),
    "students": (
        "students_registered_den",
        "обучающихся",
        ("обучающийся", "обучающихся", "обучающихся"),
        ("обучающегося", "обучающихся", "обучающихся"),
    ),
}
COUNTED_FLAG = {
    "staff_activity": "in_staff_indicator",
    "students_parents_activity": "in_students_parents_indicator",
}


@dataclass(frozen=True)
class Band:
    """Sizes from ``low`` (inclusive) to ``high`` (exclusive; None: no upper bound)."""

    basis: str
    index: int
    low: int
    high: int | None

    @property
    def key(self) -> str:
        return f"{self.basis}-{self.index}"

    @property
    def label(self) -> str:
        _field, _label, counted, after_up_to = BASES[self.basis]
        if self.high is None:
            return f"{group_digits(self.low)} {plural_ru(self.low, *counted)} и больше"
        if self.low == 0:
            return f"до {group_digits(self.high)} {plural_ru(self.high, *after_up_to)}"
        top = self.high - 1
        return f"{group_digits(self.low)}–{group_digits(top)} {plural_ru(top, *counted)}"

    def holds(self, size: int) -> bool:
        return size >= self.low and (self.high is None or size < self.high)


def bands(basis: str) -> tuple[Band, ...]:
    bounds = sorted(set(settings.COMPARISON_SIZE_BANDS[basis]))
    lows = [0, *bounds]
    highs = [*bounds, None]
    return tuple(
        Band(basis, i, low, high) for i, (low, high) in enumerate(zip(lows, highs, strict=True))
    )


def band_choices() -> list[tuple[str, str, list[tuple[str, str]]]]:
    """(basis, its label, [(band key, band label)]) for the page's select."""
    return [(basis, BASES[basis][1], [(b.key, b.label) for b in bands(basis)]) for basis in BASES]


def band_keys() -> list[str]:
    return [b.key for basis in BASES for b in bands(basis)]


def size_of(value_row, basis: str) -> int | None:
    """The organisation's size in the week of ``value_row`` (None: no value that week)."""
    return None if value_row is None else getattr(value_row, BASES[basis][0])


def band_of(size: int | None, basis: str) -> Band | None:
    if size is None:
        return None
    return next(b for b in bands(basis) if b.holds(size))


@dataclass(frozen=True)
class Comparison:
    """What the page compares: all together (no basis), or like with like by type and size
    (``basis``), optionally only one band (``band``, a key of that basis)."""

    basis: str = ""
    band: str = ""

    @classmethod
    def of(cls, basis: str, band: str) -> Comparison:
        """From the page's parameters (already checked against the choices): a band implies its
        basis, whatever ``basis`` says."""
        if band:
            return cls(band.split("-")[0], band)
        return cls(basis, "")

    @property
    def band_label(self) -> str:
        return next((b.label for b in bands(self.basis) if b.key == self.band), "")

    def describe(self, org_type_label: str = "") -> str:
        """The export's header line: which comparison the table shows."""
        if not self.basis:
            text = "Сравнение: все ОО вместе"
        else:
            text = f"Сравнение с похожими: тип ОО и число {BASES[self.basis][1]}"
            if self.band:
                text += f"; размер: {self.band_label}"
        if org_type_label:
            text += f"; тип ОО: {org_type_label}"
        return text + "."


@dataclass(frozen=True)
class Group:
    """A group of like organisations: its type and size band (band None: size unknown)."""

    org_type: str
    band: Band | None
    type_label: str

    @property
    def label(self) -> str:
        size = self.band.label if self.band else "численность неизвестна"
        return f"{self.type_label}, {size}"

    @property
    def order(self) -> tuple:
        types = list(OrgType.values)
        position = types.index(self.org_type) if self.org_type in types else len(types)
        return (position, self.band.index if self.band else 10**6)


@dataclass(frozen=True)
class Steady:
    """One row's record for one headline indicator over the last ``WINDOW_WEEKS`` weeks."""

    on_target: int = 0
    with_value: int = 0
    change: Decimal | None = None  # over CHANGE_WEEKS weeks, percentage points
    since: dt.date | None = None  # the week the change is counted from
    span: int | None = None  # weeks between it and the chosen week (4, or more: see above)


def window(week: dt.date) -> tuple[dt.date, dt.date]:
    return week - dt.timedelta(weeks=WINDOW_WEEKS - 1), week


def steadiness(
    values, key: str, week: dt.date, met: dict[str, Q], known: dict[str, Q]
) -> dict[int, dict[str, Steady]]:
    """Per ``key`` (organization_id or municipality_id) of the weekly ``values`` (a queryset
    already limited to the league's area), each headline indicator's ``Steady``: two queries."""
    start, end = window(week)
    counts = (
        values.filter(week_start__range=(start, end))
        .values(key)
        .annotate(
            **{f"{code}__met": Count("pk", filter=met[code]) for code in HEADLINE},
            **{f"{code}__known": Count("pk", filter=known[code]) for code in HEADLINE},
        )
        .order_by()
    )
    result = {
        row[key]: {code: Steady(row[f"{code}__met"], row[f"{code}__known"]) for code in HEADLINE}
        for row in counts
    }
    base_end = week - dt.timedelta(weeks=CHANGE_WEEKS)
    rates = values.filter(Q(week_start__range=(start, base_end)) | Q(week_start=week)).values_list(
        key, "week_start", *(f"{code}_pct" for code in HEADLINE)
    )
    current: dict[int, tuple] = {}
    base: dict[tuple[int, str], tuple[dt.date, Decimal]] = {}
    for pk, monday, *pcts in rates.order_by("week_start"):
        if monday == week:
            current[pk] = pcts
            continue
        for code, value in zip(HEADLINE, pcts, strict=True):
            if value is not None:
                base[pk, code] = (monday, value)  # the latest earlier week wins
    for pk, pcts in current.items():
        for code, value in zip(HEADLINE, pcts, strict=True):
            if value is None or (pk, code) not in base:
                continue
            since, before = base[pk, code]
            record = result.get(pk, {}).get(code, Steady())
            result.setdefault(pk, {})[code] = replace(
                record, change=value - before, since=since, span=(week - since).days // 7
            )
    return result


def organization_steadiness(values, week: dt.date) -> dict[int, dict[str, Steady]]:
    """The organisations' records: met is the stored Stage 2 flag, a value is a known flag
    (the type counts, the rate and the target are known)."""
    met = {code: Q(**{STAGE2_MET[code]: True}) for code in HEADLINE}
    known = {code: Q(**{f"{STAGE2_MET[code]}__isnull": False}) for code in HEADLINE}
    return steadiness(values, "organization_id", week, met, known)


def municipality_steadiness(values, week: dt.date, targets, region_id: int):
    """The municipalities' records: their rate against the Stage 2 target in force each week of
    the window (``targets``: every Target, loaded once); a week without a target counts in
    neither."""
    start, _end = window(week)
    met, known = {}, {}
    for code in HEADLINE:
        met[code], known[code] = Q(pk__in=[]), Q(pk__in=[])
        for i in range(WINDOW_WEEKS):
            monday = start + dt.timedelta(weeks=i)
            target = target_value(targets_in_force(monday, targets), code, 2, region_id)
            if target is None:
                continue
            rated = Q(week_start=monday, **{f"{code}_pct__isnull": False})
            known[code] |= rated
            met[code] |= rated & Q(**{f"{code}_pct__gte": target})
    return steadiness(values, "municipality_id", week, met, known)


def _counted(row, code: str) -> bool:
    """Whether the row's rate counts in the indicator: an organisation of a type its rule counts
    (the stored flag), or any municipality."""
    return row.value_row is not None and getattr(row.value_row, COUNTED_FLAG[code], True)


def _weeks(row, code: str) -> int:
    record = row.steady.get(code)
    return record.on_target if record else 0


def _rate(row, code: str) -> Decimal:
    value = row.kpis[code].value
    return Decimal(-1) if value is None else value


def rank_key(row) -> tuple:
    """The ranking rule of the module docstring, as a sort key (smaller ranks higher)."""
    return (
        -_weeks(row, "staff_activity"),
        -_rate(row, "staff_activity"),
        -_weeks(row, "students_parents_activity"),
        -_rate(row, "students_parents_activity"),
        row.name,
    )


def rankable(row) -> bool:
    return _counted(row, "staff_activity") and row.kpis["staff_activity"].value is not None


def ranked(rows: Iterable) -> list:
    """The rows in the ranking order, each with its ``place`` (N, of M ranked) or None."""
    rows = list(rows)
    placed = sorted((r for r in rows if rankable(r)), key=rank_key)
    others = sorted((r for r in rows if not rankable(r)), key=lambda r: r.name)
    total = len(placed)
    return [replace(r, place=(i, total)) for i, r in enumerate(placed, start=1)] + [
        replace(r, place=None) for r in others
    ]


def group_of(row, basis: str) -> Group:
    org = row.extra.get("organization")
    code = org.org_type if org is not None else ""
    return Group(code, band_of(size_of(row.value_row, basis), basis), row.extra.get("org_type", ""))


@dataclass(frozen=True)
class GroupRows:
    group: Group | None  # None: every row ranked together
    rows: list


def grouped(rows: Iterable, comparison: Comparison) -> list:
    """The league in the page's order: every row ranked together, or, comparing like with like,
    group by group of (type, band), each ranked inside it, only the chosen band's if one is."""
    rows = list(rows)
    if not comparison.basis:
        return ranked(rows)
    groups: dict[Group, list] = {}
    for row in rows:
        group = group_of(row, comparison.basis)
        if comparison.band and (group.band is None or group.band.key != comparison.band):
            continue
        groups.setdefault(group, []).append(replace(row, group=group))
    return [row for g in sorted(groups, key=lambda g: g.order) for row in ranked(groups[g])]


def sections(league: list) -> list[GroupRows]:
    """The league (in ``grouped`` order) cut into its groups, for the page's tables."""
    return [GroupRows(g, list(rows)) for g, rows in groupby(league, key=lambda r: r.group)]
