"""Weekly values against numbers computed by hand.

A school (S) and a preschool (P, parents only) in Княжпогостский, an additional-education
organisation (U) in Ухта, over three weeks of November 2025:
- week 1 (10–16.11): S has two snapshots (12.11 and 14.11: the later wins); U reports more
  registered teachers than it has (120 %);
- week 2 (17–23.11): a file without the active-staff column; P sent nothing;
- week 3 (24–30.11): everyone reports.
The region's Stage 1 baselines are 50 % (staff) and 25 % (students and parents).
"""

import csv
import datetime as dt
import io
from decimal import Decimal

import openpyxl
import pytest
from django.core.management import call_command

from monitoring.models import (
    WeeklyMunicipalityValue,
    WeeklyOrganizationValue,
    WeeklyRegionValue,
)
from monitoring.weekly import weekly_values_compute
from tests.factories import OrganizationFactory
from tests.monitoring.conftest import WEEK1, WEEK2, WEEK3

W1, W2, W3 = WEEK1, WEEK2, WEEK3


def org_value(org, week):
    return WeeklyOrganizationValue.objects.get(organization=org, week_start=week)


def test_the_latest_snapshot_of_a_week_wins(scenario):
    v = org_value(scenario["S"], W1)
    assert v.snapshot_date == dt.date(2025, 11, 14)
    assert (v.staff_activity_num, v.staff_activity_den, v.staff_activity_pct) == (
        76,
        100,
        Decimal("76.00"),
    )
    # (120 + 60) / (500 + 500)
    assert v.students_parents_activity_pct == Decimal("18.00")
    assert (v.staff_stage1_met, v.staff_stage2_met) == (True, True)
    assert (v.students_parents_stage1_met, v.students_parents_stage2_met) == (False, False)


def test_a_preschool_counts_parents_only(scenario):
    v = org_value(scenario["P"], W1)
    assert (v.students_parents_activity_num, v.students_parents_activity_den) == (30, 80)
    assert v.students_parents_activity_pct == Decimal("37.50")
    assert v.staff_activity_pct == Decimal("50.00")
    assert (v.staff_stage1_met, v.staff_stage2_met) == (True, False)  # 50 ≥ 50, 50 < 75


def test_a_rate_above_100_is_kept_and_flagged(scenario):
    v = org_value(scenario["U"], W1)
    assert v.teachers_registered_pct == Decimal("120.00")
    assert v.rate_above_100 is True
    assert "registered_above_total" in v.flags


def test_a_file_without_active_staff_means_no_staff_data_not_zero(scenario):
    v = org_value(scenario["S"], W2)
    assert v.staff_activity_num is None and v.staff_activity_pct is None
    assert v.staff_stage2_met is None and v.staff_activity_change is None
    assert v.students_parents_activity_pct == Decimal("24.00")  # (150 + 90) / 1000
    assert v.students_parents_activity_change == Decimal("6.00")  # 24.00 − 18.00


def test_an_organisation_without_a_snapshot_has_no_row_that_week(scenario):
    assert not WeeklyOrganizationValue.objects.filter(organization=scenario["P"], week_start=W2)
    mo = WeeklyMunicipalityValue.objects.get(
        municipality=scenario["world"].municipality, week_start=W2
    )
    assert (mo.organizations, mo.organizations_with_data, mo.organizations_without_data) == (
        3,
        1,
        2,
    )


def test_district_rates_are_sums_of_numerators_over_sums_of_denominators(scenario):
    mo = WeeklyMunicipalityValue.objects.get(
        municipality=scenario["world"].municipality, week_start=W1
    )
    assert (mo.staff_activity_num, mo.staff_activity_den) == (86, 120)
    assert mo.staff_activity_pct == Decimal("71.67")  # not the mean of 76 % and 50 %
    assert mo.students_parents_activity_pct == Decimal("19.44")  # 210 / 1080
    assert mo.teachers_registered_pct == Decimal("94.17")  # 113 / 120
    assert (mo.staff_stage2_met_count, mo.students_parents_stage2_met_count) == (1, 1)
    assert (mo.staff_stage1_met_count, mo.students_parents_stage1_met_count) == (2, 1)


