"""The reader: a spreadsheet file (path or binary file object) -> sheets of raw row tuples.

The kind is told by content (``formats.detect``): an xlsx is read by calamine or openpyxl, an
ods or a legacy xls by calamine (whatever the engine asked), a CSV by ``csv_text``. The only
module that imports openpyxl or python-calamine. Rows are produced lazily, one tuple
at a time, with None for empty cells and the Excel row and column positions kept (row 1 is the
first tuple, column A the first item), so the parser can point at cells exactly.

    with open_workbook(upload, file_name="export.xlsx") as book:
        result = parse_workbook(book.sheets, file_name="export.xlsx")

Both engines feed the parser equivalent values: dates as date/datetime, numbers as int/float
(calamine gives every number as float, openpyxl whole numbers as int), text as str, error cells
(#N/A) as None. Calamine also drops text made only of spaces, which the parser treats as empty.

A formula saved without its calculated value (a file written by a program, never opened in
Excel) reads as an empty cell in both engines. In an xlsx, once a sheet's rows are read, its
XML is scanned for such cells and they are listed on ``RawSheet.uncalculated`` for the parser
to warn about; a sheet without any formula costs one inflate of its part, with no parsing.
An ods is scanned the same way (``ods_safety.uncalculated_cells``); an xls is not.
"""

from __future__ import annotations

import html
import logging
import os
import re
import zipfile
from collections.abc import Callable, Iterator
from typing import IO, Any

from defusedxml.ElementTree import fromstring

from .formats import detect
from .parser import RawSheet

ENGINES = ("calamine", "openpyxl")
log = logging.getLogger(__name__)

_MAIN_NS = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_REL_NS = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
_PKG_REL_NS = "{http://schemas.openxmlformats.org/package/2006/relationships}"
_CHUNK = 1 << 22
# A cell with a formula and no value, or an empty one: <c r="B2"><f>1+2</f><v/></c>. A cell
# of type "str" with an empty value is a formula whose result is the empty text: calculated.
_UNCALCULATED = re.compile(
    rb'<c r="([A-Z]{1,3})([0-9]+)"([^>]*)>\s*<f(?:\s[^>]*)?(?:/>|>([^<]*)</f>)'
    rb"\s*(?:<v\s*/>|<v>\s*</v>)?\s*</c>"
)


class ReaderError(Exception):
    """The file cannot be read as an Excel workbook; ``message`` is for the user."""

    def __init__(self, message: str, detail: str = ""):
        super().__init__(message)
        self.message = message
        self.detail = detail  # the library's own words, for logs


_KINDS = {
    "xlsx": "книгу Excel (.xlsx)",
    "xls": "книгу Excel 97–2003 (.xls)",
    "ods": "таблицу OpenDocument (.ods)",
    None: "таблицу (Excel, OpenDocument или CSV)",
}


def _unreadable(file_name: str, error: BaseException, kind: str | None = "xlsx") -> ReaderError:
    return ReaderError(
        f"Файл «{file_name}» не удалось прочитать как {_KINDS.get(kind, _KINDS[None])}: файл "
        "повреждён или это файл другого формата. Откройте выгрузку Сферум в Excel или другом "
        "табличном редакторе, сохраните её как .xlsx, .xls, .ods или CSV и загрузите ещё раз",
        detail=f"{type(error).__name__}: {error}",
    )


def _column_index(letters: bytes) -> int:
    index = 0
    for letter in letters:
        index = index * 26 + letter - 64
    return index - 1


def _sheet_parts(archive: zipfile.ZipFile) -> dict[str, str]:
    """Sheet name -> its part in the zip."""
    workbook = fromstring(archive.read("xl/workbook.xml"))
    rels = fromstring(archive.read("xl/_rels/workbook.xml.rels"))
    targets = {}
    for rel in rels.iter(f"{_PKG_REL_NS}Relationship"):
        target = rel.get("Target", "")
        targets[rel.get("Id")] = target.lstrip("/") if target.startswith("/") else f"xl/{target}"
    return {
        sheet.get("name", ""): targets[sheet.get(f"{_REL_NS}id")]
        for sheet in workbook.iter(f"{_MAIN_NS}sheet")
        if sheet.get(f"{_REL_NS}id") in targets
    }


