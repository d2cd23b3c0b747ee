"""Links from imports: only http(s) addresses are kept and rendered as <a href>. A javascript:,
data:, file:… link from the Sferum export is dropped with a warning naming its cell (the row is
imported), the admin's import refuses it, the model does not validate it, and a bad link already
in the database is shown as text, never as an href."""

import datetime as dt
import io

import openpyxl
import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from monitoring import services
from monitoring.importers.parser import RawSheet, parse_workbook
from monitoring.models import Upload
from organizations.links import is_http_url, safe_http_url
from organizations.models import Organization
from tests.monitoring.conftest import WITH_STAFF, export_file, export_row

HOSTILE_LINKS = [
    "javascript:alert(1)",
    "JAVASCRIPT:alert(document.cookie)",
    " java\tscript:alert(1)",
    "java\nscript:alert(1)",
    "\x01javascript:alert(1)",
    "jav\u200bascript:alert(1)",
    "javascript://%0aalert(1)",
    "javascript&colon;alert(1)",
    "&#106;avascript:alert(1)",
    "data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==",
    "vbscript:msgbox(1)",
    "file:///etc/passwd",
    "ftp://sferum.ru/x",
    "/relative/path",
    "//evil.example/x",
    "http:\\\\evil.example",
    "https:///no-host",
    "https://sferum.ru/a b",
    "sferum.ru/?p=org",
]
GOOD_LINKS = [
    "https://sferum.ru/?p=org&id=700037",
    "http://sferum.ru",
    "HTTPS://SFERUM.RU/x",
    " https://sferum.ru/?p=org&id=1 ",
]
DAY = dt.date(2025, 11, 17)
NEW = {"sferum_id": 555002, "short_name": "МБОУ «СОШ № 9» г. Емвы", "municipality": None}


@pytest.mark.parametrize("link", HOSTILE_LINKS)
def test_anything_but_an_absolute_http_link_is_not_a_link(link):
    assert safe_http_url(link) is None and not is_http_url(link)


@pytest.mark.parametrize("link", GOOD_LINKS)
def test_an_absolute_http_link_is_kept_without_surrounding_spaces(link):
    assert safe_http_url(link) == link.strip()


def _sheet(link) -> RawSheet:
    # A sheet without any head count is refused as a whole (no_figures): one count column.
    headers = (
        "Дата",
        "Краткое название",
        "МО",
        "Ссылка",
        "ID организация",
        "Тип ОО",
        "Учителей в школе всего",
    )
    return RawSheet("Статистика", [headers, (DAY, "МАОУ СШ", "Липецк", link, 700037, "ОУ", 107)])


@pytest.mark.parametrize("link", HOSTILE_LINKS)
def test_the_parser_drops_a_link_that_is_not_http_with_a_warning_naming_the_cell(link):
    result = parse_workbook([_sheet(link)], file_name="stat.xlsx")
    assert not result.errors
    (row,) = result.rows
    assert row.link is None and row.sferum_id == 700037
    (warning,) = result.warnings
    assert warning.code == "unsafe_link"
    assert (warning.file, warning.sheet, warning.row, warning.column, warning.header) == (
        "stat.xlsx",
        "Статистика",
        2,
        "D",
        "Ссылка",
    )
    assert warning.message.startswith("Ссылка «")
    assert "допустима только ссылка http:// или https://" in warning.message
    assert "ОО «МАОУ СШ», ID 700037" in warning.message


def test_the_parser_keeps_an_http_link():
    result = parse_workbook([_sheet(" https://sferum.ru/?p=org&id=1 ")], file_name="stat.xlsx")
    assert not result.problems
    assert result.rows[0].link == "https://sferum.ru/?p=org&id=1"


