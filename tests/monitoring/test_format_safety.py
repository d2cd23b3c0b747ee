"""Hostile .ods, .xls and CSV files, built here in memory: each is refused before any reader
opens it, with a Russian message naming the file, and an upload of it ends REJECTED with that
message, keeping neither the file nor any figure; the shapes real programs write pass."""

import io
import struct
import zipfile
from pathlib import Path

import olefile
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from monitoring import services
from monitoring.importers import csv_text, safety, xls_safety
from monitoring.importers.reader import ReaderError, read_sheets
from monitoring.importers.safety import UnsafeFile, inspect_workbook_file
from monitoring.models import Snapshot, Upload
from organizations.models import Organization
from tests.security.hostile_files import _central_offset, _patch_sizes

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
ODS_MIMETYPE = "application/vnd.oasis.opendocument.spreadsheet"
NS = (
    'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
    'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
    'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0"'
)
HEADER = ["Дата", "Краткое название", "МО", "ID организация", "Учителей в школе всего"]


# --- builders -------------------------------------------------------------------------------------


def text_cell(text: str, repeat: int = 1) -> str:
    times = f' table:number-columns-repeated="{repeat}"' if repeat > 1 else ""
    return (
        f'<table:table-cell office:value-type="string"{times}>'
        f"<text:p>{text}</text:p></table:table-cell>"
    )


def value_cell(value: float, repeat: int = 1) -> str:
    times = f' table:number-columns-repeated="{repeat}"' if repeat > 1 else ""
    return f'<table:table-cell office:value-type="float" office:value="{value}"{times}/>'


def row(cells: str, repeat: int = 1) -> str:
    times = f' table:number-rows-repeated="{repeat}"' if repeat > 1 else ""
    return f"<table:table-row{times}>{cells}</table:table-row>"


def content(*tables: str, prolog: str = "") -> str:
    return (
        f'<?xml version="1.0" encoding="UTF-8"?>{prolog}<office:document-content {NS}>'
        f"<office:body><office:spreadsheet>{''.join(tables)}</office:spreadsheet></office:body>"
        "</office:document-content>"
    )


def table(*rows: str, name: str = "Статистика") -> str:
    return f'<table:table table:name="{name}">{"".join(rows)}</table:table>'


def plain_rows() -> list[str]:
    header = "".join(text_cell(text) for text in HEADER)
    data = text_cell("10.12.2025") + text_cell("СОШ") + text_cell("Ухта") + value_cell(910001)
    return [row(header), row(data + value_cell(30))]


# LibreOffice's own trailing run: a million formatted empty rows of 16,384 empty cells.
EMPTY_TAIL = row('<table:table-cell table:number-columns-repeated="16384"/>', repeat=1048573)


MANIFEST = (
    '<manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0">'
    f'<manifest:file-entry manifest:full-path="/" manifest:media-type="{ODS_MIMETYPE}"/>'
    "</manifest:manifest>"
)


def ods(
    content_xml: str, *, extra: dict[str, str] | None = None, manifest: str = MANIFEST
) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("mimetype", ODS_MIMETYPE)  # stored, first, as ODF wants
        archive.writestr("content.xml", content_xml, zipfile.ZIP_DEFLATED)
        if manifest:
            archive.writestr("META-INF/manifest.xml", manifest, zipfile.ZIP_DEFLATED)
        for name, text in (extra or {}).items():
            archive.writestr(name, text, zipfile.ZIP_DEFLATED)
    return buffer.getvalue()


