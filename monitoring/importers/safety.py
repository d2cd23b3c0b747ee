"""Checks an uploaded statistics file for hostile content before any reader opens it.

    inspect_workbook_file(stream, file_name="ноябрь.xlsx")  # raises UnsafeFile, or returns

The file's kind is told by its content (``formats``): an ods, a legacy xls and a CSV are
checked by ``ods_safety``, ``xls_safety`` and ``csv_text`` (which reuse the zip checks and
the range limits below); what follows is the xlsx, the usual case.

A Sferum export is an Excel workbook: a zip of XML parts. Everything here works on the zip's
directory and on the parts' bytes as they are inflated, a chunk at a time, never on a parsed
workbook, so a hostile file costs at most the limits below, whatever it claims:

- a zip bomb: the directory's total unpacked size and each big part's compression ratio are
  bounded, and every part is inflated here with its declared size as a hard cap, so a part
  that inflates to more than its entry says (what the readers would trust) is refused too;
- a file that is no spreadsheet (a Word document renamed, a zip of anything, a program, a
  web page) is refused, naming what it looks like;
- a workbook with macros (.xlsm content type or a VBA project), whatever its name;
- XML with a DTD (<!DOCTYPE>, <!ENTITY>), which no Excel part has and entity tricks (XXE,
  "billion laughs") need; openpyxl also parses through defusedxml, and calamine expands no
  entities, so this is a first line, not the only one;
- a used range too big to hold: calamine makes a sheet's filled range dense, so two values in
  A1 and XFD1048576 would ask for 17 billion cells (512 GB: the process aborts, it does not
  raise), and it reserves room for as many shared strings as the file declares. The filled
  range and its columns are bounded, and so is the declared number of shared strings. The
  <dimension> a sheet declares is not trusted either way: writers get it wrong.

The range is found in three tiers, each used only when the one before cannot vouch for the part:
- the box: when every cell tag of the part is written as Excel and every library write it
  (<c r="A1" …) and no reference has two letters or a row of 190,000 or more, the filled range
  fits in A1:Z189999 (under 5 million cells) and nothing more is needed. This is a handful of
  byte counts and searches, ~0.5 s for the national export's 72 MB, the path every real
  export takes;
- the references: every cell reference (r="XFD1048576") in the raw bytes, inside tags or not,
  leaving out only cells that are self-closing (<c r="A9" s="1"/>: formatting, no value), so it
  can only overcount; ~2.5 s for the same 72 MB;
- the cells: when a cell has no reference (its place then depends on its neighbours) the part
  is parsed with expat, cell by cell as calamine places them.
A sheet of a million formatted empty rows passes either way.

Pure: no Django, no database. ``UnsafeFile`` is a ``ReaderError``, so the services' handling of
unreadable files (a REJECTED upload with the message) covers it.
"""

from __future__ import annotations

import re
import struct
import zipfile
import zlib
from dataclasses import dataclass
from typing import IO
from xml.etree.ElementTree import ParseError
from xml.parsers import expat

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring

from . import formats
from .columns import column_letter
from .problems import grouped
from .reader import ReaderError

MB = 1024 * 1024
# The national export (70,000 organisations) unpacks to 72 MB; this leaves room for ~2.5 of it.
MAX_UNPACKED_BYTES = 200 * MB
# Parts above RATIO_MIN_BYTES may be at most MAX_RATIO times smaller packed than unpacked; real
# sheets pack 5 to 30 times (a million formatted empty rows: 24 times).
MAX_RATIO = 100
RATIO_MIN_BYTES = 1 * MB
MAX_PARTS = 1000
# The zip's directory, read before it is parsed: Python's zipfile makes an object per entry,
# and 50 MB of empty entries would cost 300 MB and seconds. An export's directory is ~2 KB.
MAX_DIRECTORY_BYTES = 1 * MB
# The export has 23 columns; extra columns are kept, but not hundreds of them.
MAX_COLUMNS = 200
# Cells of a sheet's filled range (rows × columns between the extreme filled cells): the
# national export is 1.6 million; 5 million take ~160 MB in calamine.
MAX_RANGE_CELLS = 5_000_000
# Sheets of an ods or xls (an xlsx's are bounded by MAX_PARTS); an export has one or a few.
MAX_SHEETS = 255
# An xls or CSV is read whole: as big as an upload may be, with room to spare.
MAX_FILE_BYTES = 100 * MB

