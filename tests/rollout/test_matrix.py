"""The district lead's matrix: organisations × steps and plan items with coloured cells, percent
done per organisation and per column, filters, an xlsx export with the same colours, the overdue
and due-this-week lists; and its query count does not grow with the number of organisations."""

import datetime
from io import BytesIO

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from organizations.models import OrgType, Role
from rollout.matrix import district_progress
from rollout.models import Status, Task
from rollout.services import task_status_change
from tests.factories import OrganizationFactory, SchoolClassFactory, person, plan_task


def _matrix(client, world, **params):
    client.force_login(world.district_lead)
    response = client.get(reverse("rollout:district_matrix", args=[world.municipality.pk]), params)
    assert response.status_code == 200
    return response


def _cell(progress, org, key):
    index = next(i for i, c in enumerate(progress.columns) if c.key == key)
    row = next(r for r in progress.rows if r.organization == org)
    return row.cells[index]


def test_a_ticked_step_turns_its_cell_green(world, client):
    task = Task.objects.get(user=world.oo_admin, step__code="oo_admin-1")
    key = f"s{task.step_id}"
    progress = district_progress(world.municipality)
    assert _cell(progress, world.school, key).state == "todo"
    task_status_change(task=task, user=world.oo_admin, status=Status.IN_PROGRESS)
    assert _cell(district_progress(world.municipality), world.school, key).state == "progress"
    task_status_change(task=task, user=world.oo_admin, status=Status.DONE)
    assert _cell(district_progress(world.municipality), world.school, key).state == "done"
    page = _matrix(client, world).content.decode()
    assert f'<tr data-org="{world.school.pk}">' in page
    assert 'class="mx mx-done" title="А1: выполнено">✓</td>' in page


def test_the_matrix_has_admin_head_teacher_and_organisation_plan_columns(world):
    progress = district_progress(world.municipality)
    labels = [c.label for c in progress.columns]
    assert labels[:12] == ["А1", "А2", "А3", "А4", "А5", "Р1", "Р2", "Р3", "Р4", "Р5", "Р6", "КР"]
    assert "1.5" in labels and "3.2 ДОУ" in labels and "3.2 ОУ, УДО" in labels
    assert "1.1" not in labels  # district-level items are on the district page
    assert [g[1] for g in progress.groups] == [
        "Администратор Сферум в ОО",
        "Руководитель ОО",
        "Классные руководители",
        "План мероприятий: пункты ОО",
    ]
    # Only the district's organisations, and no one else's.
    assert {r.organization for r in progress.rows} == {world.school, world.other_school}


def test_cells_say_who_is_missing_and_what_does_not_apply(world):
    progress = district_progress(world.municipality)
    admin_key = progress.columns[0].key
    assert _cell(progress, world.other_school, admin_key).state == "none"  # no admin there
    item_key = next(c.key for c in progress.columns if c.label == "2.4")  # ДОУ only
    assert _cell(progress, world.school, item_key).state == "skip"
    assert _cell(progress, world.school, "teachers").text == "0/9"
    assert _cell(progress, world.other_school, "teachers").state == "skip"  # no classes


def test_percent_done_per_organisation_and_per_column(world, client):
    for task in Task.objects.filter(user=world.oo_admin):
        task_status_change(task=task, user=world.oo_admin, status=Status.DONE)
    progress = district_progress(world.municipality)
    row = next(r for r in progress.rows if r.organization == world.school)
    # 5 of 5 admin steps, out of 5 + 6 steps, the teachers' column and 18 plan items.
    assert row.percent == round(100 * 5 / 30)
    page = _matrix(client, world).content.decode()
    assert f'<td class="pct">{row.percent} %</td>' in page
    # Column А1: done at one of the two schools.
    assert '<th class="pct">50 %</th>' in page


