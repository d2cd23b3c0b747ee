"""The templates are data: the fixture holds every actor's checklist and every plan item of the
district plan verbatim, the migration and the command load it, and admins import and export it
as xlsx."""

import datetime
from decimal import Decimal
from io import BytesIO

import pytest
from django.core.management import call_command
from openpyxl import load_workbook
from tablib import Dataset

from organizations.models import OrgType, Role
from rollout.matrix import district_progress
from rollout.models import (
    ChecklistStepTemplate,
    ChecklistTemplate,
    PlanItemTemplate,
    Status,
    Task,
    parse_responsible,
)
from rollout.resources import ChecklistStepResource, PlanItemResource
from rollout.templates_data import templates_read
from tests.factories import plan_task

# Seed 004 numbers its items 1.1–4.4; item 3.2 has two rows with different expected results (ДОУ;
# ОУ, УДО), kept as two items with the same number: 26 numbers, 27 items.
PLAN_NUMBERS = [
    *(f"1.{n}" for n in range(1, 10)),
    *(f"2.{n}" for n in range(1, 10)),
    "3.1",
    "3.2",
    "3.2",
    "3.3",
    "3.4",
    *(f"4.{n}" for n in range(1, 5)),
]


def test_the_fixture_holds_five_checklists_with_4_5_8_9_and_6_steps():
    data = templates_read()
    counts = {c["code"]: len(c["steps"]) for c in data["checklists"]}
    assert counts == {
        "district_lead": 4,
        "oo_admin": 5,
        "class_teacher-with_vkm": 8,
        "class_teacher-without_vkm": 9,
        "oo_head": 6,
    }


def test_the_database_holds_the_same_checklists_after_migrate():
    steps = {(c.actor, c.variant): c.steps.count() for c in ChecklistTemplate.objects.all()}
    assert steps == {
        (Role.DISTRICT_LEAD, ""): 4,
        (Role.OO_ADMIN, ""): 5,
        (Role.CLASS_TEACHER, "with_vkm"): 8,
        (Role.CLASS_TEACHER, "without_vkm"): 9,
        (Role.OO_HEAD, ""): 6,
    }


def test_the_plan_holds_every_item_from_1_1_to_4_4_in_order():
    numbers = list(PlanItemTemplate.objects.order_by("order").values_list("number", flat=True))
    assert numbers == PLAN_NUMBERS
    assert len(numbers) == 27


def test_step_titles_are_the_slides_wording():
    titles = dict(ChecklistStepTemplate.objects.values_list("code", "title"))
    assert titles["district_lead-1"] == "Информировать школы о контактах районных администраторов"
    assert titles["oo_admin-3"] == (
        "В сообществе ОО в Сферум обновить список классов/групп, назначить классных "
        "руководителей, добавить учителей, учеников"
    )
    assert titles["class_teacher-with_vkm-2"] == "Обновить перешедшие чаты из ВК или создать новые"
    assert titles["class_teacher-without_vkm-5"] == (
        "При необходимости получить у администратора ОО ссылки-приглашения на вступление в "
        "сообщество ОО для отсутствующих"
    )
    assert (
        titles["oo_head-2"]
        == "Создать и утвердить локальный нормативный акт по использованию Сферум"
    )
    # Links on the slides ("Речевой модуль…", "Нормативные документы") are not steps.
    assert not ChecklistStepTemplate.objects.filter(title__icontains="Речевой модуль").exists()


def test_plan_items_carry_deadlines_levels_types_and_results():
    items = {i.code: i for i in PlanItemTemplate.objects.all()}
    assert items["1.1"].for_district and items["1.1"].org_types == []
    assert items["1.1"].deadline_text == "август –ноябрь 2025"
    assert items["1.5"].deadline_text == "До 30.11.2025"
    assert items["1.5"].deadline_date == datetime.date(2025, 11, 30)
    assert items["1.5"].evidence == "order_appointment"
    assert items["1.6"].evidence == "local_act"
    assert items["1.8"].for_district and items["1.8"].org_types == ["ou", "dou", "udo"]
    assert items["2.4"].org_types == ["dou"]
    assert items["2.6"].org_types == ["ou", "udo"]
    assert items["2.8"].org_types == ["ou"]
    assert items["3.1"].deadline_date is None
    assert items["3.2-dou"].org_types == ["dou"] and items["3.2-ou-udo"].org_types == ["ou", "udo"]
    assert "воспитанников" in items["3.2-dou"].expected_result
    assert "учащимися" in items["3.2-ou-udo"].expected_result
    assert items["3.3"].deadline_text == "ежемесячно" and items["3.3"].recurrence == "monthly"
    assert items["3.4"].deadline_text == "Ноябрь-декабрь"
    assert items["1.7"].indicator == "teachers_registered"
    assert items["1.7"].threshold_pct == Decimal("75.00")
    assert [(items[c].indicator, items[c].stage) for c in ("4.1", "4.2", "4.3", "4.4")] == [
        ("staff_activity", 1),
        ("staff_activity", 2),
        ("students_parents_activity", 1),
        ("students_parents_activity", 2),
    ]
    assert items["4.2"].description.startswith("Этап 2. Не менее 75% работников")
    assert "[image" not in items["4.2"].description


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("УО", (True, [])),
        ("ОО", (False, ["ou", "dou", "udo"])),
        ("УО, ОО", (True, ["ou", "dou", "udo"])),
        ("ОУ, УДО ", (False, ["ou", "udo"])),
        ("ДОУ", (False, ["dou"])),
    ],
)
def test_the_responsible_column_reads_as_levels_and_types(text, expected):
    assert parse_responsible(text) == expected


