"""Checks a legacy Excel 97–2003 workbook (.xls) before calamine reads it; called by
``safety.inspect_workbook_file`` for an OLE2 container.

- the file's size is capped (``MAX_FILE_BYTES``) and the OLE header must be sane (sector size
  512 or 4096 bytes, FAT and directory sector counts that fit in the file) before olefile
  parses the container;
- an OLE file that is no workbook (a Word 97–2003 document), a password-protected xlsx (an
  ``EncryptedPackage`` stream) and a workbook with macros (a VBA storage) are refused;
- the BIFF records of the ``Workbook`` stream are scanned: FILEPASS (0x002F, an encrypted
  workbook) is refused, BOUNDSHEET (0x0085) records are counted (``MAX_SHEETS``), and each
  sheet's filled range is bounded from its cell records as an xlsx's is (calamine makes it
  dense). BLANK and MULBLANK are formatting only and do not count.

Pure: no Django.
"""

from __future__ import annotations

import struct
from typing import IO

from . import formats
from .safety import MAX_FILE_BYTES, MAX_SHEETS, UnsafeFile, _check_range, _Part, _size

BOF, EOF, FILEPASS, BOUNDSHEET = 0x0809, 0x000A, 0x002F, 0x0085
# Records of cells that hold a value: row and column are their first two 16-bit fields.
_CELL_RECORDS = frozenset(
    {
        0x0203,  # NUMBER
        0x027E,  # RK
        0x00FD,  # LABELSST
        0x0204,  # LABEL
        0x00D6,  # RSTRING
        0x0006,  # FORMULA
        0x0406,  # FORMULA (BIFF4)
        0x0205,  # BOOLERR
    }
)
MULRK = 0x00BD  # row, first column, …, last column
_OLD_BOFS = frozenset({0x0009, 0x0209, 0x0409})  # BIFF2–4 (Excel 5/95 uses 0x0809 too)
_VBA_STORAGES = frozenset({"_VBA_PROJECT_CUR", "_VBA_PROJECT", "Macros"})


def inspect_xls(stream: IO[bytes], *, file_name: str) -> None:
    """Refuse an OLE file unless it is a plain, unencrypted xls of sane size and shape."""
    import olefile

    size = stream.seek(0, 2)
    stream.seek(0)
    if size > MAX_FILE_BYTES:
        raise UnsafeFile(
            f"Файл «{file_name}» отклонён: книга Excel 97–2003 (.xls) занимает {_size(size)}, "
            f"допустимо до {_size(MAX_FILE_BYTES)}. Сохраните выгрузку как «Книга Excel "
            "(.xlsx)» или разделите её на несколько файлов."
        )
    _check_header(stream.read(512), size, file_name)
    stream.seek(0)
    try:
        with olefile.OleFileIO(stream) as ole:
            streams = formats.ole_streams(ole)
            if "EncryptedPackage" in streams or "EncryptionInfo" in streams:
                raise UnsafeFile(_password(file_name))
            if formats.ole_format(streams) is None:
                raise UnsafeFile(_not_workbook(file_name, streams))
            if streams & _VBA_STORAGES:
                raise UnsafeFile(_macros(file_name))
            name = next(each for each in formats.XLS_STREAMS if each in streams)
            if ole.get_size(name) > size:
                raise UnsafeFile(_damaged(file_name), detail=f"{name} larger than the file")
            data = ole.openstream(name).read()
    except UnsafeFile:
        raise
    except Exception as error:  # olefile raises many kinds on a damaged container
        raise UnsafeFile(_damaged(file_name), detail=f"{type(error).__name__}: {error}") from error
    finally:
        stream.seek(0)
    scan_biff(data, file_name)


def _check_header(header: bytes, size: int, file_name: str) -> None:
    """The OLE header's numbers that olefile would trust to size its tables."""
    if len(header) < 512:
        raise UnsafeFile(_damaged(file_name), detail="short OLE header")
    shift, mini_shift = struct.unpack_from("<HH", header, 30)
    directory_sectors, fat_sectors = struct.unpack_from("<II", header, 40)
    if shift not in (9, 12) or mini_shift != 6:
        raise UnsafeFile(_damaged(file_name), detail=f"sector shift {shift}/{mini_shift}")
    sectors = size // (1 << shift) + 1
    if fat_sectors == 0 or fat_sectors > sectors or directory_sectors > sectors:
        raise UnsafeFile(
            _damaged(file_name), detail=f"FAT {fat_sectors}, directory {directory_sectors}"
        )


