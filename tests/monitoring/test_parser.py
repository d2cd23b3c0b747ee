"""The pure parser: header detection, aliases, row errors with their cells, flags, no zeros.

Most tests feed row tuples straight to the parser (it needs no file); the ones about title rows
and dates written by Excel go through a real workbook written by export_writer.
"""

import datetime as dt
import subprocess
import sys
from pathlib import Path

import pytest

from monitoring.importers.columns import (
    ALL_COLUMNS,
    COUNT_COLUMNS,
    SEED_COLUMNS,
    SEED_HEADERS,
    column_key,
    column_letter,
    normalize_header,
)
from monitoring.importers.export_writer import write_export
from monitoring.importers.parser import ParsedRow, ParseResult, RawSheet, parse_workbook
from monitoring.importers.problems import Problem
from monitoring.importers.reader import read_sheets

FILE = "stat.xlsx"
DATE = dt.date(2025, 10, 30)

# The seed's sample row (seed 003, question 6), with a real ID instead of its "XXXX".
SEED_ROW = {
    "date": DATE,
    "short_name": "МАОУ СШ",
    "org_type": "Общеобраз.",
    "municipality": "Липецк",
    "region_name": "Липецкая",
    "region_code": 48,
    "link": None,
    "sferum_id": 700037,
    "is_active": "Активна",
    "people_total": 3293,
    "teachers_total": 107,
    "students_total": 1593,
    "parents_total": 1593,
    "registrations_total": 263,
    "teachers_registered": 92,
    "teachers_ejd": 11,
    "students_registered": 151,
    "students_ejd": 3,
    "parents_registered": 20,
    "parents_ejd": 11,
    "students_active": 58,
    "parents_active": 54,
}
# The same school with numbers that agree, for tests about something else.
CLEAN_ROW = {**SEED_ROW, "parents_active": 15}


def org(sferum_id: int = 700037, **changes) -> dict:
    return {**CLEAN_ROW, "sferum_id": sferum_id, **changes}


def table(rows, columns=SEED_COLUMNS, *, headers=None, above=()) -> list[tuple]:
    """Title rows, the header row, then each row dict as a tuple in ``columns`` order."""
    texts = {**SEED_HEADERS, "staff_active": "Активные учителя", **(headers or {})}
    lines = [tuple(line) if isinstance(line, (list, tuple)) else (line,) for line in above]
    lines.append(tuple(texts.get(column, column) for column in columns))
    for row in rows:
        lines.append(row if isinstance(row, tuple) else tuple(row.get(c) for c in columns))
    return lines


def parse(*sheets) -> ParseResult:
    """Parse sheets given as row lists (named "Статистика", "Лист2"…) or as RawSheets."""
    raw = [
        sheet if isinstance(sheet, RawSheet) else RawSheet(f"Лист{i}" if i else "Статистика", sheet)
        for i, sheet in enumerate(sheets)
    ]
    return parse_workbook(raw, file_name=FILE)


def only(problems: list[Problem]) -> Problem:
    assert len(problems) == 1, [p.as_line() for p in problems]
    return problems[0]


# --- the seed's sample ----------------------------------------------------------------------------


def test_the_seed_sample_row_is_kept_with_a_flag_and_no_error():
    result = parse(table([SEED_ROW]))

    assert not result.has_errors
    (row,) = result.rows
    assert (row.sheet, row.row, row.date, row.sferum_id) == ("Статистика", 2, DATE, 700037)
    assert (row.short_name, row.municipality, row.region_name) == ("МАОУ СШ", "Липецк", "Липецкая")
    assert (row.org_type, row.org_type_raw, row.region_code) == ("ou", "Общеобраз.", "48")
    assert (row.link, row.is_active) == (None, True)
    assert (row.people_total, row.teachers_total, row.students_total) == (3293, 107, 1593)
    assert (row.parents_total, row.registrations_total, row.teachers_registered) == (1593, 263, 92)
    assert (row.teachers_ejd, row.students_registered, row.students_ejd) == (11, 151, 3)
    assert (row.parents_registered, row.parents_ejd) == (20, 11)
    assert (row.students_active, row.parents_active, row.staff_active) == (58, 54, None)
    assert row.flags == ("active_above_registered",)
    assert row.extra == {}
    warning = only(result.warnings)
    assert warning.code == "active_above_registered"
    assert warning.message == "Активных родителей (54) больше, чем зарегистрированных (20)"
    assert (warning.sheet, warning.row, warning.column) == ("Статистика", 2, "V")
    assert warning.header == "Активные родители"
    assert warning.as_line() == (
        "stat.xlsx:Статистика:2:V: Активных родителей (54) больше, чем зарегистрированных (20)"
    )


