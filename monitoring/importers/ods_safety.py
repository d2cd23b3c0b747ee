"""Checks an OpenDocument spreadsheet (.ods, LibreOffice, Р7-Офис, МойОфис) before calamine
reads it; called by ``safety.inspect_workbook_file`` once the zip's directory has passed the
same limits as an xlsx's (parts, unpacked size, compression ratio).

- every part is inflated with its declared size as a hard cap (``safety._inflate``), and an
  XML part with a DTD (<!DOCTYPE>, <!ENTITY>) is refused;
- macros (``Basic/`` or ``Scripts/`` entries, or script entries in the manifest) and an
  encrypted (password-protected) file are refused;
- calamine expands ``table:number-columns-repeated`` and ``table:number-rows-repeated``, so
  content.xml is stream-parsed with expat and each table's filled range is computed with the
  repeats, counting only cells that hold something. LibreOffice writes a run of a million
  empty rows (or 16,000 empty cells) for formatting: that passes, while one value repeated
  over them is refused with the xlsx's wording. The number of tables is bounded too.

The same walk lists, for the reader, the formula cells saved without a value (a
``table:formula`` and no ``office:value-type`` nor value attribute: a file a program wrote
and never calculated), which calamine reads as empty: ``uncalculated_cells``.

Pure: no Django.
"""

from __future__ import annotations

import zipfile
from typing import IO
from xml.parsers import expat

from .safety import (
    _MARKER_OVERLAP,
    MAX_SHEETS,
    UnsafeFile,
    _check_range,
    _damaged,
    _has_dtd,
    _inflate,
    _Part,
)

CONTENT_PART = "content.xml"
MANIFEST_PART = "META-INF/manifest.xml"
_MACRO_FOLDERS = ("Basic/", "Scripts/")
_MANIFEST_MAX_BYTES = 4 * 1024 * 1024  # LibreOffice's is ~1 KB
# A cell holds something when it has one of these attributes or any child element (text:p).
_VALUE_ATTRIBUTES = frozenset(
    {
        "value-type",
        "value",
        "date-value",
        "time-value",
        "boolean-value",
        "string-value",
        "formula",
    }
)
_CELLS = frozenset({"table-cell", "covered-table-cell"})
_VALUES = _VALUE_ATTRIBUTES - {"formula"}
# Uncalculated formula cells listed per table (the parser shows 20 and counts the rest).
FORMULAS_KEPT = 10_000


def uncalculated_cells(stream: IO[bytes], file_name: str) -> dict[str, list[tuple[int, int, str]]]:
    """Table name -> (row, 0-based column, formula) of its formula cells without a value, for
    an ods already inspected (so its content.xml is sane); the position is put back at 0. A
    file without any formula costs one inflate of content.xml, with no parsing."""
    try:
        stream.seek(0)
        with zipfile.ZipFile(stream) as archive:
            info = archive.getinfo(CONTENT_PART)
        tail = b""
        for chunk in _inflate(stream, info, file_name):
            if b"formula=" in tail + chunk[:8] or b"formula=" in chunk:
                break
            tail = chunk[-8:]
        else:
            return {}
        tables = _Tables(file_name, collect=True)
        for chunk in _inflate(stream, info, file_name):
            tables.feed(chunk, info.filename)
        tables.feed(b"", info.filename, final=True)
    finally:
        stream.seek(0)
    return tables.uncalculated


def inspect_ods(stream: IO[bytes], infos: list[zipfile.ZipInfo], *, file_name: str) -> None:
    """Refuse an ods with macros, a DTD, a lying part or a table too big to hold."""
    names = {info.filename for info in infos}
    if CONTENT_PART not in names:
        raise UnsafeFile(_damaged(file_name), detail="no content.xml")
    if any(name.startswith(_MACRO_FOLDERS) for name in names):
        raise UnsafeFile(_macros(file_name))
    # The manifest first: an encrypted file's content.xml is no XML at all.
    for info in sorted(infos, key=lambda each: each.filename != MANIFEST_PART):
        if info.is_dir():
            continue
        tables = _Tables(file_name) if info.filename == CONTENT_PART else None
        manifest = [] if info.filename == MANIFEST_PART else None
        if manifest is not None and info.file_size > _MANIFEST_MAX_BYTES:
            raise UnsafeFile(_damaged(file_name), detail=f"manifest of {info.file_size} bytes")
        tail = b""
        for chunk in _inflate(stream, info, file_name):
            if _has_dtd(tail, chunk):
                raise UnsafeFile(
                    f"Файл «{file_name}» отклонён: в части «{info.filename}» есть объявление "
                    "DTD (<!DOCTYPE> или <!ENTITY>). В таблицах OpenDocument таких не бывает, "
                    "ими пользуются для атак на сервер (XXE, «billion laughs»)."
                )
            tail = chunk[-_MARKER_OVERLAP:]
            if tables is not None:
                tables.feed(chunk, info.filename)
            if manifest is not None:
                manifest.append(chunk)
        if tables is not None:
            tables.feed(b"", info.filename, final=True)
        if manifest is not None:
            _check_manifest(b"".join(manifest), file_name)


def _macros(file_name: str) -> str:
    return (
        f"Файл «{file_name}» — таблица OpenDocument с макросами. Таблицы с макросами не "
        "принимаются: сохраните выгрузку без макросов (.ods, .xlsx или CSV) и загрузите ещё раз."
    )


