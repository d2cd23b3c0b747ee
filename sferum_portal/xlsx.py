"""Excel exports: one builder for every table the portal lets people download.

Russian headers in bold on a frozen first row, an autofilter, sensible column widths, optional
cell colours, and text that could be read as a formula (=, +, -, @) escaped with a leading
apostrophe. Real numbers are written as numbers.
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


def safe_text(value: Any) -> Any:
    """Escape a string a spreadsheet would run as a formula; leave everything else alone."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS) and not NUMBER_TEXT.match(value):
        return "'" + value
    return value


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
