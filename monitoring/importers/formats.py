"""Which kind of spreadsheet a statistics file is, told by its content, never by its name.

    kind = detect(stream)  # "xlsx", "ods", "xls", "csv", or None: none of them

The rules, used by the safety checks (``safety``) and by the reader alike:

- xlsx: a zip with ``xl/workbook.xml``;
- ods: a zip whose ``mimetype`` entry is the OpenDocument spreadsheet type, or that has
  ``content.xml`` and a ``META-INF/manifest.xml`` declaring that type for the root;
- a zip that is both, or an xlsx with an xlsb's ``xl/workbook.bin``, is none: calamine
  falls back from xlsx to xlsb to ods when a kind fails to open, so such a file would pass
  one kind's checks and be read as another, unchecked;
- xls: an OLE2 container (D0 CF 11 E0 A1 B1 1A E1) with a ``Workbook`` (Excel 97–2003) or
  ``Book`` (Excel 5/95) stream;
- csv: anything else that does not start with a known binary signature nor looks like a web
  page or an XML file (whether it decodes as text is the CSV checks' business).

The safety checks compose ``sniff``, ``zip_format`` and ``ole_format`` with their limits in
between (a zip's directory is bounded before it is parsed); ``detect`` is the same rules in
one call, for a file already inspected. Pure: no Django.
"""

from __future__ import annotations

import zipfile
from collections.abc import Callable
from typing import IO

XLSX, ODS, XLS, CSV = "xlsx", "ods", "xls", "csv"
ZIP, OLE, OTHER = "zip", "ole", "other"  # what ``sniff`` tells from the first bytes

ZIP_SIGNATURE = b"PK\x03\x04"
OLE_SIGNATURE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ODS_MIMETYPE = b"application/vnd.oasis.opendocument.spreadsheet"
ODS_MANIFEST = "META-INF/manifest.xml"
XLS_STREAMS = ("Workbook", "Book")
_SMALL_ENTRY = 64 * 1024  # mimetype and manifest are read only when they are this small

# Files that are certainly no spreadsheet and no text, with what they are, for messages.
SIGNATURES = (
    (b"MZ", "программа (исполняемый файл Windows)"),
    (b"\x7fELF", "программа (исполняемый файл)"),
    (b"%PDF", "документ PDF"),
    (b"\x89PNG", "изображение PNG"),
    (b"\xff\xd8\xff", "изображение JPEG"),
    (b"GIF8", "изображение GIF"),
    (b"Rar!", "архив RAR"),
    (b"7z\xbc\xaf", "архив 7z"),
    (b"\x1f\x8b", "архив gzip"),
    (b"PK\x05\x06", "пустой zip-архив"),
    (b"{\\rtf", "документ RTF"),
)
_BOM = b"\xef\xbb\xbf"


def sniff(head: bytes) -> str:
    """ZIP, OLE, CSV (a text candidate) or OTHER, from the file's first bytes (4 KB is
    plenty); an empty file is OTHER."""
    if head.startswith(ZIP_SIGNATURE):
        return ZIP
    if head.startswith(OLE_SIGNATURE):
        return OLE
    if not head or other_kind(head):
        return OTHER
    return CSV


def other_kind(head: bytes) -> str:
    """What a file that is no spreadsheet looks like ("" when it may be a CSV)."""
    for signature, what in SIGNATURES:
        if head.startswith(signature):
            return what
    if not head:
        return "пустой файл (0 байт)"
    text = head.lstrip(_BOM + b" \t\r\n").lower()
    if text.startswith((b"<!doctype html", b"<html", b"<table")):
        return "веб-страница (HTML)"
    if text.startswith(b"<?xml"):
        return "XML-файл (например, «Таблица XML 2003»)"
    return ""


def zip_format(names: set[str], read_small: Callable[[str], bytes | None]) -> str | None:
    """XLSX, ODS or None for a zip with entries ``names``; ``read_small(name)`` gives a small
    entry's bytes (None when it is missing or too big)."""
    opendocument = "content.xml" in names or ODS_MANIFEST in names
    if any(name.startswith("xl/") for name in names):
        mixed = opendocument or "xl/workbook.bin" in names
        return XLSX if "xl/workbook.xml" in names and not mixed else None
    if "mimetype" in names:
        return ODS if (read_small("mimetype") or b"").strip() == ODS_MIMETYPE else None
    if "content.xml" in names and ODS_MANIFEST in names:
        manifest = read_small(ODS_MANIFEST) or b""
        return ODS if ODS_MIMETYPE + b'"' in manifest else None
    return None


def small_entry_reader(archive: zipfile.ZipFile) -> Callable[[str], bytes | None]:
    """``read_small`` for ``zip_format`` over an opened archive."""

    def read(name: str) -> bytes | None:
        try:
            info = archive.getinfo(name)
        except KeyError:
            return None
        return archive.read(info) if info.file_size <= _SMALL_ENTRY else None

    return read


def ole_format(streams: set[str]) -> str | None:
    """XLS or None for an OLE container whose top-level stream names are ``streams``."""
    return XLS if any(name in streams for name in XLS_STREAMS) else None


def ole_streams(ole) -> set[str]:
    """The top-level stream names of an ``olefile.OleFileIO``."""
    return {path[0] for path in ole.listdir(streams=True, storages=True) if len(path) == 1}


def detect(stream: IO[bytes]) -> str | None:
    """XLSX, ODS, XLS, CSV or None, for a seekable binary stream (put back at 0)."""
    try:
        stream.seek(0)
        head = stream.read(4096)
        stream.seek(0)
        kind = sniff(head)
        if kind == ZIP:
            try:
                with zipfile.ZipFile(stream) as archive:
                    names = set(archive.namelist())
                    return zip_format(names, small_entry_reader(archive))
            except (zipfile.BadZipFile, OSError, ValueError, EOFError):
                return None
        if kind == OLE:
            import olefile

            try:
                with olefile.OleFileIO(stream) as ole:
                    return ole_format(ole_streams(ole))
            except Exception:  # olefile raises many kinds on a damaged container
                return None
        return CSV if kind == CSV else None
    finally:
        stream.seek(0)
