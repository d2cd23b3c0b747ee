"""The pure parser: raw sheets in, cleaned rows and located problems out.

No Django, no Excel library: a sheet is a name and an iterable of row tuples (``RawSheet``), so
tests can feed tuples directly. The parser finds the header row (or a two-level header: a row
of merged groups over its sub-headers, joined as «Учителя всего»), maps header texts to
canonical keys, cleans every cell with ``values``, rejects rows with errors, flags rows whose
numbers do not add up, and never turns a missing value into 0. Rows that are no organisation
(subtotals, notes and signatures under the table, a summary sheet's rows per МО) are skipped
with a warning each; a sheet whose rows carry no head count at all is a file-level error, never
an empty import.
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from operator import itemgetter
from typing import Any, NamedTuple

from . import values as v
from .columns import COUNT_COLUMNS, HEADERS, REQUIRED_COLUMNS, column_key, column_letter
from .problems import ERROR, WARNING, Problem, grouped

HEADER_SEARCH_ROWS = 30
# A row naming this many known columns is a header even when a required column is missing.
HEADER_LIKE_MIN_COLUMNS = 3
TOTALS_PREFIXES = ("итог", "всего")
# Excel's subtotals write «Липецк Итог» and «Общий итог» in the grouped column.
TOTALS_SUFFIXES = (" итог", " итого", " всего")
# Text under the table that is not an organisation: notes, who made the file, signatures.
NOTE_PREFIXES = (
    "примечани", "пояснени", "исполнител", "подпис", "ответственн", "составил", "руководител",
    "директор", "начальник", "специалист", "м.п", "мп ", "тел.", "тел:", "телефон", "e-mail",
    "источник", "дата",
    "_", "*",
)  # fmt: skip
# Sheet names of summaries (one row per МО, no organisation IDs).
SUMMARY_SHEET_WORDS = ("свод", "итог", "summary", "pivot")
# Uncalculated formula cells warned one by one, then counted in one more warning.
UNCALCULATED_SHOWN = 20
FILE_ERROR_CODES = frozenset({"header_not_found", "missing_columns", "no_figures"})


@dataclass(frozen=True, slots=True)
class RawSheet:
    """One sheet as the reader gives it: rows are tuples of Python values, None for empty.

    ``uncalculated`` is filled by the reader once the rows are read: (Excel row, 0-based
    column, formula) of formula cells saved without a calculated value, read as empty.
    """

    name: str
    rows: Iterable[Sequence[Any]]
    uncalculated: list[tuple[int, int, str]] = field(default_factory=list)


class ParsedRow(NamedTuple):
    """One organisation's statistics on one date, cleaned; counts are None when unknown.

    A named tuple, not a frozen dataclass: building one is a single tuple allocation, which
    matters at 70,000 rows a file. Change a row with ``row._replace(...)``.
    """

    sheet: str
    row: int
    date: dt.date
    sferum_id: int
    short_name: str
    municipality: str
    org_type: str = "other"
    org_type_raw: str | None = None
    region_name: str | None = None
    region_code: str | None = None
    link: str | None = None
    is_active: bool | None = None
    people_total: int | None = None
    teachers_total: int | None = None
    students_total: int | None = None
    parents_total: int | None = None
    registrations_total: int | None = None
    teachers_registered: int | None = None
    teachers_ejd: int | None = None
    students_registered: int | None = None
    students_ejd: int | None = None
    parents_registered: int | None = None
    parents_ejd: int | None = None
    students_active: int | None = None
    parents_active: int | None = None
    staff_active: int | None = None
    # The parser gives every row its own dict; only a row built by hand shares this empty one.
    extra: dict[str, Any] = {}
    flags: tuple[str, ...] = ()


@dataclass(slots=True)
class ParseStats:
    """Row counts of the taken sheets, for the import's summary."""

    rows_seen: int = 0  # rows below the header rows, blank ones included
    blank: int = 0
    totals_skipped: int = 0
    rejected: int = 0
    headers_repeated: int = 0  # the header row again further down (glued exports)
    not_data: int = 0  # rows that are no organisation: notes, signatures, summary rows
    taken: int = 0