def _has_formula(archive: zipfile.ZipFile, part: str) -> bool:
    """Whether the part has a formula: every one ends "</f>" (a shared formula's other cells,
    written <f t="shared" si="0"/>, come with the one that holds its text)."""
    tail = b""
    with archive.open(part) as handle:
        while chunk := handle.read(_CHUNK):
            if b"</f>" in tail + chunk[:3] or b"</f>" in chunk:
                return True
            tail = chunk[-3:]
    return False


def uncalculated_cells(stream: IO[bytes], sheet: str) -> list[tuple[int, int, str]]:
    """(Excel row, 0-based column, formula) of the sheet's formula cells without a value."""
    stream.seek(0)
    with zipfile.ZipFile(stream) as archive:
        part = _sheet_parts(archive).get(sheet)
        if part is None or not _has_formula(archive, part):
            return []
        data = archive.read(part)
    found = []
    for match in _UNCALCULATED.finditer(data):
        letters, row, attributes, formula = match.groups()
        if b't="str"' in attributes:
            continue
        text = html.unescape((formula or b"").decode("utf-8", "replace"))
        found.append((int(row), _column_index(letters), text))
    return found


def _with_scan(
    rows: Iterator[tuple], stream: IO[bytes], sheet: str, found: list
) -> Iterator[tuple]:
    """The sheet's rows, then (the rows read) its uncalculated formula cells into ``found``."""
    yield from rows
    try:
        found.extend(uncalculated_cells(stream, sheet))
    except Exception:  # a nicety: a file the readers could read is imported without it
        log.warning("Formula scan of sheet %r failed", sheet, exc_info=True)


def _with_ods_scan(
    rows: Iterator[tuple], stream: IO[bytes], sheet: str, found: list, file_name: str, cache: dict
) -> Iterator[tuple]:
    """An ods sheet's rows, then its formula cells without a value into ``found`` (the file is
    scanned once, for its first sheet, into ``cache``)."""
    yield from rows
    try:
        from .ods_safety import uncalculated_cells as ods_uncalculated

        if "tables" not in cache:
            cache["tables"] = ods_uncalculated(stream, file_name)
        found.extend(cache["tables"].get(sheet, ()))
    except Exception:  # a nicety, as for an xlsx
        log.warning("Formula scan of ods sheet %r failed", sheet, exc_info=True)


def _sheet(
    name: str,
    rows: Iterator[tuple],
    stream: IO[bytes],
    file_name: str,
    kind: str = "xlsx",
    cache: dict | None = None,
) -> RawSheet:
    found: list[tuple[int, int, str]] = []
    if kind == "ods":
        rows = _with_ods_scan(rows, stream, name, found, file_name, {} if cache is None else cache)
    if kind != "xlsx":  # the scan below reads an xlsx's XML
        return RawSheet(name, _guarded(rows, file_name, kind), found)
    return RawSheet(name, _guarded(_with_scan(rows, stream, name, found), file_name), found)


class Workbook:
    """An opened workbook: ``sheets`` to parse, then ``close()`` (or use ``with``)."""

    def __init__(self, sheets: list[RawSheet], closers: list[Callable[[], Any]]):
        self.sheets = sheets
        self._closers = closers

    def __iter__(self) -> Iterator[RawSheet]:
        return iter(self.sheets)

    def close(self) -> None:
        while self._closers:
            self._closers.pop()()

    def __enter__(self) -> Workbook:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()


def _guarded(rows: Iterator[tuple], file_name: str, kind: str = "xlsx") -> Iterator[tuple]:
    """Turn a failure halfway through a sheet (a corrupt part of the zip) into a ReaderError."""
    try:
        yield from rows
    except ReaderError:
        raise
    except Exception as error:  # the libraries raise many kinds; all mean "unreadable"
        raise _unreadable(file_name, error, kind) from error


def _calamine_rows(book: Any, name: str) -> Iterator[tuple]:
    sheet = book.get_sheet_by_name(name)  # loaded here, so one sheet is in memory at a time
    # iter_rows() starts at row 1 but at the first used column: put the empty columns back.
    start = sheet.start
    pad = (None,) * (start[1] if start else 0)
    for row in sheet.iter_rows():
        if "" in row:  # calamine's empty cell
            row = [None if value == "" else value for value in row]
        yield (*pad, *row) if pad else tuple(row)


