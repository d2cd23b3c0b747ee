"""Fair comparisons (monitoring.comparison): size bands and groups of like organisations, weeks
on target in the last 8, the change over 4 weeks, the page's parameters into the xlsx, and
query counts that do not grow with the organisations."""

import datetime as dt
import html
import io
import re
from decimal import Decimal
from urllib.parse import parse_qs, urlsplit

import openpyxl
import pytest
from django.db import connection
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from monitoring import comparison, dashboards
from monitoring.models import Snapshot, Upload
from monitoring.views.dashboards import district_dashboard_page
from monitoring.weekly import weekly_values_compute_weeks
from tests.factories import MunicipalityFactory, OrganizationFactory

WEEK = dt.date(2025, 12, 15)  # the chosen week, a Monday; the window is the 8 weeks up to it
MONDAYS = [WEEK - dt.timedelta(weeks=7 - i) for i in range(8)]


def _snapshots(plan: dict, *, students: int = 400) -> None:
    """``plan``: organisation -> (staff total, [staff active per week of MONDAYS, None: no
    snapshot that week]); weekly values computed for the eight weeks."""
    upload = Upload.objects.create(file_name="x.xlsx", sha256="0" * 64)
    rows = []
    for org, (staff, actives) in plan.items():
        for monday, active in zip(MONDAYS, actives, strict=True):
            if active is None:
                continue
            rows.append(
                Snapshot(organization=org, date=monday + dt.timedelta(days=3), upload=upload,
                         teachers_total=staff, staff_active=active, teachers_registered=staff,
                         students_total=students, parents_total=students,
                         students_active=students // 2, parents_active=students // 4,
                         students_registered=students, parents_registered=students)
            )  # fmt: skip
    Snapshot.objects.bulk_create(rows)
    weekly_values_compute_weeks(mondays=MONDAYS)


@pytest.fixture
def district(world):
    return MunicipalityFactory(region=world.region, name="Сравнение")


def _org(district, name, org_type="ou"):
    return OrganizationFactory(municipality=district, short_name=name, org_type=org_type)


def _page(client, world, district, **query):
    client.force_login(world.coordinator)
    url = reverse("portal:municipality_dashboard", args=[district.pk])
    return client.get(url, {"week": "2025-W51", **query})


# --- bands ------------------------------------------------------------------------------------


def test_bands_come_from_the_setting_with_agreeing_labels(settings):
    settings.COMPARISON_SIZE_BANDS = {"staff": (20, 50, 100), "students": (21, 100)}
    assert [b.label for b in comparison.bands("staff")] == [
        "до 20 сотрудников", "20–49 сотрудников", "50–99 сотрудников", "100 сотрудников и больше"
    ]  # fmt: skip
    assert [b.label for b in comparison.bands("students")] == [
        "до 21 обучающегося", "21–99 обучающихся", "100 обучающихся и больше"
    ]  # fmt: skip
    # the boundaries: a band starts at its number
    assert comparison.band_of(19, "staff").label == "до 20 сотрудников"
    assert comparison.band_of(20, "staff").label == "20–49 сотрудников"
    assert comparison.band_of(49, "staff").label == "20–49 сотрудников"
    assert comparison.band_of(100, "staff").label == "100 сотрудников и больше"
    assert comparison.band_of(None, "staff") is None