@dataclass
class ParseResult:
    """Everything the parser found in one file; the database layer takes it from here.

    ``present_columns`` are the canonical keys some taken sheet has a column for: a key not in
    it means "no such column" (keep what the database has), a None in a row means "empty cell".
    ``unknown_columns`` are the header texts whose values went to ``ParsedRow.extra``.
    """

    file_name: str
    rows: list[ParsedRow] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    dates: list[dt.date] = field(default_factory=list)
    sheets: list[str] = field(default_factory=list)
    unknown_columns: list[str] = field(default_factory=list)
    present_columns: set[str] = field(default_factory=set)
    rejected_rows: list[tuple[str, int]] = field(default_factory=list)  # (sheet, Excel row)
    stats: ParseStats = field(default_factory=ParseStats)
    # (sheet, canonical key) -> (column letter, header text): where a later check of a row's
    # value (the registry's) locates its problem.
    columns: dict[tuple[str, str], tuple[str, str]] = field(default_factory=dict)

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == ERROR]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == WARNING]

    @property
    def has_errors(self) -> bool:
        return any(p.severity == ERROR for p in self.problems)

    @property
    def file_error(self) -> bool:
        """The file as a whole is unusable (no header, or no head count in any row)."""
        return any(p.code in FILE_ERROR_CODES for p in self.problems)


_FIELDS = ParsedRow._fields
_SLOT = {name: i for i, name in enumerate(_FIELDS)}
_TEMPLATE = [ParsedRow._field_defaults.get(name) for name in _FIELDS]
_ROW, _DATE, _SFERUM_ID = _SLOT["row"], _SLOT["date"], _SLOT["sferum_id"]
_EXTRA, _FLAGS = _SLOT["extra"], _SLOT["flags"]
# The counts are neighbours in ParsedRow, so a row's counts are written with one slice.
_COUNT_SPAN = slice(_SLOT[COUNT_COLUMNS[0]], _SLOT[COUNT_COLUMNS[-1]] + 1)
assert _FIELDS[_COUNT_SPAN] == COUNT_COLUMNS
_NONE = (None,)


def _count_getters(counts: list[tuple[int, int, str]]) -> tuple[Callable, Callable]:
    """Two C-speed gathers: the count cells of a row (file order), and those values (plus
    None for absent columns) in ParsedRow's order."""
    indexes = [index for index, _, _ in counts]
    cells = itemgetter(*indexes) if indexes else (lambda row: ())
    if len(indexes) == 1:  # itemgetter of one index returns the item, not a tuple
        cells = (lambda get: lambda row: (get(row),))(cells)
    position = {slot: i for i, (_, slot, _) in enumerate(counts)}
    order = [position.get(slot, len(counts)) for slot in range(_COUNT_SPAN.start, _COUNT_SPAN.stop)]
    return cells, itemgetter(*order)


_UNIQUE_TEXT = ("short_name", "sferum_id", "link")  # values that rarely repeat: no cache
_CACHE_SIZE = 512
_MISS = object()
_INTS, _FLOATS = {int}, {float}
_CLEANERS: dict[str, Callable[[Any], Any]] = {
    "date": v.clean_date,
    "sferum_id": v.clean_sferum_id,
    "org_type": v.clean_org_type,
    "region_name": v.clean_text,
    "region_code": v.clean_region_code,
    "link": v.clean_link,
    "is_active": v.clean_is_active,
    **dict.fromkeys(COUNT_COLUMNS, v.clean_count),
}


def _cleaner(key: str, header_text: str) -> Callable[[Any], Any]:
    """The cleaner of a column; required text names its column when the cell is empty."""
    if key in ("short_name", "municipality"):
        return v.required_text(header_text)
    return _CLEANERS[key]


# (code, key that is too big, key it is compared with, message template)
_ABOVE_CHECKS = (
    ("registered_above_total", "teachers_registered", "teachers_total",
     "Зарегистрированных учителей ({a}) больше, чем учителей в школе всего ({b})"),
    ("registered_above_total", "students_registered", "students_total",
     "Зарегистрированных учеников ({a}) больше, чем учеников в школе всего ({b})"),
    ("registered_above_total", "parents_registered", "parents_total",
     "Зарегистрированных родителей ({a}) больше, чем родителей в школе всего ({b})"),
    ("active_above_registered", "students_active", "students_registered",
     "Активных учеников ({a}) больше, чем зарегистрированных ({b})"),
    ("active_above_registered", "parents_active", "parents_registered",
     "Активных родителей ({a}) больше, чем зарегистрированных ({b})"),
    ("active_above_registered", "staff_active", "teachers_registered",
     "Активных сотрудников ({a}) больше, чем зарегистрированных учителей ({b})"),
)  # fmt: skip
# (code, total key, part keys, message template)
_SUM_CHECKS = (
    ("people_total_mismatch", "people_total",
     ("teachers_total", "students_total", "parents_total"),
     "Учителей, учеников и родителей в школе всего ({total}) не равно сумме учителей, "
     "учеников и родителей ({parts} = {sum})"),
    ("registrations_total_mismatch", "registrations_total",
     ("teachers_registered", "students_registered", "parents_registered"),
     "Регистраций в школе всего ({total}) не равно сумме зарегистрированных учителей, "
     "учеников и родителей ({parts} = {sum})"),
)  # fmt: skip