ZIP_SIGNATURE = b"PK\x03\x04"
WORKBOOK_PART = "xl/workbook.xml"
CONTENT_TYPES_PART = "[Content_Types].xml"
MAIN_NS = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
REL_NS = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
PKG_REL_NS = "{http://schemas.openxmlformats.org/package/2006/relationships}"

_READ_CHUNK = 1 * MB
_INFLATE_CHUNK = 4 * MB
_DTD_MARKERS = tuple(
    marker.encode(encoding)
    for marker in ("<!DOCTYPE", "<!ENTITY")
    for encoding in ("utf-8", "utf-16-le", "utf-16-be")
)
_MARKER_OVERLAP = max(len(m) for m in _DTD_MARKERS)
# Any cell reference in the raw bytes; refs in comments or attribute values only overcount.
# (The literal "r" comes first, then the look-behind: three times faster than the other way.)
_CELL_REF = re.compile(rb"r(?<![\w:.-]r)\s*=\s*[\"']([A-Za-z]{1,3})([0-9]{1,7})[\"']")
_ATTRIBUTE_TEXT = rb"""(?:[^>"']|"[^"]*"|'[^']*')"""  # quoted values are skipped whole
# A cell start tag without an r attribute ("r=" inside a quoted value does not count).
_UNADDRESSED_CELL = re.compile(rb"<c(?=[\s/>])(?!" + _ATTRIBUTE_TEXT + rb"*?(?<![\w:.-])r\s*=)")
_PREFIXED_CELL = re.compile(rb":c[\s/>]")  # <x:c …>: rare, read by the exact tier
# The box (see the module's docstring): cell tags other than "<c " and "<c r=": …
_BOX_CELL = b'<c r="'
_OTHER_CELL_START = re.compile(rb"<c[\t\n\r\f\v/>]")
# … an attribute named r anywhere but right after "<c " or "<row " (a second r in a cell tag) …
_STRAY_R = re.compile(rb"r(?<![\w:.-]r)(?<!<c r)(?<!<row r)\s*=")
# … and references outside A1:Z189999 (26 × 189,999 = 4.94 million cells ≤ MAX_RANGE_CELLS).
_OUTSIDE_BOX = re.compile(rb'<c r="(?:[A-Za-z]{2}|[A-Za-z](?:[0-9]{7}|19[0-9]{4}|[2-9][0-9]{5}))')
# An empty cell: a self-closing tag has no value (calamine skips it).
# (Double-quoted values only: a tag it does not recognise keeps its reference, which can only
# overcount.)
_EMPTY_CELL = re.compile(rb'<c\s[^<>"\']*(?:"[^"<>]*"[^<>"\']*)*/>')
# Parts whose cells lack references are parsed cell by cell up to this size, refused above it.
EXACT_MAX_BYTES = 32 * MB
_REF_PARTS = re.compile(r"([A-Za-z]{0,3})([0-9]{1,7})")
SHARED_STRINGS_PART = "xl/sharedstrings.xml"  # calamine finds parts by name, ignoring case


class UnsafeFile(ReaderError):
    """A file refused before reading; ``message`` (Russian) names it and says what to do."""


