"""A corpus of hostile statistics files, built on demand from raw XML with zipfile.

Nothing binary is committed: each builder writes one file into a directory and returns its path.
``CORPUS`` names every builder with the words its refusal must contain (None for the files that
are read harmlessly instead). The same builders serve the upload page, the import command and
the measurements of ``test_hostile_uploads.py``; run this module to rebuild the corpus in a
folder and print each file's size: ``python -m tests.security.hostile_files /tmp/corpus``.
"""

from __future__ import annotations

import struct
import sys
import zipfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from xml.sax.saxutils import escape

from monitoring.importers.columns import HEADERS, column_letter

MAIN_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
REL_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PKG_REL_NS = "http://schemas.openxmlformats.org/package/2006/relationships"
WORKBOOK_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"
MACRO_WORKBOOK_TYPE = "application/vnd.ms-excel.sheet.macroEnabled.main+xml"
SHEET_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"
STRINGS_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"
STYLES_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"
MB = 1024 * 1024
EXCEL_ROWS = 1_048_576
SECRET = "СЕКРЕТ-ИЗ-ЛОКАЛЬНОГО-ФАЙЛА-7f3a"


# 0 -> A, 25 -> Z, 26 -> AA, 16383 -> XFD: the importer's own conversion.
column_letters = column_letter


def text_cell(ref: str, text: str) -> str:
    return f'<c r="{ref}" t="inlineStr"><is><t>{escape(text)}</t></is></c>'


def header_row(extra_columns: int = 0) -> str:
    """Row 1: the real export's headers (so the parser finds them), then ``extra_columns``."""
    texts = [*HEADERS.values(), *(f"Столбец {n}" for n in range(1, extra_columns + 1))]
    cells = "".join(text_cell(f"{column_letters(i)}1", t) for i, t in enumerate(texts))
    return f'<row r="1">{cells}</row>'


def sheet_xml(rows: Iterable[str | bytes], *, dimension: str | None = None, prolog: str = ""):
    """The worksheet part as chunks of bytes, so a million rows never sit in memory."""
    yield f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n{prolog}'.encode()
    yield f'<worksheet xmlns="{MAIN_NS}" xmlns:r="{REL_NS}">'.encode()
    if dimension:
        yield f'<dimension ref="{dimension}"/>'.encode()
    yield b"<sheetData>"
    batch: list[bytes] = []
    for row in rows:
        batch.append(row.encode() if isinstance(row, str) else row)
        if len(batch) >= 10_000:
            yield b"".join(batch)
            batch = []
    yield b"".join(batch)
    yield b"</sheetData></worksheet>"


def _content_types(workbook_type: str, shared_strings: bool) -> str:
    strings = (
        f'<Override PartName="/xl/sharedStrings.xml" ContentType="{STRINGS_TYPE}"/>'
        if shared_strings
        else ""
    )
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" '
        'ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/>'
        '<Default Extension="bin" ContentType="application/vnd.ms-office.vbaProject"/>'
        f'<Override PartName="/xl/workbook.xml" ContentType="{workbook_type}"/>'
        f'<Override PartName="/xl/worksheets/sheet1.xml" ContentType="{SHEET_TYPE}"/>'
        f'<Override PartName="/xl/styles.xml" ContentType="{STYLES_TYPE}"/>'
        f"{strings}</Types>"
    )


ROOT_RELS = (
    f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<Relationships xmlns="{PKG_REL_NS}">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
    'relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>'
)
WORKBOOK = (
    f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    f'<workbook xmlns="{MAIN_NS}" xmlns:r="{REL_NS}"><sheets>'
    '<sheet name="Статистика" sheetId="1" r:id="rId1"/></sheets></workbook>'
)
# Two cell formats, so that s="1" (a filled background) is a valid style.
STYLES = (
    f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<styleSheet xmlns="{MAIN_NS}">'
    '<fonts count="1"><font><sz val="11"/><name val="Calibri"/></font></fonts>'
    '<fills count="3"><fill><patternFill patternType="none"/></fill>'
    '<fill><patternFill patternType="gray125"/></fill>'
    '<fill><patternFill patternType="solid"><fgColor rgb="FFFFFF00"/></patternFill></fill></fills>'
    '<borders count="1"><border/></borders>'
    '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
    '<cellXfs count="2"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
    '<xf numFmtId="0" fontId="0" fillId="2" borderId="0" xfId="0" applyFill="1"/></cellXfs>'
    '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>'
    "</styleSheet>"
)


