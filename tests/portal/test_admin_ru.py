"""The admin speaks Russian properly: titles, buttons and messages that name a model after a
colon (never «Выберите образовательная организация»), the greeting by name and patronymic,
Russian app and column names, an empty cell as «—», import errors and results in Russian."""

import gettext
import re
from pathlib import Path

import pytest
from django.urls import reverse

from organizations.models import Region
from tests.organizations.test_admin_import import admin_import, xlsx

ROOT = Path(__file__).resolve().parents[2]
MAIN_MODELS = [
    ("organizations", "organization", "образовательная организация (ОО)"),
    ("organizations", "region", "субъект РФ"),
    ("organizations", "municipality", "муниципальное образование (МО)"),
    ("organizations", "membership", "роль"),
    ("organizations", "user", "пользователь"),
    ("rollout", "checkliststeptemplate", "шаг чек-листа"),
    ("rollout", "planitemtemplate", "пункт плана"),
    ("monitoring", "target", "целевой показатель"),
]


@pytest.fixture
def operator(world, client):
    world.operator.first_name, world.operator.patronymic = "Анна", "Сергеевна"
    world.operator.last_name = "Иванова"
    world.operator.save()
    client.force_login(world.operator)
    return client


def _text(response) -> str:
    html = re.sub(r"<script.*?</script>", " ", response.content.decode(), flags=re.S)
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


@pytest.mark.parametrize(("app", "model", "name"), MAIN_MODELS)
def test_the_changelist_and_the_add_page_name_the_model_after_a_colon(operator, app, model, name):
    changelist = operator.get(reverse(f"admin:{app}_{model}_changelist"))
    add = operator.get(reverse(f"admin:{app}_{model}_add"))
    assert f"<h1>Выбор для изменения: {name}</h1>" in changelist.content.decode()
    assert f"<h1>Добавление: {name}</h1>" in add.content.decode()
    for page in (_text(changelist), _text(add)):
        assert "Выберите" not in page
        assert f"Добавить {name}" not in page
    assert re.search(r'class="addlink">\s*Добавить\s*</a>', changelist.content.decode())


def test_the_welcome_line_uses_name_and_patronymic_and_apps_are_russian(operator):
    page = _text(operator.get(reverse("admin:index")))
    assert "Добро пожаловать, Анна Сергеевна" in page
    assert "Блокировки входа" in page and "Axes" not in page


def test_a_person_without_a_patronymic_is_greeted_by_name_or_full_name(world):
    world.operator.first_name, world.operator.patronymic, world.operator.last_name = "", "", ""
    assert world.operator.get_short_name() == world.operator.username
    world.operator.first_name = "Администратор портала"
    assert world.operator.get_short_name() == "Администратор портала"


@pytest.mark.parametrize(
    ("model", "english"),
    [
        ("organization", ["Sferum Id", "Short Name", "Is Active", "Org Type"]),
        ("user", ["First Name", "Last Name", "Username"]),
        ("membership", ["Had Vkm Profile", "Classes"]),
    ],
)
def test_the_export_form_lists_russian_column_names(operator, model, english):
    page = _text(operator.get(reverse(f"admin:organizations_{model}_export")))
    for word in [*english, "Select all"]:
        assert word not in page
    assert "Выбрать все" in page


def test_the_organisation_export_form_offers_its_columns_by_their_russian_names(operator):
    page = _text(operator.get(reverse("admin:organizations_organization_export")))
    assert "ID организация" in page and "Краткое название" in page and "Тип ОО" in page


def test_an_added_object_is_reported_without_gender_agreement(operator):
    response = operator.post(
        reverse("admin:organizations_region_add"),
        {"name": "Пермский край", "code": "59", "timezone": "Asia/Yekaterinburg"},
        follow=True,
    )
    message = re.sub(r"<[^>]+>", "", response.content.decode())
    assert "Добавлено: субъект РФ «Пермский край (59)»." in message
    assert Region.objects.get(code="59").timezone == "Asia/Yekaterinburg"


def test_the_region_form_offers_time_zones_by_city(operator):
    page = operator.get(reverse("admin:organizations_region_add")).content.decode()
    assert '<option value="Europe/Moscow" selected>Москва, UTC+3</option>' in page
    assert "Europe/Moscow<" not in page
    assert ">Петропавловск-Камчатский, UTC+12<" in page
    listing = _text(operator.get(reverse("admin:organizations_region_changelist")))
    assert "Москва, UTC+3" in listing and "Europe/Moscow" not in listing


def test_an_empty_cell_is_a_dash_not_none(operator, world):
    page = operator.get(reverse("admin:organizations_membership_changelist")).content.decode()
    assert ">None<" not in page and ">-<" not in page
    assert ">—<" in page


def test_the_import_result_counts_in_russian(operator):
    done, ok = admin_import(
        operator, "municipality", xlsx(["Код региона", "МО"], ["11", "Сыктывкар"])
    )
    assert ok
    page = _text(operator.get(done["Location"]))
    assert (
        "Импорт завершён (муниципальные образования (МО)): добавлено — 1, обновлено — 0, "
        "удалено — 0, без изменений — 0." in page
    )
    assert "новых" not in page


def test_a_number_that_is_not_one_is_a_russian_row_error(operator, world):
    headers = ["ID организация", "Краткое название", "Тип ОО", "Код региона", "МО"]
    response, ok = admin_import(
        operator, "organization", xlsx(headers, ["12a", "МБОУ «СОШ»", "ОУ", "11", "Ухта"])
    )
    assert not ok
    page = _text(response)
    assert "«12a» — не число" in page
    assert "ConversionSyntax" not in page and "<class" not in page


def test_the_import_and_export_buttons_are_moved_off_the_title():
    css = (ROOT / "static/css/admin.css").read_text()
    assert re.search(r"#content \.object-tools \{[^}]*float: none;[^}]*margin: 0 0", css)
    base = (ROOT / "templates/admin/base_site.html").read_text()
    assert "css/admin.css" in base


def _po_catalogue(path: Path) -> dict[str, str]:
    entries, msgid, current = {}, [], None
    for line in path.read_text().splitlines():
        if line.startswith("msgid "):
            msgid = current = [line[6:]]
        elif line.startswith("msgstr "):
            current = [line[7:]]
            entries[_join(msgid)] = current
        elif line.startswith('"') and current is not None:
            current.append(line)
        elif not line.strip():
            current = None
    return {k: _join(v) for k, v in entries.items() if k}


def _join(parts: list[str]) -> str:
    return "".join(p.strip()[1:-1] for p in parts).replace('\\"', '"').replace("\\n", "\n")


def test_the_compiled_catalogue_matches_its_source():
    folder = ROOT / "locale/ru/LC_MESSAGES"
    with (folder / "django.mo").open("rb") as mo:
        compiled = gettext.GNUTranslations(mo)._catalog
    source = _po_catalogue(folder / "django.po")
    assert source, "no entries read"
    assert {k: v for k, v in compiled.items() if k} == source
