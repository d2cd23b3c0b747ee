"""A district official opens the portal in a browser, logs in, and sees their district."""

import pytest

from tests.factories import PASSWORD

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def test_the_login_page_renders_in_russian_with_vendored_bootstrap(live_server, browser_page, shot):
    page = browser_page
    page.goto(f"{live_server.url}/accounts/login/")
    assert page.locator("h1").inner_text() == "Вход на портал"
    # Bootstrap is served from static/vendor, not a CDN: the button is styled.
    color = page.locator("button[type=submit]").evaluate("b => getComputedStyle(b).backgroundColor")
    assert color == "rgb(13, 110, 253)"
    assert all(
        "/static/" in src
        for src in page.locator("script[src]").evaluate_all("els => els.map(e => e.src)")
    )
    shot(page, "01-login")


def test_a_district_lead_logs_in_and_sees_only_their_district(world, browser_page, log_in, shot):
    page = browser_page
    log_in(page, "district", PASSWORD)
    assert page.locator("h1").inner_text() == world.municipality.name
    assert "Статистики пока нет" in page.content()  # the dashboard before any import
    page.get_by_role("link", name="реестр ОО").click()
    table = page.locator("table").first.inner_text()
    assert world.school.short_name in table and world.other_school.short_name in table
    assert "Ухты" not in table and world.far_school.short_name not in table
    page.get_by_role("link", name=world.school.short_name).click()
    assert page.locator("h1").inner_text() == world.school.short_name
    page.go_back()
    shot(page, "02-district-landing")


def test_a_wrong_password_is_answered_in_russian(world, browser_page, log_in):
    log_in(browser_page, "district", "wrong-password")
    assert "введите правильные имя пользователя и пароль" in browser_page.content()