def _workbook_rels(shared_strings: bool) -> str:
    base = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
    strings = (
        f'<Relationship Id="rId3" Type="{base}/sharedStrings" Target="sharedStrings.xml"/>'
        if shared_strings
        else ""
    )
    return (
        f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        f'<Relationships xmlns="{PKG_REL_NS}">'
        f'<Relationship Id="rId1" Type="{base}/worksheet" Target="worksheets/sheet1.xml"/>'
        f'<Relationship Id="rId2" Type="{base}/styles" Target="styles.xml"/>{strings}'
        "</Relationships>"
    )


def write_xlsx(
    path: Path,
    sheet: Iterable[bytes],
    *,
    shared_strings: str | None = None,
    workbook_type: str = WORKBOOK_TYPE,
    extra: dict[str, bytes] | None = None,
) -> Path:
    """A minimal but complete xlsx: every part a reader needs, the sheet streamed in."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", _content_types(workbook_type, bool(shared_strings)))
        archive.writestr("_rels/.rels", ROOT_RELS)
        archive.writestr("xl/workbook.xml", WORKBOOK)
        archive.writestr("xl/_rels/workbook.xml.rels", _workbook_rels(bool(shared_strings)))
        archive.writestr("xl/styles.xml", STYLES)
        if shared_strings:
            archive.writestr("xl/sharedStrings.xml", shared_strings)
        with archive.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as part:
            for chunk in sheet:
                part.write(chunk)
        for name, content in (extra or {}).items():
            archive.writestr(name, content)
    return path


def _zip(path: Path, members: dict[str, bytes | str]) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in members.items():
            archive.writestr(name, content)
    return path


# --- zip bombs ---------------------------------------------------------------------------------


def ratio_bomb(directory: Path) -> Path:
    """One sheet part of 100 MB of spaces (legal whitespace in XML), about 100 KB compressed."""
    blank = b" " * MB

    def rows():
        yield header_row().encode()
        for _ in range(100):
            yield blank

    return write_xlsx(directory / "ratio_bomb.xlsx", sheet_xml(rows()))


def size_bomb(directory: Path) -> Path:
    """300 parts just under 1 MB each: no part is big enough for the ratio rule, the total is
    300 MB."""
    junk = b"<a>" + b" " * (MB - 10) + b"</a>"
    extra = {f"customXml/item{n}.xml": junk for n in range(300)}
    return write_xlsx(directory / "size_bomb.xlsx", sheet_xml([header_row()]), extra=extra)


def lying_sizes(directory: Path) -> Path:
    """A sheet whose zip entries claim 2 KB while its deflate stream gives 50 MB: the check must
    not trust the central directory alone."""
    path = directory / "lying_sizes.xlsx"
    write_xlsx(path, sheet_xml([header_row(), b" " * (50 * MB)]))
    data = bytearray(path.read_bytes())
    claimed = 2048
    with zipfile.ZipFile(path) as archive:
        info = archive.getinfo("xl/worksheets/sheet1.xml")
        local, central = info.header_offset, _central_offset(data, info.filename)
    # force_zip64 keeps the real size in the zip64 extra field; the plain fields say 0xFFFFFFFF.
    # Rewrite both headers to plain 32-bit sizes that lie, and drop the zip64 marker values.
    _patch_sizes(data, local, central, claimed, info.compress_size)
    path.write_bytes(bytes(data))
    return path


def _central_offset(data: bytearray, name: str) -> int:
    signature = b"PK\x01\x02"
    start = data.rfind(b"PK\x05\x06")
    position = data.rfind(signature, 0, start)
    while position != -1:
        name_length = struct.unpack_from("<H", data, position + 28)[0]
        if data[position + 46 : position + 46 + name_length].decode() == name:
            return position
        position = data.rfind(signature, 0, position)
    raise LookupError(name)


def _patch_sizes(data: bytearray, local: int, central: int, size: int, compressed: int) -> None:
    struct.pack_into("<II", data, local + 18, compressed, size)
    struct.pack_into("<II", data, central + 20, compressed, size)
    for header, name_at, fields_at in ((local, 26, 30), (central, 28, 46)):
        name_length, extra_length = struct.unpack_from("<HH", data, header + name_at)
        extra_start = header + fields_at + name_length
        # Turn the zip64 extra block into an unknown one, so readers use the 32-bit fields.
        offset = extra_start
        while offset < extra_start + extra_length:
            tag, length = struct.unpack_from("<HH", data, offset)
            if tag == 0x0001:
                struct.pack_into("<H", data, offset, 0x7A7A)
            offset += 4 + length


def many_parts(directory: Path) -> Path:
    """A workbook and 30,000 empty entries: a 1.5 MB directory that Python's zipfile would
    turn into 30,000 objects (50 MB of them: 300 MB and seconds)."""
    path = write_xlsx(directory / "many_parts.xlsx", sheet_xml([header_row()]))
    with zipfile.ZipFile(path, "a") as archive:
        for number in range(30_000):
            archive.writestr(zipfile.ZipInfo(f"customXml/{number}"), b"")
    return path


# A VBA project part: an OLE compound file's signature, then nothing.
VBA_PROJECT = {"xl/vbaProject.bin": b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 512}


# --- files that are not what their name says --------------------------------------------------


def _macro(path: Path) -> Path:
    return write_xlsx(
        path, sheet_xml([header_row()]), workbook_type=MACRO_WORKBOOK_TYPE, extra=VBA_PROJECT
    )


def macro_workbook(directory: Path) -> Path:
    """An .xlsm (macro content type and a VBA project) renamed to .xlsx."""
    return _macro(directory / "macro.xlsx")


def macro_named_xlsm(directory: Path) -> Path:
    return _macro(directory / "macro.xlsm")


def vba_project_only(directory: Path) -> Path:
    """The ordinary workbook content type, but a VBA project inside all the same."""
    return write_xlsx(
        directory / "vba_inside.xlsx",
        sheet_xml([header_row()]),
        extra=VBA_PROJECT,
    )


def renamed_docx(directory: Path) -> Path:
    return _zip(
        directory / "act.xlsx",
        {
            "[Content_Types].xml": '<Types xmlns="http://schemas.openxmlformats.org/'
            'package/2006/content-types"/>',
            "word/document.xml": "<w:document/>",
        },
    )


def renamed_odt(directory: Path) -> Path:
    """An OpenDocument text, not a spreadsheet (an .ods is accepted, read by content)."""
    path = directory / "text_odt.xlsx"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("mimetype", "application/vnd.oasis.opendocument.text")
        archive.writestr("content.xml", "<office:document-content/>", zipfile.ZIP_DEFLATED)
    return path


def plain_zip(directory: Path) -> Path:
    return _zip(directory / "archive.xlsx", {"readme.txt": "отчёт", "data/report.csv": "1,2,3"})


def renamed_exe(directory: Path) -> Path:
    path = directory / "program.xlsx"
    path.write_bytes(b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" + b"\x00" * 200)
    return path


def renamed_pdf(directory: Path) -> Path:
    path = directory / "scan.xlsx"
    path.write_bytes(b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << >>\n%%EOF\n")
    return path


def old_excel(directory: Path) -> Path:
    """The signature of the OLE2 container of Excel 97–2003 (accepted when it is one), then
    nothing: a damaged container."""
    path = directory / "old.xlsx"
    path.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 1024)
    return path


def binary_csv(directory: Path) -> Path:
    """Text with a NUL byte, named .xlsx: read by content as a CSV, and no text file."""
    path = directory / "table_csv.xlsx"
    path.write_bytes("Дата;МО;ID организация\n17.11.2025;Ухта;1\x0023\n".encode())
    return path


def empty_file(directory: Path) -> Path:
    path = directory / "empty.xlsx"
    path.write_bytes(b"")
    return path


# --- XML entity tricks -------------------------------------------------------------------------


def secret_file(directory: Path) -> Path:
    path = directory / "secret.txt"
    path.write_text(SECRET, encoding="utf-8")
    return path


def xxe_shared_strings(directory: Path) -> Path:
    """An external entity pointing at a local file, used in a shared string of cell A2."""
    target = secret_file(directory).resolve().as_uri()
    strings = (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f'<!DOCTYPE sst [<!ENTITY xxe SYSTEM "{target}">]>'
        f'<sst xmlns="{MAIN_NS}" count="1" uniqueCount="1"><si><t>&xxe;</t></si></sst>'
    )
    row = '<row r="2"><c r="A2" t="s"><v>0</v></c></row>'
    return write_xlsx(
        directory / "xxe.xlsx", sheet_xml([header_row(), row]), shared_strings=strings
    )


def xxe_sheet(directory: Path) -> Path:
    """The same external entity, declared in the worksheet part itself."""
    target = secret_file(directory).resolve().as_uri()
    prolog = f'<!DOCTYPE worksheet [<!ENTITY xxe SYSTEM "{target}">]>'
    row = '<row r="2"><c r="A2" t="inlineStr"><is><t>&xxe;</t></is></c></row>'
    return write_xlsx(directory / "xxe_sheet.xlsx", sheet_xml([header_row(), row], prolog=prolog))


LAUGHS = (
    '<!DOCTYPE lolz [<!ENTITY lol "lol">'
    + "".join(
        f'<!ENTITY lol{n} "{(f"&lol{n - 1};" if n > 1 else "&lol;") * 10}">' for n in range(1, 10)
    )
    + "]>"
)


def billion_laughs_sheet(directory: Path) -> Path:
    """Nine levels of ten: 10⁹ "lol"s (3 GB) if a parser expanded them."""
    row = '<row r="2"><c r="A2" t="inlineStr"><is><t>&lol9;</t></is></c></row>'
    return write_xlsx(directory / "laughs.xlsx", sheet_xml([header_row(), row], prolog=LAUGHS))


def billion_laughs_strings(directory: Path) -> Path:
    strings = (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f'{LAUGHS}<sst xmlns="{MAIN_NS}" count="1" uniqueCount="1"><si><t>&lol9;</t></si></sst>'
    )
    row = '<row r="2"><c r="A2" t="s"><v>0</v></c></row>'
    return write_xlsx(
        directory / "laughs_strings.xlsx", sheet_xml([header_row(), row]), shared_strings=strings
    )


# --- shapes that cost time and memory ----------------------------------------------------------


def thousand_columns(directory: Path) -> Path:
    """The export's headers and 977 more columns, and 200 rows filled across all of them."""
    width = 1000
    extra = width - len(HEADERS)

    def rows():
        yield header_row(extra)
        for number in range(2, 202):
            cells = "".join(
                f'<c r="{column_letters(i)}{number}"><v>{i}</v></c>' for i in range(width)
            )
            yield f'<row r="{number}">{cells}</row>'

    return write_xlsx(
        directory / "columns_1000.xlsx",
        sheet_xml(rows(), dimension=f"A1:{column_letters(width - 1)}201"),
    )


