"""Issue 16's pages as a user meets them, on the demo data: «Справка» searched from its form and
an answer opened; the Sferum admin's dashboard showing what would move its red figures, with a
step that opens; the district lead comparing like with like from the league's form, the choice
kept in the URL. Each page fits 1366 px, a phone and 200 % zoom (``shots``) and has no serious
axe-core violation."""

import re

import pytest

from organizations.demo import DEMO_PASSWORD
from organizations.models import Organization
from tests.browser.axe import serious_violations

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def test_help_is_searched_from_its_form_and_an_answer_opens(
    demo, axe_page, log_in, live_server, shots
):
    page = axe_page
    log_in(page, "oo_admin", DEMO_PASSWORD)
    page.get_by_role("link", name="Справка").first.click()
    page.get_by_label("Найти ответ").fill("уволенных коллег")
    page.get_by_role("button", name="Найти").click()
    assert "q=" in page.url
    page.get_by_role("link", name=re.compile("Я исключаю уволенных коллег")).click()
    assert page.get_by_role("heading", level=1).inner_text().startswith("Я исключаю уволенных")
    assert "ВК Мессенджере" in page.locator("main").inner_text()
    shots(page, "help-answer")
    assert not serious_violations(page)


def test_red_school_sees_the_steps_that_move_its_figures(
    demo, axe_page, log_in, live_server, shots
):
    page = axe_page
    school = Organization.objects.get(short_name="МБОУ «СОШ № 1» г. Емвы")
    log_in(page, "oo_admin", DEMO_PASSWORD)
    page.goto(f"{live_server.url}/organizations/{school.pk}/dashboard/")
    block = page.locator("section", has=page.locator("#next-steps-title"))
    text = block.inner_text()
    # The demo school is below 75 % of staff: the admin's open steps are listed by person.
    assert "Активность сотрудников" in text and "Администратор Сферум в ОО" in text
    assert "5А" in text  # the class teachers' steps, by class
    shots(page, "next-steps")
    assert not serious_violations(page)
    block.get_by_role("link", name=re.compile("ссылки-приглашения")).first.click()
    assert "/rollout/tasks/" in page.url
    assert page.get_by_role("heading", level=1).is_visible()


def test_district_compares_like_with_like_from_the_form(demo, axe_page, log_in, live_server, shots):
    page = axe_page
    log_in(page, "district", DEMO_PASSWORD)  # lands on the district dashboard
    page.get_by_label("Сравнивать с похожими").select_option("staff")
    page.get_by_role("button", name="Показать", exact=True).click()
    assert "cmp=staff" in page.url
    headings = page.locator("#orgs-title ~ * h3, section[aria-labelledby=orgs-title] h3")
    groups = headings.all_inner_texts()
    assert groups and all(re.search(r"сотрудник", g) for g in groups), groups
    assert "Место в группе" in page.locator("section[aria-labelledby=orgs-title]").inner_text()
    # The choice survives into the week picker and the export's link.
    assert "cmp=staff" in page.get_by_role("link", name="Скачать xlsx").get_attribute("href")
    shots(page, "fair-comparison")
    assert not serious_violations(page)