def test_fair_mode_groups_by_type_and_band_and_ranks_inside_each_group(world, district, client):
    ou19, ou20, ou40 = _org(district, "ОУ 19"), _org(district, "ОУ 20"), _org(district, "ОУ 40")
    dou, big = _org(district, "ДОУ 30", "dou"), _org(district, "ОУ 120")
    _snapshots(
        {
            ou19: (19, [16] * 8),
            # on target once, at 100 % this week, against every week at 80 %: ОУ 40 ranks first
            ou20: (20, [5] * 7 + [20]),
            ou40: (40, [32] * 8),
            dou: (30, [24] * 8),
            big: (120, [96] * 8),
        }
    )

    response = _page(client, world, district, cmp="staff")
    assert response.status_code == 200
    sections = response.context["sections"]
    assert [(s.group.label, [r.name for r in s.rows]) for s in sections] == [
        ("ОУ, до 20 сотрудников", ["ОУ 19"]),
        ("ОУ, 20–49 сотрудников", ["ОУ 40", "ОУ 20"]),
        ("ОУ, 100 сотрудников и больше", ["ОУ 120"]),
        ("ДОУ, 20–49 сотрудников", ["ДОУ 30"]),
    ]
    places = {r.name: r.place for s in sections for r in s.rows}
    assert places["ОУ 40"] == (1, 2) and places["ОУ 20"] == (2, 2)
    assert places["ДОУ 30"] == (1, 1)  # a type of its own, not ranked with the schools
    page = response.content.decode()
    assert "ОУ, 20–49 сотрудников · 2 ОО" in page and "Место в группе" in page

    one_band = _page(client, world, district, band="staff-1").context
    assert one_band["chosen"] == comparison.Comparison("staff", "staff-1")
    assert {r.name for r in one_band["league"]} == {"ОУ 40", "ОУ 20", "ДОУ 30"}
    only_schools = _page(client, world, district, band="staff-1", type="ou").context["league"]
    assert [r.name for r in only_schools] == ["ОУ 40", "ОУ 20"]

    by_students = _page(client, world, district, cmp="students").context["sections"]
    # 400 students each: one band per type
    assert [s.group.label for s in by_students] == [
        "ОУ, 300–699 обучающихся",
        "ДОУ, 300–699 обучающихся",
    ]


def test_the_comparison_survives_into_the_week_picker_and_the_xlsx(world, district, client):
    a, b, c = _org(district, "ОУ А"), _org(district, "ОУ Б"), _org(district, "ОУ В")
    _snapshots({a: (30, [24] * 8), b: (30, [10] * 7 + [29]), c: (80, [70] * 8)})
    query = {"cmp": "students", "band": "staff-1"}  # the band decides the basis

    page = _page(client, world, district, **query).content.decode()
    assert '<input type="hidden" name="band" value="staff-1">' in page  # the week picker
    href = html.unescape(re.search(r'href="([^"]*)">Скачать xlsx', page).group(1))
    assert parse_qs(urlsplit(href).query) == {
        "week": ["2025-W51"], "cmp": ["staff"], "band": ["staff-1"], "format": ["xlsx"]
    }  # fmt: skip
    assert '<option value="staff-1" selected>' in page

    response = _page(client, world, district, format="xlsx", **query)
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    assert sheet["A1"].value == (
        "Сравнение с похожими: тип ОО и число сотрудников; размер: 20–49 сотрудников."
    )
    headers = [cell.value for cell in sheet[2]]
    assert sheet.freeze_panes == "A3" and sheet.auto_filter.ref.startswith("A2:")
    rows = [
        dict(zip(headers, row, strict=True)) for row in sheet.iter_rows(min_row=3, values_only=True)
    ]
    assert [r["ОО"] for r in rows] == ["ОУ А", "ОУ Б"]  # «ОУ В» has 80 staff
    assert [r["Группа сравнения"] for r in rows] == ["ОУ, 20–49 сотрудников"] * 2
    assert [r["Место в группе"] for r in rows] == ["1 из 2", "2 из 2"]
    assert [r["Недель у цели из 8: сотрудники"] for r in rows] == [8, 1]

    plain = _page(client, world, district, format="xlsx")
    sheet = openpyxl.load_workbook(io.BytesIO(plain.content)).active
    assert sheet["A1"].value == "ОО" and sheet.freeze_panes == "A2"  # no comparison, no line
    assert sheet.max_row == 4


@pytest.mark.parametrize(
    "query",
    [
        {"cmp": "evil"},
        {"band": "staff-99"},
        {"band": "<script>"},
        {"cmp": "staff", "band": "students-"},
        {"cmp": ["staff", "x"]},
        {"band": "staff-1", "format": "pdf"},
    ],
)
def test_invalid_comparison_values_are_ignored(world, district, client, query):
    a = _org(district, "ОУ А")
    _snapshots({a: (30, [24] * 8)})
    response = _page(client, world, district, **query)
    assert response.status_code == 200
    chosen = response.context["chosen"]
    if query.get("band") == "staff-1":
        assert chosen == comparison.Comparison("staff", "staff-1")
    else:
        assert chosen.band == "" and chosen.basis in ("", "staff")
        assert chosen.basis == ("staff" if query.get("cmp") == "staff" else "")


