"""Dashboards: each page for each role, the empty state, the numbers against the stored weekly
values, week switching, Excel exports, and query counts that do not grow with the data."""

import datetime as dt
import io
from decimal import Decimal

import openpyxl
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from monitoring.bands import arrow, band
from monitoring.models import WeeklyMunicipalityValue, WeeklyRegionValue
from monitoring.weekly import weekly_values_compute
from tests.factories import OrganizationFactory
from tests.monitoring.conftest import WEEK1, WEEK3


def region_url(world, **query):
    return reverse("monitoring:region_dashboard", args=[world.region.pk]), query


@pytest.mark.parametrize(
    ("persona", "page", "target", "status"),
    [
        ("coordinator", "monitoring:region_dashboard", "region", 200),
        ("methodologist", "monitoring:region_dashboard", "region", 200),
        ("coordinator", "monitoring:region_dashboard", "other_region", 404),
        ("district_lead", "monitoring:region_dashboard", "region", 404),
        ("oo_admin", "monitoring:region_dashboard", "region", 404),
        ("coordinator", "portal:municipality_dashboard", "other_municipality", 200),
        ("district_lead", "portal:municipality_dashboard", "municipality", 200),
        ("district_lead", "portal:municipality_dashboard", "other_municipality", 404),
        ("district_methodologist", "portal:municipality_dashboard", "municipality", 200),
        ("oo_head", "portal:municipality_dashboard", "municipality", 404),
        ("oo_admin", "monitoring:organization_dashboard", "school", 200),
        ("oo_head", "monitoring:organization_dashboard", "school", 200),
        ("oo_admin", "monitoring:organization_dashboard", "other_school", 404),
        ("teacher", "monitoring:organization_dashboard", "school", 403),
        ("district_lead", "monitoring:organization_dashboard", "other_school", 200),
        ("district_lead", "monitoring:organization_dashboard", "far_school", 404),
        ("coordinator", "monitoring:organization_dashboard", "school", 200),
        ("nobody", "monitoring:organization_dashboard", "school", 404),
    ],
)
def test_each_dashboard_answers_each_role_by_scope(world, client, persona, page, target, status):
    client.force_login(getattr(world, persona))
    url = reverse(page, args=[getattr(world, target).pk])
    assert client.get(url).status_code == status


@pytest.mark.parametrize("page", ["region", "municipality", "school"])
def test_before_any_import_each_page_shows_an_empty_state(world, client, page):
    client.force_login(world.coordinator)
    name = {
        "region": "monitoring:region_dashboard",
        "municipality": "portal:municipality_dashboard",
        "school": "monitoring:organization_dashboard",
    }[page]
    response = client.get(reverse(name, args=[getattr(world, page).pk]))
    assert response.status_code == 200
    assert "Статистики пока нет" in response.content.decode()


def test_the_empty_state_links_to_the_upload_only_for_those_who_may_upload(world, client):
    upload_link = f'<a href="{reverse("monitoring:upload_list")}">Загрузить статистику</a>'
    client.force_login(world.coordinator)
    region = client.get(reverse("monitoring:region_dashboard", args=[world.region.pk]))
    client.force_login(world.oo_admin)
    school = client.get(reverse("monitoring:organization_dashboard", args=[world.school.pk]))

    assert "Статистики пока нет" in region.content.decode()
    assert upload_link in region.content.decode()
    assert "Статистики пока нет" in school.content.decode()
    assert upload_link not in school.content.decode()


