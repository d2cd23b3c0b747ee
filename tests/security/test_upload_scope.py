"""An upload's original file and its rows stay in scope: the file goes to its uploader and to
whoever covers every МО it holds; a district sees only its own rows, problems and counts."""

import datetime as dt
import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from monitoring import services
from organizations.models import Organization, Role
from tests.factories import person
from tests.monitoring.conftest import export_file, export_row

D1 = dt.date(2025, 12, 10)


@pytest.fixture
def region_upload(world):
    """The coordinator's region-wide export: a school of each МО, each row with a warning
    (more teachers registered than there are)."""
    ukhta = Organization.objects.get(municipality=world.other_municipality)
    rows = [
        export_row(world.school, D1, teachers_registered=150),
        export_row(ukhta, D1, teachers_registered=160),
    ]
    upload = services.upload_receive(
        uploaded_file=export_file(rows, name="region.xlsx"), user=world.coordinator, inline=True
    )
    services.upload_confirm(upload=upload, skip_invalid=False, inline=True)
    upload.refresh_from_db()
    assert upload.status == upload.Status.DONE and upload.municipalities.count() == 2
    return upload, ukhta


def _file(client, upload):
    return client.get(reverse("monitoring:upload_file", args=[upload.pk]))


def test_a_district_lead_cannot_download_a_file_with_other_districts_rows(
    world, client, region_upload
):
    upload, _ = region_upload
    for persona in (world.district_lead, world.district_methodologist):
        client.force_login(persona)
        assert client.get(reverse("monitoring:upload", args=[upload.pk])).status_code == 200
        assert _file(client, upload).status_code == 404


def test_the_uploader_and_who_covers_every_mo_download_it(world, client, region_upload):
    upload, _ = region_upload
    second_coordinator = person(Role.REGIONAL_COORDINATOR, world.region)
    for persona in (world.coordinator, world.methodologist, second_coordinator, world.operator):
        client.force_login(persona)
        response = _file(client, upload)
        assert response.status_code == 200, persona
        assert b"".join(response.streaming_content)[:2] == b"PK"


def test_a_file_of_one_district_goes_to_that_district(world, client):
    upload = services.upload_receive(
        uploaded_file=export_file([export_row(world.school, D1)], name="emva.xlsx"),
        user=world.coordinator,
        inline=True,
    )
    services.upload_confirm(upload=upload, skip_invalid=False, inline=True)
    client.force_login(world.district_lead)
    assert _file(client, upload).status_code == 200


def test_the_upload_page_shows_a_district_only_its_rows_and_counts(world, client, region_upload):
    upload, ukhta = region_upload
    client.force_login(world.district_lead)
    page = client.get(reverse("monitoring:upload", args=[upload.pk]))
    text = page.content.decode()
    assert ukhta.short_name not in text and world.other_municipality.name not in text
    # Its own row's two warnings (150 teachers registered), not Ukhta's (160).
    assert [p.row for p in page.context["warnings"]] == [2, 2]
    assert "(150)" in text and "(160)" not in text
    part = page.context["part"]
    assert part["rows_written"] == 1 and part["warnings_count"] == 2
    assert page.context["summary"]["organizations_total"] == 1
    assert "скачать файл" not in text
    # The uploader sees both rows.
    client.force_login(world.coordinator)
    whole = client.get(reverse("monitoring:upload", args=[upload.pk]))
    assert whole.context["part"] is None and "(160)" in whole.content.decode()


def test_the_problems_xlsx_holds_only_the_district_s_rows(world, client, region_upload):
    upload, _ = region_upload
    client.force_login(world.district_lead)
    response = client.get(reverse("monitoring:upload_problems", args=[upload.pk]))
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = [(row[2], row[6]) for row in sheet.iter_rows(min_row=2, values_only=True)]
    assert [r for r, _ in rows] == [2, 2]
    assert all("(160)" not in m for _, m in rows) and any("(150)" in m for _, m in rows)


def test_the_upload_list_shows_no_other_districts_counts(world, client, region_upload):
    upload, _ = region_upload
    client.force_login(world.district_lead)
    page = client.get(reverse("monitoring:upload_list"))
    (listed,) = [u for u in page.context["page"] if u.pk == upload.pk]
    assert not listed.seen_whole
    assert "ваши строки — на странице загрузки" in page.content.decode()