def inspect_workbook_file(stream: IO[bytes], *, file_name: str) -> None:
    """Refuse ``stream`` (a seekable binary file) unless it is a spreadsheet of sane size and
    shape: an xlsx (checked here), an ods (``ods_safety``), an xls (``xls_safety``) or a CSV
    (``csv_text``), told apart by content (``formats``). For an xlsx, reads the zip's
    directory and inflates each part once (the shared strings and a sheet with unaddressed
    cells twice); the position is put back at 0."""
    try:
        stream.seek(0)
        head = stream.read(4096)
        stream.seek(0)
        kind = formats.sniff(head)
        if kind == formats.OLE:
            from .xls_safety import inspect_xls

            inspect_xls(stream, file_name=file_name)
            return
        if kind == formats.CSV:
            from .csv_text import inspect_csv

            inspect_csv(stream, file_name=file_name)
            return
        if kind != formats.ZIP:
            raise UnsafeFile(_not_spreadsheet(file_name, formats.other_kind(head)))
        directory = _directory_size(stream)
        if directory > MAX_DIRECTORY_BYTES:
            raise UnsafeFile(_too_many_parts(file_name, f"оглавление архива — {_size(directory)}"))
        try:
            archive = zipfile.ZipFile(stream)
        except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError) as error:
            raise UnsafeFile(_damaged(file_name), detail=repr(error)) from error
        with archive:
            infos = archive.infolist()
            _check_directory(infos, file_name)
            kind = _zip_format(stream, infos, file_name)
            if kind == formats.ODS:
                from .ods_safety import inspect_ods

                inspect_ods(stream, infos, file_name=file_name)
                return
            if kind is None:
                names = {info.filename for info in infos}
                raise UnsafeFile(_not_spreadsheet(file_name, _zip_kind(names, archive)))
            _check_kind(archive, infos, file_name)
            parts = {info.filename: _scan_part(stream, info, file_name) for info in infos}
            content_types = _parse(parts.get(CONTENT_TYPES_PART), CONTENT_TYPES_PART, file_name)
            _check_macros(infos, content_types, file_name)
            sheet_names = _sheet_names(parts, file_name)
            for info in infos:
                part = parts[info.filename]
                if part.unaddressed:
                    part = _exact_extent(stream, info, file_name)
                _check_range(part, sheet_names.get(info.filename), file_name)
                if info.filename.lower() == SHARED_STRINGS_PART:
                    _check_shared_strings(stream, info, file_name)
    finally:
        stream.seek(0)


def _zip_format(stream: IO[bytes], infos: list[zipfile.ZipInfo], file_name: str) -> str | None:
    """formats.zip_format over the checked directory; small entries inflated with the cap."""
    by_name = {info.filename: info for info in infos}

    def read_small(name: str) -> bytes | None:
        info = by_name.get(name)
        if info is None or info.file_size > 64 * 1024:
            return None
        return b"".join(_inflate(stream, info, file_name))

    return formats.zip_format(set(by_name), read_small)


# --- what the file is ------------------------------------------------------------------------

ACCEPTED = "Excel (.xlsx, .xls), OpenDocument (.ods) или CSV"
_NAMED = {
    "xlsx": "книга Excel",
    "xls": "книга Excel",
    "ods": "таблица OpenDocument",
    "csv": "текстовая таблица CSV",
}


def _not_spreadsheet(file_name: str, what: str) -> str:
    extension = file_name.rpartition(".")[2].lower() if "." in file_name else ""
    named = _NAMED.get(extension)
    start = (
        f"Файл «{file_name}» назван .{extension}, но это не {named}"
        if named
        else f"Файл «{file_name}» — не таблица"
    )
    return (
        f"{start}, а {what}. Нужна выгрузка Сферум: {ACCEPTED}. Откройте её в Excel или "
        "другом табличном редакторе, сохраните в одном из этих форматов и загрузите ещё раз."
    )


