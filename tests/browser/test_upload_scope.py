"""A district lead opens a region-wide upload: only their МО's rows and counts, no original file;
at 1366 px, on a phone (390 px) and at 200 % zoom."""

import datetime as dt

import pytest

from monitoring import services
from organizations.models import Organization
from tests.factories import PASSWORD
from tests.monitoring.conftest import export_file, export_row

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def test_a_district_sees_its_part_of_a_region_upload(
    world, live_server, browser_page, log_in, shots
):
    ukhta = Organization.objects.get(municipality=world.other_municipality)
    rows = [
        export_row(world.school, dt.date(2025, 12, 10), teachers_registered=150),
        export_row(ukhta, dt.date(2025, 12, 10), teachers_registered=160),
    ]
    upload = services.upload_receive(
        uploaded_file=export_file(rows, name="region.xlsx"), user=world.coordinator, inline=True
    )
    services.upload_confirm(upload=upload, skip_invalid=False, inline=True)
    page = browser_page
    log_in(page, "district", PASSWORD)
    page.goto(f"{live_server.url}/statistics/uploads/{upload.pk}/")
    main = page.locator("main").inner_text()
    assert "Вам показаны только строки и показатели ваших МО: Княжпогостский" in main
    assert "записано строк по вашим МО — 1" in main
    assert "(150)" in main and "(160)" not in main and "Ухта" not in main
    assert page.get_by_role("link", name="скачать файл").count() == 0
    shots(page, "upl-01-district-part")
