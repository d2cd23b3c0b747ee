"""Numbers, dates and time zones the Russian way: counts grouped by threes (12 716) in the text
people read and never inside URLs or attributes, dates as dd.mm.yyyy on the upload pages, no
file hash for people there, and a region's time zone by its city («Москва, UTC+3»)."""

import datetime as dt
import re
from types import SimpleNamespace

import pytest
from django.template import Context, Template
from django.template.loader import render_to_string
from django.urls import reverse

from monitoring import services
from monitoring.models import Upload
from monitoring.templatetags.monitoring_tags import league_rows
from sferum_portal.numbers import group_digits
from sferum_portal.timezones import CHOICES, zone_label
from tests.monitoring.conftest import export_file, export_row

NB = "\u00a0"


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        (7, "7"),
        (999, "999"),
        (1000, f"1{NB}000"),
        (12716, f"12{NB}716"),
        (52295, f"52{NB}295"),
        (1234567, f"1{NB}234{NB}567"),
        (None, ""),
        ("—", "—"),
    ],
)
def test_counts_are_grouped_by_threes_with_a_no_break_space(value, shown):
    assert group_digits(value) == shown
    assert Template("{% load ru %}{{ v|num }}").render(Context({"v": value})) == shown


def test_a_tile_shows_its_counts_grouped():
    kpi = SimpleNamespace(
        code="teachers_registered",
        label="Учителей зарегистрировано",
        value=24,
        partial=False,
        change=None,
        num=12716,
        den=52295,
        of=1234,
        covered=1200,
        stage1=None,
        stage2=None,
        whom=("учитель", "учителя", "учителей"),
    )
    page = render_to_string("monitoring/dashboard/_kpi_tiles.html", {"kpis": [kpi]})
    assert f"12{NB}716 из 52{NB}295" in page
    assert f"данные по 1{NB}200 из 1{NB}234 ОО" in page
    assert "12716" not in page


def test_league_rows_group_the_text_but_not_the_sort_values():
    kpi = SimpleNamespace(value=None, change=None, partial=False, band="none", gap_people=1500)
    row = SimpleNamespace(
        pk=123456,
        name="Сыктывкар",
        value_row=SimpleNamespace(organizations_with_data=1100, organizations=1250),
        kpis={
            "staff_activity": kpi,
            "students_parents_activity": kpi,
            "teachers_registered": kpi,
        },
        extra={},
    )
    html = league_rows([row], link_name="portal:municipality_dashboard", week=dt.date(2025, 11, 24))
    assert f">1{NB}100 из 1{NB}250<" in html and 'data-value="1100"' in html
    assert f">1{NB}500<" in html and 'data-value="1500"' in html
    assert "/123456/" in html


def test_a_sferum_id_is_not_grouped_in_the_page_or_its_links(world, client):
    world.school.sferum_id = 1234567
    world.school.link = "https://sferum.ru/?p=community&id=1234567"
    world.school.save()
    client.force_login(world.district_lead)
    page = client.get(reverse("organizations:organization", args=[world.school.pk]))
    text = page.content.decode()
    assert "ID Сферум 1234567" in text and "1234567" in text
    assert f"1{NB}234{NB}567" not in text and "1&nbsp;234" not in text
    listing = client.get(
        reverse("organizations:municipality", args=[world.municipality.pk]), {"q": "1234567"}
    ).content.decode()
    assert 'value="1234567"' in listing and "<td>1234567</td>" in listing


def test_the_upload_pages_show_dates_as_dd_mm_yyyy_and_no_hash(world, client):
    client.force_login(world.coordinator)
    rows = [export_row(world.school, dt.date(2025, 12, 11))]
    upload = services.upload_receive(
        uploaded_file=export_file(rows, name="декабрь.xlsx"), user=world.coordinator
    )
    upload = Upload.objects.get(pk=upload.pk)
    assert upload.dates == ["2025-12-11"]
    for url in (reverse("monitoring:upload_list"), reverse("monitoring:upload", args=[upload.pk])):
        page = client.get(url).content.decode()
        assert "11.12.2025" in page
        assert "2025-12-11" not in page
        assert "SHA-256" not in page and upload.sha256[:12] not in page


def test_a_region_shows_its_time_zone_by_city(world, client):
    world.region.timezone = "Asia/Yekaterinburg"
    world.region.save()
    client.force_login(world.coordinator)
    page = client.get(reverse("organizations:region", args=[world.region.pk])).content.decode()
    assert "Екатеринбург, UTC+5" in page and "Asia/Yekaterinburg" not in page


@pytest.mark.parametrize(
    ("name", "label"),
    [
        ("Europe/Kaliningrad", "Калининград, UTC+2"),
        ("Europe/Moscow", "Москва, UTC+3"),
        ("Europe/Samara", "Самара, UTC+4"),
        ("Asia/Yekaterinburg", "Екатеринбург, UTC+5"),
        ("Asia/Omsk", "Омск, UTC+6"),
        ("Asia/Krasnoyarsk", "Красноярск, UTC+7"),
        ("Asia/Novosibirsk", "Новосибирск, UTC+7"),
        ("Asia/Irkutsk", "Иркутск, UTC+8"),
        ("Asia/Yakutsk", "Якутск, UTC+9"),
        ("Asia/Chita", "Чита, UTC+9"),
        ("Asia/Vladivostok", "Владивосток, UTC+10"),
        ("Asia/Magadan", "Магадан, UTC+11"),
        ("Asia/Sakhalin", "Южно-Сахалинск, UTC+11"),
        ("Asia/Kamchatka", "Петропавловск-Камчатский, UTC+12"),
        ("Etc/Unknown", "Etc/Unknown"),
    ],
)
def test_each_russian_time_zone_has_its_city_and_offset(name, label):
    assert zone_label(name) == label


def test_the_time_zone_offsets_match_the_zone_database():
    import zoneinfo

    winter = dt.datetime(2026, 1, 15, 12, tzinfo=dt.UTC)
    summer = dt.datetime(2026, 7, 15, 12, tzinfo=dt.UTC)
    for name, label in CHOICES:
        hours = int(re.search(r"UTC\+(\d+)", label).group(1))
        for moment in (winter, summer):
            assert moment.astimezone(zoneinfo.ZoneInfo(name)).utcoffset() == dt.timedelta(
                hours=hours
            ), name