def _zip_kind(names: set[str], archive: zipfile.ZipFile) -> str:
    opendocument = "content.xml" in names or formats.ODS_MANIFEST in names
    if any(name.startswith("xl/") for name in names) and opendocument:
        return "zip-архив, в котором смешаны части книги Excel и таблицы OpenDocument"
    if WORKBOOK_PART in names and "xl/workbook.bin" in names:
        return "zip-архив, в котором смешаны части книги Excel (.xlsx) и двоичной книги (.xlsb)"
    if "word/document.xml" in names:
        return "документ Word (.docx)"
    if "ppt/presentation.xml" in names:
        return "презентация PowerPoint (.pptx)"
    if "xl/workbook.bin" in names:
        return "двоичная книга Excel (.xlsb)"
    small = "mimetype" in names and archive.getinfo("mimetype").file_size < 200
    if small and b"opendocument" in archive.read("mimetype"):
        return "документ OpenDocument другого вида (не таблица .ods)"
    return "zip-архив с другими файлами"


def _damaged(file_name: str) -> str:
    return (
        f"Файл «{file_name}» повреждён: это не читаемый zip-архив, каким должна быть книга "
        "Excel (.xlsx) или таблица OpenDocument (.ods). Сохраните выгрузку ещё раз и "
        "загрузите заново."
    )


# --- the zip's directory ---------------------------------------------------------------------


def _size(size: int) -> str:
    return f"{size / MB:.0f} МБ" if size >= MB else f"{max(size // 1024, 1)} КБ"


def _check_directory(infos: list[zipfile.ZipInfo], file_name: str) -> None:
    """Zip-bomb limits from the directory alone, before a byte is inflated."""
    if len(infos) > MAX_PARTS:
        raise UnsafeFile(_too_many_parts(file_name, f"частей: {grouped(len(infos))}"))
    total = sum(info.file_size for info in infos)
    if total > MAX_UNPACKED_BYTES:
        raise UnsafeFile(
            f"Файл «{file_name}» отклонён: после распаковки он занял бы {_size(total)}, "
            f"допустимо до {_size(MAX_UNPACKED_BYTES)}. Разделите выгрузку на несколько "
            "файлов (например, по МО) и загрузите их по очереди."
        )
    for info in infos:
        if info.flag_bits & 0x1:
            raise UnsafeFile(
                f"Файл «{file_name}» защищён паролем (часть «{info.filename}» зашифрована). "
                "Снимите пароль в Excel, сохраните как .xlsx и загрузите ещё раз."
            )
        if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
            raise UnsafeFile(
                f"Файл «{file_name}»: часть «{info.filename}» сжата способом, которым Excel не "
                "пользуется. Сохраните выгрузку в Excel как .xlsx и загрузите ещё раз."
            )
        ratio = info.file_size / max(info.compress_size, 1)
        if info.file_size > RATIO_MIN_BYTES and ratio > MAX_RATIO:
            raise UnsafeFile(
                f"Файл «{file_name}» отклонён: часть «{info.filename}» сжата с коэффициентом "
                f"{ratio:.0f}:1 ({_size(info.compress_size)} → {_size(info.file_size)}), "
                f"допустимо до {MAX_RATIO}:1 — так устроены «zip-бомбы», а не выгрузки Сферум."
            )


def _too_many_parts(file_name: str, what: str) -> str:
    return (
        f"Файл «{file_name}» отклонён: в нём слишком много частей ({what}; в книге Excel их "
        f"десятки, допустимо до {MAX_PARTS}) — это не похоже на выгрузку Сферум."
    )


def _directory_size(stream: IO[bytes]) -> int:
    """The central directory's size as the end record says (zip64 too), 0 when there is no end
    record: then zipfile refuses the file itself."""
    stream.seek(0, 2)
    size = stream.tell()
    tail_size = min(size, 22 + 65535)  # the end record and the longest comment
    stream.seek(size - tail_size)
    tail = stream.read(tail_size)
    at = tail.rfind(b"PK\x05\x06")
    if at < 0 or len(tail) - at < 22:
        return 0
    directory = struct.unpack_from("<I", tail, at + 12)[0]
    locator = at - 20
    if directory == 0xFFFFFFFF and locator >= 0 and tail[locator : locator + 4] == b"PK\x06\x07":
        record = struct.unpack_from("<Q", tail, locator + 8)[0]
        stream.seek(record)
        zip64 = stream.read(56)
        if len(zip64) == 56 and zip64.startswith(b"PK\x06\x06"):
            directory = struct.unpack_from("<Q", zip64, 40)[0]
    return directory