def million_formatted_rows(directory: Path) -> Path:
    """The header, then every other row of the sheet formatted but empty, as some office suites
    save a sheet whose rows were all coloured; the dimension claims the whole sheet."""

    def rows():
        yield header_row()
        for number in range(2, EXCEL_ROWS + 1):
            yield f'<row r="{number}" s="1" customFormat="1" ht="15" customHeight="1"/>'

    return write_xlsx(directory / "rows_1048576.xlsx", sheet_xml(rows(), dimension="A1:XFD1048576"))


def million_styled_cells(directory: Path) -> Path:
    """Every row down to 1,048,576 with three empty cells that carry a style (no values)."""

    def rows():
        yield header_row()
        for n in range(2, EXCEL_ROWS + 1):
            yield f'<row r="{n}"><c r="A{n}" s="1"/><c r="B{n}" s="1"/><c r="W{n}" s="1"/></row>'

    return write_xlsx(directory / "cells_1048576.xlsx", sheet_xml(rows(), dimension="A1:W1048576"))


def far_corners(directory: Path) -> Path:
    """The header in row 1 (A to W) and one value in W1048576: calamine makes the filled range
    dense, 24 million cells (about 770 MB) for two rows of content."""
    rows = [
        header_row(),
        f'<row r="{EXCEL_ROWS}">{text_cell(f"W{EXCEL_ROWS}", "конец")}</row>',
    ]
    return write_xlsx(directory / "far_corners.xlsx", sheet_xml(rows, dimension="A1:W1048576"))


