"""Formula injection: every xlsx and csv the portal exports writes text that starts with =, +, -
or @ so that a spreadsheet shows it instead of running it; real numbers stay numbers. A CSV may
be opened with ",", ";" (Russian Excel) or a tab as the separator, so no piece between any of
them may be a formula either ("МБОУ СОШ № 7;=2+3;")."""

import csv
import datetime as dt
import io
from decimal import Decimal

import openpyxl
import pytest
from django.contrib import admin
from django.core.management import call_command
from django.urls import reverse
from import_export.admin import ExportMixin

from monitoring.models import Upload, WeeklyMunicipalityValue, WeeklyRegionValue
from monitoring.reports import LEVELS
from organizations.models import Membership, Region, Role
from organizations.resources import OrganizationResource
from rollout.models import ChecklistStepTemplate, ChecklistTemplate, PlanItemTemplate
from sferum_portal.weeks import parse_iso_week
from sferum_portal.xlsx import FORMULA_STARTS, NUMBER_TEXT, safe_text, table_workbook, unsafe_text
from tests.factories import (
    MunicipalityFactory,
    OrganizationFactory,
    SchoolClassFactory,
    UserFactory,
)
from tests.monitoring.conftest import WITH_STAFF, export_file, export_row

HYPERLINK = '=HYPERLINK("http://x")'
HOSTILE = [HYPERLINK, "+7 (900) 000-00-00", "-cmd", "@SUM(A1)", "=1+1", "\t=1", "\r=1"]
# Formulae after a separator, for a spreadsheet that splits on ",", ";" or a tab.
SPLIT_HOSTILE = [
    "МБОУ СОШ № 7;=2+3;",
    'x,=HYPERLINK("http://e")',
    "a\t@SUM(1)",
    '"q";-2+3',
    "Школа;+7 (900) 000-00-00",
    'МБОУ; "=1+1"',
    "ООШ\n=1+1",
    "СОШ, -cmd",
    "ДОУ;\u00a0@cmd",
]
# What the escaped texts contain, to check that an export did carry the hostile values.
ESCAPED_MARKS = ("'=2+3", "'=HYPERLINK", "'@SUM", "'-2+3", "'+7", "'=1+1", "'-cmd", "'@cmd")
LINK = "https://sferum.ru/?p=org;@SUM(A1)"  # an http link with a formula after a separator
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


def bare(piece: str) -> str:
    """A piece as a spreadsheet would see it once the spaces and quotes around it are gone."""
    while (stripped := piece.strip().strip('"')) != piece:
        piece = stripped
    return piece


def formula_pieces(text: str) -> list[str]:
    """Every piece of a CSV that would run as a formula when the file is split on ",", ";" or
    a tab: naively, line by line, and with csv.reader using that separator."""
    found = []
    for separator in (",", ";", "\t"):
        pieces = [piece for line in text.splitlines() for piece in line.split(separator)]
        for rows in (
            csv.reader(io.StringIO(text, newline=""), delimiter=separator),
            csv.reader(text.splitlines(), delimiter=separator),
        ):
            pieces += [piece for row in rows for piece in row]
        found += [bare(p) for p in pieces if bare(p).startswith(("=", "+", "-", "@"))]
    return [piece for piece in found if not NUMBER_TEXT.match(piece)]


def as_csv(*rows) -> str:
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(rows)
    return out.getvalue()


@pytest.mark.parametrize("text", HOSTILE)
def test_safe_text_escapes_what_a_spreadsheet_would_run(text):
    escaped = safe_text(text)
    assert escaped.startswith("'") and unsafe_text(escaped) == text
    if not text.startswith(("\t", "\r")):
        assert escaped == "'" + text
    assert not formula_pieces(as_csv([escaped]))


@pytest.mark.parametrize("text", SPLIT_HOSTILE)
def test_safe_text_escapes_a_formula_after_any_separator_and_undoes_it(text):
    assert formula_pieces(as_csv([text]))  # the check sees the danger
    escaped = safe_text(text)
    assert not formula_pieces(as_csv([escaped], [escaped, -1.5, "-1.50"]))
    assert unsafe_text(escaped) == text


@pytest.mark.parametrize("text", ["Школа;-1.50", "a,-0", "-1.50;-2", "МБОУ - СОШ", "a;b"])
def test_safe_text_leaves_numbers_after_a_separator_and_plain_text_alone(text):
    assert safe_text(text) == text


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
    OrganizationFactory(municipality=municipality, short_name=HYPERLINK, link=LINK)
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
    assert {"'" + HYPERLINK, "'-cmd", safe_text(LINK), "'+7 (900) 000-00-00"} <= set(values)