def _check_kind(archive: zipfile.ZipFile, infos: list[zipfile.ZipInfo], file_name: str) -> None:
    names = {info.filename for info in infos}
    if CONTENT_TYPES_PART not in names or WORKBOOK_PART not in names:
        raise UnsafeFile(_not_spreadsheet(file_name, _zip_kind(names, archive)))


def _check_macros(
    infos: list[zipfile.ZipInfo], content_types: object | None, file_name: str
) -> None:
    types = [
        element.get("ContentType", "")
        for element in (content_types.iter() if content_types is not None else ())
    ]
    macro_type = any("macroenabled" in kind.lower() for kind in types)
    vba = any(info.filename.lower().endswith("vbaproject.bin") for info in infos)
    if macro_type or vba:
        raise UnsafeFile(
            f"Файл «{file_name}» — книга Excel с макросами (.xlsm). Книги с макросами не "
            "принимаются: сохраните выгрузку как «Книга Excel (.xlsx)», без макросов, и "
            "загрузите ещё раз."
        )


# --- the parts, inflated once ----------------------------------------------------------------


@dataclass
class _Part:
    """What one inflated part holds: small parts' bytes, the cells' extent (1-based rows and
    columns), and whether some cell has no reference."""

    name: str
    size: int
    whole: bytes = b""  # the part itself when it is small (content types, workbook, rels)
    rows: tuple[int, int] | None = None
    columns: tuple[int, int] | None = None
    unaddressed: bool = False

    def add(self, rows: tuple[int, int], columns: tuple[int, int]) -> None:
        if self.rows is None or self.columns is None:
            self.rows, self.columns = rows, columns
            return
        self.rows = (min(self.rows[0], rows[0]), max(self.rows[1], rows[1]))
        self.columns = (min(self.columns[0], columns[0]), max(self.columns[1], columns[1]))

    def width(self) -> int:
        return 0 if self.columns is None else self.columns[1] - self.columns[0] + 1

    def cells(self) -> int:
        return 0 if self.rows is None else self.width() * (self.rows[1] - self.rows[0] + 1)

    def too_big(self) -> bool:
        return self.width() > MAX_COLUMNS or self.cells() > MAX_RANGE_CELLS


_KEEP_WHOLE = 4 * MB


def _scan_part(stream: IO[bytes], info: zipfile.ZipInfo, file_name: str) -> _Part:
    """Size honesty, DTDs, and the first two tiers of the cells' extent (the third, for cells
    without references, is ``_exact_extent``)."""
    part = _Part(info.filename, info.file_size)
    tail, kept, boxed = b"", [], True
    for text in _windows(stream, info, file_name):
        if info.file_size <= _KEEP_WHOLE:
            kept.append(text)
        if _has_dtd(tail, text):
            raise UnsafeFile(
                f"Файл «{file_name}» отклонён: в части «{info.filename}» есть объявление DTD "
                "(<!DOCTYPE> или <!ENTITY>). В книгах Excel таких не бывает, ими пользуются "
                "для атак на сервер (XXE, «billion laughs»)."
            )
        tail = text[-_MARKER_OVERLAP:]
        canonical = _canonical_cells(text)
        if not part.unaddressed and _has_unaddressed(text, canonical):
            part.unaddressed = True
        boxed = boxed and canonical and _within_box(text)
    part.whole = b"".join(kept)
    if not boxed:  # the second tier: read every reference, in a second pass over the part
        for text in _windows(stream, info, file_name):
            _bound_cells(part, text)
    return part


