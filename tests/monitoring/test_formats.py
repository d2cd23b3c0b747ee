"""The importer reads .ods, legacy .xls and CSV to the same figures as a clean xlsx of the same
data, telling the kind by content (a renamed file too), through the parser and the service.

The .ods and .xls fixtures are LibreOffice's conversions of a clean export of ``ROWS`` (see
tests/fixtures/make_format_fixtures.py, which remakes them); the CSVs are built here."""

import csv
import datetime as dt
import io
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from monitoring import services
from monitoring.importers import formats
from monitoring.importers.csv_text import decode, dialect_of
from monitoring.importers.export_writer import write_export
from monitoring.importers.parser import parse_workbook
from monitoring.importers.reader import ENGINES, open_workbook, read_sheets
from monitoring.importers.safety import inspect_workbook_file
from monitoring.models import Snapshot, Upload
from tests.fixtures.make_format_fixtures import (
    COLUMNS,
    GROUP_KEYS,
    PLAIN_KEYS,
    ROWS,
    write_two_level,
)

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
Status = Upload.Status


def clean_xlsx(columns=COLUMNS) -> bytes:
    buffer = io.BytesIO()
    write_export(buffer, ROWS, columns=columns)
    return buffer.getvalue()


def parse(data: bytes, file_name: str, engine: str = "calamine"):
    stream = io.BytesIO(data)
    inspect_workbook_file(stream, file_name=file_name)
    with open_workbook(stream, file_name=file_name, engine=engine) as book:
        return parse_workbook(book.sheets, file_name=file_name)


def figures(result) -> list:
    """What an import writes, without where in the file it stood."""
    return [row._replace(sheet="", row=0) for row in result.rows]


def clean_figures(columns=COLUMNS) -> list:
    result = parse(clean_xlsx(columns), "clean.xlsx")
    assert result.problems == [] and len(result.rows) == len(ROWS)
    return figures(result)


def header_texts() -> list[str]:
    (sheet,) = read_sheets(io.BytesIO(clean_xlsx()), file_name="clean.xlsx")
    return list(sheet.rows[0])


def csv_bytes(encoding: str, delimiter: str, *, russian: bool) -> bytes:
    """The rows as a CSV; ``russian``: numbers with spaces in thousands and «,0», dates
    «10.12.2025 г.», as Russian Excel and people write them."""
    text = io.StringIO(newline="")
    writer = csv.writer(text, delimiter=delimiter, lineterminator="\r\n")
    writer.writerow(header_texts())
    for row in ROWS:
        cells = []
        for key in COLUMNS:
            value = row[key]
            if isinstance(value, dt.date):
                value = value.strftime("%d.%m.%Y") + (" г." if russian else "")
            elif russian and isinstance(value, int) and key != "sferum_id":
                value = f"{value:,}".replace(",", "\u00a0" if value % 2 else " ")
                value += ",0" if value.endswith("3") else ""
            cells.append(value)
        writer.writerow(cells)
    return text.getvalue().encode(encoding)


CSV_VARIANTS = {
    "cp1251_semicolon": lambda: csv_bytes("cp1251", ";", russian=True),
    "utf8_bom_comma": lambda: csv_bytes("utf-8-sig", ",", russian=False),
    "utf8_tab": lambda: csv_bytes("utf-8", "\t", russian=True),
}


def fixture_bytes(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


FILES = {
    "export.ods": lambda: fixture_bytes("export.ods"),
    "export.xls": lambda: fixture_bytes("export.xls"),
    **{f"{name}.csv": build for name, build in CSV_VARIANTS.items()},
}


# --- detection ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "kind"),
    [("export.ods", "ods"), ("export.xls", "xls"), ("two_level.ods", "ods")],
)
def test_the_fixtures_are_told_by_content(name, kind):
    assert formats.detect(io.BytesIO(fixture_bytes(name))) == kind