def test_the_region_sums_its_municipalities(scenario):
    r1 = WeeklyRegionValue.objects.get(region=scenario["world"].region, week_start=W1)
    assert r1.staff_activity_pct == Decimal("73.08")  # 95 / 130
    assert r1.students_parents_activity_pct == Decimal("18.24")  # 270 / 1480
    assert r1.teachers_registered_pct == Decimal("96.15")  # 125 / 130
    assert (r1.organizations_with_data, r1.organizations_flagged) == (3, 1)
    r2 = WeeklyRegionValue.objects.get(region=scenario["world"].region, week_start=W2)
    assert r2.staff_activity_pct is None
    assert r2.students_parents_activity_pct == Decimal("22.86")  # 320 / 1400
    assert r2.students_parents_activity_change == Decimal("4.62")  # 22.86 − 18.24
    r3 = WeeklyRegionValue.objects.get(region=scenario["world"].region, week_start=W3)
    assert r3.staff_activity_pct == Decimal("63.08")  # 82 / 130
    assert r3.students_parents_activity_pct == Decimal("22.30")  # 330 / 1480
    assert r3.students_parents_activity_change == Decimal("-0.56")
    assert r3.staff_activity_change is None  # week 2 had no staff data


def test_recomputing_is_idempotent(scenario):
    def state():
        return [
            list(model.objects.order_by("pk").values_list(*fields))
            for model, fields in (
                (WeeklyOrganizationValue, ("organization", "week_start", "staff_activity_pct",
                                           "students_parents_activity_change")),
                (WeeklyMunicipalityValue, ("municipality", "week_start", "staff_activity_pct")),
                (WeeklyRegionValue, ("region", "week_start", "students_parents_activity_pct")),
            )
        ]  # fmt: skip

    for week in (W1, W2, W3):
        weekly_values_compute(monday=week)
    before = state()
    for week in (W3, W1, W2, W3):
        weekly_values_compute(monday=week)
    assert state() == before


def test_a_removed_snapshot_disappears_from_the_week_on_recompute(scenario):
    from monitoring.models import Snapshot

    Snapshot.objects.filter(organization=scenario["U"], date__gte=W3).delete()
    weekly_values_compute(monday=W3)
    assert not WeeklyOrganizationValue.objects.filter(organization=scenario["U"], week_start=W3)
    r3 = WeeklyRegionValue.objects.get(region=scenario["world"].region, week_start=W3)
    assert r3.staff_activity_pct == Decimal("63.33")  # 76 / 120, Ухта left out


RATE_NAMES = (
    "staff_activity", "students_parents_activity", "teachers_registered", "students_registered",
    "parents_registered", "teachers_ejd", "students_ejd", "parents_ejd",
)  # fmt: skip


def area_figures(scenario, week=W1) -> dict[str, tuple]:
    """Each rate's (numerator, denominator) in Княжпогостский (S and the preschool P) and in
    the region, and the district's organisation count."""
    mo = WeeklyMunicipalityValue.objects.get(
        municipality=scenario["world"].municipality, week_start=week
    )
    region = WeeklyRegionValue.objects.get(region=scenario["world"].region, week_start=week)
    figures = {"organizations": (mo.organizations, region.organizations)}
    for name in RATE_NAMES:
        figures[name] = tuple(getattr(row, f"{name}_{part}") for row in (mo, region)
                              for part in ("num", "den"))  # fmt: skip
    return figures


def test_the_students_registered_rule_leaves_the_preschools_students_out(scenario):
    # The default rule counts ОУ, УДО and СПО: P's 80 students are not the district's.
    figures = area_figures(scenario)
    assert figures["students_registered"] == (500, 500, 700, 700)  # S; S + U (Ухта)
    assert figures["parents_registered"] == (580, 580, 780, 780)  # P's parents count
    assert figures["teachers_registered"] == (113, 120, 125, 130)
    # The preschool keeps its own value: a rule decides the sums, not the organisation's row.
    p = org_value(scenario["P"], W1)
    assert (p.students_registered_num, p.students_registered_den) == (80, 80)


