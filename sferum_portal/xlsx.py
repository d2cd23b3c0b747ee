"""Excel exports: one builder for every table the portal lets people download.

Russian headers in bold on a frozen first row, an autofilter, sensible column widths, optional
cell colours, and text that could be read as a formula (=, +, -, @) escaped with a leading
apostrophe. Real numbers are written as numbers. ``safe_text`` is also the guard of every CSV
export (the admin's, ``activity_report``): there it escapes a formula after a separator too.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
# A signed number written as text (a CSV cell, a change such as "-1.50") is data, not a formula.
NUMBER_TEXT = re.compile(r"^[+-]?\d+(?:[.,]\d+)?$")
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

# A CSV may be opened with ",", ";" (Russian Excel's list separator) or a tab as the separator,
# so every piece between them is a cell of its own: "МБОУ СОШ № 7;=2+3" is two cells, the second
# a formula. A piece starts at the start of the text or after a separator (or a line break); the
# spaces and quotes a naive split leaves in front of it do not protect it. A piece that starts
# with = + - @ and is not a plain number gets an apostrophe in front of that character.
_SEPARATORS = ",;\t\r\n"
_LEAD = rf"((?:[^\S{_SEPARATORS}]|\")*)"  # spaces (not separators) and double quotes
_PIECE = re.compile(rf"(?:^|(?<=[{_SEPARATORS}])){_LEAD}([=+\-@][^{_SEPARATORS}]*)")
_ESCAPED = re.compile(rf"(?:^|(?<=[{_SEPARATORS}])){_LEAD}'(?=[=+\-@])")


def _escape_piece(match: re.Match) -> str:
    lead, piece = match.groups()
    if NUMBER_TEXT.match(piece.rstrip(' "')):
        return match.group(0)
    return f"{lead}'{piece}"


def safe_text(value: Any) -> Any:
    """Escape a string a spreadsheet would run as a formula, at its start and after every
    separator within it; leave numbers, other values and harmless text alone."""
    if not isinstance(value, str) or NUMBER_TEXT.match(value):
        return value
    escaped = _PIECE.sub(_escape_piece, value)
    # A leading tab or carriage return: some spreadsheets drop it and read what follows.
    return "'" + escaped if escaped.startswith(("\t", "\r")) else escaped


def unsafe_text(value: Any) -> Any:
    """Undo ``safe_text``: an exported file imported back gives the text that was exported."""
    if not isinstance(value, str) or "'" not in value:
        return value
    if value.startswith(("'\t", "'\r")):
        value = value[1:]
    return _ESCAPED.sub(r"\1", value)


def sheet_title(title: str) -> str:
    """Excel forbids \\ / ? * : [ ] in sheet titles (a name like «МБДОУ д/с № 5») and allows
    31 characters."""
    return re.sub(r"[\\/?*:\[\]]", " ", title)[:31].strip() or "Лист"


@dataclass(frozen=True)
class Cell:
    """A value with a background colour, a text colour (hex, no #) and a number format."""

    value: Any
    fill: str | None = None
    number_format: str | None = None
    color: str | None = None


def table_workbook(
    title: str,
    headers: Sequence[str],
    rows: Iterable[Sequence[Any]],
    *,
    widths: Sequence[int] | None = None,
    freeze: str = "A2",
) -> Workbook:
    """A workbook of one table sheet; ``add_table`` adds more."""
    book = Workbook()
    _fill_table(book.active, title, headers, rows, widths=widths, freeze=freeze)
    return book


def add_table(
    book: Workbook,
    title: str,
    headers: Sequence[str],
    rows: Iterable[Sequence[Any]],
    *,
    widths: Sequence[int] | None = None,
    freeze: str = "A2",
) -> Worksheet:
    sheet = book.create_sheet()
    _fill_table(sheet, title, headers, rows, widths=widths, freeze=freeze)
    return sheet


def _fill_table(sheet, title, headers, rows, *, widths, freeze) -> None:
    sheet.title = sheet_title(title)
    sheet.append([safe_text(h) for h in headers])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    fills: dict[str, PatternFill] = {}
    fonts: dict[str, Font] = {}
    for row in rows:
        values, styles = [], []
        for item in row:
            if isinstance(item, Cell):
                values.append(safe_text(item.value))
                styles.append(item)
            else:
                values.append(safe_text(item))
                styles.append(None)
        sheet.append(values)
        if any(styles):
            for cell, style in zip(sheet[sheet.max_row], styles, strict=False):
                if style is None:
                    continue
                if style.fill:
                    if style.fill not in fills:
                        fills[style.fill] = PatternFill(
                            "solid", start_color=style.fill, end_color=style.fill
                        )
                    cell.fill = fills[style.fill]
                if style.color:
                    cell.font = fonts.setdefault(style.color, Font(color=style.color))
                if style.number_format:
                    cell.number_format = style.number_format
    sheet.freeze_panes = freeze
    last = get_column_letter(max(len(headers), 1))
    sheet.auto_filter.ref = f"A1:{last}{max(sheet.max_row, 1)}"
    for index, header in enumerate(headers, start=1):
        width = widths[index - 1] if widths else min(max(len(str(header)), 10) + 2, 60)
        sheet.column_dimensions[get_column_letter(index)].width = width


def workbook_bytes(book: Workbook) -> bytes:
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