def _quality_checks(present: Iterable[str]) -> tuple[list, list]:
    """The checks a sheet can make: only those whose columns are all in it."""
    present = set(present)
    sums = [
        (code, _SLOT[total], tuple(_SLOT[k] for k in parts), template, total)
        for code, total, parts, template in _SUM_CHECKS
        if {total, *parts} <= present
    ]
    aboves = [
        (code, _SLOT[big], _SLOT[small], template, big)
        for code, big, small, template in _ABOVE_CHECKS
        if {big, small} <= present
    ]
    return sums, aboves


def _quality_problems(values: list, sums: list, aboves: list) -> list[tuple[str, str, str]]:
    """(flag code, message, key to point at) for the numbers of a row that disagree.

    Checked only when every number involved is there: no data is not a mismatch.
    """
    found = []
    for code, total_slot, (a, b, c), template, key in sums:
        total = values[total_slot]
        try:
            parts = values[a] + values[b] + values[c]
        except TypeError:  # a part is None: no data
            continue
        if total != parts and total is not None:
            text = f"{values[a]} + {values[b]} + {values[c]}"
            found.append((code, template.format(total=total, parts=text, sum=parts), key))
    for code, big_slot, small_slot, template, key in aboves:
        big, small = values[big_slot], values[small_slot]
        if big is not None and small is not None and big > small:
            found.append((code, template.format(a=big, b=small), key))
    return found


def _jsonable(value: Any) -> Any:
    """A cell value as JSON can hold it, the same whichever reader produced it."""
    kind = type(value)
    if kind is float:
        if value.is_integer():
            return int(value)
        return value if value == value and abs(value) != float("inf") else str(value)
    if kind is dt.datetime:
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat()
    if isinstance(value, (dt.date, dt.time)):
        return value.isoformat()
    if isinstance(value, dt.timedelta):
        return str(value)
    return value


def _header_text(value: Any) -> str:
    return v.clean_text(value) or ""


@dataclass
class _Header:
    number: int
    keys: dict[str, int]  # canonical key -> column index (first one wins)
    others: list[tuple[int, str]]  # unknown or repeated columns: (index, header text)
    texts: dict[int, str]  # column index -> header text as in the file
    width: int

    def add(self, index: int, text: str) -> None:
        """Column ``index`` is headed ``text``: a known column (the first one of a key wins)
        or another one."""
        self.texts[index] = text
        key = column_key(text)
        if key is None or key in self.keys:
            self.others.append((index, text))
        else:
            self.keys[key] = index


def _read_header(cells: Sequence[Any], number: int) -> _Header:
    header = _Header(number, {}, [], {}, len(cells))
    for index, cell in enumerate(cells):
        text = _header_text(cell)
        if text:
            header.add(index, text)
    return header


def _joined_header(group: Sequence[Any], sub: Sequence[Any], number: int) -> _Header:
    """The header of a two-level layout: a group row («Учителя», merged across its columns)
    over the row of sub-headers («всего», «зарегистрировано»…), read as «Учителя всего».

    A merged cell's value is only in its first column: the group is carried right over the
    columns whose group cell is empty and whose sub-header is not. A column takes the first of
    «group sub», «sub», «group» that names a known column.
    """
    width = max(len(group), len(sub))
    header = _Header(number, {}, [], {}, width)
    carried = ""
    for index in range(width):
        top = _header_text(group[index]) if index < len(group) else ""
        low = _header_text(sub[index]) if index < len(sub) else ""
        if top:
            carried = top if low else ""
        elif low:
            top = carried
        else:
            carried = ""
        candidates = (f"{top.rstrip(':')} {low}", low, top) if top and low else (top or low,)
        if not candidates[0]:
            continue
        header.add(index, next((c for c in candidates if column_key(c) is not None), candidates[0]))
    return header