def _has_dtd(tail: bytes, text: bytes) -> bool:
    """A DTD marker in ``text`` or across its boundary with the window before (byte searches
    are ~5 times faster than one regex over the same bytes)."""
    joint = tail + text[:_MARKER_OVERLAP]
    return any(marker in text or marker in joint for marker in _DTD_MARKERS)


def _canonical_cells(text: bytes) -> bool:
    """Every cell tag of ``text`` starts with its reference: <c r="…"."""
    return text.count(b"<c ") == text.count(_BOX_CELL) and not _OTHER_CELL_START.search(text)


def _has_unaddressed(text: bytes, canonical: bool) -> bool:
    if b":c" in text and _PREFIXED_CELL.search(text):
        return True
    return not canonical and _UNADDRESSED_CELL.search(text) is not None


def _within_box(text: bytes) -> bool:
    """For canonical ``text``: True when every cell lies in A1:Z189999 for sure (no tag has
    another r, no reference is outside the box). Self-closing cells count here: a file they
    would push out of the box takes the second tier, which leaves them out."""
    return not _STRAY_R.search(text) and not _OUTSIDE_BOX.search(text)


def _windows(stream: IO[bytes], info: zipfile.ZipInfo, file_name: str):
    """The part's bytes in pieces that never split a tag: each is cut before its last "<", and
    the rest goes with the next. (In a hostile file a "<" inside an attribute value can still
    split one; the cell tag left without its "r" then counts as unaddressed.)"""
    carry = b""
    for chunk in _inflate(stream, info, file_name):
        text = carry + chunk
        cut = text.rfind(b"<")
        if cut <= 0:
            cut = len(text) if len(text) > 2 * _INFLATE_CHUNK else 0
        if cut:
            yield text[:cut]
        carry = text[cut:]
    if carry:
        yield carry


def _bound_cells(part: _Part, text: bytes) -> None:
    if b"/>" in text:  # skipped, and costs nothing, where no tag closes itself
        text = _EMPTY_CELL.sub(b"", text)
    found = _CELL_REF.findall(text)
    if not found:
        return
    letters, digits = zip(*found, strict=True)
    columns = [column_number(each) for each in set(letters)]
    rows = list(map(int, digits))
    part.add((min(rows), max(rows)), (min(columns), max(columns)))


def _exact_extent(stream: IO[bytes], info: zipfile.ZipInfo, file_name: str) -> _Part:
    """The exact tier: the cells that hold something, placed as calamine places them (a cell
    without a reference goes next to the one before it, a row without one below the row
    before it)."""
    if info.file_size > EXACT_MAX_BYTES:
        raise UnsafeFile(
            f"Файл «{file_name}»: в части «{info.filename}» есть ячейки без адреса (так Excel "
            "не сохраняет), а часть слишком велика, чтобы проверить её по ячейкам. Откройте "
            "файл в Excel, сохраните как «Книга Excel (.xlsx)» и загрузите ещё раз."
        )
    part = _Part(info.filename, info.file_size)
    state = {"row": 1, "column": 1, "cell": None, "filled": False}

    def start(name: str, attributes: dict[str, str]) -> None:
        local = name.rpartition(":")[2]
        if state["cell"] is not None:
            state["filled"] = True
        elif local == "row" and "r" in attributes:
            state["row"] = _place(attributes["r"], file_name, info.filename)[0]
        elif local == "c":
            if "r" in attributes:
                row, column = _place(attributes["r"], file_name, info.filename)
                if column is None:
                    raise UnsafeFile(_damaged(file_name), detail=f"cell r={attributes['r']}")
                state["column"] = column
                state["cell"] = (row, column)
            else:
                state["cell"] = (state["row"], state["column"])
            state["filled"] = False

    def end(name: str) -> None:
        local = name.rpartition(":")[2]
        cell = state["cell"]
        if local == "c" and cell is not None:
            if state["filled"]:
                part.add((cell[0], cell[0]), (cell[1], cell[1]))
            state["cell"] = None
            state["column"] += 1
        elif local == "row" and cell is None:
            state["row"] += 1
            state["column"] = 1

    parser = expat.ParserCreate()
    parser.StartElementHandler = start
    parser.EndElementHandler = end
    try:
        for chunk in _inflate(stream, info, file_name):
            parser.Parse(chunk, False)
            if part.too_big():  # no need to read on
                break
        else:
            parser.Parse(b"", True)
    except expat.ExpatError as error:
        raise UnsafeFile(_damaged(file_name), detail=f"{info.filename}: {error}") from error
    return part