def test_the_region_page_shows_the_stored_values_of_the_latest_week(scenario, client):
    world = scenario["world"]
    client.force_login(world.coordinator)
    response = client.get(reverse("monitoring:region_dashboard", args=[world.region.pk]))
    area = response.context["area"]
    stored = WeeklyRegionValue.objects.get(region=world.region, week_start=WEEK3)
    assert area.week == WEEK3
    kpis = {k.code: k for k in area.kpis}
    assert kpis["staff_activity"].value == stored.staff_activity_pct == Decimal("63.08")
    assert kpis["students_parents_activity"].change == stored.students_parents_activity_change
    assert (kpis["staff_activity"].stage1, kpis["staff_activity"].stage2) == (50, 75)
    page = response.content.decode()
    assert "63,1 %" in page and "22,3 %" in page
    league = {row.name: row for row in response.context["league"]}
    mo = WeeklyMunicipalityValue.objects.get(municipality=world.municipality, week_start=WEEK3)
    assert league["Княжпогостский"].kpis["staff_activity"].value == mo.staff_activity_pct
    # 82 of 130 staff are active; 75 % needs 98: 16 more people
    assert kpis["staff_activity"].gap_people == 16


def test_switching_the_week_shows_that_weeks_values(scenario, client):
    world = scenario["world"]
    client.force_login(world.coordinator)
    response = client.get(
        reverse("monitoring:region_dashboard", args=[world.region.pk]), {"week": "2025-W46"}
    )
    assert response.context["area"].week == WEEK1
    assert "73,1 %" in response.content.decode()


def test_the_district_page_ranks_and_counts_people_missing(scenario, client):
    world = scenario["world"]
    client.force_login(world.district_lead)
    response = client.get(reverse("portal:municipality_dashboard", args=[world.municipality.pk]))
    context = response.context
    assert context["area"].week == WEEK3
    # school 60 of 100 active → 15 missing; preschool 16 of 20 → target met
    assert [(r.name, r.kpis["staff_activity"].gap_people) for r in context["furthest"]] == [
        (scenario["S"].short_name, 15)
    ]
    # preschool: 50 % → 80 % (no week-2 data, so no change); school: no week-2 staff data
    assert context["improved"] == []
    assert {r.name for r in context["no_data"]} == {world.other_school.short_name}
    page = response.content.decode()
    assert "Ещё 14 сотрудников" in page  # 76 of 120 active, 75 % needs 90


def test_the_district_page_filters_by_type_and_search(scenario, client):
    world = scenario["world"]
    client.force_login(world.district_lead)
    url = reverse("portal:municipality_dashboard", args=[world.municipality.pk])
    by_type = client.get(url, {"type": "dou"}).context["league"]
    assert [r.name for r in by_type] == [scenario["P"].short_name]
    by_name = client.get(url, {"q": "СОШ № 2"}).context["league"]
    assert [r.name for r in by_name] == [world.other_school.short_name]


def test_the_organisation_page_shows_its_funnel_flags_and_sources(scenario, client):
    world = scenario["world"]
    client.force_login(world.oo_admin)
    url = reverse("monitoring:organization_dashboard", args=[scenario["U"].pk])
    assert client.get(url).status_code == 404  # another organisation
    client.force_login(world.coordinator)
    response = client.get(url, {"week": "2025-W46"})
    board = response.context["board"]
    assert board.current.teachers_registered_pct == Decimal("120.00")
    codes = [code for code, _ in response.context["flags"]]
    assert codes[0] == "registered_above_total"
    page = response.content.decode()
    assert "устаревшие аккаунты" in page and "w1.xlsx" in page


def test_every_table_exports_to_xlsx_with_russian_headers_and_colours(scenario, client):
    world = scenario["world"]
    client.force_login(world.coordinator)
    for url in (
        reverse("monitoring:region_dashboard", args=[world.region.pk]),
        reverse("portal:municipality_dashboard", args=[world.municipality.pk]),
        reverse("monitoring:organization_dashboard", args=[scenario["S"].pk]),
    ):
        response = client.get(url, {"format": "xlsx"})
        sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
        assert sheet.freeze_panes == "A2" and sheet.auto_filter.ref.startswith("A1:")
        headers = [c.value for c in sheet[1]]
        assert any("Активность сотрудников" in str(h) for h in headers)
        fills = {c.fill.start_color.rgb for row in sheet.iter_rows(min_row=2) for c in row}
        assert any(str(f).endswith(("D1E7DD", "F8D7DA", "FFF3CD")) for f in fills)


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_dashboard_query_counts_do_not_grow_with_organisations(scenario, client):
    world = scenario["world"]
    client.force_login(world.coordinator)
    urls = [
        reverse("monitoring:region_dashboard", args=[world.region.pk]),
        reverse("portal:municipality_dashboard", args=[world.municipality.pk]),
        reverse("monitoring:organization_dashboard", args=[scenario["S"].pk]),
    ]
    before = [_queries(client, url) for url in urls]
    OrganizationFactory.create_batch(25, municipality=world.municipality)
    OrganizationFactory.create_batch(25, municipality=world.other_municipality)
    for week in (WEEK1, WEEK3):
        weekly_values_compute(monday=week)
    assert [_queries(client, url) for url in urls] == before