def test_an_unknown_responsible_is_refused_with_its_name():
    with pytest.raises(ValueError, match="«спо»"):
        parse_responsible("СПО")


def test_loading_the_templates_again_adds_nothing_and_keeps_edits():
    step = ChecklistStepTemplate.objects.get(code="oo_admin-1")
    step.title = "Установить приложение МАХ на телефон"
    step.save()
    before = (ChecklistStepTemplate.objects.count(), PlanItemTemplate.objects.count())
    call_command("load_rollout_templates")
    assert (ChecklistStepTemplate.objects.count(), PlanItemTemplate.objects.count()) == before
    step.refresh_from_db()
    assert step.title == "Установить приложение МАХ на телефон"
    call_command("load_rollout_templates", update=True)
    step.refresh_from_db()
    assert step.title == "Установить приложение МАХ"


def test_the_load_command_brings_back_a_missing_step_and_creates_its_tasks(world):
    Task.objects.filter(step__code="oo_admin-5").delete()
    ChecklistStepTemplate.objects.filter(code="oo_admin-5").delete()
    call_command("load_rollout_templates")
    task = Task.objects.get(step__code="oo_admin-5", user=world.oo_admin)
    assert task.status == "not_started" and not task.archived


def test_plan_items_export_to_xlsx_with_russian_headers_and_import_back():
    dataset = PlanItemResource().export()
    content = dataset.export("xlsx")
    sheet = load_workbook(BytesIO(content)).active
    headers = [c.value for c in sheet[1]]
    assert headers[:5] == [
        "Код плана",
        "Код пункта",
        "№ п.п.",
        "Раздел",
        "Наименование мероприятия",
    ]
    assert "Ответственный исполнитель" in headers and "Срок (дата)" in headers
    assert sheet.max_row == 28

    imported = Dataset().load(BytesIO(content).read(), format="xlsx")
    result = PlanItemResource().import_data(imported, dry_run=False)
    assert not result.has_errors() and not result.has_validation_errors()
    assert PlanItemTemplate.objects.count() == 27


def test_a_new_plan_item_imported_from_xlsx_reaches_every_organisation_of_its_types(world):
    dataset = PlanItemResource().export()
    row = list(dataset[0])
    headers = dataset.headers
    row[headers.index("Код пункта")] = "5.1"
    row[headers.index("№ п.п.")] = "5.1"
    row[headers.index("Наименование мероприятия")] = "Новый пункт"
    row[headers.index("Ответственный исполнитель")] = "ОУ"
    row[headers.index("Порядок")] = 99
    new = Dataset(headers=headers)
    new.append(row)
    result = PlanItemResource().import_data(new, dry_run=False)
    assert not result.has_errors() and not result.has_validation_errors()
    item = PlanItemTemplate.objects.get(code="5.1")
    assert item.org_types == [OrgType.OU] and not item.for_district
    assert f"p{item.pk}" in [c.key for c in district_progress(world.municipality).columns]
    assert plan_task(world.school, "5.1").status == Status.NOT_STARTED
    assert Task.objects.filter(plan_item=item, organization=world.school).count() == 1


def test_an_imported_row_with_an_unknown_responsible_is_a_row_error():
    dataset = PlanItemResource().export()
    headers = dataset.headers
    row = list(dataset[0])
    row[headers.index("Ответственный исполнитель")] = "Министерство"
    bad = Dataset(headers=headers)
    bad.append(row)
    result = PlanItemResource().import_data(bad, dry_run=True)
    assert result.has_validation_errors()
    errors = str(result.invalid_rows[0].error_dict)
    assert "Министерство" in errors.lower() or "министерство" in errors


def test_checklist_steps_export_with_russian_headers():
    dataset = ChecklistStepResource().export()
    assert dataset.headers == [
        "Код чек-листа",
        "Код шага",
        "№",
        "Шаг",
        "Кратко",
        "Пояснение",
        "Подтверждение",
        "Действует",
    ]
    assert len(dataset) == 32


@pytest.mark.parametrize(
    "name",
    [
        "admin:rollout_checklisttemplate_changelist",
        "admin:rollout_checkliststeptemplate_changelist",
        "admin:rollout_checkliststeptemplate_import",
        "admin:rollout_planitemtemplate_changelist",
        "admin:rollout_planitemtemplate_export",
        "admin:rollout_plantemplate_changelist",
        "admin:rollout_task_changelist",
        "admin:rollout_districtcontacts_changelist",
    ],
)
def test_admin_pages_open_for_an_operator(world, client, name):
    from django.urls import reverse

    client.force_login(world.operator)
    assert client.get(reverse(name)).status_code == 200


def test_tasks_are_read_only_in_the_admin(world, client):
    from django.urls import reverse

    task = Task.objects.filter(user=world.oo_admin).first()
    client.force_login(world.operator)
    page = client.get(reverse("admin:rollout_task_change", args=[task.pk])).content.decode()
    assert 'name="status"' not in page
    item = PlanItemTemplate.objects.get(code="1.5")
    response = client.get(reverse("admin:rollout_planitemtemplate_change", args=[item.pk]))
    assert response.status_code == 200