def test_multiple_people_in_one_role_show_a_count(world):
    second = person(Role.OO_ADMIN, world.school)
    task = Task.objects.get(user=second, step__code="oo_admin-1")
    task_status_change(task=task, user=second, status=Status.DONE)
    cell = _cell(district_progress(world.municipality), world.school, f"s{task.step_id}")
    assert (cell.state, cell.text) == ("progress", "1/2")


def test_filters_by_type_search_status_column_and_overdue(world, client, today):
    preschool = OrganizationFactory(
        municipality=world.municipality, org_type=OrgType.DOU, short_name="МБДОУ «Детский сад № 1»"
    )
    page = _matrix(client, world, type="dou").content.decode()
    assert preschool.short_name in page and world.school.short_name not in page
    page = _matrix(client, world, q="СОШ № 2").content.decode()
    assert world.other_school.short_name in page and world.school.short_name not in page
    page = _matrix(client, world, q=str(world.school.sferum_id)).content.decode()
    assert world.school.short_name in page and world.other_school.short_name not in page

    task = plan_task(world.school, "2.1")
    task_status_change(task=task, user=world.oo_admin, status=Status.DONE)
    column = f"p{task.plan_item_id}"
    page = _matrix(client, world, status="done", col=column).content.decode()
    assert world.school.short_name in page and world.other_school.short_name not in page
    page = _matrix(client, world, status="done").content.decode()
    assert "Показано ОО: <strong>1</strong>" in page

    assert (
        "Показано ОО: <strong>0</strong>" in _matrix(client, world, overdue="on").content.decode()
    )
    today.set(datetime.date(2025, 12, 1))
    page = _matrix(client, world, overdue="on").content.decode()
    assert "Показано ОО: <strong>3</strong>" in page  # both schools and the preschool


def test_sorting_puts_the_lagging_organisations_first(world, client):
    for task in Task.objects.filter(organization=world.other_school, plan_item__isnull=False)[:5]:
        if not task.is_measured and task.evidence_kind == "none":
            task_status_change(task=task, user=world.operator, status=Status.DONE)
    page = _matrix(client, world, sort="progress").content.decode()
    assert page.index(world.school.short_name) < page.index(world.other_school.short_name)


def _populate(world, n: int) -> None:
    for i in range(n):
        org = OrganizationFactory(municipality=world.municipality, org_type=OrgType.OU)
        school_class = SchoolClassFactory(organization=org)
        person(Role.OO_ADMIN, org)
        person(Role.OO_HEAD, org)
        person(Role.CLASS_TEACHER, org, classes=[school_class])
        if i % 2:
            task = plan_task(org, "2.1")
            task.status = Status.DONE
            task.save()


def _count_queries(client, url) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.parametrize("name", ["district_matrix", "district_matrix_export", "district"])
def test_district_pages_use_the_same_number_of_queries_for_few_and_many_organisations(
    world, client, name
):
    client.force_login(world.district_lead)
    url = reverse(f"rollout:{name}", args=[world.municipality.pk])
    _populate(world, 3)
    few = _count_queries(client, url)
    _populate(world, 12)
    many = _count_queries(client, url)
    assert few == many, f"{few} queries for 5 organisations, {many} for 17"
    assert many <= 16


def test_the_xlsx_export_has_russian_headers_frozen_header_filter_and_colours(world, client):
    task = Task.objects.get(user=world.oo_admin, step__code="oo_admin-1")
    task_status_change(task=task, user=world.oo_admin, status=Status.DONE)
    client.force_login(world.district_lead)
    response = client.get(
        reverse("rollout:district_matrix_export", args=[world.municipality.pk]), {"type": "ou"}
    )
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert "attachment" in response["Content-Disposition"]
    book = load_workbook(BytesIO(response.content))
    sheet = book["Матрица"]
    headers = [c.value for c in sheet[1]]
    assert headers[:5] == ["ОО", "Тип ОО", "ID Сферум", "Выполнено, %", "Просрочено пунктов ОО"]
    assert headers[5] == "Администратор Сферум в ОО: А1. Установить приложение МАХ"
    assert sheet.freeze_panes == "B2"
    assert sheet.auto_filter.ref.startswith("A1:")
    row = next(r for r in sheet.iter_rows(min_row=2) if r[0].value == world.school.short_name)
    assert row[5].value == "выполнено"
    assert row[5].fill.start_color.rgb.endswith("C6EFCE")
    assert row[6].value == "не начато"
    assert book["Столбцы"]["A2"].value == "А1"
    assert sheet.max_row == 3


