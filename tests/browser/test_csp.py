"""Under the Content-Security-Policy the portal still works in a browser: each role walks its
menu with no violation reported, and the scripted bits (chart, week picker, print button,
funnel and step bars, upload progress, the admin's export form) do what they did."""

import pytest
from django.core.cache import cache
from django.core.files.base import ContentFile

from monitoring import services
from monitoring.demo import demo_statistics_create
from monitoring.models import Upload
from organizations.demo import DEMO_PASSWORD, demo_registry_create
from organizations.models import Municipality
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
    return users


def walk_menu(page, live_server) -> list[str]:
    """Open every page of the main menu; returns their addresses."""
    hrefs = page.locator("#mainNav a.nav-link").evaluate_all("links => links.map(a => a.href)")
    for href in hrefs:
        page.goto(href)
        page.wait_for_load_state("networkidle")
    return hrefs


def width_share(locator) -> float:
    return locator.evaluate("e => e.getBoundingClientRect().width / e.parentElement.clientWidth")


@pytest.mark.parametrize("username", ["coordinator", "district", "methodologist", "oo_admin"])
def test_each_role_walks_its_menu_without_a_policy_violation(
    demo, username, browser_page, log_in, live_server, csp_violations
):
    log_in(browser_page, username, DEMO_PASSWORD)
    assert browser_page.locator("h1").count() == 1
    assert len(walk_menu(browser_page, live_server)) >= 2
    assert csp_violations == []


def test_chart_and_week_picker_work_under_the_policy(
    demo, browser_page, log_in, shot, csp_violations
):
    page = browser_page
    log_in(page, "coordinator", DEMO_PASSWORD)
    canvas = page.locator("#trend-chart")
    assert canvas.get_attribute("aria-label").startswith("График активности")
    assert page.evaluate("() => !!window.Chart.getChart(document.getElementById('trend-chart'))")
    # The band colours arrive by the nonce'd <style>: a tile is not left transparent.
    assert (
        page.evaluate(
            "() => getComputedStyle(document.documentElement).getPropertyValue('--band-good')"
        )
        .strip()
        .lower()
        == "#d1e7dd"
    )
    with page.expect_navigation():
        page.select_option("#week-select", label="неделя 24.11–30.11.2025")
    assert "неделя 24.11–30.11.2025" in page.locator("h1 + p").inner_text()
    shot(page, "30-csp-region-dashboard")
    assert csp_violations == []


def test_print_button_and_funnel_bars_work_under_the_policy(
    demo, browser_page, log_in, csp_violations
):
    page = browser_page
    log_in(page, "district", DEMO_PASSWORD)
    page.evaluate("() => { window.printed = 0; window.print = () => { window.printed += 1; }; }")
    page.locator("[data-print]").click()
    assert page.evaluate("() => window.printed") == 1

    page.context.clear_cookies()
    log_in(page, "oo_admin", DEMO_PASSWORD)
    bars = page.locator(".funnel .bar")
    assert bars.count() >= 3
    assert width_share(bars.first) == pytest.approx(0.7, abs=0.02)  # 100 %, capped at 70 %
    assert 0 < width_share(bars.nth(2)) < 0.7
    assert csp_violations == []


def test_step_progress_bar_is_drawn_by_its_class(demo, browser_page, log_in, live_server):
    page = browser_page
    log_in(page, "oo_admin", DEMO_PASSWORD)
    page.goto(f"{live_server.url}/rollout/my/")
    bar = page.locator(".step-block .progress-bar").first
    percent = int(bar.evaluate("e => e.parentElement.getAttribute('aria-valuenow')"))
    assert width_share(bar) == pytest.approx(percent / 100, abs=0.02)


def test_upload_progress_bar_starts_from_its_class_and_follows_the_poll(
    demo, browser_page, log_in, live_server, shot, csp_violations
):
    upload = Upload.objects.create(
        uploaded_by=demo["coordinator"],
        file_name="большой.xlsx",
        sha256="0" * 64,
        status=Upload.Status.RUNNING,
        progress=40,
    )
    upload.file.save("big.xlsx", ContentFile(b"PK\x03\x04 not read here"), save=True)
    upload.municipalities.set([Municipality.objects.get(name="Княжпогостский")])
    page = browser_page
    log_in(page, "methodologist", DEMO_PASSWORD)
    cache.set(services.progress_key(upload.pk), {"progress": 40, "note": "запись"})
    page.goto(f"{live_server.url}/statistics/uploads/{upload.pk}/")
    bar = page.locator("#progress-bar")
    assert width_share(bar) == pytest.approx(0.4, abs=0.02)
    cache.set(services.progress_key(upload.pk), {"progress": 65, "note": "запись строк"})
    page.wait_for_function("() => document.getElementById('progress-bar').textContent === '65%'")
    page.wait_for_timeout(700)  # Bootstrap animates the width
    assert width_share(bar) == pytest.approx(0.65, abs=0.02)
    assert page.locator("#progress-note").inner_text() == "запись строк"
    shot(page, "31-csp-upload-progress")
    assert csp_violations == []


def test_the_admin_and_its_export_form_work_under_the_policy(
    demo, browser_page, log_in, live_server, csp_violations
):
    page = browser_page
    log_in(page, "admin", DEMO_PASSWORD)
    for path in ("/admin/", "/admin/organizations/organization/", "/admin/organizations/person/"):
        page.goto(f"{live_server.url}{path}")
        page.wait_for_load_state("networkidle")
    page.goto(f"{live_server.url}/admin/organizations/region/export/")
    fields = page.locator('.selectable-field-export-row input[type="checkbox"]')
    assert fields.count() > 1 and all(fields.nth(i).is_checked() for i in range(fields.count()))
    page.locator("input.select-toggle").uncheck()  # the hashed onchange handler
    assert not any(fields.nth(i).is_checked() for i in range(fields.count()))
    assert csp_violations == []