def test_an_import_with_a_javascript_link_warns_naming_the_cell_and_stores_no_link(world):
    new = {**NEW, "municipality": world.municipality}
    rows = [
        export_row(new, DAY, link="javascript:alert(document.cookie)"),
        export_row(world.school, DAY, link="https://sferum.ru/?p=org&id=1"),
    ]
    upload = services.upload_receive(
        uploaded_file=export_file(rows, name="ноябрь.xlsx", columns=WITH_STAFF),
        user=world.coordinator,
    )
    assert upload.status == Upload.Status.PREVIEW
    services.upload_confirm(upload=upload, skip_invalid=False, inline=True)
    upload.refresh_from_db()
    assert upload.status == Upload.Status.DONE and upload.rows_written == 2
    organization = Organization.objects.get(sferum_id=NEW["sferum_id"])
    assert organization.link == "" and organization.short_name == NEW["short_name"]
    warning = upload.problems.get(code="unsafe_link")
    assert warning.severity == "warning"
    assert (upload.file_name, warning.sheet, warning.row, warning.column, warning.header) == (
        "ноябрь.xlsx",
        "Статистика",
        2,
        "G",
        "Ссылка",
    )
    assert "javascript:alert(document.cookie)" in warning.message
    assert f"ОО «{NEW['short_name']}», ID {NEW['sferum_id']}" in warning.message


@pytest.mark.parametrize("link", ["javascript:alert(1)", "JaVaScRiPt:alert(1)", "data:text/html,x"])
def test_the_organisation_page_shows_a_stored_bad_link_as_text_not_as_an_href(world, client, link):
    Organization.objects.filter(pk=world.school.pk).update(link=link)
    client.force_login(world.coordinator)
    response = client.get(reverse("organizations:organization", args=[world.school.pk]))
    assert response.status_code == 200
    page = response.content.decode().lower()
    assert 'href="javascript:' not in page and 'href="data:' not in page
    assert link.split(":")[0].lower() + ":" in page  # shown, as text
    assert "Сообщество ОО в Сферум" in response.content.decode()


def test_the_organisation_page_links_an_http_community_link(world, client):
    Organization.objects.filter(pk=world.school.pk).update(link="https://sferum.ru/?p=org&id=1")
    client.force_login(world.coordinator)
    response = client.get(reverse("organizations:organization", args=[world.school.pk]))
    assert 'href="https://sferum.ru/?p=org&amp;id=1"' in response.content.decode()


@pytest.mark.parametrize("link", ["javascript:alert(1)", "ftp://sferum.ru/x", "data:text/html,x"])
def test_the_model_does_not_validate_a_link_that_is_not_http(world, link):
    world.school.link = link
    with pytest.raises(ValidationError) as raised:
        world.school.full_clean()
    assert "link" in raised.value.message_dict


def _xlsx(*rows) -> io.BytesIO:
    book = openpyxl.Workbook()
    book.active.append(
        ["ID организация", "Краткое название", "Тип ОО", "Код региона", "МО", "Ссылка"]
    )
    for row in rows:
        book.active.append(list(row))
    buffer = io.BytesIO()
    book.save(buffer)
    buffer.seek(0)
    buffer.name = "реестр.xlsx"
    return buffer


@pytest.mark.parametrize(
    "link", ["javascript:alert(1)", " java\tscript:alert(1)", "ftp://sferum.ru/x", "data:,x"]
)
def test_the_admin_import_refuses_a_row_whose_link_is_not_http(world, client, link):
    client.force_login(world.operator)
    url = reverse("admin:organizations_organization_import")
    form = client.get(url).context["form"]
    fmt = next(v for v, label in form.fields["format"].choices if "xlsx" in label.lower())
    row = [700090, "МБОУ «ООШ» с. Ыб", "ОУ", "11", world.municipality.name, link]
    response = client.post(url, {"format": fmt, "import_file": _xlsx(row)})
    assert response.status_code == 200
    result = response.context["result"]
    assert result.has_validation_errors()
    (invalid,) = result.invalid_rows
    assert "допустима только ссылка http:// или https://" in " ".join(invalid.error_dict["link"])
    assert not Organization.objects.filter(sferum_id=700090).exists()