def far_column(directory: Path) -> Path:
    """One value in XFD1048576 as well: 17 billion cells dense, 512 GB — calamine aborts the
    whole process (a web or Celery worker), it does not raise."""
    rows = [
        header_row(),
        f'<row r="{EXCEL_ROWS}">{text_cell(f"XFD{EXCEL_ROWS}", "конец")}</row>',
    ]
    return write_xlsx(directory / "far_column.xlsx", sheet_xml(rows, dimension="A1:XFD1048576"))


def prefixed_far_column(directory: Path) -> Path:
    """The same with prefixed element names (<x:c>, <x:v>), which readers accept."""
    ns = MAIN_NS
    rows = [
        b'<x:row r="1"><x:c r="A1"><x:v>1</x:v></x:c></x:row>',
        f'<x:row r="{EXCEL_ROWS}"><x:c r="XFD{EXCEL_ROWS}"><x:v>2</x:v></x:c></x:row>'.encode(),
    ]
    body = [
        b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n',
        f'<x:worksheet xmlns:x="{ns}"><x:sheetData>'.encode(),
        *rows,
        b"</x:sheetData></x:worksheet>",
    ]
    return write_xlsx(directory / "prefixed.xlsx", body)


def sneaky_far_cell(directory: Path) -> Path:
    """The far value hidden from naive scanning: single quotes, spaces around "=", a lower-case
    reference, a ">" inside another attribute and a comment before the value. calamine reads
    it as XFD1048576 all the same."""
    far = f"<c t='n' x='>' r = 'xfd{EXCEL_ROWS}'><!-- hidden --><v>1</v></c>"
    rows = [header_row(), f'<row r="{EXCEL_ROWS}">{far}</row>']
    return write_xlsx(directory / "sneaky.xlsx", sheet_xml(rows))