def test_overdue_and_due_this_week_lists(world, client, today):
    client.force_login(world.district_lead)
    url = reverse("rollout:district_deadlines", args=[world.municipality.pk, "week"])
    today.set(datetime.date(2025, 11, 26))  # the week of 24.11–30.11.2025
    page = client.get(url).content.decode()
    assert "Срок на этой неделе (24.11–30.11.2025)" in page
    assert "Издание приказа ОО" in page and world.school.short_name in page
    assert "Информирование руководителей" in page  # the district's own 1.2
    # 3.3 is monthly: due by the month's end, this week.
    assert "Мониторинг использования" in page

    today.set(datetime.date(2025, 12, 2))
    url = reverse("rollout:district_deadlines", args=[world.municipality.pk, "overdue"])
    done = plan_task(world.other_school, "2.3")
    task_status_change(task=done, user=world.operator, status=Status.DONE)
    response = client.get(url)
    groups = {g.column.label: g.organizations for g in response.context["groups"]}
    assert groups["2.3"] == [world.school]
    assert set(groups["1.5"]) == {world.school, world.other_school}
    assert "2.1" not in groups  # due 30.12.2025
    assert "3.3" not in groups  # monthly items are never overdue
    own = [r.task.plan_item.number for r in response.context["own"]]
    assert own == ["1.1", "1.2", "1.3", "1.4", "1.8"]


def test_the_district_page_shows_the_leads_steps_district_items_and_summary(world, client, today):
    today.set(datetime.date(2025, 12, 2))
    client.force_login(world.district_lead)
    page = client.get(reverse("rollout:district", args=[world.municipality.pk])).content.decode()
    assert "Действия районного ответственного за внедрение Сферум" in page
    assert "Провести вебинары для школьных администраторов по переводу Сферум в МАХ" in page
    assert "План мероприятий: пункты УО" in page
    assert 'class="is-overdue" data-item="1.2"' in page
    assert "Просрочено пунктов" in page


def test_the_region_page_summarises_each_district(world, client, today):
    today.set(datetime.date(2025, 12, 2))
    task = plan_task(world.school, "2.3")
    task_status_change(task=task, user=world.oo_admin, status=Status.DONE)
    client.force_login(world.coordinator)
    response = client.get(reverse("rollout:region", args=[world.region.pk]))
    summaries = {s.municipality: s.figures for s in response.context["summaries"]}
    mine = summaries[world.municipality]
    progress = district_progress(world.municipality)
    assert mine.organizations == 2
    # The matrix's own figures: 1.5, 1.6, 1.8, 1.9, 2.3, 2.6–2.9 and 3.2 were due 30.11.2025,
    # and so were measured items; 2.3 is done at one school.
    assert mine.overdue_cells == progress.overdue_cells >= 2 * 10 - 1
    assert mine == progress.summary()
    assert mine.items_percent > 0
    assert world.far_municipality not in summaries


def test_the_matrix_export_escapes_formula_like_names(world, client):
    import io

    import openpyxl
    from django.urls import reverse

    world.other_school.short_name = '=HYPERLINK("http://evil.example","нажми")'
    world.other_school.save()
    client.force_login(world.district_lead)
    response = client.get(reverse("rollout:district_matrix_export", args=[world.municipality.pk]))
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    names = [row[0].value for row in sheet.iter_rows(min_row=2)]
    assert '\'=HYPERLINK("http://evil.example","нажми")' in names
    assert all(cell.data_type != "f" for row in sheet.iter_rows() for cell in row)
