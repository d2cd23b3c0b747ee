"""The machine-readable weekly activity report (``manage.py activity_report``): one row per
organisation, municipality or region, with fixed English column names for scripts and Russian
headers for the xlsx form. Percentages have two decimals, no data is an empty cell, booleans
are ``true``/``false``."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from decimal import Decimal

from organizations.models import Organization
from sferum_portal.weeks import iso_week_label

from .models import WeeklyMunicipalityValue, WeeklyOrganizationValue, WeeklyRegionValue

ORGANIZATION_COLUMNS = {
    "week": "Неделя",
    "sferum_id": "ID организации",
    "name": "ОО",
    "municipality": "МО",
    "org_type": "Тип ОО",
    "staff_total": "Сотрудников всего (ОО-1)",
    "staff_active": "Активных сотрудников",
    "staff_activity_pct": "Активность сотрудников, %",
    "students_parents_total": "Обучающихся и родителей всего",
    "students_parents_active": "Активных обучающихся и родителей",
    "students_parents_activity_pct": "Активность обучающихся и родителей, %",
    "teachers_registered_pct": "Учителей зарегистрировано, %",
    "staff_target_met": "Цель 75 % по сотрудникам достигнута",
    "students_parents_target_met": "Цель 30 % по обучающимся и родителям достигнута",
    "flags": "Замечания",
}
AREA_COLUMNS = {
    "week": "Неделя",
    "name": "Название",
    "organizations": "ОО",
    "organizations_with_data": "ОО с данными",
    "staff_activity_pct": "Активность сотрудников, %",
    "students_parents_activity_pct": "Активность обучающихся и родителей, %",
    "teachers_registered_pct": "Учителей зарегистрировано, %",
    "staff_target_met_count": "ОО достигли 75 % по сотрудникам",
    "students_parents_target_met_count": "ОО достигли 30 % по обучающимся и родителям",
    "staff_activity_change": "Изменение активности сотрудников, п. п.",
    "students_parents_activity_change": "Изменение активности обучающихся и родителей, п. п.",
}
LEVELS = ("organization", "municipality", "region")
NO_DATA = "no_data"


def _pct(value: Decimal | None) -> str:
    return "" if value is None else f"{value:.2f}"


def _bool(value: bool | None) -> str:
    return "" if value is None else ("true" if value else "false")


def _organization_rows(monday: dt.date, municipality: str | None) -> Iterator[list[str]]:
    organizations = Organization.objects.filter(is_active=True).select_related("municipality")
    if municipality:
        organizations = organizations.filter(municipality__name=municipality)
    values = {
        v.organization_id: v
        for v in WeeklyOrganizationValue.objects.filter(
            week_start=monday, organization__in=organizations
        )
    }
    week = iso_week_label(monday)
    for org in organizations.order_by("municipality__name", "short_name"):
        v = values.get(org.pk)
        if v is None:
            yield [week, str(org.sferum_id), org.short_name, org.municipality.name,
                   org.org_type, *[""] * 9, NO_DATA]  # fmt: skip
            continue
        flags = list(v.flags) + (["rate_above_100"] if v.rate_above_100 else [])
        yield [
            week,
            str(org.sferum_id),
            org.short_name,
            org.municipality.name,
            org.org_type,
            "" if v.staff_activity_den is None else str(v.staff_activity_den),
            "" if v.staff_activity_num is None else str(v.staff_activity_num),
            _pct(v.staff_activity_pct),
            "" if v.students_parents_activity_den is None else str(v.students_parents_activity_den),
            "" if v.students_parents_activity_num is None else str(v.students_parents_activity_num),
            _pct(v.students_parents_activity_pct),
            _pct(v.teachers_registered_pct),
            _bool(v.staff_stage2_met),
            _bool(v.students_parents_stage2_met),
            ";".join(flags),
        ]


def _area_rows(monday: dt.date, level: str, municipality: str | None) -> Iterator[list[str]]:
    if level == "municipality":
        values = WeeklyMunicipalityValue.objects.filter(week_start=monday).select_related(
            "municipality"
        )
        if municipality:
            values = values.filter(municipality__name=municipality)
        named = sorted(((v.municipality.name, v) for v in values), key=lambda p: p[0])
    else:
        values = WeeklyRegionValue.objects.filter(week_start=monday).select_related("region")
        if municipality:
            values = values.filter(region__municipalities__name=municipality)
        named = sorted(((v.region.name, v) for v in values), key=lambda p: p[0])
    week = iso_week_label(monday)
    for name, v in named:
        yield [
            week,
            name,
            str(v.organizations),
            str(v.organizations_with_data),
            _pct(v.staff_activity_pct),
            _pct(v.students_parents_activity_pct),
            _pct(v.teachers_registered_pct),
            str(v.staff_stage2_met_count),
            str(v.students_parents_stage2_met_count),
            _pct(v.staff_activity_change),
            _pct(v.students_parents_activity_change),
        ]


def activity_report(
    *, monday: dt.date, level: str, municipality: str | None = None
) -> tuple[dict[str, str], Iterator[list[str]]]:
    """The columns (English name → Russian header) and the rows of the report."""
    if level == "organization":
        return ORGANIZATION_COLUMNS, _organization_rows(monday, municipality)
    if level in ("municipality", "region"):
        return AREA_COLUMNS, _area_rows(monday, level, municipality)
    raise ValueError(f"level must be one of {LEVELS}")