def test_the_result_lists_dates_sheets_present_columns_and_stats():
    rows = [org(1, date=dt.date(2025, 11, 6)), org(2), org(1)]
    result = parse(table(rows))

    assert result.dates == [DATE, dt.date(2025, 11, 6)]
    assert result.sheets == ["Статистика"]
    assert result.present_columns == set(SEED_COLUMNS) | {"org_type_raw"}
    assert "staff_active" not in result.present_columns
    assert result.stats.rows_seen == 3 and result.stats.taken == 3
    assert not result.file_error and result.problems == []


def test_parsed_rows_are_read_only_and_equal_to_rows_built_by_hand():
    (row,) = parse(table([CLEAN_ROW])).rows

    with pytest.raises(AttributeError):
        row.teachers_total = 0
    assert type(row) is ParsedRow
    assert row == ParsedRow(**row._asdict())
    assert row._replace(teachers_total=1).teachers_total == 1


# --- header detection -----------------------------------------------------------------------------


def test_title_rows_above_the_header_are_skipped(tmp_path):
    path = tmp_path / FILE
    titles = ["Статистика Сферум по Липецкой области", "на 30.10.2025"]
    write_export(path, [CLEAN_ROW], title_rows=titles)

    result = parse_workbook(read_sheets(path, file_name=FILE), file_name=FILE)

    assert result.problems == []
    assert [(row.row, row.sferum_id) for row in result.rows] == [(4, 700037)]


def test_title_rows_with_several_cells_are_not_taken_for_the_header():
    above = [("Мониторинг", "Дата", "МО"), (), ("Сформировано", DATE)]
    result = parse(table([CLEAN_ROW], above=above))

    assert not result.has_errors
    assert result.rows[0].row == 5


def test_a_sheet_without_a_header_is_skipped_with_a_warning_and_the_other_is_taken():
    notes = [("Пояснения к выгрузке",), ("Родители считаются как 1 ученик = 1 родитель",)]
    result = parse(table([CLEAN_ROW]), notes)

    assert result.sheets == ["Статистика"]
    assert len(result.rows) == 1
    warning = only(result.warnings)
    assert (warning.code, warning.sheet, warning.row) == ("sheet_skipped", "Лист1", None)
    assert warning.message.startswith("Лист «Лист1» пропущен: в первых 30 строках нет строки")


def test_an_empty_sheet_is_skipped_silently():
    result = parse([(), (None, None)], table([CLEAN_ROW]))
    assert result.sheets == ["Лист1"] and result.problems == []


def test_every_sheet_with_a_header_is_taken():
    first = table([org(1), org(2)])
    second = table([org(3, date=dt.date(2025, 11, 6))], above=["Вторая неделя"])
    result = parse(first, second)

    assert result.sheets == ["Статистика", "Лист1"]
    assert [(r.sheet, r.row, r.sferum_id) for r in result.rows] == [
        ("Статистика", 2, 1),
        ("Статистика", 3, 2),
        ("Лист1", 3, 3),
    ]
    assert result.dates == [DATE, dt.date(2025, 11, 6)]


def test_a_header_found_beyond_row_30_is_not_a_header():
    result = parse(table([CLEAN_ROW], above=[("",)] * 30))

    assert result.file_error
    assert only(result.problems).code == "header_not_found"


