"""The Monday-morning walk through the dashboards with the demo data and eight weeks of
statistics: coordinator → district → organisation, week switching, Excel download."""

import re

import openpyxl
import pytest

from monitoring.demo import demo_statistics_create
from organizations.demo import DEMO_PASSWORD, DEMO_SCHOOL, demo_registry_create
from rollout.services import tasks_sync_all

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


@pytest.fixture
def demo():
    users = demo_registry_create()
    tasks_sync_all()
    demo_statistics_create(uploader=users["coordinator"])


def test_coordinator_drills_down_from_region_to_organisation(
    demo, browser_page, log_in, shot, tmp_path
):
    page = browser_page
    log_in(page, "coordinator", DEMO_PASSWORD)
    assert page.locator("h1").inner_text() == "Республика Коми"
    assert "неделя 08.12–14.12.2025" in page.content()
    assert page.locator("#trend-chart").is_visible()
    shot(page, "20-region-dashboard")

    with page.expect_download() as download:
        page.get_by_role("link", name="Скачать xlsx").click()
    path = tmp_path / "region.xlsx"
    download.value.save_as(path)
    sheet = openpyxl.load_workbook(path).active
    assert sheet["A1"].value == "МО" and sheet.max_row == 4  # header + 3 МО
    assert sheet.freeze_panes == "A2"

    with page.expect_navigation():
        page.select_option("#week-select", label="неделя 24.11–30.11.2025")
    assert "неделя 24.11–30.11.2025" in page.locator("h1 + p").inner_text()

    page.get_by_role("link", name="Княжпогостский").click()
    page.wait_for_load_state("networkidle")
    assert page.locator("h1").inner_text() == "Княжпогостский"
    assert "неделя 24.11–30.11.2025" in page.content()  # the week follows the drill-down
    page.locator("table.league").get_by_role("link", name=DEMO_SCHOOL).click()
    page.wait_for_load_state("networkidle")
    assert page.locator("h1").inner_text() == DEMO_SCHOOL
    assert "Воронка" in page.content()


def test_district_lead_sees_gaps_rankings_and_prints(demo, browser_page, log_in, shot):
    page = browser_page
    log_in(page, "district", DEMO_PASSWORD)
    assert page.locator("h1").inner_text() == "Княжпогостский"
    summary = page.locator(".gap-summary").inner_text()
    assert "сотрудников" in summary and "должны стать активными" in summary
    assert page.get_by_role("heading", name="10 ОО дальше всех от цели 75 %").is_visible()
    page.get_by_role("button", name="Сотрудники", exact=True).click()  # sort by staff activity
    sorted_by = page.locator("table.league th[aria-sort]")
    assert sorted_by.inner_text() == "Сотрудники"
    values = page.locator("table.league tbody td:nth-child(4)").evaluate_all(
        "cells => cells.map(c => parseFloat(c.dataset.value))"
    )
    assert values in (sorted(values), sorted(values, reverse=True))
    shot(page, "21-district-dashboard")
    page.emulate_media(media="print")
    assert page.locator(".navbar").is_hidden()
    shot(page, "22-district-print")
    # The pack: figures, lists, the lagging schools with their contacts and overdue items, the
    # trend chart; nothing wider than the A4 page (794 px at 96 dpi), and a few pages at most.
    page.set_viewport_size({"width": 794, "height": 1123})
    assert page.evaluate("document.documentElement.scrollWidth") <= 794
    assert page.locator("#lagging-table").is_visible()
    assert page.locator(".lagging-items").is_visible()
    pdf = page.pdf(format="A4", print_background=True)
    pages = len(re.findall(rb"/Type\s*/Page[^s]", pdf))
    assert 1 <= pages <= 6, f"the meeting pack prints on {pages} A4 pages"


def test_oo_admin_lands_on_their_organisation(demo, browser_page, log_in, shot):
    page = browser_page
    log_in(page, "oo_admin", DEMO_PASSWORD)
    assert page.locator("h1").inner_text() == DEMO_SCHOOL
    assert "неделя 08.12–14.12.2025" in page.content()
    assert "Откуда цифры" in page.content()
    shot(page, "23-organisation-dashboard")