def _sub_headers(cells: Sequence[Any], header: _Header) -> bool:
    """A row of text only, under the header's groups, with no required cell: sub-headers we
    do not know, kept as «group sub» so that the messages name them so."""
    texts = [cell for cell in cells if not v.is_empty(cell)]
    required = [header.keys[key] for key in REQUIRED_COLUMNS]
    return (
        bool(texts)
        and all(type(cell) is str for cell in texts)
        and all(index >= len(cells) or v.is_empty(cells[index]) for index in required)
    )


def _is_header(header: _Header) -> bool:
    return all(key in header.keys for key in REQUIRED_COLUMNS)


def _label(cells: Sequence[Any]) -> str:
    """The row's first text, quoted in the message about a skipped row."""
    for cell in cells:
        if type(cell) is str and cell.strip():
            text = " ".join(cell.split())
            return text if len(text) <= 60 else text[:60] + "…"
    return ""


class _SheetParser:
    """Parses one sheet into the shared result; one instance per sheet."""

    def __init__(self, result: ParseResult, name: str, seen: dict[tuple[int, dt.date], int]):
        self.result = result
        self.name = name
        self.seen = seen  # (sferum_id, date) -> position in result.rows of its first row
        self.best: _Header | None = None  # the most header-like row, for the file's error
        self.empty = True
        self.repeated: dict[tuple, list[int]] = {}  # doubtful value -> [problem index, count]
        self.header_number: int | None = None
        self.texts: dict[int, str] = {}
        # Where the rows being parsed keep their organisation: the name and ID columns.
        self.owner_columns: tuple[int, int] | None = None
        self.summary_sheet = any(word in name.lower() for word in SUMMARY_SHEET_WORDS)

    def problem(
        self, severity, code, message, row=None, index=None, header=None, cells=None, owner=None
    ) -> None:
        """Record a problem; ``cells`` (a data row's raw cells) or ``owner`` ((Sferum ID,
        name) already known) name the row's organisation."""
        column = None if index is None else column_letter(index)
        if owner is None and cells is not None:
            owner = self.owner(cells)
        sferum_id, organization = owner or (None, None)
        self.result.problems.append(
            Problem(
                severity,
                code,
                message,
                self.result.file_name,
                self.name,
                row,
                column,
                header,
                sferum_id,
                organization,
            )
        )

    def owner(self, cells) -> tuple[str | None, str | None]:
        """(Sferum ID, name) of a data row's organisation as its cells give them, even when the
        row does not parse: the ID as a number, or the raw text of an unreadable one."""
        if self.owner_columns is None:
            return None, None
        name_index, id_index = self.owner_columns
        raw_id = cells[id_index] if id_index < len(cells) else None
        raw_name = cells[name_index] if name_index < len(cells) else None
        sferum_id = None
        if not v.is_empty(raw_id):
            try:
                sferum_id = str(v.clean_sferum_id(raw_id))
            except (v.CellError, v.CellWarning):
                sferum_id = " ".join(v.shown(raw_id).split())[:100]
        name = None if v.is_empty(raw_name) else " ".join(v.shown(raw_name).split())[:300]
        return sferum_id, name

    def parse(self, rows: Iterable[Sequence[Any]]) -> bool:
        """Parse the sheet; False when it has no header row (nothing is recorded then)."""
        found = self.find_header(iter(rows))
        if found is None:
            return False
        header, iterator = found
        self.result.sheets.append(self.name)
        self.result.present_columns.update(header.keys)
        self.result.columns.update(
            {(self.name, k): (column_letter(i), header.texts[i]) for k, i in header.keys.items()}
        )
        if "org_type" in header.keys:
            self.result.present_columns.add("org_type_raw")
        extras = self.extra_columns(header)
        first_row = len(self.result.rows)
        self.parse_rows(iterator, header, extras)
        self.count_repeated()
        self.no_figures(header, first_row)
        return True

    def finish(self, sheet: RawSheet) -> None:
        """After the rows are read: warn about the formula cells that have no value."""
        cells = sheet.uncalculated
        header = self.header_number
        if not cells or header is None:
            return
        below = [cell for cell in cells if cell[0] > header]
        shown_rows = {row for row, _, _ in below[:UNCALCULATED_SHOWN]}
        owners = {
            parsed.row: (str(parsed.sferum_id), parsed.short_name)
            for parsed in self.result.rows
            if parsed.sheet == self.name and parsed.row in shown_rows
        }
        for row, index, formula in below[:UNCALCULATED_SHOWN]:
            self.problem(
                WARNING,
                "uncalculated_formula",
                f"В ячейке {column_letter(index)}{row} формула «={formula}» без вычисленного "
                "значения — прочитана как «нет данных». Откройте файл в Excel или LibreOffice, "
                "сохраните его (значения формул будут вычислены) и загрузите ещё раз",
                row,
                index,
                self.texts.get(index),
                owner=owners.get(row),
            )
        if len(below) > UNCALCULATED_SHOWN:
            self.problem(
                WARNING,
                "uncalculated_formula",
                f"Ещё ячеек с формулами без вычисленных значений: "
                f"{grouped(len(below) - UNCALCULATED_SHOWN)}; они прочитаны как «нет "
                "данных». Откройте файл в Excel или LibreOffice, "
                "сохраните его и загрузите ещё раз",
            )

    def find_header(self, rows: Iterator[Sequence[Any]]) -> tuple[_Header, Iterator] | None:
        previous: Sequence[Any] | None = None  # the last row with text: a group row, maybe
        for number, cells in enumerate(rows, 1):
            header = _read_header(cells, number)
            if previous is not None:
                joined = _joined_header(previous, cells, number)
                if len(joined.keys) > len(header.keys) and _is_header(joined):
                    header = joined
            if _is_header(header):
                # This row may be the group row of a two-level header: try it with the next.
                following = next(rows, None)
                if following is not None:
                    joined = _joined_header(cells, following, number + 1)
                    # Only a row of text with no required cell: a data row whose value reads
                    # as a header («Активна») must not become part of the header.
                    if len(joined.keys) >= len(header.keys) and _sub_headers(following, header):
                        return self.found(joined, rows)
                    rows = itertools.chain((following,), rows)
                return self.found(header, rows)
            if any(not v.is_empty(cell) for cell in cells):
                self.empty = False
                previous = cells
            if header.keys and (self.best is None or len(header.keys) > len(self.best.keys)):
                self.best = header
            if number >= HEADER_SEARCH_ROWS:
                break
        return None

    def found(self, header: _Header, rows: Iterator) -> tuple[_Header, Iterator]:
        self.header_number, self.texts = header.number, header.texts
        return header, rows

    def no_figures(self, header: _Header, first_row: int) -> None:
        """A sheet whose rows would write no head count at all is an error, not an empty import:
        its count columns have other names than we know, or every count cell is empty."""
        rows = self.result.rows[first_row:]
        if not rows:
            return
        span = _COUNT_SPAN
        if any(value is not None for row in rows for value in row[span]):
            return
        known = [key for key in COUNT_COLUMNS if key in header.keys]
        if known:
            named = ", ".join(
                f"«{header.texts[i]}» ({column_letter(i)})" for i in (header.keys[k] for k in known)
            )
            reason = f"все ячейки столбцов с количествами пусты: {named}"
        else:
            others = ", ".join(f"«{text}» ({column_letter(i)})" for i, text in header.others)
            reason = "не найден ни один столбец с количествами (например, «Учителей в школе всего»)"
            if others:
                reason += f"; нераспознанные столбцы: {others}"
        self.problem(
            ERROR,
            "no_figures",
            f"Файл «{self.result.file_name}», лист «{self.name}»: ни в одной строке нет ни одного "
            f"показателя — {reason}. Файл не загружен: проверьте строку заголовков",
            header.number,
        )

    def extra_columns(self, header: _Header) -> list[tuple[int, str]]:
        """Warn once about unknown and repeated columns; return (index, extra key) to keep."""
        keep: list[tuple[int, str]] = []
        unknown: list[str] = []
        for index, text in header.others:
            letter = column_letter(index)
            key = column_key(text)
            if key is None:
                unknown.append(f"«{text}» ({letter})")
            else:
                first = header.keys[key]
                self.problem(
                    WARNING,
                    "duplicate_column",
                    f"Столбец «{text}» ({letter}) повторяет столбец «{header.texts[first]}» "
                    f"({column_letter(first)}): используется первый, значения второго сохранены "
                    "как дополнительные",
                    header.number,
                    index,
                    text,
                )
            name = text if all(text != kept for _, kept in keep) else f"{text} ({letter})"
            keep.append((index, name))
            if name not in self.result.unknown_columns:
                self.result.unknown_columns.append(name)
        if unknown:
            only = header.others[0] if len(header.others) == 1 else (None, None)
            self.problem(
                WARNING,
                "unknown_columns",
                f"Неизвестные столбцы: {', '.join(unknown)} — их значения сохранены как "
                "дополнительные, но в показателях не используются",
                header.number,
                *only,
            )
        return keep

    def build_plan(self, header: _Header) -> tuple[list, list, list]:
        """Cleaners per column, built once per sheet and split by how they run in the loop.

        ``cached``: (index, slot, cleaner, text, cache) for columns whose values repeat down
        the sheet (date, МО, type…), cleaned once per distinct value; ``called``: (index,
        slot, cleaner, text) for the rest; ``counts``: (index, slot, text) for head counts.
        """
        cached, called, counts = [], [], []
        for key, index in header.keys.items():
            text = header.texts[index]
            slot = _SLOT[key]
            if key in COUNT_COLUMNS:
                counts.append((index, slot, text))
            elif key in _UNIQUE_TEXT:
                called.append((index, slot, _cleaner(key, text), text))
            else:
                cached.append((index, slot, _cleaner(key, text), text, {}))
            if key == "org_type":
                cached.append((index, _SLOT["org_type_raw"], v.clean_text, text, {}))
        return cached, called, counts

    def parse_rows(self, rows, header: _Header, extras: list[tuple[int, str]]) -> None:
        result, stats, seen, name = self.result, self.result.stats, self.seen, self.name
        cached, called, counts = self.build_plan(header)
        count_cells, spread = _count_getters(counts)
        sums, aboves = _quality_checks(header.keys)
        width = header.width
        unnamed = [index for index in range(width) if index not in header.texts]
        name_index, id_index = header.keys["short_name"], header.keys["sferum_id"]
        self.owner_columns = (name_index, id_index)
        date_index = header.keys["date"]
        required = [header.keys[key] for key in REQUIRED_COLUMNS]
        template = list(_TEMPLATE)
        template[_SLOT["sheet"]] = name
        number = header.number
        for number, cells in enumerate(rows, header.number + 1):
            for first in cells:
                if first is not None and (type(first) is not str or first.strip()):
                    break
            else:
                stats.blank += 1
                continue
            size = len(cells)
            if size < width:
                cells = (*cells, *((None,) * (width - size)))
            label = cells[name_index]
            if (type(first) is str and first.lstrip()[:5].lower().startswith(TOTALS_PREFIXES)) or (
                type(label) is str and label.lstrip()[:5].lower().startswith(TOTALS_PREFIXES)
            ):
                self.skipped_totals(cells, number)
                continue
            date_cell, id_cell = cells[date_index], cells[id_index]
            if (
                date_cell is None
                or type(date_cell) is str
                or id_cell is None
                or type(id_cell) is str
            ) and self.is_not_data(cells, number, required):
                continue
            values = template.copy()
            values[_ROW] = number
            failed = False
            for index, slot, clean, text, cache in cached:
                cell = cells[index]
                value = cache.get(cell, _MISS)
                if value is _MISS:
                    try:
                        value = clean(cell)
                    except v.CellError as error:
                        self.problem(ERROR, error.code, error.message, number, index, text, cells)
                        failed = True
                        continue
                    except v.CellWarning as warning:
                        value = warning.value
                        self.repeated_warning(warning, number, index, text, cells)
                    else:  # text only: 1 == 1.0 == True would share an entry
                        if (cell is None or type(cell) is str) and len(cache) < _CACHE_SIZE:
                            cache[cell] = value
                values[slot] = value
            for index, slot, clean, text in called:
                try:
                    values[slot] = clean(cells[index])
                except v.CellError as error:
                    self.problem(ERROR, error.code, error.message, number, index, text, cells)
                    failed = True
                except v.CellWarning as warning:  # a link that is not http(s): dropped
                    values[slot] = warning.value
                    owner = self.organization(cells, name_index, id_index)
                    self.problem(
                        WARNING,
                        warning.code,
                        f"{warning.message} ({owner})",
                        number,
                        index,
                        text,
                        cells,
                    )
            if counts:
                # Fast path: every count is a non-negative whole number (int from openpyxl,
                # float from calamine); anything else goes through clean_count cell by cell.
                found = count_cells(cells)
                kinds = set(map(type, found))
                if kinds == _INTS and min(found) >= 0:
                    values[_COUNT_SPAN] = spread(found + _NONE)
                elif kinds == _FLOATS and min(found) >= 0 and all(map(float.is_integer, found)):
                    values[_COUNT_SPAN] = spread((*map(int, found), None))
                else:
                    failed = self.clean_counts(found, counts, values, number, cells) or failed
            extra = {}
            for index, key in extras:
                value = cells[index]
                if value is not None and (type(value) is not str or value.strip()):
                    extra[key] = _jsonable(value)
            if unnamed or size > width:
                self.keep_unnamed(cells, unnamed + list(range(width, size)), extra, number)
            if failed:
                stats.rejected += 1
                result.rejected_rows.append((name, number))
                continue
            identity = (values[_SFERUM_ID], values[_DATE])
            first_seen = seen.get(identity)
            if first_seen is not None:
                self.duplicate(identity, result.rows[first_seen], number, id_index, header, cells)
                stats.rejected += 1
                result.rejected_rows.append((name, number))
                continue
            seen[identity] = len(result.rows)
            values[_EXTRA] = extra
            if sums or aboves:
                found_problems = _quality_problems(values, sums, aboves)
                if found_problems:
                    values[_FLAGS] = self.flag(found_problems, number, header, cells)
            result.rows.append(ParsedRow._make(values))
        stats.rows_seen += number - header.number

    @staticmethod
    def organization(cells, name_index: int, id_index: int) -> str:
        """The row's organisation as a message names it, from the raw cells."""
        name, sferum_id = cells[name_index], cells[id_index]
        named = f"ОО «{v.shown(name)}»" if not v.is_empty(name) else "ОО без названия"
        return f"{named}, ID {v.shown(sferum_id)}" if not v.is_empty(sferum_id) else named

    def clean_counts(self, found: tuple, counts: list, values: list, number: int, cells) -> bool:
        """The slow path for a row's counts; True when a count is wrong."""
        failed = False
        for cell, (index, slot, text) in zip(found, counts, strict=True):
            try:
                values[slot] = v.clean_count(cell)
            except v.CellError as error:
                self.problem(ERROR, error.code, error.message, number, index, text, cells)
                failed = True
            except v.CellWarning as warning:
                values[slot] = warning.value
                self.problem(WARNING, warning.code, warning.message, number, index, text, cells)
        return failed

    def skipped_totals(self, cells, number: int) -> None:
        self.result.stats.totals_skipped += 1
        self.problem(
            WARNING,
            "totals_row",
            f"Строка пропущена: это итоговая строка («{_label(cells)}»), а не организация",
            number,
        )

    def is_not_data(self, cells, number: int, required: list[int]) -> bool:
        """A repeated header row, a row with none of the required cells, or a row without an
        ID that is no organisation: a subtotal («Липецк Итог»), a note, a signature, a date
        line, a summary sheet's row per МО. A row that names an organisation but has no ID
        stays a row error."""
        date_cell = cells[required[0]]
        if (
            type(date_cell) is str
            and not date_cell.lstrip()[:1].isdigit()
            and column_key(date_cell) == "date"
            and column_key(cells[required[-1]]) == "sferum_id"
        ):
            self.result.stats.headers_repeated += 1
            return True
        if all(v.is_empty(cells[index]) for index in required):
            self.problem(
                WARNING,
                "not_a_data_row",
                "Строка пропущена: в ней нет даты, названия, МО и ID организации",
                number,
            )
            self.result.stats.not_data += 1
            return True
        id_cell = cells[required[-1]]
        if not v.is_empty(id_cell):
            return False
        texts = [" ".join(c.lower().split()) for c in cells if type(c) is str and c.strip()]
        if any(t.startswith(TOTALS_PREFIXES) or t.endswith(TOTALS_SUFFIXES) for t in texts):
            self.skipped_totals(cells, number)
            return True
        name = cells[required[1]]
        if v.is_empty(name) or self.summary_sheet:
            why = "строка свода без ID организации" if self.summary_sheet else "нет названия и ID"
        elif type(name) is str and _is_note(name):
            why = "примечание или подпись под таблицей"
        else:
            return False
        label = _label(cells)
        self.problem(
            WARNING,
            "not_a_data_row",
            f"Строка пропущена: это не строка организации ({why})"
            + (f": «{label}»" if label else ""),
            number,
        )
        self.result.stats.not_data += 1
        return True

    def keep_unnamed(self, cells, indexes: list[int], extra: dict, number: int) -> None:
        """Values in columns without a header text are kept too, as «Столбец X»."""
        for index in indexes:
            value = cells[index]
            if v.is_empty(value):
                continue
            letter = column_letter(index)
            key = f"Столбец {letter}"
            extra[key] = _jsonable(value)
            if key not in self.result.unknown_columns:
                self.result.unknown_columns.append(key)
                self.problem(
                    WARNING,
                    "unnamed_column",
                    f"У столбца {letter} нет заголовка — его значения сохранены как «{key}», "
                    "но в показателях не используются",
                    number,
                    index,
                )

    def repeated_warning(
        self, warning: v.CellWarning, number: int, index: int, header: str, cells=None
    ):
        """One warning per distinct doubtful value and column, with how many rows have it; it
        is located at (and names the organisation of) the first of those rows."""
        key = (warning.code, index, warning.message)
        counter = self.repeated.get(key)
        if counter is None:
            self.problem(WARNING, warning.code, warning.message, number, index, header, cells)
            self.repeated[key] = [len(self.result.problems) - 1, 1]
        else:
            counter[1] += 1

    def count_repeated(self) -> None:
        problems = self.result.problems
        for position, count in self.repeated.values():
            if count > 1:
                problem = problems[position]
                message = f"{problem.message} (строк с таким значением: {count})"
                problems[position] = replace(problem, message=message)

    def duplicate(
        self, identity, first_seen: ParsedRow, number: int, id_index: int, header, cells=None
    ):
        sferum_id, date = identity
        where = f"строке {first_seen.row}"
        if first_seen.sheet != self.name:
            where += f" листа «{first_seen.sheet}»"
        self.problem(
            ERROR,
            "duplicate_row",
            f"Организация с ID {sferum_id} на дату {date:%d.%m.%Y} уже есть в {where} — "
            "повторная строка не загружена",
            number,
            id_index,
            header.texts[id_index],
            cells,
        )

    def flag(
        self, found: list[tuple[str, str, str]], number: int, header: _Header, cells=None
    ) -> tuple:
        """Warn about each disagreement of a kept row; return the row's flag codes."""
        flags: list[str] = []
        for code, message, key in found:
            index = header.keys.get(key)
            text = None if index is None else header.texts[index]
            self.problem(WARNING, code, message, number, index, text, cells)
            if code not in flags:
                flags.append(code)
        return tuple(flags)