def test_reordered_and_renamed_columns_are_found_by_their_aliases():
    columns = [
        "sferum_id",
        "municipality",
        "date",
        "short_name",
        "teachers_ejd",
        "teachers_total",
        "region_name",
        "is_active",
        "staff_active",
        "students_active",
    ]
    headers = {
        "sferum_id": "ID организации",
        "municipality": "Муниципальное образование",
        "date": "Дата выгрузки",
        "short_name": "Наименование ОО",
        "teachers_ejd": "Количество учителей, связавших аккаунты ЭЖД",
        "teachers_total": "Учителей всего в школе",
        "region_name": "Регион",
        "is_active": "Статус",
        "staff_active": "Активные сотрудники",
        "students_active": "«Активных учеников»",
    }
    result = parse(table([org(staff_active=80)], columns, headers=headers))

    assert result.problems == []
    (row,) = result.rows
    assert (row.sferum_id, row.municipality, row.date, row.short_name) == (
        700037,
        "Липецк",
        DATE,
        "МАОУ СШ",
    )
    assert (row.teachers_ejd, row.teachers_total, row.staff_active) == (11, 107, 80)
    assert (row.region_name, row.is_active, row.students_active) == ("Липецкая", True, 58)
    assert result.present_columns == set(columns)
    assert (row.org_type, row.people_total) == ("other", None)


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("ID организация", "sferum_id"),
        ("ID организации", "sferum_id"),
        (" id  ОРГАНИЗАЦИЯ ", "sferum_id"),
        ("ID", "sferum_id"),
        ("Sferum ID", "sferum_id"),
        ("«Кол-во учителей, связавших аккаунты ЭЖД»", "teachers_ejd"),
        ("Кол–во учеников связавших аккаунты ЭЖД", "students_ejd"),
        ("Количество родителей, связавших аккаунты ЭЖД", "parents_ejd"),
        ("Учителей\u00a0всего в школе", "teachers_total"),
        ("Учителей в школе\nвсего", "teachers_total"),
        ("Учеников зарегистрировано в Сферум:", "students_registered"),
        ("Муниципалитет", "municipality"),
        ("Муниципальное образование", "municipality"),
        ("Регион", "region_name"),
        ("Статус", "is_active"),
        ("Активные учителя", "staff_active"),
        ("Активные сотрудники", "staff_active"),
        ("Активные педагоги", "staff_active"),
        ("Активных сотрудников", "staff_active"),
        ("Активные ученики", "students_active"),
        ("Дата*", "date"),
        ("Отчётная дата", "date"),
        ("Примечание", None),
        # a group and its sub-header, as a two-level header joins them
        ("Учителя всего", "teachers_total"),
        ("Учителя: зарегистрировано", "teachers_registered"),
        ("Педагоги ЭЖД", "teachers_ejd"),
        ("Учителя активные", "staff_active"),
        ("Ученики всего", "students_total"),
        ("Обучающиеся: зарегистрировано", "students_registered"),
        ("Ученики ЭЖД", "students_ejd"),
        ("Ученики активные", "students_active"),
        ("Родители всего", "parents_total"),
        ("Родители зарегистрировано в Сферум", "parents_registered"),
        ("Родители: связали аккаунты ЭЖД", "parents_ejd"),
        ("Родители активные", "parents_active"),
    ],
)
def test_header_texts_are_normalised_before_the_alias_lookup(text, key):
    assert column_key(text) == key


def test_every_seed_header_names_its_own_column():
    assert {key: column_key(text) for key, text in SEED_HEADERS.items()} == {
        key: key for key in SEED_COLUMNS
    }
    assert normalize_header("Кол-во «учителей»,  связавших\u202fаккаунты ЭЖД.") == (
        "количество учителей связавших аккаунты эжд"
    )


def test_column_letters_are_excel_letters():
    assert [column_letter(i) for i in (0, 7, 22, 25, 26, 27, 701, 702)] == [
        "A",
        "H",
        "W",
        "Z",
        "AA",
        "AB",
        "ZZ",
        "AAA",
    ]


def test_a_missing_required_column_is_one_file_level_error_naming_it():
    columns = [c for c in SEED_COLUMNS if c != "sferum_id"]
    result = parse(table([CLEAN_ROW, CLEAN_ROW], columns, above=["Статистика"]))

    error = only(result.problems)
    assert (error.severity, error.code) == ("error", "missing_columns")
    assert error.message.startswith(
        "В строке заголовков нет обязательного столбца «ID организация» — файл не загружен."
    )
    assert (error.file, error.sheet, error.row, error.column) == (FILE, "Статистика", 2, None)
    assert result.file_error and result.has_errors
    assert result.rows == [] and result.sheets == []


def test_two_missing_required_columns_are_both_named():
    columns = [c for c in SEED_COLUMNS if c not in ("sferum_id", "date")]
    error = only(parse(table([CLEAN_ROW], columns)).problems)
    assert "нет обязательных столбцов «Дата», «ID организация»" in error.message