def _place(reference: str, file_name: str, part: str) -> tuple[int, int | None]:
    """ "XFD1048576" -> (1048576, 16384); a row's "12" -> (12, None)."""
    match = _REF_PARTS.fullmatch(reference)
    if match is None or int(match[2]) == 0:
        raise UnsafeFile(_damaged(file_name), detail=f"{part}: reference {reference!r}")
    return int(match[2]), column_number(match[1]) if match[1] else None


class _RootRead(Exception):
    pass


def _check_shared_strings(stream: IO[bytes], info: zipfile.ZipInfo, file_name: str) -> None:
    """calamine reserves room for the declared number of strings before reading them: 2
    billion would be 48 GB. Each string takes at least ten bytes of the part."""
    declared: list[str] = []

    def start(name: str, attributes: dict[str, str]) -> None:
        declared.append(attributes.get("uniqueCount", "0"))
        raise _RootRead  # the root element is all we need

    parser = expat.ParserCreate()
    parser.StartElementHandler = start
    try:
        for chunk in _inflate(stream, info, file_name):
            parser.Parse(chunk, False)
    except _RootRead:
        pass
    except expat.ExpatError as error:
        raise UnsafeFile(_damaged(file_name), detail=f"{info.filename}: {error}") from error
    count = int(declared[0]) if declared and declared[0].isdigit() else 0
    if count > info.file_size // 10 + 1:
        raise UnsafeFile(
            f"Файл «{file_name}» повреждён или подделан: в части «{info.filename}» объявлено "
            f"строк: {grouped(count)}, а поместиться в ней может не больше "
            f"{grouped(info.file_size // 10 + 1)}. Сохраните выгрузку в Excel ещё раз и "
            "загрузите заново."
        )


def _inflate(stream: IO[bytes], info: zipfile.ZipInfo, file_name: str):
    """The part's bytes, chunk by chunk, refusing the moment they pass the declared size."""
    stream.seek(info.header_offset)
    header = stream.read(30)
    if len(header) != 30 or not header.startswith(ZIP_SIGNATURE):
        raise UnsafeFile(_damaged(file_name), detail=f"no local header for {info.filename}")
    name_length, extra_length = struct.unpack("<HH", header[26:30])
    stream.seek(info.header_offset + 30 + name_length + extra_length)
    left = info.compress_size
    if info.compress_type == zipfile.ZIP_STORED:
        if info.compress_size != info.file_size:
            raise UnsafeFile(_lying(file_name, info.filename))
        while left > 0:
            data = stream.read(min(_READ_CHUNK, left))
            if not data:
                raise UnsafeFile(_damaged(file_name), detail=f"{info.filename} is cut short")
            left -= len(data)
            yield data
        return
    inflater = zlib.decompressobj(-zlib.MAX_WBITS)
    produced, pending = 0, b""
    try:
        while not inflater.eof:
            if not pending:
                if left <= 0:
                    break
                pending = stream.read(min(_READ_CHUNK, left))
                if not pending:
                    raise UnsafeFile(_damaged(file_name), detail=f"{info.filename} is cut short")
                left -= len(pending)
            room = info.file_size - produced + 1  # one byte more than declared tells a lie
            out = inflater.decompress(pending, min(room, _INFLATE_CHUNK))
            pending = inflater.unconsumed_tail
            produced += len(out)
            if produced > info.file_size:
                raise UnsafeFile(_lying(file_name, info.filename))
            if out:
                yield out
        out = inflater.flush()
    except zlib.error as error:
        raise UnsafeFile(_damaged(file_name), detail=f"{info.filename}: {error}") from error
    if produced + len(out) > info.file_size:
        raise UnsafeFile(_lying(file_name, info.filename))
    if out:
        yield out