# --- weeks on target --------------------------------------------------------------------------


def test_weeks_on_target_count_exactly_and_a_spike_does_not_outrank_steady_work(
    world, district, client
):
    steady = _org(district, "Стабильная")
    six = _org(district, "Шесть недель")
    spike = _org(district, "Всплеск")
    gaps = _org(district, "С пропусками")
    _snapshots(
        {
            steady: (100, [80] * 8),
            six: (100, [75, 76, 60, 78, 60, 80, 81, 99]),  # 6 of 8, a spike this week
            spike: (100, [50] * 7 + [95]),
            gaps: (100, [None, 80, None, 80, 70, 80, 80, None]),
        }
    )
    league = _page(client, world, district).context["league"]
    by_name = {r.name: r for r in league}
    records = {name: row.steady["staff_activity"] for name, row in by_name.items()}
    assert (records["Стабильная"].on_target, records["Стабильная"].with_value) == (8, 8)
    assert (records["Шесть недель"].on_target, records["Шесть недель"].with_value) == (6, 8)
    assert records["Всплеск"].on_target == 1
    assert (records["С пропусками"].on_target, records["С пропусками"].with_value) == (4, 5)
    # the default order: weeks on target first, then the rate — the spike of 95 % comes last
    assert [r.name for r in league] == ["Стабильная", "Шесть недель", "Всплеск", "С пропусками"]
    assert [r.place for r in league] == [(1, 3), (2, 3), (3, 3), None]  # no value this week
    rate = {name: row.kpis["staff_activity"].value for name, row in by_name.items()}
    assert rate["Шесть недель"] > rate["Всплеск"] > rate["Стабильная"]
    page = _page(client, world, district).content.decode()
    assert '8 из 8<span class="visually-hidden"> недель у цели из последних 8</span>' in page


def test_exactly_six_of_eight(world, district, client):
    org = _org(district, "Шесть из восьми")
    _snapshots({org: (100, [80, 80, 60, 80, 80, 60, 80, 80])})
    league = _page(client, world, district).context["league"]
    assert league[0].steady["staff_activity"].on_target == 6
    # 200 + 100 active of 400 + 400 students and parents: 37,5 %, on target every week
    assert league[0].steady["students_parents_activity"].on_target == 8


def test_the_furthest_list_puts_those_always_below_before_a_one_week_dip(world, district, client):
    dip = _org(district, "Провал на неделю")  # on target 7 weeks, 60 of 100 now: 15 missing
    behind = _org(district, "Всегда ниже")  # never on target, 70 of 100: 5 missing
    _snapshots({dip: (100, [80] * 7 + [60]), behind: (100, [70] * 8)})
    furthest = _page(client, world, district).context["furthest"]
    assert [r.name for r in furthest] == ["Всегда ниже", "Провал на неделю"]
    # a league built without the weeks (notify's digest) is still ranked by people missing
    plain = [dashboards.LeagueRow(r.name, r.pk, r.value_row, r.kpis, r.extra) for r in furthest]
    assert [r.name for r in dashboards.furthest_from_target(plain, "staff_activity")] == [
        "Провал на неделю", "Всегда ниже"
    ]  # fmt: skip


# --- the change over 4 weeks ------------------------------------------------------------------