def test_xlsx_csv_and_other_kinds_are_told_by_content():
    assert formats.detect(io.BytesIO(clean_xlsx())) == "xlsx"
    assert formats.detect(io.BytesIO(CSV_VARIANTS["cp1251_semicolon"]())) == "csv"
    assert formats.detect(io.BytesIO(b"%PDF-1.4\n")) is None
    assert formats.detect(io.BytesIO(b"")) is None
    assert formats.detect(io.BytesIO(b"<?xml version='1.0'?><Workbook/>")) is None
    assert formats.detect(io.BytesIO(formats.OLE_SIGNATURE + b"\0" * 600)) is None


def test_an_ods_is_told_by_its_manifest_when_it_has_no_mimetype_entry():
    manifest = (
        b'<manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0">'
        b'<manifest:file-entry manifest:full-path="/" manifest:media-type="'
        + formats.ODS_MIMETYPE
        + b'"/></manifest:manifest>'
    )
    names = {"content.xml", formats.ODS_MANIFEST}
    assert formats.zip_format(names, {formats.ODS_MANIFEST: manifest}.get) == "ods"
    assert formats.zip_format(names, {formats.ODS_MANIFEST: b"<m/>"}.get) is None
    assert formats.zip_format({"mimetype"}, {"mimetype": b"application/zip"}.get) is None


# --- the same figures as the clean xlsx -----------------------------------------------------------


@pytest.mark.parametrize("name", FILES)
def test_each_format_parses_to_the_figures_of_the_clean_xlsx(name):
    result = parse(FILES[name](), name)

    assert result.problems == []
    assert figures(result) == clean_figures()
    assert [row.row for row in result.rows] == [2, 3, 4]  # the positions are kept
    assert result.present_columns == parse(clean_xlsx(), "clean.xlsx").present_columns


@pytest.mark.parametrize("engine", ENGINES)
def test_the_engine_only_applies_to_xlsx(engine):
    assert figures(parse(fixture_bytes("export.ods"), "a.ods", engine)) == clean_figures()
    assert figures(parse(fixture_bytes("export.xls"), "a.xls", engine)) == clean_figures()


def test_an_ods_with_a_two_level_header_gives_the_same_figures(tmp_path):
    result = parse(fixture_bytes("two_level.ods"), "two_level.ods")

    assert result.problems == []
    assert figures(result) == clean_figures(PLAIN_KEYS + GROUP_KEYS)
    assert [row.row for row in result.rows] == [4, 5, 6]
    # the fixture is the LibreOffice conversion of this layout, which imports the same
    source = tmp_path / "two_level.xlsx"
    write_two_level(source)
    assert figures(parse(source.read_bytes(), "two_level.xlsx")) == figures(result)


def test_ods_and_xls_cells_keep_their_kinds():
    (ods,) = read_sheets(io.BytesIO(fixture_bytes("export.ods")), file_name="a.ods")
    (xls,) = read_sheets(io.BytesIO(fixture_bytes("export.xls")), file_name="a.xls")
    for sheet in (ods, xls):
        assert sheet.name == "Статистика" and sheet.uncalculated == []
        first = sheet.rows[1]
        assert first[0] == dt.date(2025, 12, 10) and first[1] == "МБОУ «СОШ № 11» г. Емвы"
        assert first[6] == 910001 and first[8] == 3293


# --- CSV ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "delimiter", "text"),
    [
        ("cp1251_semicolon", ";", "10.12.2025 г."),
        ("utf8_bom_comma", ",", "10.12.2025"),
        ("utf8_tab", "\t", "10.12.2025 г."),
    ],
)
def test_a_csv_is_one_sheet_named_after_the_file_with_text_cells(name, delimiter, text):
    data = CSV_VARIANTS[name]()
    assert dialect_of(decode(data, "x.csv")).delimiter == delimiter

    (sheet,) = read_sheets(io.BytesIO(data), file_name=f"Выгрузка {name}.csv")
    assert sheet.name == f"Выгрузка {name}"
    header, first = sheet.rows[0], sheet.rows[1]
    assert header[0] == "Дата" and header[1] == "Краткое название"
    assert first[0] == text and first[6] == "910001"
    assert all(cell is None or isinstance(cell, str) for cell in first)