def unaddressed_cells(directory: Path) -> Path:
    """Cells without references take the place after the one before: 16,384 of them in the
    last row fill it to XFD1048576."""
    cells = "<c><v>1</v></c>" * 16_384
    rows = [header_row(), f'<row r="{EXCEL_ROWS}">{cells}</row>']
    return write_xlsx(directory / "unaddressed.xlsx", sheet_xml(rows))


def shared_strings_count(directory: Path) -> Path:
    """One shared string declared as two billion: calamine reserves 48 GB for them up front."""
    strings = (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f'<sst xmlns="{MAIN_NS}" count="1" uniqueCount="2000000000"><si><t>x</t></si></sst>'
    )
    row = '<row r="2"><c r="A2" t="s"><v>0</v></c></row>'
    return write_xlsx(
        directory / "strings_count.xlsx", sheet_xml([header_row(), row]), shared_strings=strings
    )


def huge_dimension(directory: Path) -> Path:
    """A few real cells under a dimension that claims the whole sheet."""
    return write_xlsx(
        directory / "dimension.xlsx", sheet_xml([header_row()], dimension="A1:XFD1048576")
    )


@dataclass(frozen=True)
class Hostile:
    build: Callable[[Path], Path]
    refused: str | None  # words the refusal must contain; None: read harmlessly, no data
    form_refused: str | None = None  # the form's own words when they differ (by extension)


CORPUS: dict[str, Hostile] = {
    "ratio_bomb": Hostile(ratio_bomb, "сжат"),
    "size_bomb": Hostile(size_bomb, "после распаковки"),
    "lying_sizes": Hostile(lying_sizes, "повреждён"),
    "many_parts": Hostile(many_parts, "слишком много частей"),
    "macro_workbook": Hostile(macro_workbook, "макрос"),
    "macro_named_xlsm": Hostile(macro_named_xlsm, "макрос", form_refused="Excel (.xlsx, .xls)"),
    "vba_project_only": Hostile(vba_project_only, "макрос"),
    "renamed_docx": Hostile(renamed_docx, "документ Word"),
    "renamed_odt": Hostile(renamed_odt, "OpenDocument другого вида"),
    "plain_zip": Hostile(plain_zip, "zip-архив"),
    "renamed_exe": Hostile(renamed_exe, "программа"),
    "renamed_pdf": Hostile(renamed_pdf, "PDF"),
    "old_excel": Hostile(old_excel, "повреждён: это не читаемая книга Excel 97–2003"),
    "binary_csv": Hostile(binary_csv, "не текстовый файл"),
    "empty_file": Hostile(empty_file, "пуст"),
    "xxe_shared_strings": Hostile(xxe_shared_strings, "DTD"),
    "xxe_sheet": Hostile(xxe_sheet, "DTD"),
    "billion_laughs_sheet": Hostile(billion_laughs_sheet, "DTD"),
    "billion_laughs_strings": Hostile(billion_laughs_strings, "DTD"),
    "thousand_columns": Hostile(thousand_columns, "столбц"),
    "million_formatted_rows": Hostile(million_formatted_rows, None),
    "million_styled_cells": Hostile(million_styled_cells, None),
    "far_corners": Hostile(far_corners, "W1048576"),
    "far_column": Hostile(far_column, "XFD1048576"),
    "prefixed_far_column": Hostile(prefixed_far_column, "XFD1048576"),
    "sneaky_far_cell": Hostile(sneaky_far_cell, "XFD1048576"),
    "unaddressed_cells": Hostile(unaddressed_cells, "XFD1048576"),
    "shared_strings_count": Hostile(shared_strings_count, "объявлено строк: 2 000 000 000"),
    "huge_dimension": Hostile(huge_dimension, None),
}


def build(name: str, directory: Path) -> Path:
    return CORPUS[name].build(directory)


if __name__ == "__main__":
    out = Path(sys.argv[1] if len(sys.argv) > 1 else "hostile-corpus")
    out.mkdir(parents=True, exist_ok=True)
    for corpus_name in CORPUS:
        built = build(corpus_name, out)
        print(f"{corpus_name:24} {built.name:24} {built.stat().st_size:>12,} bytes")