def test_a_file_without_any_header_row_gets_one_error_naming_the_required_columns():
    junk = [("Отчёт",), ("Итого", 5)]
    result = parse(junk, [("Дата", "что-то")])

    error = only(result.problems)
    assert error.code == "header_not_found"
    assert error.message.startswith(
        "Не найдена строка заголовков: нет столбцов «Краткое название», «МО», «ID организация» "
        "в первых 30 строках ни одного листа."
    )
    assert error.location() == "stat.xlsx:::"
    assert result.file_error


def test_an_empty_workbook_is_a_file_level_error():
    result = parse()
    assert only(result.problems).code == "header_not_found"
    assert "«Дата», «Краткое название», «МО», «ID организация»" in result.problems[0].message


# --- unknown and unnamed columns ------------------------------------------------------------------


def test_unknown_columns_are_kept_in_extra_and_warned_once_per_sheet():
    columns = [*SEED_COLUMNS, "Примечание", "Дата проверки", "Доля"]
    rows = [
        org(1, **{"Примечание": "новая школа", "Дата проверки": dt.datetime(2025, 10, 1)}),
        org(2, **{"Доля": 0.25, "Дата проверки": dt.datetime(2025, 10, 1, 9, 30)}),
    ]
    result = parse(table(rows, columns))

    assert result.rows[0].extra == {"Примечание": "новая школа", "Дата проверки": "2025-10-01"}
    assert result.rows[1].extra == {"Дата проверки": "2025-10-01T09:30:00", "Доля": 0.25}
    assert result.unknown_columns == ["Примечание", "Дата проверки", "Доля"]
    warning = only(result.problems)
    assert (warning.code, warning.row, warning.column) == ("unknown_columns", 1, None)
    assert warning.message == (
        "Неизвестные столбцы: «Примечание» (W), «Дата проверки» (X), «Доля» (Y) — их значения "
        "сохранены как дополнительные, но в показателях не используются"
    )


def test_a_single_unknown_column_is_pointed_at():
    result = parse(table([org(**{"Директор": "Иванова"})], [*SEED_COLUMNS, "Директор"]))
    warning = only(result.problems)
    assert (warning.column, warning.header) == ("W", "Директор")


def test_a_repeated_column_uses_the_first_and_keeps_the_second_in_extra():
    lines = table([CLEAN_ROW])
    lines[0] = (*lines[0], "ID организации")
    lines[1] = (*lines[1], 999)
    result = parse(lines)

    assert result.rows[0].sferum_id == 700037
    assert result.rows[0].extra == {"ID организации": 999}
    warning = only(result.problems)
    assert (warning.code, warning.column) == ("duplicate_column", "W")
    assert "повторяет столбец «ID организация» (H)" in warning.message


def test_values_under_a_column_without_a_header_are_kept_too():
    lines = table([CLEAN_ROW, CLEAN_ROW | {"sferum_id": 2}])
    lines[2] = (*lines[2], None, "проверено")
    result = parse(lines)

    assert [row.extra for row in result.rows] == [{}, {"Столбец X": "проверено"}]
    warning = only(result.problems)
    assert (warning.code, warning.row, warning.column) == ("unnamed_column", 3, "X")


# --- dates, counts and ids through the parser -----------------------------------------------------


@pytest.mark.parametrize(
    "cell",
    [DATE, dt.datetime(2025, 10, 30), 45960, 45960.0, "30.10.2025", "30.10.25", "2025-10-30"],
)
def test_dates_are_read_from_every_form_the_export_uses(cell):
    result = parse(table([org(date=cell)]))
    assert result.rows[0].date == DATE and result.problems == []


@pytest.mark.parametrize("date_as", ["excel", "text"])
def test_dates_written_by_excel_or_as_text_read_the_same(tmp_path, date_as):
    path = tmp_path / FILE
    write_export(path, [CLEAN_ROW], date_as=date_as)
    (sheet,) = read_sheets(path, file_name=FILE)
    rows = list(sheet.rows)
    assert isinstance(rows[1][0], str if date_as == "text" else dt.date)

    result = parse_workbook([RawSheet(sheet.name, rows)], file_name=FILE)
    assert result.rows[0].date == DATE


def test_a_bad_date_rejects_the_row_with_its_cell():
    result = parse(table([org(1), org(2, date="вчера")]))

    error = only(result.errors)
    assert (error.code, error.row, error.column, error.header) == ("bad_date", 3, "A", "Дата")
    assert error.message == "Ожидалась дата в формате ДД.ММ.ГГГГ, получено «вчера»"
    assert result.rejected_rows == [("Статистика", 3)]
    assert [row.sferum_id for row in result.rows] == [1]


