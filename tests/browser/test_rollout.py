"""An OO admin ticks a step with a comment; the district lead sees the matrix cell turn green."""

import datetime

import pytest

from organizations.models import OrgType, Role
from rollout.models import ChecklistTemplate, Status, Task
from rollout.services import task_status_change, tasks_sync_all
from rollout.templates_data import templates_load
from tests.factories import PASSWORD, OrganizationFactory, SchoolClassFactory, person, plan_task

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

GREEN = "rgb(198, 239, 206)"
WHITE = "rgb(255, 255, 255)"


@pytest.fixture
def rollout_world(world, monkeypatch):
    # An earlier transactional test may have flushed the templates the migration loaded.
    if not ChecklistTemplate.objects.exists():
        templates_load()
    tasks_sync_all()
    # Mid-rollout: the week of the plan's 30.11.2025 deadlines (the live server shares the module).
    monkeypatch.setattr("rollout.deadlines.local_today", lambda tz: datetime.date(2025, 11, 26))
    # A few more organisations of every type, some of them under way.
    for n, org_type in enumerate([OrgType.DOU, OrgType.UDO, OrgType.OU, OrgType.DOU]):
        org = OrganizationFactory(
            municipality=world.municipality,
            org_type=org_type,
            short_name=f"{OrgType(org_type).label} № {n + 3}",
        )
        school_class = SchoolClassFactory(organization=org, name="Группа «Радуга»")
        admin = person(Role.OO_ADMIN, org)
        person(Role.OO_HEAD, org)
        teacher = person(Role.CLASS_TEACHER, org, classes=[school_class])
        for task in Task.objects.filter(user__in=[admin, teacher])[: 2 + 3 * n]:
            task_status_change(task=task, user=task.user, status=Status.DONE)
        if n % 2:
            item = plan_task(org, "2.2")
            task_status_change(task=item, user=admin, status=Status.IN_PROGRESS)
    # Looked up here, not in the test: ORM calls made while Playwright's loop runs would hold a
    # database connection the teardown cannot close (PostgreSQL then refuses to drop the test DB).
    world.admin_step_id = Task.objects.get(
        organization=world.school, step__code="oo_admin-1"
    ).step_id
    return world


def _matrix_cell(page, live_server, world):
    page.goto(f"{live_server.url}/rollout/municipalities/{world.municipality.pk}/matrix/")
    header = page.locator(f'th[data-col="s{world.admin_step_id}"]')
    index = header.evaluate("th => Array.from(th.parentElement.children).indexOf(th)")
    # The data rows start with the name and percent cells; the second header row does not.
    return page.locator(f'tr[data-org="{world.school.pk}"] td.mx').nth(index)


def test_an_admin_ticks_a_step_and_the_district_sees_the_cell_turn_green(
    rollout_world, browser_page, live_server, log_in, shot
):
    world, page = rollout_world, browser_page

    log_in(page, "district", PASSWORD)
    cell = _matrix_cell(page, live_server, world)
    assert cell.evaluate("td => getComputedStyle(td).backgroundColor") == WHITE
    page.context.clear_cookies()

    log_in(page, "oo_admin", PASSWORD)
    page.get_by_role("link", name="Мои шаги").click()
    assert page.locator("h1").inner_text() == "Мои шаги"
    step = page.locator('li[data-step="oo_admin-1"]')
    step.get_by_role("link", name="Изменить").click()
    assert "Установить приложение МАХ" in page.locator("h1").inner_text()
    page.get_by_label("выполнено").check()
    page.get_by_label("Комментарий").fill("Установлено на телефон и рабочий компьютер")
    page.get_by_role("button", name="Сохранить").click()
    page.wait_for_load_state("networkidle")
    assert page.locator("h1").inner_text() == "Мои шаги"
    step = page.locator('li[data-step="oo_admin-1"]')
    assert "выполнено" in step.locator(".st").inner_text()
    assert "Установлено на телефон и рабочий компьютер" in step.inner_text()
    shot(page, "rollout-01-oo-admin-my-steps")
    step.get_by_role("link", name="Изменить").click()
    assert "Установлено на телефон и рабочий компьютер" in page.locator("#history").inner_text()
    shot(page, "rollout-02-step-history")
    page.context.clear_cookies()

    log_in(page, "district", PASSWORD)
    cell = _matrix_cell(page, live_server, world)
    assert cell.evaluate("td => getComputedStyle(td).backgroundColor") == GREEN
    assert cell.inner_text() == "✓"
    shot(page, "rollout-03-district-matrix")
    page.get_by_role("link", name=world.school.short_name).click()
    assert "Ход внедрения" in page.locator("p.text-secondary").first.inner_text()
    shot(page, "rollout-04-organization-progress")
    page.goto(f"{live_server.url}/rollout/municipalities/{world.municipality.pk}/")
    shot(page, "rollout-05-district-plan")


def test_the_region_plan_and_the_district_plan_show_the_same_figures(
    rollout_world, live_server, browser_page, log_in, shots
):
    world = rollout_world
    page = browser_page
    log_in(page, "coordinator", PASSWORD)
    page.goto(f"{live_server.url}/rollout/regions/{world.region.pk}/")
    row = page.locator("tr", has=page.get_by_role("link", name=world.municipality.name))
    cells = row.locator("td").all_inner_texts()  # ОО, done, steps, items, overdue
    shots(page, "rollout-06-region-plan")
    row.get_by_role("link", name=world.municipality.name).click()
    tiles = page.locator(".stat-tile").all_inner_texts()
    done = next(t for t in tiles if "Выполнено по матрице" in t)
    overdue = next(t for t in tiles if "Просрочено пунктов ОО" in t)
    assert cells[1] in done and cells[4] in overdue.split("\n")[1]
    assert cells[1] != "—" and cells[4].isdigit()