def test_bands_and_arrows_follow_the_settings(settings):
    settings.DASHBOARD_BANDS = {"warn_below_target_pp": 5}
    settings.DASHBOARD_ARROW_THRESHOLD_PP = 2
    target = Decimal("75")
    assert [band(Decimal(v), target) for v in ("80", "75", "71", "69")] == [
        "good", "good", "warn", "bad"
    ]  # fmt: skip
    assert band(None, target) == band(Decimal("50"), None) == "none"
    assert [arrow(Decimal(v)) for v in ("2.5", "1.5", "-1.9", "-2.1")] == ["up", "", "", "down"]
    assert arrow(None) == ""


def test_the_week_is_iso_and_unknown_weeks_fall_back_to_the_latest(scenario, client):
    world = scenario["world"]
    client.force_login(world.coordinator)
    url = reverse("monitoring:region_dashboard", args=[world.region.pk])
    assert client.get(url, {"week": "nonsense"}).context["area"].week == WEEK3
    assert client.get(url, {"week": "2024-W01"}).context["area"].week == WEEK3


def test_an_organisation_with_a_slash_in_its_name_exports_its_history(scenario, client):
    """Excel forbids "/" in sheet titles; «МБДОУ д/с № 5» is a common name."""
    import io

    import openpyxl
    from django.urls import reverse

    school = scenario["S"]
    school.short_name = "МБДОУ д/с № 5: [старое] имя?"
    school.save()
    client.force_login(scenario["world"].coordinator)
    url = reverse("monitoring:organization_dashboard", args=[school.pk])
    response = client.get(url, {"format": "xlsx"})
    assert response.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    assert "/" not in sheet.title and sheet.title.startswith("МБДОУ д с № 5")


# --- a partial week: a small or late upload must not take over the region ----------------------


@pytest.fixture
def partial_week(world, django_capture_on_commit_callbacks):
    """Ten schools of the district have data for WEEK1; two of them, without the active-staff
    column but with high students' activity, for WEEK2."""
    from monitoring import services
    from monitoring.weekly import weekly_values_compute_weeks
    from tests.monitoring.conftest import WEEK2, WITH_STAFF, export_file, export_row

    schools = OrganizationFactory.create_batch(10, municipality=world.municipality)
    full = [export_row(s, WEEK1 + dt.timedelta(days=2)) for s in schools]
    late = [
        export_row(s, WEEK2 + dt.timedelta(days=2), students_active=800, parents_active=400)
        for s in schools[:2]
    ]
    without_staff = [c for c in WITH_STAFF if c != "staff_active"]
    for file in (
        export_file(full, name="full.xlsx"),
        export_file(late, name="late.xlsx", columns=without_staff),
    ):
        with django_capture_on_commit_callbacks(execute=True):
            upload = services.upload_receive(uploaded_file=file, user=world.coordinator)
            services.upload_confirm(upload=upload, skip_invalid=False)
    weekly_values_compute_weeks(mondays=[WEEK1, WEEK2])
    return {"world": world, "schools": schools, "late_week": WEEK2}


def _pages(world):
    return (
        reverse("monitoring:region_dashboard", args=[world.region.pk]),
        reverse("portal:municipality_dashboard", args=[world.municipality.pk]),
    )


