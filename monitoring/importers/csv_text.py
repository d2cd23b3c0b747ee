"""CSV statistics files: checks before reading, encoding and delimiter detection, and rows.

    inspect_csv(stream, file_name="ноябрь.csv")      # raises UnsafeFile, or returns
    sheet = csv_sheet(stream, file_name="ноябрь.csv")  # one RawSheet named after the file

Encoding: a UTF-8 BOM means utf-8-sig (a UTF-16 one, Excel's «Текст Юникод», utf-16); text
that is valid UTF-8 is utf-8; anything else is read as cp1251 (Russian Excel's «CSV
(разделители – запятые)» is cp1251 with «;»). Bytes that decode in neither (cp1251 leaves one
undefined, 0x98) are refused, naming the line and the byte.
The delimiter is «;», «,» or a tab, told from the first non-empty lines (csv.Sniffer limited
to those, then counting); a comma decimal («12,5») under «;» is common and fine.

Cells are text (the parser's cleaners take «1 234», «12,5» and «10.12.2025 г.»), an empty
cell is None. The file is read whole (it is at most ``MAX_FILE_BYTES``); the checks bound
its rows, columns and line length, and refuse NUL bytes (no text file has them).

Pure: no Django.
"""

from __future__ import annotations

import codecs
import csv
import io
from pathlib import PurePath
from typing import IO

from .parser import RawSheet
from .problems import grouped
from .reader import ReaderError
from .safety import MAX_COLUMNS, MAX_FILE_BYTES, UnsafeFile, _size

MAX_ROWS = 200_000  # the national export has 70,000 organisations per date
# An export's line is ~300 characters (and the csv module refuses fields over 131,072).
MAX_LINE_CHARS = 100_000
DELIMITERS = ";,\t"
_SNIFF_LINES = 5


def sheet_name(file_name: str) -> str:
    """The one sheet of a CSV is named after the file: «ноябрь.csv» -> «ноябрь»."""
    return PurePath(file_name).stem or file_name


def decode(data: bytes, file_name: str) -> str:
    """The file's text (see the module docstring), or a ReaderError at the first bad byte."""
    if data.startswith(codecs.BOM_UTF8):
        return _decode(data, "utf-8-sig", file_name)
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):  # Excel's «Текст Юникод»
        return _decode(data, "utf-16", file_name)
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return _decode(data, "cp1251", file_name)


def _decode(data: bytes, encoding: str, file_name: str) -> str:
    try:
        return data.decode(encoding)
    except UnicodeDecodeError as error:
        line = data.count(b"\n", 0, error.start) + 1
        column = error.start - (data.rfind(b"\n", 0, error.start) + 1) + 1
        raise UnsafeFile(
            f"Файл «{file_name}» не удалось прочитать как текст (CSV) ни в кодировке UTF-8, ни "
            f"в Windows-1251: в строке {line} байт {column} (0x{data[error.start]:02X}) не "
            "является буквой ни в одной из них. Сохраните выгрузку как «CSV UTF-8» или как "
            "книгу Excel (.xlsx) и загрузите ещё раз.",
            detail=f"{encoding}: {error}",
        ) from error


def dialect_of(text: str) -> type[csv.Dialect] | csv.Dialect:
    """The dialect with the delimiter of the first non-empty lines (see the docstring)."""
    lines = [line for line in text.splitlines()[:200] if line.strip()][:_SNIFF_LINES]
    sample = "\n".join(lines)
    try:
        dialect = csv.Sniffer().sniff(sample, delimiters=DELIMITERS)
        if dialect.delimiter in DELIMITERS:
            dialect.doublequote = True  # the Sniffer guesses this wrong on short samples
            return dialect
    except csv.Error:
        pass
    head = lines[0] if lines else ""
    counts = {each: head.count(each) for each in DELIMITERS}
    delimiter = max(DELIMITERS, key=lambda each: (counts[each], each == ";"))

    class Found(csv.excel):
        pass

    Found.delimiter = delimiter
    return Found


def _read(stream: IO[bytes], file_name: str) -> str:
    stream.seek(0)
    data = stream.read(MAX_FILE_BYTES + 1)
    stream.seek(0)
    if len(data) > MAX_FILE_BYTES:
        raise UnsafeFile(
            f"Файл «{file_name}» отклонён: текстовый файл (CSV) больше {_size(MAX_FILE_BYTES)}. "
            "Разделите выгрузку на несколько файлов (например, по МО) и загрузите их по очереди."
        )
    if b"\x00" in data and not data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        at = data.index(b"\x00")
        line = data.count(b"\n", 0, at) + 1
        raise UnsafeFile(
            f"Файл «{file_name}» — это не текстовый файл (в строке {line} есть нулевой байт), "
            "а значит и не CSV. Нужна выгрузка Сферум: Excel (.xlsx, .xls), OpenDocument (.ods) "
            "или CSV."
        )
    return decode(data, file_name)


def _rows(text: str, file_name: str):
    """The csv module's rows; a damaged quoting is a ReaderError."""
    reader = csv.reader(io.StringIO(text, newline=""), dialect_of(text))
    try:
        yield from reader
    except csv.Error as error:
        raise ReaderError(
            f"Файл «{file_name}» не удалось прочитать как CSV: строка {reader.line_num} "
            "повреждена (например, не закрыты кавычки). Сохраните выгрузку ещё раз и "
            "загрузите заново.",
            detail=f"csv.Error: {error}",
        ) from error


def inspect_csv(stream: IO[bytes], *, file_name: str) -> None:
    """Refuse a text file too big, not text, or with too many rows, columns or characters in
    a line; the position is put back at 0."""
    text = _read(stream, file_name)
    if text.count("\n") > 2 * MAX_ROWS:  # lines, before the csv module makes rows of them
        raise UnsafeFile(_too_many_rows(file_name))
    for number, line in enumerate(text.splitlines(), start=1):  # at most 2 × MAX_ROWS
        if len(line) > MAX_LINE_CHARS:
            raise UnsafeFile(
                f"Файл «{file_name}» отклонён: строка {number} длиной {grouped(len(line))} "
                f"символов, допустимо до {grouped(MAX_LINE_CHARS)} — это не похоже на "
                "выгрузку Сферум."
            )
    for count, row in enumerate(_rows(text, file_name), start=1):
        if count > MAX_ROWS:
            raise UnsafeFile(_too_many_rows(file_name))
        if len(row) > MAX_COLUMNS:
            raise UnsafeFile(
                f"Файл «{file_name}» отклонён: в строке {count} столбцов: {grouped(len(row))}, "
                f"допустимо до {MAX_COLUMNS}; в выгрузке Сферум их около 25. Удалите лишние "
                "столбцы и загрузите файл ещё раз."
            )


def _too_many_rows(file_name: str) -> str:
    return (
        f"Файл «{file_name}» отклонён: в нём больше {grouped(MAX_ROWS)} строк. Разделите "
        "выгрузку на несколько файлов (например, по МО) и загрузите их по очереди."
    )


def csv_sheet(stream: IO[bytes], *, file_name: str) -> RawSheet:
    """The file as one sheet of row tuples: text cells, None for empty ones."""
    text = _read(stream, file_name)

    def rows():
        for row in _rows(text, file_name):
            yield tuple(cell if cell.strip() else None for cell in row)

    return RawSheet(sheet_name(file_name), rows())