def test_counts_with_spaces_and_non_breaking_spaces_are_numbers():
    row = org(people_total="3 293", students_total="1\u00a0593", parents_total="1\u202f593")
    (parsed,) = parse(table([row])).rows
    assert (parsed.people_total, parsed.students_total, parsed.parents_total) == (3293, 1593, 1593)


def test_ids_as_float_and_with_an_apostrophe_are_numbers():
    result = parse(table([org(700037.0), org("'700038"), org(" 700039.0 ")]))
    assert [row.sferum_id for row in result.rows] == [700037, 700038, 700039]


@pytest.mark.parametrize("cell", [None, "", "-", "—", "–", "н/д", "нет данных"])
def test_no_data_in_a_count_cell_is_none_never_zero(cell):
    (row,) = parse(table([org(teachers_ejd=cell, students_active=cell)])).rows
    assert row.teachers_ejd is None and row.students_active is None
    assert row.teachers_total == 107


def test_a_missing_count_column_is_none_for_every_row_and_absent_from_present_columns():
    columns = [c for c in SEED_COLUMNS if c not in ("teachers_ejd", "parents_active")]
    result = parse(table([org(1), org(2)], columns))

    assert [(r.teachers_ejd, r.parents_active, r.staff_active) for r in result.rows] == [
        (None, None, None),
        (None, None, None),
    ]
    assert not {"teachers_ejd", "parents_active", "staff_active"} & result.present_columns
    assert result.problems == []


def test_rows_whose_count_columns_are_all_empty_are_an_error_naming_the_columns():
    columns = ["date", "short_name", "municipality", "sferum_id", "teachers_total"]
    result = parse(table([org(1, teachers_total=None), org(2, teachers_total="-")], columns))

    error = only(result.problems)
    assert (error.severity, error.code, error.file, error.sheet, error.row) == (
        "error",
        "no_figures",
        FILE,
        "Статистика",
        1,
    )
    assert "все ячейки столбцов с количествами пусты: «Учителей в школе всего» (E)" in (
        error.message
    )
    assert result.file_error


def test_a_sheet_with_a_single_count_column_is_read():
    columns = ["date", "short_name", "municipality", "sferum_id", "staff_active"]
    (row,) = parse(table([org(staff_active=12.0)], columns)).rows
    assert row.staff_active == 12 and row.teachers_total is None


def test_count_columns_in_any_order_land_in_their_fields():
    columns = ["date", "short_name", "municipality", "sferum_id", *reversed(COUNT_COLUMNS)]
    values = {key: i for i, key in enumerate(COUNT_COLUMNS)}
    (row,) = parse(table([org(**values)], columns)).rows
    assert {key: getattr(row, key) for key in COUNT_COLUMNS} == values


def test_counts_given_as_floats_become_ints():
    floats = {
        key: float(value) if key in COUNT_COLUMNS else value for key, value in CLEAN_ROW.items()
    }
    (row,) = parse(table([floats])).rows
    assert type(row.teachers_total) is int and row.teachers_total == 107


# --- skipped rows ---------------------------------------------------------------------------------


def test_blank_rows_are_skipped_silently_and_totals_rows_with_a_warning_each():
    lines = table([org(1), org(2)])
    lines[2:2] = [(), (None,) * 22, ("", "  ", None)]
    lines += [
        (None, "Итого", None, None, None, None, None, None, None, 6586),
        ("Всего по району", None, None, None, None, None, None, None, None, 6586),
        (DATE, "ИТОГО по Липецку", "Общеобраз.", "Липецк"),
        (None,) * 5,
    ]
    result = parse(lines)

    assert [(p.severity, p.code, p.sheet, p.row) for p in result.problems] == [
        ("warning", "totals_row", "Статистика", 7),
        ("warning", "totals_row", "Статистика", 8),
        ("warning", "totals_row", "Статистика", 9),
    ]
    assert [(row.row, row.sferum_id) for row in result.rows] == [(2, 1), (6, 2)]
    assert result.stats.blank == 4
    assert result.stats.totals_skipped == 3
    assert result.stats.rows_seen == 9


def test_a_repeated_header_row_further_down_is_skipped():
    lines = table([org(1)])
    lines += [lines[0], table([org(2)])[1]]
    result = parse(lines)

    assert result.problems == [] and [row.row for row in result.rows] == [2, 4]
    assert result.stats.headers_repeated == 1