def test_russian_excel_csv_decodes_as_cp1251_and_utf8_as_utf8():
    text = "Дата;МО\n10.12.2025;Ухта\n"
    assert decode(text.encode("cp1251"), "a.csv") == text
    assert decode(text.encode("utf-8"), "a.csv") == text
    assert decode(b"\xef\xbb\xbf" + text.encode("utf-8"), "a.csv") == text
    assert decode(text.encode("utf-16"), "a.csv") == text  # Excel's «Текст Юникод»


def test_a_comma_decimal_under_semicolons_does_not_make_the_comma_the_delimiter():
    text = "Дата;МО;Учителей в школе всего\n10.12.2025;Ухта;12,0\n10.12.2025;Емва;1 234,0\n"
    assert dialect_of(text).delimiter == ";"
    assert dialect_of("Дата;МО;ID\n").delimiter == ";"  # one line: counted
    assert dialect_of("Дата,МО,ID\n").delimiter == ","


def test_empty_csv_cells_are_none_and_quoted_delimiters_stay_in_the_cell():
    data = 'Дата;Краткое название;МО\n10.12.2025;"МБОУ «СОШ; № 1»";\n;  ;Ухта\n'.encode()
    (sheet,) = read_sheets(io.BytesIO(data), file_name="a.csv")
    assert sheet.rows == [
        ("Дата", "Краткое название", "МО"),
        ("10.12.2025", "МБОУ «СОШ; № 1»", None),
        (None, None, "Ухта"),
    ]


def test_a_problem_in_a_csv_names_the_file_and_its_sheet_after_it():
    data = CSV_VARIANTS["cp1251_semicolon"]().replace(b"910002", b"XXXX")
    result = parse(data, "ноябрь.csv")
    (error,) = result.errors
    assert (error.code, error.file, error.sheet, error.row, error.column) == (
        "masked_id",
        "ноябрь.csv",
        "ноябрь",
        3,
        "G",
    )


# --- renamed files --------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["export.xls", "export.ods", "utf8_bom_comma.csv"])
def test_a_renamed_file_is_read_by_its_content(name):
    data = FILES[name]()
    result = parse(data, "renamed.xlsx")
    assert result.problems == [] and figures(result) == clean_figures()
    assert parse(clean_xlsx(), "renamed.csv").rows == parse(clean_xlsx(), "clean.xlsx").rows


# --- through the service --------------------------------------------------------------------------

SNAPSHOT_FIELDS = [
    "organization__sferum_id", "date", "teachers_total", "students_total", "parents_total",
    "teachers_registered", "students_registered", "parents_registered", "students_active",
    "parents_active", "staff_active",
]  # fmt: skip


def snapshot_figures() -> list[tuple]:
    return list(Snapshot.objects.order_by("organization__sferum_id").values_list(*SNAPSHOT_FIELDS))


def run(user, name: str, data: bytes) -> Upload:
    upload = services.upload_receive(uploaded_file=SimpleUploadedFile(name, data), user=user)
    if upload.status == Status.PREVIEW:
        services.upload_confirm(upload=upload, skip_invalid=False, inline=True)
    upload.refresh_from_db()
    return upload


@pytest.mark.parametrize("name", [*FILES, "renamed_xls.xlsx"])
def test_each_format_imports_the_snapshots_of_the_clean_xlsx(world, name):
    data = FILES.get(name, lambda: fixture_bytes("export.xls"))()
    upload = run(world.coordinator, name, data)
    assert upload.status == Status.DONE, upload.error_message
    assert upload.rows_written == len(ROWS) and upload.errors_count == 0
    written = snapshot_figures()
    assert [row[0] for row in written] == [910001, 910002, 910003]
    assert written[0][2:] == (107, 1593, 1593, 92, 151, 20, 58, 18, 40)

    again = run(world.coordinator, "clean.xlsx", clean_xlsx())
    assert again.status == Status.DONE
    assert (again.rows_written, again.rows_unchanged) == (0, len(ROWS))
    assert snapshot_figures() == written


