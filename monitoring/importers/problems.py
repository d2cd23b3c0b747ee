"""Problems found while reading an export: what went wrong, how bad, and where in the file."""

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
    letter and ``header`` the column's header text as written in the file.
    """

    severity: Literal["error", "warning"]
    code: str
    message: str
    file: str
    sheet: str | None = None
    row: int | None = None
    column: str | None = None
    header: str | None = None

    def location(self) -> str:
        """``file:sheet:row:column``; parts that are unknown stay empty."""
        parts = (self.file, self.sheet, self.row, self.column)
        return ":".join("" if part is None else str(part) for part in parts)

    def as_line(self) -> str:
        return f"{self.location()}: {self.message}"
