"""Writes files in the Sferum export's format, for tests, demo data and benchmarks.

A writer, not part of the import path: it may use openpyxl (write-only mode, so a 70,000-row
file is streamed). Rows are dicts keyed by canonical keys (see ``columns``) or by literal
header texts for extra columns.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Iterable, Mapping
from typing import IO, Any, Literal

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell

from .columns import HEADERS, SEED_COLUMNS


def write_export(
    target: str | os.PathLike | IO[bytes],
    rows: Iterable[Mapping[str, Any]],
    *,
    columns: list[str] | None = None,
    headers: dict[str, str] | None = None,
    title_rows: list[str] | None = None,
    sheet_name: str = "Статистика",
    date_as: Literal["excel", "text"] = "excel",
) -> None:
    """Write one sheet: optional title rows, the header row, then one row per dict.

    ``columns`` orders canonical keys (default: the seed's 22 columns, no staff_active); an
    entry that is not a canonical key is written as a header text as is, and its values are
    taken from the row under that same name. ``headers`` renames columns (to test aliases).
    ``date_as="excel"`` writes real Excel dates shown as ДД.ММ.ГГГГ, ``"text"`` writes text.
    """
    if date_as not in ("excel", "text"):
        raise ValueError(f"date_as must be 'excel' or 'text', not {date_as!r}")
    columns = list(SEED_COLUMNS if columns is None else columns)
    texts = {**HEADERS, **(headers or {})}
    book = Workbook(write_only=True)
    sheet = book.create_sheet(sheet_name)
    for title in title_rows or ():
        sheet.append([title])
    sheet.append([texts.get(column, column) for column in columns])
    for row in rows:
        sheet.append([_cell(sheet, row.get(column), date_as) for column in columns])
    book.save(target)


def _cell(sheet: Any, value: Any, date_as: str) -> Any:
    if not isinstance(value, dt.date):
        return value
    if date_as == "text":
        return value.strftime("%d.%m.%Y")
    cell = WriteOnlyCell(sheet, value)
    cell.number_format = "DD.MM.YYYY"
    return cell