def test_a_small_later_upload_does_not_become_the_default_week(partial_week, client):
    world = partial_week["world"]
    client.force_login(world.coordinator)
    for url in _pages(world):
        area = client.get(url).context["area"]
        assert area.week == WEEK1, url
        assert partial_week["late_week"] in area.weeks and not area.partial
        assert area.partial_weeks == {partial_week["late_week"]}


def test_the_default_week_follows_the_coverage_setting(partial_week, client, settings):
    settings.DASHBOARD_MIN_COVERAGE_PCT = 20  # 2 of the 10 that had data the week before
    world = partial_week["world"]
    client.force_login(world.coordinator)
    for url in _pages(world):
        assert client.get(url).context["area"].week == partial_week["late_week"], url


def test_a_partial_week_still_opens_and_says_how_few_it_covers(partial_week, client):
    world = partial_week["world"]
    client.force_login(world.coordinator)
    for url in _pages(world):
        response = client.get(url, {"week": "2025-W47"})
        area = response.context["area"]
        assert area.week == partial_week["late_week"] and area.partial
        total = area.current.organizations  # the area's registry: 12 schools in the district
        assert total >= 12
        page = response.content.decode()
        assert f"Данные по 2 из {total} ОО, входящих в показатели" in page
        assert "(неделей раньше — по 10)" in page
        assert 'class="badge text-bg-warning">неполные данные' in page
        assert "Данные за эту неделю неполные" in page
        sp = {k.code: k for k in area.kpis}["students_parents_activity"]
        # 1 200 of 2 000 are active, far above 30 %: but from 2 schools only
        assert sp.value == Decimal("60.00") and sp.partial and sp.band == "none"
        assert f"данные по 2 из {total} ОО" in page
        assert '<span class="text-success">достигнут</span>' not in page
        assert "выше цели по неполным данным" in page


def test_a_complete_week_is_not_marked_partial(partial_week, client):
    world = partial_week["world"]
    client.force_login(world.coordinator)
    for url in _pages(world):
        page = client.get(url).content.decode()
        assert 'class="badge text-bg-warning">неполные данные' not in page
        assert "Данные по 10 из" in page
        # the week picker still tells the partial week apart
        assert "· неполные данные</option>" in page


def test_nobody_reached_the_target_when_nobody_has_the_figure(partial_week, client):
    world = partial_week["world"]
    client.force_login(world.district_lead)
    url = reverse("portal:municipality_dashboard", args=[world.municipality.pk])
    response = client.get(url, {"week": "2025-W47"})
    page = response.content.decode()
    assert response.context["staff_known"] == 0
    assert "достигли цели" not in page
    assert "Данных об активности сотрудников за неделю нет ни у одной ОО" in page
    assert "Цель 75 % по сотрудникам достигнута" not in page
    # the complete week: 70 of 100 staff active in each school, 5 more needed in each
    page = client.get(url).content.decode()
    assert "Ещё 50 сотрудников</strong>" in page and "должны стать активными" in page


def test_an_organisation_opens_on_its_own_latest_week_with_data(partial_week, client):
    world = partial_week["world"]
    client.force_login(world.coordinator)
    late, early = partial_week["schools"][0], partial_week["schools"][-1]
    for school, week in ((late, partial_week["late_week"]), (early, WEEK1)):
        url = reverse("monitoring:organization_dashboard", args=[school.pk])
        assert client.get(url).context["board"].week == week


def test_partial_week_query_counts_do_not_grow_with_organisations(partial_week, client):
    world = partial_week["world"]
    client.force_login(world.coordinator)
    urls = [f"{url}?week=2025-W47" for url in _pages(world)]
    before = [_queries(client, url) for url in urls]
    OrganizationFactory.create_batch(20, municipality=world.municipality)
    weekly_values_compute(monday=partial_week["late_week"])
    assert [_queries(client, url) for url in urls] == before