def test_the_admin_registry_export_as_csv_escapes_formulae(world, client, hostile_registry):
    client.force_login(world.operator)
    values = csv_values(admin_export(client, "csv").decode("utf-8-sig"))
    assert not [v for v in values if runnable(v)]
    assert {"'" + HYPERLINK, "'-cmd", "https://sferum.ru/?p=org;'@SUM(A1)"} <= set(values)


def test_an_escaped_registry_export_imports_back_unchanged(world, hostile_registry):
    resource = OrganizationResource()
    exported = resource.export()
    assert "'" + HYPERLINK in exported["Краткое название"]
    result = OrganizationResource().import_data(exported, dry_run=False)
    assert not result.has_errors() and not result.has_validation_errors()
    names = set(hostile_registry.organizations.values_list("short_name", flat=True))
    assert names == {HYPERLINK, "+7 (900) 000-00-00"}
    assert hostile_registry.organizations.get(short_name=HYPERLINK).link == LINK


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


@pytest.fixture
def split_hostile(world):
    """Every text an admin export or the activity report writes, filled with SPLIT_HOSTILE."""
    every = " ".join(SPLIT_HOSTILE)
    Region.objects.filter(pk=world.region.pk).update(name=SPLIT_HOSTILE[0])
    monday = parse_iso_week(WEEK)
    WeeklyRegionValue.objects.create(region=world.region, week_start=monday, organizations=1)
    for index, text in enumerate(SPLIT_HOSTILE):
        municipality = MunicipalityFactory(region=world.region, name=text)
        WeeklyMunicipalityValue.objects.create(
            municipality=municipality,
            week_start=monday,
            organizations=1,
            staff_activity_change=Decimal("-1.50"),
        )
        school = OrganizationFactory(municipality=municipality, short_name=text, kpp="")
        school_class = SchoolClassFactory(organization=school, name=text)
        person = UserFactory(
            username=f"hostile{index}", last_name=text, first_name=text, patronymic=text, phone=text
        )
        membership = Membership.objects.create(
            user=person, role=Role.CLASS_TEACHER, organization=school
        )
        membership.classes.add(school_class)
        Membership.objects.create(user=person, role=Role.DISTRICT_LEAD, municipality=municipality)
    ChecklistTemplate.objects.update(title=every)
    ChecklistStepTemplate.objects.update(title=every, hint=every)
    PlanItemTemplate.objects.update(
        number="1,=HYPERLINK(1)",  # the field holds 16 characters
        section=every,
        title=every,
        description=every,
        hint=every,
        deadline_text=every[:100],  # the field holds 100 characters
        responsible=every[:100],  # the field holds 100 characters
        expected_result=every,
    )


EXPORTING_ADMINS = sorted(
    model._meta.label_lower
    for model, model_admin in admin.site._registry.items()
    if isinstance(model_admin, ExportMixin)
)


def test_every_registry_and_template_table_has_a_csv_export_under_test():
    assert {
        "organizations.region",
        "organizations.municipality",
        "organizations.organization",
        "organizations.schoolclass",
        "organizations.membership",
        "organizations.user",
        "rollout.checklisttemplate",
        "rollout.checkliststeptemplate",
        "rollout.planitemtemplate",
    } <= set(EXPORTING_ADMINS)


@pytest.mark.parametrize("label", EXPORTING_ADMINS)
def test_no_admin_csv_export_has_a_formula_after_any_separator(world, client, split_hostile, label):
    client.force_login(world.operator)
    url = reverse("admin:{}_{}_export".format(*label.split(".")))
    form = client.get(url).context["form"]
    csv_format = next(v for v, text in form.fields["format"].choices if text.lower() == "csv")
    fields = [name for name in form.fields if name not in ("resource", "format", "export_items")]
    response = client.post(
        url, {"format": csv_format, "export_items": [], **dict.fromkeys(fields, "on")}
    )
    assert response.status_code == 200
    text = response.content.decode("utf-8-sig")
    assert any(mark in text for mark in ESCAPED_MARKS), text[:500]
    assert not formula_pieces(text)


@pytest.mark.parametrize("level", LEVELS)
def test_the_activity_report_csv_has_no_formula_after_any_separator(split_hostile, level):
    out = io.StringIO()
    call_command("activity_report", week=WEEK, level=level, stdout=out)
    text = out.getvalue()
    assert any(mark in text for mark in ESCAPED_MARKS), text[:500]
    assert not formula_pieces(text)
    if level == "municipality":
        assert "-1.50" in csv_values(text)
