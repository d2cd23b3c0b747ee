"""Formula injection: every xlsx and csv the portal exports writes text that starts with =, +, -
or @ so that a spreadsheet shows it instead of running it; real numbers stay numbers."""

import csv
import datetime as dt
import io
from decimal import Decimal

import openpyxl
import pytest
from django.core.management import call_command
from django.urls import reverse

from monitoring.models import Upload, WeeklyMunicipalityValue
from monitoring.weekly import parse_iso_week
from organizations.resources import OrganizationResource
from sferum_portal.xlsx import FORMULA_STARTS, NUMBER_TEXT, safe_text, table_workbook
from tests.factories import MunicipalityFactory, OrganizationFactory
from tests.monitoring.conftest import WITH_STAFF, export_file, export_row

HYPERLINK = '=HYPERLINK("http://x")'
HOSTILE = [HYPERLINK, "+7 (900) 000-00-00", "-cmd", "@SUM(A1)", "=1+1", "\t=1", "\r=1"]
WEEK = "2025-W48"


def runnable(value) -> bool:
    """Text a spreadsheet would run as a formula."""
    return (
        isinstance(value, str) and value.startswith(FORMULA_STARTS) and not NUMBER_TEXT.match(value)
    )


def xlsx_values(content: bytes) -> list:
    book = openpyxl.load_workbook(io.BytesIO(content))
    cells = [cell for sheet in book.worksheets for row in sheet.iter_rows() for cell in row]
    assert not [cell.coordinate for cell in cells if cell.data_type == "f"]
    return [cell.value for cell in cells]


def csv_values(text: str) -> list:
    return [value for row in csv.reader(io.StringIO(text)) for value in row]


@pytest.mark.parametrize("text", HOSTILE)
def test_safe_text_escapes_what_a_spreadsheet_would_run(text):
    assert safe_text(text) == "'" + text


@pytest.mark.parametrize("value", [-5, 1.5, Decimal("-2.25"), "-1.50", "+5", "-0,56", None, ""])
def test_safe_text_leaves_real_numbers_and_empty_cells_alone(value):
    assert safe_text(value) == value


def test_a_table_workbook_escapes_headers_and_cells_but_keeps_numbers_as_numbers():
    book = table_workbook("=лист", ["=Заголовок", "Число"], [[text, -5] for text in HOSTILE])
    buffer = io.BytesIO()
    book.save(buffer)
    values = xlsx_values(buffer.getvalue())
    assert not [v for v in values if runnable(v)]
    assert "'=Заголовок" in values and "'" + HYPERLINK in values
    assert values.count(-5) == len(HOSTILE)


def test_the_upload_problems_download_escapes_file_sheet_and_column_names(world, client):
    client.force_login(world.coordinator)
    column = "@SUM(A1)"  # an unknown column: its header goes into the problems file
    rows = [export_row(world.school, dt.date(2025, 11, 17), **{column: 1})]
    file = export_file(rows, name="-cmd.xlsx", columns=[*WITH_STAFF, column], sheet_name="+лист")
    client.post(reverse("monitoring:upload_list"), {"files": file})
    upload = Upload.objects.get()
    response = client.get(reverse("monitoring:upload_problems", args=[upload.pk]))
    values = xlsx_values(response.content)
    assert not [v for v in values if runnable(v)]
    assert {"'-cmd.xlsx", "'+лист", "'@SUM(A1)"} <= set(values)


@pytest.fixture
def hostile_registry(world):
    municipality = MunicipalityFactory(region=world.region, name="-cmd")
    OrganizationFactory(municipality=municipality, short_name=HYPERLINK, link="@SUM(A1)")
    OrganizationFactory(municipality=municipality, short_name="+7 (900) 000-00-00")
    return municipality


ORGANIZATION_FIELDS = [
    "sferum_id", "short_name", "org_type", "region_code", "municipality", "link", "is_active",
    "inn", "kpp",
]  # fmt: skip


def admin_export(client, label: str) -> bytes:
    url = reverse("admin:organizations_organization_export")
    form = client.get(url).context["form"]
    fmt = next(v for v, text in form.fields["format"].choices if label in text.lower())
    response = client.post(
        url,
        {
            "format": fmt,
            "export_items": [],
            **{f"organizationresource_{name}": "on" for name in ORGANIZATION_FIELDS},
        },
    )
    assert response.status_code == 200
    return response.content


def test_the_admin_registry_export_as_xlsx_escapes_formulae(world, client, hostile_registry):
    client.force_login(world.operator)
    values = xlsx_values(admin_export(client, "xlsx"))
    assert not [v for v in values if runnable(v)]
    assert {"'" + HYPERLINK, "'-cmd", "'@SUM(A1)", "'+7 (900) 000-00-00"} <= set(values)


def test_the_admin_registry_export_as_csv_escapes_formulae(world, client, hostile_registry):
    client.force_login(world.operator)
    values = csv_values(admin_export(client, "csv").decode("utf-8-sig"))
    assert not [v for v in values if runnable(v)]
    assert {"'" + HYPERLINK, "'-cmd", "'@SUM(A1)"} <= set(values)


def test_an_escaped_registry_export_imports_back_unchanged(world, hostile_registry):
    resource = OrganizationResource()
    exported = resource.export()
    assert "'" + HYPERLINK in exported["Краткое название"]
    result = OrganizationResource().import_data(exported, dry_run=False)
    assert not result.has_errors() and not result.has_validation_errors()
    names = set(hostile_registry.organizations.values_list("short_name", flat=True))
    assert names == {HYPERLINK, "+7 (900) 000-00-00"}


@pytest.fixture
def hostile_week(hostile_registry):
    WeeklyMunicipalityValue.objects.create(
        municipality=hostile_registry,
        week_start=parse_iso_week(WEEK),
        organizations=2,
        staff_activity_change=Decimal("-1.50"),
    )
    return hostile_registry


@pytest.mark.parametrize("level", ["organization", "municipality"])
def test_the_activity_report_csv_escapes_names_but_not_negative_changes(hostile_week, level):
    out = io.StringIO()
    call_command("activity_report", week=WEEK, level=level, stdout=out)
    values = csv_values(out.getvalue())
    assert not [v for v in values if runnable(v)]
    assert "'-cmd" in values
    if level == "organization":
        assert "'" + HYPERLINK in values
    else:
        assert "-1.50" in values


@pytest.mark.parametrize("level", ["organization", "municipality"])
def test_the_activity_report_xlsx_escapes_names_but_not_negative_changes(
    hostile_week, level, tmp_path
):
    path = tmp_path / "report.xlsx"
    call_command("activity_report", week=WEEK, level=level, format="xlsx", out=str(path))
    values = xlsx_values(path.read_bytes())
    assert not [v for v in values if runnable(v)]
    assert "'-cmd" in values
    if level == "municipality":
        assert "-1.50" in values