@pytest.mark.parametrize(
    ("indicator", "change", "expected"),
    [
        # (district num, den, region num, den) of the rate whose rule changes
        ("staff_activity", {"org_types": ["ou", "udo", "spo"]}, (76, 100, 85, 110)),
        ("students_parents_activity", {"org_types": ["ou", "dou", "spo"]}, (210, 1080, 210, 1080)),
        ("students_parents_activity", {"parents_only_types": []}, (215, 1160, 275, 1560)),
        ("teachers_registered", {"org_types": ["ou", "udo", "spo"]}, (95, 100, 107, 110)),
        ("students_registered", {"org_types": ["ou", "dou", "udo", "spo"]}, (580, 580, 780, 780)),
        ("parents_registered", {"org_types": ["ou", "udo", "spo"]}, (500, 500, 700, 700)),
    ],
)
def test_each_rate_reads_its_own_rule(scenario, indicator, change, expected):
    from monitoring.models import IndicatorRule, Snapshot

    # ЭЖД links, so that the linking rates (which follow their registration rule) have figures.
    Snapshot.objects.update(teachers_ejd=10, students_ejd=20, parents_ejd=30)
    weekly_values_compute(monday=W1)
    before = area_figures(scenario)
    IndicatorRule.objects.filter(indicator=indicator).update(**change)
    weekly_values_compute(monday=W1)
    after = area_figures(scenario)
    assert before[indicator] != expected and after[indicator] == expected
    linked = {"teachers_registered": "teachers_ejd", "students_registered": "students_ejd",
              "parents_registered": "parents_ejd"}.get(indicator)  # fmt: skip
    if linked:  # P's links leave the sum with P's registrations (or join it)
        assert after[linked] != before[linked]
    unchanged = set(before) - {indicator, linked}
    assert {k: after[k] for k in unchanged} == {k: before[k] for k in unchanged}


def test_a_type_no_rule_counts_leaves_the_area(scenario):
    from monitoring.models import IndicatorRule

    counted = area_figures(scenario)["organizations"]
    assert counted == (3, 5)
    IndicatorRule.objects.update(org_types=["ou", "udo", "spo"])  # ДОУ in none of the five
    weekly_values_compute(monday=W1)
    assert area_figures(scenario)["organizations"] == (2, 4)  # P is not the district's
    IndicatorRule.objects.filter(indicator="parents_registered").update(
        org_types=["ou", "dou", "udo", "spo"]
    )
    weekly_values_compute(monday=W1)
    figures = area_figures(scenario)
    assert figures["organizations"] == (3, 5)  # counted by one rule is enough
    assert figures["staff_activity"] == (76, 100, 85, 110)  # yet the others still leave it out


def test_parents_only_belongs_to_the_students_and_parents_activity_rule(db):
    from django.core.exceptions import ValidationError

    from monitoring.models import IndicatorRule

    rule = IndicatorRule.objects.get(indicator="students_registered")
    rule.parents_only_types = ["dou"]
    with pytest.raises(ValidationError) as error:
        rule.full_clean()
    assert "parents_only_types" in error.value.message_dict
    IndicatorRule.objects.get(indicator="students_parents_activity").full_clean()


def test_the_default_registration_rules(db):
    from monitoring.models import IndicatorRule

    rules = {r.indicator: r for r in IndicatorRule.objects.all()}
    assert len(rules) == 5
    everyone = {"ou", "dou", "udo", "spo"}
    assert set(rules["teachers_registered"].org_types) == everyone
    assert set(rules["parents_registered"].org_types) == everyone
    assert set(rules["students_registered"].org_types) == everyone - {"dou"}  # parents only
    assert not any(rules[i].parents_only_types for i in rules if i != "students_parents_activity")


def test_a_recompute_runs_a_fixed_number_of_queries(scenario):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            weekly_values_compute(monday=W1)
        return len(queries)

    before = count()
    OrganizationFactory.create_batch(20, municipality=scenario["world"].municipality)
    # Locks, targets, the three levels, the changes, the savepoint and the data version.
    assert count() == before <= 21


def report(week: str, level: str, **options) -> list[dict]:
    out = io.StringIO()
    call_command("activity_report", week=week, level=level, stdout=out, **options)
    return list(csv.DictReader(io.StringIO(out.getvalue())))


