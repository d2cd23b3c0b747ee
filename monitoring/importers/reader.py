"""The reader: an xlsx file (path or binary file object) -> sheets of raw row tuples.

The only module that imports openpyxl or python-calamine. Rows are produced lazily, one tuple
at a time, with None for empty cells and the Excel row and column positions kept (row 1 is the
first tuple, column A the first item), so the parser can point at cells exactly.

    with open_workbook(upload, file_name="export.xlsx") as book:
        result = parse_workbook(book.sheets, file_name="export.xlsx")

Both engines feed the parser equivalent values: dates as date/datetime, numbers as int/float
(calamine gives every number as float, openpyxl whole numbers as int), text as str, error cells
(#N/A) as None. Calamine also drops text made only of spaces, which the parser treats as empty.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from typing import IO, Any

from .parser import RawSheet

ENGINES = ("calamine", "openpyxl")


class ReaderError(Exception):
    """The file cannot be read as an Excel workbook; ``message`` is for the user."""

    def __init__(self, message: str, detail: str = ""):
        super().__init__(message)
        self.message = message
        self.detail = detail  # the library's own words, for logs


def _unreadable(file_name: str, error: BaseException) -> ReaderError:
    return ReaderError(
        f"Файл «{file_name}» не удалось прочитать как книгу Excel (.xlsx): файл повреждён или "
        "это файл другого формата. Откройте выгрузку Сферум в Excel, сохраните её как .xlsx "
        "и загрузите ещё раз",
        detail=f"{type(error).__name__}: {error}",
    )


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


def _guarded(rows: Iterator[tuple], file_name: str) -> Iterator[tuple]:
    """Turn a failure halfway through a sheet (a corrupt part of the zip) into a ReaderError."""
    try:
        yield from rows
    except Exception as error:  # the libraries raise many kinds; all mean "unreadable"
        raise _unreadable(file_name, error) from error


def _calamine_rows(book: Any, name: str) -> Iterator[tuple]:
    sheet = book.get_sheet_by_name(name)  # loaded here, so one sheet is in memory at a time
    # iter_rows() starts at row 1 but at the first used column: put the empty columns back.
    start = sheet.start
    pad = (None,) * (start[1] if start else 0)
    for row in sheet.iter_rows():
        if "" in row:  # calamine's empty cell
            row = [None if value == "" else value for value in row]
        yield (*pad, *row) if pad else tuple(row)


def _open_calamine(stream: IO[bytes], file_name: str) -> Workbook:
    import python_calamine

    book = python_calamine.CalamineWorkbook.from_filelike(stream)
    worksheet = python_calamine.SheetTypeEnum.WorkSheet
    sheets = [
        RawSheet(meta.name, _guarded(_calamine_rows(book, meta.name), file_name))
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


def _open_openpyxl(stream: IO[bytes], file_name: str) -> Workbook:
    import openpyxl

    book = openpyxl.load_workbook(stream, read_only=True, data_only=True)
    sheets = [
        RawSheet(sheet.title, _guarded(_openpyxl_rows(sheet), file_name))
        for sheet in book.worksheets
    ]
    return Workbook(sheets, [book.close])


def open_workbook(
    source: str | os.PathLike | IO[bytes], *, file_name: str, engine: str = "calamine"
) -> Workbook:
    """Open ``source`` for reading; rows are read only while the parser iterates them.

    ``file_name`` is the name the user knows the file by (an upload's original name), used in
    messages. Raises ReaderError when the file is not a readable xlsx, here or, for a part of
    the zip that is damaged, while the rows are iterated.
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
    opener = _open_calamine if engine == "calamine" else _open_openpyxl
    try:
        book = opener(source, file_name)
    except Exception as error:  # zip, XML and format errors all mean "not a workbook"
        if own_file is not None:
            own_file.close()
        raise _unreadable(file_name, error) from error
    if own_file is not None:
        book._closers.insert(0, own_file.close)
    return book


def read_sheets(
    source: str | os.PathLike | IO[bytes], *, file_name: str, engine: str = "calamine"
) -> list[RawSheet]:
    """All sheets with their rows in memory: for small files and tests only."""
    with open_workbook(source, file_name=file_name, engine=engine) as book:
        return [RawSheet(sheet.name, list(sheet.rows)) for sheet in book.sheets]