def _open_calamine(stream: IO[bytes], file_name: str, kind: str = "xlsx") -> Workbook:
    import python_calamine

    book = python_calamine.CalamineWorkbook.from_filelike(stream)
    worksheet = python_calamine.SheetTypeEnum.WorkSheet
    cache: dict = {}  # an ods's formula scan, shared by its sheets
    sheets = [
        _sheet(meta.name, _calamine_rows(book, meta.name), stream, file_name, kind, cache)
        for meta in book.sheets_metadata
        if meta.typ == worksheet
    ]
    return Workbook(sheets, [book.close])


# Error cells (#N/A…) come from openpyxl as these strings and from calamine as empty cells.
_EXCEL_ERRORS = frozenset(
    {"#NULL!", "#DIV/0!", "#VALUE!", "#REF!", "#NAME?", "#NUM!", "#N/A", "#GETTING_DATA"}
)


def _openpyxl_rows(sheet: Any) -> Iterator[tuple]:
    # Some writers store a wrong "dimension"; without it openpyxl reads every row there is.
    sheet.reset_dimensions()
    errors = _EXCEL_ERRORS
    for row in sheet.iter_rows(values_only=True):
        if errors.isdisjoint(row):
            yield tuple(row)
        else:
            yield tuple(None if value in errors else value for value in row)


def _open_csv(stream: IO[bytes], file_name: str, kind: str = "csv") -> Workbook:
    from .csv_text import csv_sheet

    return Workbook([csv_sheet(stream, file_name=file_name)], [])


def _open_openpyxl(stream: IO[bytes], file_name: str, kind: str = "xlsx") -> Workbook:
    import openpyxl

    book = openpyxl.load_workbook(stream, read_only=True, data_only=True)
    sheets = [
        _sheet(sheet.title, _openpyxl_rows(sheet), stream, file_name) for sheet in book.worksheets
    ]
    return Workbook(sheets, [book.close])


def open_workbook(
    source: str | os.PathLike | IO[bytes], *, file_name: str, engine: str = "calamine"
) -> Workbook:
    """Open ``source`` for reading; rows are read only while the parser iterates them.

    ``file_name`` is the name the user knows the file by (an upload's original name), used in
    messages. Raises ReaderError when the file is not a readable spreadsheet, here or, for a
    part of the zip that is damaged, while the rows are iterated. ``engine`` applies to an
    xlsx; the other kinds have one reader each.
    """
    if engine not in ENGINES:
        raise ValueError(f"unknown engine {engine!r}, expected one of {ENGINES}")
    # A path is opened here: openpyxl would refuse a name not ending in .xlsx (uploads' temp
    # files), and calamine would pick the format by extension instead of by content.
    own_file = None
    if isinstance(source, (str, os.PathLike)):
        try:
            source = own_file = open(source, "rb")  # noqa: SIM115 - closed by Workbook.close
        except OSError as error:
            message = f"Файл «{file_name}» не удалось открыть: его нет или к нему нет доступа"
            raise ReaderError(message, detail=f"{type(error).__name__}: {error}") from error
    else:
        source.seek(0)
    kind = detect(source)
    if kind == "xlsx":
        opener = _open_calamine if engine == "calamine" else _open_openpyxl
    else:
        opener = _open_csv if kind == "csv" else _open_calamine
    try:
        if kind is None:
            raise ValueError("not a spreadsheet by its content")
        book = opener(source, file_name, kind)
    except Exception as error:  # zip, XML and format errors all mean "not a workbook"
        if own_file is not None:
            own_file.close()
        if isinstance(error, ReaderError):
            raise
        raise _unreadable(file_name, error, kind) from error
    if own_file is not None:
        book._closers.insert(0, own_file.close)
    return book


def read_sheets(
    source: str | os.PathLike | IO[bytes], *, file_name: str, engine: str = "calamine"
) -> list[RawSheet]:
    """All sheets with their rows in memory: for small files and tests only."""
    with open_workbook(source, file_name=file_name, engine=engine) as book:
        sheets = [
            RawSheet(sheet.name, list(sheet.rows), sheet.uncalculated) for sheet in book.sheets
        ]
    return sheets