def _lying(file_name: str, part: str) -> str:
    return (
        f"Файл «{file_name}» повреждён или подделан: часть «{part}» распаковывается в больший "
        "объём, чем записано в архиве. Сохраните выгрузку в Excel ещё раз и загрузите заново."
    )


# --- the sheets' filled ranges ---------------------------------------------------------------


def column_number(letters: bytes | str) -> int:
    """b"A" -> 1, b"Z" -> 26, b"AA" -> 27, b"XFD" -> 16384 (lower case too, as calamine)."""
    number = 0
    for char in (letters.decode() if isinstance(letters, bytes) else letters).upper():
        number = number * 26 + ord(char) - 64
    return number


def _letters(number: int) -> str:
    """1 -> "A": the 1-based column number as Excel writes it."""
    return column_letter(number - 1)


def _check_range(part: _Part, sheet: str | None, file_name: str) -> None:
    if part.rows is None or part.columns is None:
        return
    (top, bottom), (first, last) = part.rows, part.columns
    width = part.width()
    where = f"на листе «{sheet}»" if sheet else f"в части «{part.name}»"
    corner = f"{_letters(last)}{bottom}"
    if width > MAX_COLUMNS:
        raise UnsafeFile(
            f"Файл «{file_name}» отклонён: {where} заполнены столбцы с {_letters(first)} по "
            f"{_letters(last)} (всего столбцов: {grouped(width)}), допустимо до {MAX_COLUMNS}; "
            "в выгрузке Сферум их около 25. Удалите лишние столбцы (самая дальняя заполненная "
            f"ячейка — {corner}) и загрузите файл ещё раз."
        )
    if part.cells() > MAX_RANGE_CELLS:
        raise UnsafeFile(
            f"Файл «{file_name}» отклонён: заполненные ячейки {where} занимают область "
            f"{_letters(first)}{top}:{corner} (всего ячеек: {grouped(part.cells())}), допустимо "
            f"до {grouped(MAX_RANGE_CELLS)}. Удалите лишние ячейки (самая дальняя — {corner}) "
            "или разделите выгрузку на несколько файлов."
        )


def _parse(part: _Part | None, name: str, file_name: str):
    """A small part as an element tree (defusedxml: a DTD was refused already anyway)."""
    if part is None:
        return None
    if part.size > _KEEP_WHOLE:  # megabytes of content types or sheet list: not Excel's
        raise UnsafeFile(_damaged(file_name), detail=f"{name} is {part.size} bytes")
    try:
        return fromstring(part.whole)
    except (ParseError, DefusedXmlException, ValueError) as error:
        raise UnsafeFile(_damaged(file_name), detail=f"{name}: {error}") from error


def _sheet_names(parts: dict[str, _Part], file_name: str) -> dict[str, str]:
    """Part name -> sheet name, for messages; empty when the workbook does not say."""
    workbook = _parse(parts.get(WORKBOOK_PART), WORKBOOK_PART, file_name)
    rels = _parse(parts.get("xl/_rels/workbook.xml.rels"), "workbook.xml.rels", file_name)
    if workbook is None or rels is None:
        return {}
    targets = {}
    for rel in rels.iter(f"{PKG_REL_NS}Relationship"):
        target = rel.get("Target", "")
        targets[rel.get("Id")] = target.lstrip("/") if target.startswith("/") else f"xl/{target}"
    return {
        targets[sheet.get(f"{REL_NS}id")]: sheet.get("name", "")
        for sheet in workbook.iter(f"{MAIN_NS}sheet")
        if sheet.get(f"{REL_NS}id") in targets
    }