def _is_note(text: str) -> bool:
    """A note, a signature or a date line written in the name column."""
    folded = text.strip().lower()
    if folded.startswith(NOTE_PREFIXES):
        return True
    try:
        v.clean_date(folded)
    except v.CellError:
        return False
    return True


def _expected_columns() -> str:
    return ", ".join(f"«{HEADERS[key]}»" for key in REQUIRED_COLUMNS)


def _missing_header_problem(file_name: str, best: tuple[str, _Header] | None) -> Problem:
    header = best[1] if best else None
    missing = [key for key in REQUIRED_COLUMNS if header is None or key not in header.keys]
    names = ", ".join(f"«{HEADERS[key]}»" for key in missing)
    if header is not None and len(header.keys) >= HEADER_LIKE_MIN_COLUMNS:
        word = "обязательного столбца" if len(missing) == 1 else "обязательных столбцов"
        return Problem(
            ERROR,
            "missing_columns",
            f"В строке заголовков нет {word} {names} — файл не загружен. "
            f"Нужны столбцы {_expected_columns()}",
            file_name,
            best[0],
            header.number,
        )
    return Problem(
        ERROR,
        "header_not_found",
        f"Не найдена строка заголовков: нет столбцов {names} в первых {HEADER_SEARCH_ROWS} "
        f"строках ни одного листа. Нужны столбцы {_expected_columns()}",
        file_name,
    )


def parse_workbook(sheets: Iterable[RawSheet], *, file_name: str) -> ParseResult:
    """Parse every sheet that has a header row; see the module docstring for the rules."""
    result = ParseResult(file_name=file_name)
    seen: dict[tuple[int, dt.date], int] = {}
    best: tuple[str, _Header] | None = None
    for sheet in sheets:
        parser = _SheetParser(result, sheet.name, seen)
        if parser.parse(sheet.rows):
            parser.finish(sheet)
            continue
        if parser.best is not None and (best is None or len(parser.best.keys) > len(best[1].keys)):
            best = (sheet.name, parser.best)
        if not parser.empty:
            parser.problem(
                WARNING,
                "sheet_skipped",
                f"Лист «{sheet.name}» пропущен: в первых {HEADER_SEARCH_ROWS} строках нет строки "
                f"заголовков со столбцами {_expected_columns()}",
            )
    if not result.sheets:
        # One error for the whole file; "sheet skipped" warnings would only repeat it.
        result.problems = [_missing_header_problem(file_name, best)]
    result.stats.taken = len(result.rows)
    result.dates = sorted({row.date for row in result.rows})
    return result
