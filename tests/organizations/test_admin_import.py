"""The admin imports each registry table from xlsx: a good file goes in after confirmation; a
file with row errors shows them and writes nothing."""

import io

import openpyxl
import pytest
from django.urls import reverse

from organizations.models import (
    Membership,
    Municipality,
    Organization,
    Region,
    Role,
    SchoolClass,
    User,
)


def xlsx(headers, *rows) -> io.BytesIO:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(list(headers))
    for row in rows:
        sheet.append(list(row))
    buffer = io.BytesIO()
    book.save(buffer)
    buffer.seek(0)
    buffer.name = "реестр.xlsx"
    return buffer


def xlsx_format(client, url) -> str:
    form = client.get(url).context["form"]
    return next(value for value, label in form.fields["format"].choices if "xlsx" in label.lower())


def admin_import(client, model, buffer):
    """Upload a file to the model's admin import page; confirm when the preview has no errors."""
    url = reverse(f"admin:organizations_{model}_import")
    response = client.post(url, {"format": xlsx_format(client, url), "import_file": buffer})
    assert response.status_code == 200
    result = response.context["result"]
    if result.has_errors() or result.has_validation_errors():
        return response, False
    confirm = response.context["confirm_form"].initial
    done = client.post(reverse(f"admin:organizations_{model}_process_import"), confirm)
    assert done.status_code == 302, done.content[:500]
    return done, True


@pytest.fixture
def admin_client_ru(world, client):
    client.force_login(world.operator)
    return client


TABLES = {
    "region": (
        ["Код региона", "Субъект", "Часовой пояс"],
        [[48, "Липецкая область", "Europe/Moscow"], [5, "Республика Дагестан", "Europe/Moscow"]],
        [["1x", "Плохой код", "Europe/Moscow"], [77, "Москва", "Europe/Nowhere"]],
        lambda: Region.objects.filter(code="05").exists(),
        Region,
    ),
    "municipality": (
        ["Код региона", "МО"],
        [["11", "Сыктывкар"], [11, "Инта"]],
        [["11", "Воркута"], ["99", "Нигде"]],
        lambda: Municipality.objects.filter(name="Инта", region__code="11").exists(),
        Municipality,
    ),
    "organization": (
        ["ID организация", "Краткое название", "Тип ОО", "Код региона", "МО", "Ссылка", "Активна"],
        [
            [700037, "МБДОУ «Детский сад № 5»", "Дошкольн.", 11, "Ухта", "", "Активна"],
            [700038, "МБОУ «ООШ» с. Ыб", "ОУ", "11", "Ухта", "https://sferum.ru/x", "нет"],
        ],
        [
            [700039, "Хорошая школа", "ОУ", 11, "Ухта", "", "да"],
            [700040, "Школа в несуществующем МО", "ОУ", 11, "Атлантида", "", "да"],
            [700041, "Непонятный тип", "Кружок", 11, "Ухта", "", "да"],
        ],
        lambda: Organization.objects.filter(sferum_id=700037, org_type="dou").exists(),
        Organization,
    ),
    "schoolclass": (
        ["ID организация", "Класс"],
        [["{school}", "7А"], ["{school}", "7Б"]],
        [["{school}", "8А"], [123, "9А"]],
        lambda: SchoolClass.objects.filter(name="7Б").exists(),
        SchoolClass,
    ),
    "user": (
        ["Логин", "Фамилия", "Имя", "Отчество", "Эл. почта", "Телефон"],
        [["petrova", "Петрова", "Ольга", "Ивановна", "petrova@example.ru", "+7 900 000-00-00"]],
        [
            ["ok_user", "Сидорова", "Анна", "", "ok@example.ru", ""],
            ["bad_user", "Кузнецова", "Анна", "", "это-не-почта", ""],
        ],
        lambda: not User.objects.get(username="petrova").has_usable_password(),
        User,
    ),
    "membership": (
        ["Логин", "Роль", "Код региона", "МО", "ID организация", "Классы", "Был профиль в ВКМ"],
        [
            ["nobody", "классный руководитель", "", "", "{school}", "5А, 6Б", "да"],
            ["nobody", "районный ответственный", "11", "Ухта", "", "", ""],
        ],
        [
            ["nobody", "руководитель ОО", "", "", "{school}", "", ""],
            ["nobody", "районный ответственный", "", "", "{school}", "", ""],
            ["nobody", "классный руководитель", "", "", "{school}", "99Я", "нет"],
        ],
        lambda: Membership.objects.filter(
            user__username="nobody", role=Role.CLASS_TEACHER, classes__name="6Б"
        ).exists(),
        Membership,
    ),
}


def fill(rows, world):
    return [[str(world.school.sferum_id) if c == "{school}" else c for c in row] for row in rows]


@pytest.mark.parametrize("model", list(TABLES))
def test_a_good_registry_file_is_imported_after_confirmation(admin_client_ru, world, model):
    headers, good, _bad, imported, _model = TABLES[model]
    _response, confirmed = admin_import(admin_client_ru, model, xlsx(headers, *fill(good, world)))
    assert confirmed
    assert imported()


@pytest.mark.parametrize("model", list(TABLES))
def test_a_registry_file_with_row_errors_shows_them_and_writes_nothing(
    admin_client_ru, world, model
):
    headers, _good, bad, _imported, model_class = TABLES[model]
    before = model_class.objects.count()
    response, confirmed = admin_import(admin_client_ru, model, xlsx(headers, *fill(bad, world)))
    assert not confirmed
    assert model_class.objects.count() == before
    page = response.content.decode()
    assert "Errors" in page or "Ошибк" in page


def test_an_organisation_row_error_names_the_problem_in_russian(admin_client_ru, world):
    headers, _good, bad, _imported, _model = TABLES["organization"]
    response, _ = admin_import(admin_client_ru, "organization", xlsx(headers, *bad))
    page = response.content.decode()
    assert "МО «Атлантида» не найдено в регионе с кодом «11»" in page
    assert "Неизвестное значение «Кружок»" in page


def test_each_registry_table_exports_as_xlsx_with_russian_headers(admin_client_ru, world):
    url = reverse("admin:organizations_organization_export")
    form = admin_client_ru.get(url).context["form"]
    fmt = next(v for v, label in form.fields["format"].choices if "xlsx" in label.lower())
    response = admin_client_ru.post(
        url,
        {
            "format": fmt,
            "export_items": [],
            **{
                f"organizationresource_{f}": "on"
                for f in (
                    "sferum_id",
                    "short_name",
                    "org_type",
                    "region_code",
                    "municipality",
                    "link",
                    "is_active",
                    "inn",
                    "kpp",
                )
            },
        },
    )
    assert response.status_code == 200
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    header = [c.value for c in book.active[1]]
    assert header[:3] == ["ID организация", "Краткое название", "Тип ОО"]
    assert book.active.max_row == Organization.objects.count() + 1