def test_the_organisation_report_column_by_column(scenario):
    rows = {r["name"]: r for r in report("2025-W46", "organization")}
    school = rows[scenario["S"].short_name]
    assert list(school) == [
        "week", "sferum_id", "name", "municipality", "org_type", "staff_total", "staff_active",
        "staff_activity_pct", "students_parents_total", "students_parents_active",
        "students_parents_activity_pct", "teachers_registered_pct", "staff_target_met",
        "students_parents_target_met", "flags",
    ]  # fmt: skip
    assert school == {
        "week": "2025-W46",
        "sferum_id": str(scenario["S"].sferum_id),
        "name": scenario["S"].short_name,
        "municipality": "Княжпогостский",
        "org_type": "ou",
        "staff_total": "100",
        "staff_active": "76",
        "staff_activity_pct": "76.00",
        "students_parents_total": "1000",
        "students_parents_active": "180",
        "students_parents_activity_pct": "18.00",
        "teachers_registered_pct": "95.00",
        "staff_target_met": "true",
        "students_parents_target_met": "false",
        "flags": "",
    }
    assert rows[scenario["U"].short_name]["flags"] == "registered_above_total;rate_above_100"
    preschool = rows[scenario["P"].short_name]
    assert (preschool["students_parents_total"], preschool["students_parents_active"]) == (
        "80",
        "30",
    )


def test_the_report_leaves_no_data_empty(scenario):
    rows = {r["name"]: r for r in report("2025-W47", "organization")}
    school, preschool = rows[scenario["S"].short_name], rows[scenario["P"].short_name]
    assert (school["staff_active"], school["staff_activity_pct"], school["staff_target_met"]) == (
        "",
        "",
        "",
    )
    assert preschool["flags"] == "no_data" and preschool["staff_activity_pct"] == ""


def test_the_municipality_and_region_reports_column_by_column(scenario):
    mo = {r["name"]: r for r in report("2025-W48", "municipality")}
    assert mo["Княжпогостский"] == {
        "week": "2025-W48",
        "name": "Княжпогостский",
        "organizations": "3",
        "organizations_with_data": "2",
        "staff_activity_pct": "63.33",
        "students_parents_activity_pct": "22.22",
        "teachers_registered_pct": "97.50",
        "staff_target_met_count": "1",
        "students_parents_target_met_count": "1",
        "staff_activity_change": "",
        "students_parents_activity_change": "-1.78",
    }
    region = report("2025-W48", "region")
    assert [r["name"] for r in region] == ["Республика Коми"]
    assert region[0]["staff_activity_pct"] == "63.08"
    assert region[0]["students_parents_activity_change"] == "-0.56"
    only = report("2025-W48", "municipality", municipality="Ухта")
    assert [r["name"] for r in only] == ["Ухта"]


def test_the_xlsx_report_has_russian_headers(scenario, tmp_path):
    path = tmp_path / "report.xlsx"
    call_command("activity_report", week="2025-W48", level="region", format="xlsx", out=str(path))
    sheet = openpyxl.load_workbook(path).active
    assert sheet["B1"].value == "Название" and sheet["E1"].value == "Активность сотрудников, %"
    assert sheet.freeze_panes == "A2"


def test_the_compute_command_takes_an_iso_week(scenario, capsys):
    WeeklyRegionValue.objects.all().delete()
    call_command("compute_weekly_activity", week="2025-W47")
    assert "2025-W47" in capsys.readouterr().out
    komi = WeeklyRegionValue.objects.filter(region=scenario["world"].region)
    assert list(komi.values_list("week_start", flat=True)) == [W2]
    call_command("compute_weekly_activity", all=True)
    assert komi.count() == 3


def test_a_tiles_coverage_counts_the_organisations_its_own_rule_counts(scenario):
    from monitoring.dashboards import indicator_reach
    from monitoring.models import WeeklyOrganizationValue

    district = WeeklyOrganizationValue.objects.filter(
        week_start=W1, organization__municipality=scenario["S"].municipality
    )
    reach = indicator_reach(district)
    # The preschool has students, but the students-registered rule does not count preschools.
    assert reach["students_registered"] == (1, 1)
    assert reach["parents_registered"][0] == 2