def scan_biff(data: bytes, file_name: str) -> None:
    """Refuse an encrypted workbook, too many sheets, or a sheet's filled range too big.

    Substreams (BOF … EOF) nest: a chart embedded in a sheet is one inside the sheet's, and
    the sheet's cells after it are still the sheet's; so they are kept on a stack."""
    sheets: dict[int, str] = {}  # a sheet's BOF offset -> its name
    part = _Part("", 0)  # cells before any BOF count too
    rows: list[int] = []
    columns: list[int] = []
    outer: list[tuple[_Part, list[int], list[int]]] = []
    at, end = 0, len(data)
    unpack = struct.unpack_from
    while at + 4 <= end:
        kind, length = unpack("<HH", data, at)
        body = at + 4
        if body + length > end:  # a record cut short: the stream ends there
            break
        if kind in _CELL_RECORDS and length >= 4:
            row, column = unpack("<HH", data, body)
            rows.append(row)
            columns.append(column)
        elif kind == MULRK and length >= 6:
            row, first = unpack("<HH", data, body)
            (last,) = unpack("<H", data, body + length - 2)
            rows.append(row)
            columns.extend((first, max(first, last)))
        elif kind == BOF or kind in _OLD_BOFS:
            outer.append((part, rows, columns))
            part, rows, columns = _Part(sheets.get(at, ""), 0), [], []
        elif kind == EOF:
            _finish(part, rows, columns, file_name)
            part, rows, columns = outer.pop() if outer else (_Part("", 0), [], [])
        elif kind == FILEPASS:
            raise UnsafeFile(_password(file_name))
        elif kind == BOUNDSHEET and length >= 8:
            (offset,) = unpack("<I", data, body)
            sheets[offset] = _sheet_name(data[body + 6 : body + length])
            if len(sheets) > MAX_SHEETS:
                raise UnsafeFile(
                    f"Файл «{file_name}» отклонён: в нём больше {MAX_SHEETS} листов — это "
                    "не похоже на выгрузку Сферум."
                )
        at = body + length
    _finish(part, rows, columns, file_name)
    for unfinished in reversed(outer):
        _finish(*unfinished, file_name)


def _finish(part: _Part, rows: list[int], columns: list[int], file_name: str) -> None:
    if rows:
        # BIFF rows and columns are 0-based; the range check counts from 1 as Excel shows.
        part.add((min(rows) + 1, max(rows) + 1), (min(columns) + 1, max(columns) + 1))
    _check_range(part, part.name or None, file_name)


def _sheet_name(data: bytes) -> str:
    """A BOUNDSHEET's ShortXLUnicodeString: length, flags (bit 0: UTF-16), characters."""
    if len(data) < 2:
        return ""
    length, flags = data[0], data[1]
    if flags & 1:
        return data[2 : 2 + 2 * length].decode("utf-16-le", "replace")
    return data[2 : 2 + length].decode("latin-1")


def _password(file_name: str) -> str:
    return (
        f"Файл «{file_name}» защищён паролем. Откройте его в Excel, сохраните без пароля "
        "(Файл → Сведения → Защитить книгу → Зашифровать с использованием пароля: очистите "
        "поле) и загрузите ещё раз."
    )


def _macros(file_name: str) -> str:
    return (
        f"Файл «{file_name}» — книга Excel 97–2003 с макросами. Книги с макросами не "
        "принимаются: сохраните выгрузку как «Книга Excel (.xlsx)», без макросов, и "
        "загрузите ещё раз."
    )


def _not_workbook(file_name: str, streams: set[str]) -> str:
    if "WordDocument" in streams:
        what = "документ Word 97–2003 (.doc)"
    elif "PowerPoint Document" in streams:
        what = "презентация PowerPoint 97–2003 (.ppt)"
    else:
        what = "файл другой программы в формате OLE"
    return (
        f"Файл «{file_name}» — не книга Excel, а {what}. Нужна выгрузка Сферум: Excel (.xlsx, "
        ".xls), OpenDocument (.ods) или CSV."
    )


def _damaged(file_name: str) -> str:
    return (
        f"Файл «{file_name}» повреждён: это не читаемая книга Excel 97–2003 (.xls). Откройте "
        "его в Excel, сохраните как «Книга Excel (.xlsx)» и загрузите ещё раз."
    )