# --- formulas without values in an ods ------------------------------------------------------------


def test_an_ods_formula_saved_without_its_value_is_warned_about_like_an_xlsx_one():
    from tests.monitoring.test_format_safety import content, ods, row, table, text_cell, value_cell

    header = ["Дата", "Краткое название", "МО", "ID организация", "Учителей в школе всего"]
    uncalculated = '<table:table-cell table:formula="of:=[.F2]*2"/>'
    calculated = (
        '<table:table-cell table:formula="of:=1+2" office:value-type="float" office:value="3"/>'
    )
    start = text_cell("10.12.2025") + text_cell("СОШ") + text_cell("Ухта")
    data = ods(
        content(
            table(
                row("".join(text_cell(text) for text in [*header, "Учеников в школе всего"])),
                row(start + value_cell(910001) + uncalculated + value_cell(10)),
                row(start + value_cell(910002) + calculated + value_cell(10)),
            )
        )
    )
    result = parse(data, "formulas.ods")

    (warning,) = result.warnings
    assert (warning.code, warning.row, warning.column) == ("uncalculated_formula", 2, "E")
    assert "«=[.F2]*2»" in warning.message
    assert [r.teachers_total for r in result.rows] == [None, 3]


def test_an_ods_without_formulas_is_not_walked_twice(monkeypatch):
    from monitoring.importers import ods_safety

    def no_walk(*args, **kwargs):
        raise AssertionError("walked")

    monkeypatch.setattr(ods_safety, "_Tables", no_walk)
    assert ods_safety.uncalculated_cells(io.BytesIO(fixture_bytes("export.ods")), "a.ods") == {}


# --- the upload form ------------------------------------------------------------------------------


def test_the_upload_form_accepts_the_four_kinds_and_says_so(world, client):
    from django.urls import reverse

    from monitoring.forms import StatisticsUploadForm

    def errors(name: str) -> list[str]:
        form = StatisticsUploadForm(files={"files": SimpleUploadedFile(name, b"x")})
        return form.errors.get("files", []) if not form.is_valid() else []

    assert errors("a.ods") == errors("a.XLS") == errors("a.csv") == errors("a.xlsx") == []
    assert errors("a.txt") == [
        "Файл «a.txt»: нужна выгрузка Сферум: Excel (.xlsx, .xls), OpenDocument (.ods) или CSV."
    ]
    client.force_login(world.coordinator)
    page = client.get(reverse("monitoring:upload_list")).content.decode()
    assert 'accept=".xlsx,.xls,.ods,.csv"' in page
    assert "OpenDocument (.ods)" in page


@pytest.mark.parametrize("name", ["export.ods", "export.xls", "cp1251_semicolon.csv"])
def test_the_upload_page_takes_each_format_to_a_preview(world, client, name):
    from django.urls import reverse

    client.force_login(world.coordinator)
    response = client.post(
        reverse("monitoring:upload_list"), {"files": SimpleUploadedFile(name, FILES[name]())}
    )
    assert response.status_code == 302
    upload = Upload.objects.get()
    assert upload.status == Status.PREVIEW and upload.rows_total == len(ROWS)
    assert upload.errors_count == 0


@pytest.mark.parametrize("name", ["export.ods", "export.xls", "utf8_tab.csv"])
def test_the_import_command_reads_each_format_dry_and_for_real(world, tmp_path, name):
    from django.core.management import call_command

    path = tmp_path / name
    path.write_bytes(FILES[name]())
    call_command("import_sferum_stats", str(path), "--dry-run", stdout=io.StringIO())
    assert Snapshot.objects.count() == 0
    call_command("import_sferum_stats", str(path), stdout=io.StringIO())
    assert Snapshot.objects.count() == len(ROWS)