def test_improvement_ranks_by_the_change_over_4_weeks_not_1(world, district, client):
    slow = _org(district, "Рост за месяц")  # 40 → … 60 → 61: +21 over 4 weeks, +1 over 1
    jump = _org(district, "Рост за неделю")  # 58 → … 50 → 62: +4 over 4 weeks, +12 over 1
    late = _org(district, "Нет данных 4 недели назад")  # base: 5 weeks before, 30 → 70
    _snapshots(
        {
            slow: (100, [40, 40, 40, 40, 50, 55, 60, 61]),
            jump: (100, [58, 58, 58, 58, 55, 52, 50, 62]),
            late: (100, [30, 30, 30, None, None, 50, 60, 70]),
        }
    )
    response = _page(client, world, district)
    improved = response.context["improved"]
    assert [r.name for r in improved] == [
        "Нет данных 4 недели назад",
        "Рост за месяц",
        "Рост за неделю",
    ]
    by_name = {r.name: r.steady["staff_activity"] for r in improved}
    assert by_name["Рост за месяц"].change == Decimal("21")
    assert by_name["Рост за неделю"].change == Decimal("4")
    assert (by_name["Рост за месяц"].span, by_name["Нет данных 4 недели назад"].span) == (4, 5)
    assert by_name["Нет данных 4 недели назад"].since == WEEK - dt.timedelta(weeks=5)
    league = response.context["league"]
    one_week = dashboards.improved_most(league, "staff_activity")
    assert [r.name for r in one_week][:2] == ["Рост за неделю", "Нет данных 4 недели назад"]
    page = response.content.decode()
    assert "Больше всего выросли за 4 недели" in page and "(за 5 недель:" in page


def test_the_region_league_has_weeks_on_target_and_the_change_over_4_weeks(world, client):
    good, poor = MunicipalityFactory(region=world.region), MunicipalityFactory(region=world.region)
    a = OrganizationFactory(municipality=good, short_name="ОУ хорошего МО")
    b = OrganizationFactory(municipality=poor, short_name="ОУ слабого МО")
    _snapshots({a: (100, [70, 70, 70, 70, 76, 80, 80, 80]), b: (100, [50] * 7 + [90])})
    client.force_login(world.coordinator)
    url = reverse("monitoring:region_dashboard", args=[world.region.pk])
    response = client.get(url, {"week": "2025-W51"})
    league = {r.pk: r for r in response.context["league"]}
    assert league[good.pk].steady["staff_activity"].on_target == 4
    assert league[poor.pk].steady["staff_activity"].on_target == 1
    assert league[good.pk].steady["staff_activity"].change == Decimal("10")
    assert league[good.pk].place == (1, 2) and league[poor.pk].place == (2, 2)
    assert [r.pk for r in response.context["improved"]] == [poor.pk, good.pk]
    sheet = openpyxl.load_workbook(
        io.BytesIO(client.get(url, {"week": "2025-W51", "format": "xlsx"}).content)
    ).active
    headers = [cell.value for cell in sheet[1]]
    rows = {
        row[0]: dict(zip(headers, row, strict=True))
        for row in sheet.iter_rows(min_row=2, values_only=True)
    }
    assert rows[good.name]["Недель у цели из 8: сотрудники"] == 4
    assert rows[good.name]["Изменение за 4 недели, п. п.: сотрудники"] == 10
    assert rows[good.name]["Место"] == "1 из 2"


# --- query counts -----------------------------------------------------------------------------


def _district_queries(world, district, **query) -> int:
    request = RequestFactory().get("/", {"week": "2025-W51", **query})
    request.user = world.coordinator
    with CaptureQueriesContext(connection) as queries:
        assert district_dashboard_page(request, district.pk).status_code == 200
    return len(queries)


def _region_queries(client, world) -> int:
    client.force_login(world.coordinator)
    url = reverse("monitoring:region_dashboard", args=[world.region.pk])
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url, {"week": "2025-W51"}).status_code == 200
    return len(queries)


def _districts_of(world, n: int):
    district = MunicipalityFactory(region=world.region)
    orgs = OrganizationFactory.create_batch(n, municipality=district)
    return district, {
        org: (20 + 7 * i, [10 + i % 10] * 7 + [18 + i % 5]) for i, org in enumerate(orgs)
    }


def test_query_counts_do_not_grow_with_the_organisations(world, client):
    small, small_plan = _districts_of(world, 3)
    large, large_plan = _districts_of(world, 30)
    _snapshots({**small_plan, **large_plan})
    _district_queries(world, small)  # what the first request of all reads once (caches)
    for query in ({}, {"cmp": "staff"}, {"band": "students-2"}, {"format": "xlsx", "cmp": "staff"}):
        assert _district_queries(world, small, **query) == _district_queries(world, large, **query)
    before = _region_queries(client, world)
    more = MunicipalityFactory(region=world.region)
    extra = OrganizationFactory.create_batch(20, municipality=more)
    _snapshots({o: (40, [30] * 8) for o in extra})
    assert _region_queries(client, world) == before
