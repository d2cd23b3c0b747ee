"""Problems found while reading an export: what went wrong, how bad, where in the file, and
which organisation's row it concerns."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

ERROR = "error"
WARNING = "warning"


def grouped(number: int) -> str:
    """17179869184 -> "17 179 869 184", as Russian writes numbers in the
    importer's messages."""
    return f"{number:,}".replace(",", " ")


@dataclass(frozen=True, slots=True)
class Problem:
    """One error or warning, located as precisely as the file allows.

    ``row`` is the Excel row number (1-based, as Excel shows it), ``column`` the Excel column
    letter and ``header`` the column's header text as written in the file. A problem of a data
    row names the row's organisation as the file gives it: ``sferum_id`` (the ID as a number,
    or the cell's raw text when it is no readable ID) and ``organization`` (the «Краткое
    наименование» cell); both stay None for a problem of the file, a header or a row that is
    no organisation (a subtotal, a note).
    """

    severity: Literal["error", "warning"]
    code: str
    message: str
    file: str
    sheet: str | None = None
    row: int | None = None
    column: str | None = None
    header: str | None = None
    sferum_id: str | None = None
    organization: str | None = None

    def location(self) -> str:
        """``file:sheet:row:column``; parts that are unknown stay empty."""
        parts = (self.file, self.sheet, self.row, self.column)
        return ":".join("" if part is None else str(part) for part in parts)

    def as_line(self) -> str:
        return f"{self.location()}: {self.message}"


def organization_label(name: str | None, sferum_id: str | None) -> str:
    """«ОО «name», ID Сферум 123» for the organisation a problem concerns; "" for none."""
    if not name and not sferum_id:
        return ""
    named = f"ОО «{name}»" if name else "ОО без названия"
    return f"{named}, ID Сферум {sferum_id}" if sferum_id else named