def test_a_note_under_the_table_is_skipped_with_a_warning():
    lines = [*table([org(1)]), (None, None, "Источник: Сферум", None, None, None, None, None)]
    result = parse(lines)

    warning = only(result.problems)
    assert (warning.severity, warning.code, warning.row) == ("warning", "not_a_data_row", 3)
    assert len(result.rows) == 1


# --- row errors -----------------------------------------------------------------------------------


def test_a_negative_count_is_a_row_error_at_its_cell():
    result = parse(table([org(1), org(2), org(3, teachers_total=-5)], above=["Титул"]))

    error = only(result.problems)
    assert (error.severity, error.code) == ("error", "negative_count")
    assert (error.sheet, error.row, error.column) == ("Статистика", 5, "K")
    assert error.header == "Учителей в школе всего"
    assert error.message == (
        "Количество не может быть отрицательным: получено «-5», ожидалось число ≥ 0"
    )
    assert result.rejected_rows == [("Статистика", 5)]
    assert [row.sferum_id for row in result.rows] == [1, 2]
    assert result.stats.rejected == 1 and result.stats.taken == 2


def test_a_masked_id_is_reported_not_guessed():
    result = parse(table([org(1), SEED_ROW | {"sferum_id": "XXXX"}]))

    error = only(result.errors)
    assert (error.code, error.row, error.column, error.header) == (
        "masked_id",
        3,
        "H",
        "ID организация",
    )
    assert error.as_line() == (
        "stat.xlsx:Статистика:3:H: ID организации скрыт («XXXX») — нужен числовой ID из "
        "выгрузки Сферум"
    )
    assert result.rejected_rows == [("Статистика", 3)]
    assert not any(p.code == "active_above_registered" for p in result.problems)


def test_every_bad_cell_of_a_row_is_reported():
    result = parse(table([org(sferum_id="ХХХХ", students_total="много", short_name=" ")]))

    assert [(p.code, p.column) for p in result.errors] == [
        ("missing_value", "B"),
        ("masked_id", "H"),
        ("bad_count", "L"),
    ]
    assert result.errors[0].message == "Не заполнен обязательный столбец «Краткое название»"
    assert result.rows == [] and result.rejected_rows == [("Статистика", 2)]


def test_the_same_organisation_and_date_twice_is_an_error_on_the_second_naming_the_first():
    result = parse(table([org(1), org(2), org(1, teachers_total=108)]))

    error = only(result.errors)
    assert (error.code, error.row, error.column) == ("duplicate_row", 4, "H")
    assert error.message == (
        "Организация с ID 1 на дату 30.10.2025 уже есть в строке 2 — повторная строка не загружена"
    )
    assert [(row.sferum_id, row.teachers_total) for row in result.rows] == [(1, 107), (2, 107)]
    assert result.rejected_rows == [("Статистика", 4)]


def test_a_duplicate_on_another_sheet_names_that_sheet():
    result = parse(table([org(1)]), table([org(1)]))
    assert "уже есть в строке 2 листа «Статистика»" in only(result.errors).message


def test_the_same_organisation_on_two_dates_is_not_a_duplicate():
    result = parse(table([org(1), org(1, date=dt.date(2025, 11, 6))]))
    assert result.problems == [] and len(result.rows) == 2


# --- data-quality flags ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("changes", "flag", "column", "message"),
    [
        (
            {"people_total": 3300},
            "people_total_mismatch",
            "J",
            "Учителей, учеников и родителей в школе всего (3300) не равно сумме учителей, "
            "учеников и родителей (107 + 1593 + 1593 = 3293)",
        ),
        (
            {"registrations_total": 270},
            "registrations_total_mismatch",
            "N",
            "Регистраций в школе всего (270) не равно сумме зарегистрированных учителей, "
            "учеников и родителей (92 + 151 + 20 = 263)",
        ),
        (
            {"teachers_registered": 110, "registrations_total": 281},
            "registered_above_total",
            "O",
            "Зарегистрированных учителей (110) больше, чем учителей в школе всего (107)",
        ),
        (
            {"students_active": 160},
            "active_above_registered",
            "U",
            "Активных учеников (160) больше, чем зарегистрированных (151)",
        ),
        (
            {"parents_active": 54},
            "active_above_registered",
            "V",
            "Активных родителей (54) больше, чем зарегистрированных (20)",
        ),
    ],
)
def test_numbers_that_disagree_flag_the_row_and_keep_it(changes, flag, column, message):
    result = parse(table([org(**changes)]))

    assert not result.has_errors
    assert result.rows[0].flags == (flag,)
    warning = only(result.warnings)
    assert (warning.code, warning.row, warning.column, warning.message) == (
        flag,
        2,
        column,
        message,
    )