def zip_of(members: dict[str, str]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, text in members.items():
            archive.writestr(name, text)
    return buffer.getvalue()


def ods_lying_sizes() -> bytes:
    data = bytearray(ods(content(table(*plain_rows())) + " " * 500_000))
    with zipfile.ZipFile(io.BytesIO(bytes(data))) as archive:
        info = archive.getinfo("content.xml")
    central = _central_offset(data, "content.xml")
    _patch_sizes(data, info.header_offset, central, 2048, info.compress_size)
    return bytes(data)


def xls_fixture() -> bytes:
    return (FIXTURES / "export.xls").read_bytes()


def workbook_stream(data: bytes) -> bytes:
    with olefile.OleFileIO(data) as ole:
        return ole.openstream("Workbook").read()


def records(stream: bytes):
    """(offset, type, length) of the BIFF records of a Workbook stream."""
    at = 0
    while at + 4 <= len(stream):
        kind, length = struct.unpack_from("<HH", stream, at)
        yield at, kind, length
        at += 4 + length


def patch_workbook(data: bytes, offset: int, new: bytes) -> bytes:
    """The OLE file with the Workbook stream's bytes at ``offset`` replaced (same length),
    found by their context in the raw file (the small stream's sectors are contiguous)."""
    stream = workbook_stream(data)
    start = max(offset - 12, 0)
    context = stream[start : offset + len(new) + 12]
    assert data.count(context) == 1
    at = data.index(context) + offset - start
    return data[:at] + new + data[at + len(new) :]


def xls_with_filepass() -> bytes:
    data = xls_fixture()
    # the record after BOF (INTERFACEHDR) becomes a FILEPASS of the same length
    offset = next(at for at, kind, _ in records(workbook_stream(data)) if kind == 0x00E1)
    return patch_workbook(data, offset, struct.pack("<H", 0x002F))


def xls_with_far_cell(row: int, column: int) -> bytes:
    data = xls_fixture()
    rk = next(at for at, kind, _ in records(workbook_stream(data)) if kind == 0x027E)
    return patch_workbook(data, rk + 4, struct.pack("<HH", row, column))


def rename_ole_entry(data: bytes, old: str, new: str) -> bytes:
    """A directory entry renamed (the name field is 64 bytes, then its length in bytes)."""
    encoded = old.encode("utf-16-le")
    at = data.index(encoded + b"\0\0")
    field = new.encode("utf-16-le").ljust(64, b"\0")
    length = struct.pack("<H", len(new) * 2 + 2)
    return data[:at] + field + length + data[at + 66 :]


def csv_data(*lines: str, encoding: str = "utf-8") -> bytes:
    return "".join(f"{line}\n" for line in lines).encode(encoding)


# --- the corpus: name -> (file name, bytes, words of the refusal) ---------------------------------

HOSTILE = {
    "ods_ratio_bomb": (
        "bomb.ods",
        lambda: ods(content(table(*plain_rows())) + " " * (3 * safety.MB)),
        "сжата с коэффициентом",
    ),
    "ods_lying_sizes": ("lie.ods", ods_lying_sizes, "распаковывается в больший объём"),
    "ods_dtd": (
        "dtd.ods",
        lambda: ods(content(table(*plain_rows()), prolog='<!DOCTYPE x [<!ENTITY a "b">]>')),
        "DTD",
    ),
    "ods_dtd_in_styles": (
        "styles.ods",
        lambda: ods(content(table(*plain_rows())), extra={"styles.xml": "<!DOCTYPE s><s/>"}),
        "«styles.xml» есть объявление DTD",
    ),
    "ods_repeated_columns_bomb": (
        "columns.ods",
        lambda: ods(content(table(*plain_rows(), row(value_cell(1, 16000), repeat=1048576)))),
        "всего столбцов: 16 000",
    ),
    "ods_repeated_rows_bomb": (
        "rows.ods",
        lambda: ods(content(table(*plain_rows(), row(value_cell(1, 22), repeat=1_000_000)))),
        "всего ячеек: 22 000 044",
    ),
    "ods_repeated_text_bomb": (
        "text.ods",
        lambda: ods(content(table(row(text_cell("x", 300))))),
        "допустимо до 200",
    ),
    "ods_macros": (
        "macro.ods",
        lambda: ods(content(table(*plain_rows())), extra={"Basic/Standard/Module1.xml": "<m/>"}),
        "с макросами",
    ),
    "ods_script_in_manifest": (
        "script.ods",
        lambda: ods(
            content(table(*plain_rows())),
            manifest='<m:manifest xmlns:m="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0">'
            '<m:file-entry m:full-path="Scripts/python/run.py" m:media-type=""/></m:manifest>',
        ),
        "с макросами",
    ),
    "ods_encrypted": (
        "secret.ods",
        lambda: ods(
            content(table(*plain_rows())),
            manifest='<m:manifest xmlns:m="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0">'
            '<m:file-entry m:full-path="content.xml"><m:encryption-data/></m:file-entry>'
            "</m:manifest>",
        ),
        "защищён паролем",
    ),
    "ods_too_many_tables": (
        "tables.ods",
        lambda: ods(content(*(table(row(value_cell(1)), name=f"Л{n}") for n in range(300)))),
        "больше 255 листов",
    ),
    "ods_broken_xml": ("broken.ods", lambda: ods("<office:document-content"), "повреждён"),
    "zip_both_xlsx_and_ods": (
        "both.xlsx",
        lambda: ods(
            content(table(row(value_cell(1, 16000), repeat=1048576))),
            extra={"xl/workbook.xml": "<workbook/>", "[Content_Types].xml": "<Types/>"},
        ),
        "смешаны части книги Excel и таблицы OpenDocument",
    ),
    "zip_both_xlsx_and_xlsb": (
        "xlsb.xlsx",
        lambda: zip_of(
            {"xl/workbook.xml": "<w/>", "xl/workbook.bin": "x", "[Content_Types].xml": "<T/>"}
        ),
        "двоичной книги (.xlsb)",
    ),
    "xls_filepass": ("secret.xls", xls_with_filepass, "защищён паролем"),
    "xls_far_column": ("wide.xls", lambda: xls_with_far_cell(65535, 255), "IV65536"),
    "xls_far_row": ("long.xls", lambda: xls_with_far_cell(65535, 100), "всего ячеек: 6 619 136"),
    "xls_macros": (
        "macro.xls",
        lambda: rename_ole_entry(xls_fixture(), "\x05SummaryInformation", "_VBA_PROJECT_CUR"),
        "с макросами",
    ),
    "xls_encrypted_xlsx": (
        "protected.xlsx",
        lambda: rename_ole_entry(xls_fixture(), "\x05SummaryInformation", "EncryptedPackage"),
        "защищён паролем",
    ),
    "ole_word_document": (
        "letter.xls",
        lambda: rename_ole_entry(xls_fixture(), "Workbook", "WordDocument"),
        "документ Word 97–2003",
    ),
    "ole_bad_sector_size": (
        "sectors.xls",
        lambda: xls_fixture()[:30] + struct.pack("<H", 10) + xls_fixture()[32:],
        "повреждён",
    ),
    "ole_cut_short": ("cut.xls", lambda: xls_fixture()[:2048], "повреждён"),
    "csv_nul": ("nul.csv", lambda: csv_data("Дата;МО", "10.12.2025;Ух\0та"), "не текстовый файл"),
    "csv_undecodable": (
        "bytes.csv",
        lambda: csv_data("Дата;МО", encoding="cp1251") + b"10.12.2025;\x98\n",
        "в строке 2 байт 12 (0x98)",
    ),
    "csv_too_many_columns": (
        "wide.csv",
        lambda: csv_data(";".join(["Дата", "МО", *(f"c{n}" for n in range(199))])),
        "столбцов: 201",
    ),
    "csv_too_many_rows": (
        "long.csv",
        lambda: csv_data("Дата;МО", *(["1;2"] * 200_000)),
        "больше 200 000 строк",
    ),
    "csv_long_line": (
        "line.csv",
        lambda: csv_data("Дата;МО", "Дата;" + "x" * 100_001),
        "строка 2 длиной 100 006",
    ),
}
REFUSED = list(HOSTILE)


@pytest.mark.parametrize("name", REFUSED)
def test_a_hostile_file_is_refused_naming_the_file(name):
    file_name, build, words = HOSTILE[name]
    stream = io.BytesIO(build())
    with pytest.raises(UnsafeFile) as caught:
        inspect_workbook_file(stream, file_name=file_name)
    assert isinstance(caught.value, ReaderError)
    assert f"«{file_name}»" in caught.value.message
    assert words in caught.value.message
    assert stream.tell() == 0


@pytest.mark.parametrize("name", REFUSED)
def test_an_upload_of_a_hostile_file_is_rejected_with_the_message_and_keeps_nothing(world, name):
    file_name, build, words = HOSTILE[name]
    organizations = Organization.objects.count()
    upload = services.upload_receive(
        uploaded_file=SimpleUploadedFile(file_name, build()), user=world.coordinator
    )
    upload.refresh_from_db()
    assert upload.status == Upload.Status.REJECTED
    assert f"«{file_name}»" in upload.error_message and words in upload.error_message
    assert not upload.file
    assert Snapshot.objects.count() == 0 and Organization.objects.count() == organizations


def test_the_size_and_sheet_limits_of_xls_and_csv(monkeypatch):
    monkeypatch.setattr(xls_safety, "MAX_FILE_BYTES", 4096)
    with pytest.raises(UnsafeFile, match=r"«big\.xls».*допустимо до 4 КБ"):
        inspect_workbook_file(io.BytesIO(xls_fixture()), file_name="big.xls")
    monkeypatch.setattr(csv_text, "MAX_FILE_BYTES", 10)
    with pytest.raises(UnsafeFile, match=r"«big\.csv».*больше 1 КБ"):
        inspect_workbook_file(io.BytesIO(csv_data("Дата;МО", "1;2")), file_name="big.csv")
    monkeypatch.setattr(xls_safety, "MAX_SHEETS", 0)
    monkeypatch.setattr(xls_safety, "MAX_FILE_BYTES", safety.MAX_FILE_BYTES)
    with pytest.raises(UnsafeFile, match=r"«one\.xls».*больше 0 листов"):
        inspect_workbook_file(io.BytesIO(xls_fixture()), file_name="one.xls")


# --- what real programs write passes --------------------------------------------------------------


def test_libreoffices_huge_empty_trailing_run_passes_and_reads_to_the_data():
    data = ods(content(table(*plain_rows(), EMPTY_TAIL), table(EMPTY_TAIL, name="Пустой")))
    inspect_workbook_file(io.BytesIO(data), file_name="tail.ods")
    sheets = read_sheets(io.BytesIO(data), file_name="tail.ods")
    assert [sheet.name for sheet in sheets] == ["Статистика", "Пустой"]
    assert len(sheets[0].rows) == 2 and sheets[0].rows[1][3] == 910001


def test_repeated_values_within_the_limits_pass():
    wide = row(value_cell(1, safety.MAX_COLUMNS))
    tall = row(value_cell(1, 20), repeat=safety.MAX_RANGE_CELLS // 20)
    inspect_workbook_file(io.BytesIO(ods(content(table(wide), table(tall)))), file_name="ok.ods")
    with pytest.raises(UnsafeFile, match="допустимо до 200"):
        wider = row(value_cell(1, safety.MAX_COLUMNS + 1))
        inspect_workbook_file(io.BytesIO(ods(content(table(wider)))), file_name="no.ods")


def test_an_empty_repeated_run_between_values_still_counts_the_far_value():
    far = row(value_cell(1) + '<table:table-cell table:number-columns-repeated="300"/>'
              + value_cell(2))  # fmt: skip
    with pytest.raises(UnsafeFile, match="всего столбцов: 302"):
        inspect_workbook_file(io.BytesIO(ods(content(table(far)))), file_name="far.ods")


@pytest.mark.parametrize("name", ["export.ods", "two_level.ods", "export.xls"])
def test_the_libreoffice_fixtures_pass(name):
    inspect_workbook_file(io.BytesIO((FIXTURES / name).read_bytes()), file_name=name)


def test_a_cell_in_the_last_row_of_an_xls_within_the_columns_passes():
    inspect_workbook_file(io.BytesIO(xls_with_far_cell(65535, 20)), file_name="deep.xls")


def test_a_csv_with_a_cp1251_text_a_comma_decimal_and_quotes_passes():
    data = csv_data("Дата;МО;Учителей", '10.12.2025;"Ухта; МО";1 234,0', encoding="cp1251")
    inspect_workbook_file(io.BytesIO(data), file_name="ok.csv")
    (sheet,) = read_sheets(io.BytesIO(data), file_name="ok.csv")
    assert sheet.rows[1] == ("10.12.2025", "Ухта; МО", "1 234,0")


def test_old_refusals_for_no_spreadsheet_stay():
    for file_name, data, words in [
        ("a.xlsx", b"MZ\x90\x00" + b"\0" * 100, "программа"),
        ("a.csv", b"%PDF-1.4\n", "назван .csv, но это не текстовая таблица CSV, а документ PDF"),
        ("a.ods", b"", "пустой файл"),
        ("page.csv", b"<!DOCTYPE html><html></html>", "веб-страница"),
    ]:
        with pytest.raises(UnsafeFile) as caught:
            inspect_workbook_file(io.BytesIO(data), file_name=file_name)
        assert f"«{file_name}»" in caught.value.message and words in caught.value.message


# --- BIFF records, crafted ------------------------------------------------------------------------


def record(kind: int, body: bytes = b"") -> bytes:
    return struct.pack("<HH", kind, len(body)) + body


def number(row: int, column: int) -> bytes:
    return record(0x0203, struct.pack("<HHHd", row, column, 0, 1.0))


BOF, EOF = record(0x0809, b"\0" * 16), record(0x000A)


def test_a_sheets_cells_after_an_embedded_chart_still_count_for_the_sheet():
    stream = BOF + EOF + BOF + number(0, 0) + BOF + EOF + number(65535, 255) + EOF
    with pytest.raises(UnsafeFile, match=r"«c\.xls».*столбцы с A по IV.*IV65536"):
        xls_safety.scan_biff(stream, "c.xls")
    xls_safety.scan_biff(BOF + number(0, 0) + BOF + EOF + number(100, 20) + EOF, "ok.xls")


def test_mulrk_spans_its_columns_and_blank_records_are_formatting_only():
    mulrk = record(0x00BD, struct.pack("<HH", 0, 0) + b"\0" * 6 * 201 + struct.pack("<H", 200))
    with pytest.raises(UnsafeFile, match="всего столбцов: 201"):
        xls_safety.scan_biff(BOF + mulrk + EOF, "m.xls")
    blank = record(0x0201, struct.pack("<HHH", 65535, 255, 0))
    mulblank = record(0x00BE, struct.pack("<HH", 9, 0) + b"\0" * 2 * 256 + struct.pack("<H", 255))
    xls_safety.scan_biff(BOF + number(0, 0) + blank + mulblank + EOF, "b.xls")


def test_a_record_cut_short_ends_the_scan_and_cells_outside_substreams_count():
    xls_safety.scan_biff(BOF + number(0, 0) + EOF + struct.pack("<HH", 0x0203, 500), "cut.xls")
    with pytest.raises(UnsafeFile, match="IV1"):
        xls_safety.scan_biff(number(0, 0) + number(0, 255), "loose.xls")