def _check_manifest(manifest: bytes, file_name: str) -> None:
    lowered = manifest.lower()
    if b"encryption-data" in lowered:
        raise UnsafeFile(
            f"Файл «{file_name}» защищён паролем (таблица OpenDocument зашифрована). Сохраните "
            "выгрузку без пароля и загрузите ещё раз."
        )
    if b'full-path="basic/' in lowered or b'full-path="scripts/' in lowered:
        raise UnsafeFile(_macros(file_name))


class _Tables:
    """The tables' filled ranges, from content.xml fed a chunk at a time. Names are matched by
    their local part (after the prefix), as a reader that ignores namespaces would."""

    def __init__(self, file_name: str, *, collect: bool = False):
        self.file_name = file_name
        self.collect = collect  # list the formula cells without a value
        self.uncalculated: dict[str, list[tuple[int, int, str]]] = {}
        self.formula = ""  # the open cell's formula when it has no value
        self.tables = 0
        self.part: _Part | None = None  # the current table's extent
        self.table_name = ""
        self.depth = 0
        self.cell_depth = 0  # the depth of the open cell; 0 outside a cell
        self.row, self.column = 1, 1
        self.row_repeat = 1
        self.row_filled = False
        self.row_first = self.row_last = 0  # the row's first and last filled columns
        self.cell: tuple[int, int] | None = None  # (column, repeat) of the open cell
        self.cell_filled = False
        self.parser = expat.ParserCreate()
        self.parser.StartElementHandler = self.start
        self.parser.EndElementHandler = self.end

    def feed(self, chunk: bytes, part: str, *, final: bool = False) -> None:
        try:
            self.parser.Parse(chunk, final)
        except expat.ExpatError as error:
            raise UnsafeFile(_damaged(self.file_name), detail=f"{part}: {error}") from error

    def _repeat(self, attributes: dict[str, str], name: str) -> int:
        if not attributes:
            return 1
        for key, value in attributes.items():
            if key.endswith(name) and key.rpartition(":")[2] == name:
                try:
                    return max(int(value), 1)
                except ValueError:
                    raise UnsafeFile(_damaged(self.file_name), detail=f"{name}={value!r}") from None
        return 1

    def start(self, name: str, attributes: dict[str, str]) -> None:
        self.depth += 1
        if self.cell_depth:  # anything inside a cell (text:p, a sub-table) is content
            self.cell_filled = True
            return
        local = name.rpartition(":")[2]
        if local == "table" and self.part is None:
            self.tables += 1
            if self.tables > MAX_SHEETS:
                raise UnsafeFile(
                    f"Файл «{self.file_name}» отклонён: в нём больше {MAX_SHEETS} листов — это "
                    "не похоже на выгрузку Сферум."
                )
            self.table_name = next(
                (v for k, v in attributes.items() if k.rpartition(":")[2] == "name"), ""
            )
            self.part = _Part(self.table_name, 0)
            self.row = 1
        elif self.part is None:
            return
        elif local == "table-row":
            self.row_repeat = self._repeat(attributes, "number-rows-repeated")
            self.row_filled = False
            self.column = 1
        elif local in _CELLS:
            self.cell_depth = self.depth
            self.cell = (self.column, self._repeat(attributes, "number-columns-repeated"))
            self.cell_filled = bool(attributes) and (
                "office:value-type" in attributes
                or any(key.rpartition(":")[2] in _VALUE_ATTRIBUTES for key in attributes)
            )
            if self.collect and self.cell_filled:
                self.formula = _formula_without_value(attributes)

    def _keep_formula(self, column: int, repeat: int) -> None:
        found = self.uncalculated.setdefault(self.table_name, [])
        formula, self.formula = self.formula, ""
        for row in range(self.row, self.row + self.row_repeat):
            for index in range(column, column + repeat):
                if len(found) >= FORMULAS_KEPT:
                    return
                found.append((row, index - 1, formula))

    def end(self, name: str) -> None:
        depth, self.depth = self.depth, self.depth - 1
        if self.cell_depth:
            if depth != self.cell_depth:
                return
            column, repeat = self.cell or (self.column, 1)
            if self.formula:
                self._keep_formula(column, repeat)
            if self.cell_filled:
                if not self.row_filled:
                    self.row_filled, self.row_first = True, column
                self.row_last = column + repeat - 1
            self.column = column + repeat
            self.cell_depth, self.cell = 0, None
            return
        part = self.part
        if part is None:
            return
        local = name.rpartition(":")[2]
        if local == "table-row":
            if self.row_filled:
                part.add(
                    (self.row, self.row + self.row_repeat - 1), (self.row_first, self.row_last)
                )
            self.row += self.row_repeat
            if part.too_big():
                _check_range(part, self.table_name, self.file_name)
        elif local == "table":
            _check_range(part, self.table_name, self.file_name)
            self.part = None


def _formula_without_value(attributes: dict[str, str]) -> str:
    """The cell's formula as Excel shows it after «=» ("of:=[.A1]+1" -> "[.A1]+1"), when the
    cell has no value; "" otherwise."""
    formula = ""
    for key, value in attributes.items():
        local = key.rpartition(":")[2]
        if local in _VALUES:
            return ""
        if local == "formula":
            formula = value
    prefix, colon, rest = formula.partition(":")
    if colon and prefix.isalpha() and rest.startswith("="):  # the namespace: "of:", "oooc:"
        formula = rest
    return formula.removeprefix("=")