def test_more_active_staff_than_registered_teachers_is_flagged():
    columns = [*SEED_COLUMNS, "staff_active"]
    result = parse(table([org(staff_active=93)], columns))

    assert result.rows[0].flags == ("active_above_registered",)
    assert only(result.warnings).message == (
        "Активных сотрудников (93) больше, чем зарегистрированных учителей (92)"
    )


def test_a_row_can_carry_several_flags_each_once():
    row = org(students_registered=1600, parents_registered=1600, registrations_total=3292)
    result = parse(table([row]))

    assert result.rows[0].flags == ("registered_above_total",)
    assert [p.column for p in result.warnings] == ["Q", "S"]


def test_a_missing_number_is_not_a_mismatch():
    row = org(people_total=9999, parents_total=None, registrations_total=1, parents_registered="-")
    result = parse(table([row]))
    assert result.problems == [] and result.rows[0].flags == ()


# --- doubtful values ------------------------------------------------------------------------------


def test_an_unknown_org_type_is_stored_as_other_with_one_warning_naming_it():
    rows = [org(1, org_type="Санаторий"), org(2, org_type="Санаторий"), org(3, org_type="ДОУ")]
    result = parse(table(rows))

    assert [(r.org_type, r.org_type_raw) for r in result.rows] == [
        ("other", "Санаторий"),
        ("other", "Санаторий"),
        ("dou", "ДОУ"),
    ]
    warning = only(result.problems)
    assert (warning.code, warning.row, warning.column, warning.header) == (
        "unknown_org_type",
        2,
        "C",
        "Тип ОО",
    )
    assert warning.message == (
        "Неизвестный тип ОО «Санаторий» — сохранён как «другое» (строк с таким значением: 2)"
    )


def test_an_empty_org_type_is_other_with_a_warning():
    result = parse(table([org(org_type=None)]))
    assert (result.rows[0].org_type, result.rows[0].org_type_raw) == ("other", None)
    assert only(result.problems).code == "missing_org_type"


def test_an_unknown_active_flag_is_no_data_with_a_warning():
    result = parse(table([org(is_active="Заблокирована")]))
    assert result.rows[0].is_active is None
    assert only(result.problems).code == "unknown_active"


@pytest.mark.parametrize(("cell", "code"), [(11, "11"), (11.0, "11"), ("48", "48"), (5, "05")])
def test_region_codes_are_two_digit_text(cell, code):
    assert parse(table([org(region_code=cell)])).rows[0].region_code == code


def test_a_problem_location_keeps_empty_parts():
    problem = Problem("error", "x", "Сообщение", "a.xlsx", None, 7, None, None)
    assert problem.location() == "a.xlsx::7:"
    assert problem.as_line() == "a.xlsx::7:: Сообщение"


def test_all_columns_of_the_writer_round_trip(tmp_path):
    path = tmp_path / FILE
    write_export(path, [org(staff_active=50)], columns=list(ALL_COLUMNS))
    result = parse_workbook(read_sheets(path, file_name=FILE), file_name=FILE)

    assert result.problems == []
    assert result.present_columns == set(ALL_COLUMNS) | {"org_type_raw"}
    assert result.rows[0].staff_active == 50


def test_the_parser_imports_neither_django_nor_an_excel_library():
    code = (
        "import sys; import monitoring.importers.parser; "
        "print(sorted({'django', 'openpyxl', 'python_calamine'} & set(sys.modules)))"
    )
    root = Path(__file__).resolve().parents[2]
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=root
    )
    assert done.stdout.strip() == "[]"


def test_a_data_row_whose_value_reads_as_a_header_does_not_join_the_header():
    columns = [*SEED_COLUMNS[:8], "Статус ОО", *SEED_COLUMNS[9:]]
    result = parse(table([org(1, **{"Статус ОО": "Активна"}), org(2)], columns))

    assert [row.sferum_id for row in result.rows] == [1, 2]
    assert "is_active" not in result.present_columns
    assert result.rows[0].extra == {"Статус ОО": "Активна"}
