"""The reader (both engines), and the writer and synthetic rows the tests and demos rely on."""

import datetime as dt
import io
import zipfile

import openpyxl
import pytest
from openpyxl.chart import BarChart

from monitoring.importers.columns import ALL_COLUMNS, HEADERS, SEED_COLUMNS, SEED_HEADERS
from monitoring.importers.export_writer import write_export
from monitoring.importers.parser import RawSheet, parse_workbook
from monitoring.importers.reader import ENGINES, ReaderError, open_workbook, read_sheets
from monitoring.importers.synthetic import synthetic_organizations, synthetic_rows

FILE = "Выгрузка Сферум.xlsx"
DATE = dt.date(2025, 10, 30)
SAMPLE = [  # the seed's sample row with a real ID
    DATE, "МАОУ СШ", "Общеобраз.", "Липецк", "Липецкая", 48, None, 700037, "Активна",
    3293, 107, 1593, 1593, 263, 92, 11, 151, 3, 20, 11, 58, 54,
]  # fmt: skip


def parse_file(source, engine: str):
    with open_workbook(source, file_name=FILE, engine=engine) as book:
        return parse_workbook(book.sheets, file_name=FILE)


def messy_workbook(path) -> None:
    """One file with most of what real exports do to us, written cell by cell."""
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "Статистика"
    sheet.append(["Статистика Сферум на 30.10.2025"])
    sheet.append([])
    sheet.append([*SEED_HEADERS.values(), "Примечание", "Активные педагоги"])
    rows = [
        SAMPLE,
        [dt.datetime(2025, 10, 30), "СОШ № 2", "Дошкольн.", "Липецк", "Липецкая", 48.0, None,
         700038.0, "Да", "1 000", 10, 495, 495, 100, 10, 1, 45, 2, 45, 3, 20, 10, "новая", 5],
        ["30.10.2025", "Гимназия № 3", "Санаторий", "Елец", "Липецкая", "48", "https://x",
         "'700039", "Неактивна", 30, 10, 10, 10, 3, 1, 0, 1, 0, 1, 0, "-", "н/д", None, 1],
        [None] * 5,
        [DATE, "МБОУ СШ № 4", "Общеобраз.", "Елец", "Липецкая", 48, None, "XXXX", "Активна",
         30, 10, 10, 10, 3, 1, 0, 1, 0, 1, 0, 1, 1],
        [45960, "МБОУ СШ № 5", "ОУ", "Елец", "Липецкая", 48, None, 700041, "Активна",
         30, -10, 10, 10, 3, 1, 0, 1, 0, 1, 0, 1, 1, "=NA()", 3],
        [DATE, "МБОУ СШ № 6", "ОУ", "Елец", "Липецкая", 48, None, 700037, "Активна",
         30, 10, 10, 10, 3, 1, 0, 1, 0, 1, 0, 1, 1, "  ", 1],
        [None, "Итого", None, None, None, None, None, None, None, 4353],
    ]  # fmt: skip
    for row in rows:
        sheet.append(row)
    notes = book.create_sheet("Пояснения")
    notes.append(["Родители считаются по формуле «1 ученик = 1 родитель»"])
    book.create_sheet("Пустой")
    book.create_chartsheet("Диаграмма").add_chart(BarChart())
    book.save(path)


# --- both engines ---------------------------------------------------------------------------------


def test_both_engines_give_the_same_parse_result_for_a_messy_file(tmp_path):
    path = tmp_path / "messy.xlsx"
    messy_workbook(path)

    by_calamine = parse_file(path, "calamine")
    by_openpyxl = parse_file(path, "openpyxl")

    assert by_calamine == by_openpyxl
    result = by_calamine
    assert [(row.row, row.sferum_id) for row in result.rows] == [
        (4, 700037),
        (5, 700038),
        (6, 700039),
    ]
    assert [(p.code, p.row, p.column) for p in result.errors] == [
        ("masked_id", 8, "H"),
        ("negative_count", 9, "K"),
        ("duplicate_row", 10, "H"),
    ]
    assert [(p.code, p.row, p.column) for p in result.warnings] == [
        ("unknown_columns", 3, "W"),
        ("active_above_registered", 4, "V"),
        ("unknown_org_type", 6, "C"),
        ("totals_row", 11, None),
        ("uncalculated_formula", 9, "W"),
        ("sheet_skipped", None, None),
    ]
    second, third = result.rows[1], result.rows[2]
    assert (second.date, second.region_code, second.people_total) == (DATE, "48", 1000)
    assert (second.org_type, second.staff_active, second.extra) == (
        "dou",
        5,
        {"Примечание": "новая"},
    )
    assert (third.is_active, third.students_active, third.parents_active) == (False, None, None)
    assert (third.org_type, third.link, third.extra) == ("other", "https://x", {})
    assert result.present_columns == set(SEED_COLUMNS) | {"staff_active", "org_type_raw"}
    assert result.stats.blank == 1 and result.stats.totals_skipped == 1
    assert result.sheets == ["Статистика"]


@pytest.mark.parametrize("engine", ENGINES)
def test_cells_keep_their_excel_row_and_column_when_the_table_starts_away_from_a1(tmp_path, engine):
    book = openpyxl.Workbook()
    sheet = book.active
    for offset, text in enumerate(SEED_HEADERS.values()):
        sheet.cell(row=3, column=3 + offset, value=text)
    for offset, value in enumerate([*SAMPLE[:7], "XXXX", *SAMPLE[8:]]):
        sheet.cell(row=4, column=3 + offset, value=value)
    path = tmp_path / "offset.xlsx"
    book.save(path)

    error = parse_file(path, engine).errors[0]
    assert (error.code, error.row, error.column, error.header) == (
        "masked_id",
        4,
        "J",
        "ID организация",
    )


@pytest.mark.parametrize("engine", ENGINES)
def test_empty_cells_are_none_and_values_keep_their_kinds(tmp_path, engine):
    path = tmp_path / "kinds.xlsx"
    book = openpyxl.Workbook()
    book.active.append(["текст", 3, 2.5, dt.date(2025, 10, 30), dt.datetime(2025, 10, 30, 9), True])
    book.active.append([None, "", None, "#N/A"])
    book.save(path)

    (sheet,) = read_sheets(path, file_name=FILE, engine=engine)
    first, second = sheet.rows[0], sheet.rows[1]
    assert first[0] == "текст" and first[1] == 3 and first[2] == 2.5 and first[5] is True
    assert first[3] == dt.date(2025, 10, 30) or first[3] == dt.datetime(2025, 10, 30)
    assert first[4] == dt.datetime(2025, 10, 30, 9)
    assert all(cell is None for cell in second)


@pytest.mark.parametrize("engine", ENGINES)
def test_rows_are_read_lazily_sheet_by_sheet(tmp_path, engine):
    path = tmp_path / "lazy.xlsx"
    write_export(path, [dict(zip(SEED_COLUMNS, SAMPLE, strict=True))])

    with open_workbook(path, file_name=FILE, engine=engine) as book:
        (sheet,) = book.sheets
        assert sheet.name == "Статистика"
        assert not isinstance(sheet.rows, (list, tuple))
        assert next(iter(sheet.rows))[0] == "Дата"


@pytest.mark.parametrize("engine", ENGINES)
def test_a_binary_file_object_reads_like_a_path(tmp_path, engine):
    path = tmp_path / "stat.xlsx"
    write_export(path, [dict(zip(SEED_COLUMNS, SAMPLE, strict=True))])
    upload = tmp_path / "tmpab12.upload"  # an upload's temporary file: no .xlsx at the end
    upload.write_bytes(path.read_bytes())

    from_path = parse_file(path, engine)
    assert parse_file(io.BytesIO(path.read_bytes()), engine) == from_path
    assert parse_file(upload, engine) == from_path
    with path.open("rb") as stream:
        stream.read(10)  # a stream not at its start is rewound
        assert parse_file(stream, engine) == from_path


# --- unreadable files -----------------------------------------------------------------------------


@pytest.mark.parametrize("engine", ENGINES)
def test_a_text_file_renamed_to_xlsx_reads_as_csv_by_its_content(tmp_path, engine):
    path = tmp_path / "stat.xlsx"
    path.write_text("Дата;МО;ID организация\n30.10.2025;Липецк;700037\n", encoding="utf-8")

    (sheet,) = read_sheets(path, file_name="stat.xlsx", engine=engine)
    assert sheet.name == "stat"
    assert sheet.rows == [("Дата", "МО", "ID организация"), ("30.10.2025", "Липецк", "700037")]


@pytest.mark.parametrize("engine", ENGINES)
def test_a_file_of_another_kind_is_a_reader_error_naming_the_file(tmp_path, engine):
    path = tmp_path / "stat.xlsx"
    path.write_bytes(b"%PDF-1.4\n1 0 obj << >> endobj\n")

    with pytest.raises(ReaderError) as caught:
        open_workbook(path, file_name="stat.xlsx", engine=engine)
    assert caught.value.message.startswith(
        "Файл «stat.xlsx» не удалось прочитать как таблицу (Excel, OpenDocument или CSV): "
    )
    assert str(caught.value) == caught.value.message
    assert caught.value.detail


@pytest.mark.parametrize("engine", ENGINES)
def test_a_corrupt_workbook_is_a_reader_error(tmp_path, engine):
    good = io.BytesIO()
    write_export(good, [dict(zip(SEED_COLUMNS, SAMPLE, strict=True))])
    truncated = io.BytesIO(good.getvalue()[: len(good.getvalue()) // 2])

    with (
        pytest.raises(ReaderError, match=r"«broken\.xlsx» не удалось прочитать"),
        open_workbook(truncated, file_name="broken.xlsx", engine=engine) as book,
    ):
        parse_workbook(book.sheets, file_name="broken.xlsx")


@pytest.mark.parametrize("engine", ENGINES)
def test_a_zip_that_is_not_a_workbook_is_a_reader_error(tmp_path, engine):
    stream = io.BytesIO()
    with zipfile.ZipFile(stream, "w") as archive:
        archive.writestr("hello.txt", "привет")

    with pytest.raises(ReaderError, match=r"«a\.xlsx»"):
        open_workbook(stream, file_name="a.xlsx", engine=engine)


def test_a_missing_file_is_a_reader_error(tmp_path):
    with pytest.raises(ReaderError, match=r"Файл «gone\.xlsx» не удалось открыть"):
        open_workbook(tmp_path / "gone.xlsx", file_name="gone.xlsx")


def test_an_unknown_engine_is_a_programming_error(tmp_path):
    with pytest.raises(ValueError, match="unknown engine"):
        open_workbook(tmp_path / "x.xlsx", file_name="x.xlsx", engine="xlrd")


# --- the writer and the synthetic rows ------------------------------------------------------------


def test_the_writer_writes_title_rows_renamed_headers_and_extra_columns(tmp_path):
    path = tmp_path / "w.xlsx"
    row = {**dict(zip(SEED_COLUMNS, SAMPLE, strict=True)), "Примечание": "ok"}
    write_export(
        path,
        [row],
        columns=["sferum_id", "date", "short_name", "municipality", "Примечание"],
        headers={"sferum_id": "ID организации"},
        title_rows=["Отчёт"],
        sheet_name="Лист 1",
        date_as="text",
    )

    (sheet,) = read_sheets(path, file_name=FILE)
    assert sheet.name == "Лист 1"
    assert list(sheet.rows) == [
        ("Отчёт", None, None, None, None),
        ("ID организации", "Дата", "Краткое название", "МО", "Примечание"),
        (700037.0, "30.10.2025", "МАОУ СШ", "Липецк", "ok"),
    ]


def test_the_writer_defaults_to_the_seed_columns_with_excel_dates(tmp_path):
    path = tmp_path / "w.xlsx"
    write_export(path, [{**dict(zip(SEED_COLUMNS, SAMPLE, strict=True)), "staff_active": 9}])

    (sheet,) = read_sheets(path, file_name=FILE, engine="openpyxl")
    header, row = sheet.rows
    assert header == tuple(SEED_HEADERS.values())
    assert row[0] == dt.datetime(2025, 10, 30) and len(row) == 22


def test_synthetic_rows_are_deterministic_and_parse_cleanly(tmp_path):
    organizations = synthetic_organizations(40, seed=3)
    dates = [DATE, DATE + dt.timedelta(days=7)]
    rows = list(synthetic_rows(organizations, dates, seed=3))

    assert rows == list(synthetic_rows(organizations, dates, seed=3))
    assert rows != list(synthetic_rows(organizations, dates, seed=4))
    assert len(rows) == 80
    assert all(row["parents_total"] == row["students_total"] for row in rows)
    assert all(
        10 <= row["teachers_total"] <= 200 for row in rows if row["org_type"] == "Общеобраз."
    )
    registered = [
        sum(row["teachers_registered"] for row in part) for part in (rows[:40], rows[40:])
    ]
    assert registered[0] < registered[1]  # registrations grow from week to week

    path = tmp_path / "synthetic.xlsx"
    write_export(path, rows, columns=list(ALL_COLUMNS))
    result = parse_file(path, "calamine")
    assert not result.has_errors
    assert len(result.rows) == 80 and result.dates == dates
    assert {row.org_type for row in result.rows} <= {"ou", "dou", "udo", "spo", "ouo"}
    assert all(row.staff_active is not None for row in result.rows)


def test_synthetic_rows_can_leave_out_active_staff():
    (row,) = synthetic_rows(synthetic_organizations(1), [DATE], with_staff_active=False)
    assert "staff_active" not in row


# --- layouts of real files (issue 13): each compared with the clean xlsx of the same data -----

HEADER_TEXTS = HEADERS
LAYOUT_COLUMNS = [
    "date", "short_name", "org_type", "municipality", "sferum_id",
    "teachers_total", "teachers_registered", "teachers_ejd", "staff_active",
    "students_total", "students_registered", "students_ejd", "students_active",
    "parents_total", "parents_registered", "parents_ejd", "parents_active",
]  # fmt: skip
LAYOUT_ROWS = [
    dict(zip(LAYOUT_COLUMNS, values, strict=True))
    for values in (
        (DATE, "МАОУ СШ № 1", "Общеобраз.", "Липецк", 700101,
         107, 92, 11, 40, 1593, 151, 3, 58, 1593, 120, 11, 54),
        (DATE, "МБОУ СШ № 2", "Общеобраз.", "Липецк", 700102,
         50, 45, 5, 30, 600, 500, 20, 200, 600, 400, 15, 150),
        (DATE, "МБОУ СШ № 3", "Общеобраз.", "Елец", 700103,
         30, 30, 1, 25, 300, 250, 2, 100, 300, 200, 3, 90),
    )
]  # fmt: skip


def figures(result) -> list:
    """What an import writes, without where in the file it stood."""
    return [row._replace(sheet="", row=0) for row in result.rows]


def clean_figures(tmp_path, rows=LAYOUT_ROWS, columns=LAYOUT_COLUMNS, engine="calamine"):
    path = tmp_path / "clean.xlsx"
    write_export(path, rows, columns=columns)
    result = parse_file(path, engine)
    assert result.problems == [] and len(result.rows) == len(rows)
    return figures(result)


def layout_row(row: dict) -> list:
    return [row[key] for key in LAYOUT_COLUMNS]


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize("ids_in", ["group_row", "sub_row"])
def test_a_two_level_header_with_merged_groups_imports_the_same_figures(tmp_path, engine, ids_in):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "Статистика"
    sheet.append(["Мониторинг Сферум на 30.10.2025"])
    plain = ["Дата", "Краткое название", "Тип ОО", "МО", "ID организация"]
    groups = ["Учителя", None, None, None, "Ученики", None, None, None, "Родители:"]
    subs = ["всего", "зарегистрировано", "ЭЖД", "активные"] * 3
    if ids_in == "group_row":  # «Дата»… merged down over both header rows
        sheet.append([*plain, *groups])
        sheet.append([None] * 5 + subs)
        for column in "ABCDE":
            sheet.merge_cells(f"{column}2:{column}3")
    else:  # the group row names only the groups
        sheet.append([None] * 5 + groups)
        sheet.append(plain + subs)
    for first, last in (("F", "I"), ("J", "M"), ("N", "Q")):
        sheet.merge_cells(f"{first}2:{last}2")
    for row in LAYOUT_ROWS:
        sheet.append(layout_row(row))
    path = tmp_path / "two-level.xlsx"
    book.save(path)

    result = parse_file(path, engine)

    assert result.problems == []
    assert figures(result) == clean_figures(tmp_path, engine=engine)
    assert result.columns[("Статистика", "parents_registered")] == (
        "O",
        "Родители зарегистрировано",
    )


@pytest.mark.parametrize("engine", ENGINES)
def test_a_two_level_header_of_unknown_groups_is_an_error_not_an_empty_import(tmp_path, engine):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "Статистика"
    sheet.append(["Дата", "Краткое название", "МО", "ID организация", "Группа А", None])
    sheet.append([None, None, None, None, "всего", "зарегистрировано"])
    sheet.merge_cells("E1:F1")
    sheet.append([DATE, "МАОУ СШ № 1", "Липецк", 700101, 107, 92])
    path = tmp_path / "unknown-groups.xlsx"
    book.save(path)

    result = parse_file(path, engine)

    error = result.errors[0]
    assert (error.code, error.file, error.sheet) == ("no_figures", FILE, "Статистика")
    assert error.message.startswith(
        f"Файл «{FILE}», лист «Статистика»: ни в одной строке нет ни одного показателя"
    )
    assert "«Группа А всего» (E), «Группа А зарегистрировано» (F)" in error.message
    assert result.file_error


@pytest.mark.parametrize("engine", ENGINES)
def test_subtotals_notes_signatures_and_a_summary_sheet_are_skipped_with_a_warning_each(
    tmp_path, engine
):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "Статистика"
    header = [HEADER_TEXTS[key] for key in LAYOUT_COLUMNS]
    first, second, third = (layout_row(row) for row in LAYOUT_ROWS)
    subtotal = [None, None, None, "Липецк Итог", None, 157, 137, 16, 70]
    lines = [
        header,
        first,  # 2
        second,  # 3
        subtotal,  # 4
        third,  # 5: a detail row collapsed under its subtotal
        [None, None, None, "Елец Итог", None, 30, 30, 1, 25],  # 6
        [None, None, None, "Общий итог", None, 187, 167, 17, 95],  # 7
        [],  # 8
        ["Примечание: данные на 30.10.2025"],  # 9
        ["Исполнитель: Иванова И. И., тел. 8 (4742) 00-00-00"],  # 10
        [None, "Подпись ____________ / Иванова И. И."],  # 11
        ["30.10.2025"],  # 12: a date line
    ]
    for line in lines:
        sheet.append(line)
    sheet.row_dimensions[5].outlineLevel = 2
    sheet.row_dimensions[5].hidden = True
    summary = book.create_sheet("Свод")
    summary.append(header)
    summary.append([DATE, "Липецк", None, "Липецк", None, 157, 137, 16, 70])
    summary.append([DATE, "Елец", None, "Елец", None, 30, 30, 1, 25])
    path = tmp_path / "subtotals.xlsx"
    book.save(path)

    result = parse_file(path, engine)

    assert result.errors == []
    assert figures(result) == clean_figures(tmp_path, engine=engine)
    assert [(p.code, p.sheet, p.row) for p in result.warnings] == [
        ("totals_row", "Статистика", 4),
        ("totals_row", "Статистика", 6),
        ("totals_row", "Статистика", 7),
        ("not_a_data_row", "Статистика", 9),
        ("not_a_data_row", "Статистика", 10),
        ("not_a_data_row", "Статистика", 11),
        ("not_a_data_row", "Статистика", 12),
        ("not_a_data_row", "Свод", 2),
        ("not_a_data_row", "Свод", 3),
    ]
    assert result.warnings[0].message == (
        "Строка пропущена: это итоговая строка («Липецк Итог»), а не организация"
    )
    assert result.warnings[-1].message == (
        "Строка пропущена: это не строка организации (строка свода без ID организации): «Елец»"
    )


@pytest.mark.parametrize("engine", ENGINES)
def test_russian_text_dates_import_as_the_same_figures_as_excel_dates(tmp_path, engine):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append([HEADER_TEXTS[key] for key in LAYOUT_COLUMNS])
    texts = ["30.10.2025 г.", "30 октября 2025 года", "30 ОКТЯБРЬ 2025 г."]
    for text, row in zip(texts, LAYOUT_ROWS, strict=True):
        sheet.append([text, *layout_row(row)[1:]])
    path = tmp_path / "dates.xlsx"
    book.save(path)

    result = parse_file(path, engine)

    assert result.problems == []
    assert figures(result) == clean_figures(tmp_path, engine=engine)


@pytest.mark.parametrize("engine", ENGINES)
def test_a_formula_without_a_calculated_value_is_no_data_with_a_warning_at_its_cell(
    tmp_path, engine
):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "Статистика"
    sheet.append([HEADER_TEXTS[key] for key in LAYOUT_COLUMNS])
    for row in LAYOUT_ROWS:
        sheet.append(layout_row(row))
    sheet["F3"] = "=1+2"  # written by a program: no value was ever calculated
    path = tmp_path / "formula.xlsx"
    book.save(path)

    result = parse_file(path, engine)

    warning = only_problem(result)
    assert (warning.code, warning.sheet, warning.row, warning.column) == (
        "uncalculated_formula",
        "Статистика",
        3,
        "F",
    )
    assert warning.header == "Учителей в школе всего"
    assert "Откройте файл в Excel или LibreOffice, сохраните его" in warning.message
    rows = [LAYOUT_ROWS[0], {**LAYOUT_ROWS[1], "teachers_total": None}, LAYOUT_ROWS[2]]
    assert figures(result) == clean_figures(tmp_path, rows, engine=engine)


def test_a_formula_read_as_its_text_is_no_data_with_a_warning_at_its_cell():
    sheet = RawSheet(
        "Статистика",
        [
            tuple(HEADER_TEXTS[key] for key in LAYOUT_COLUMNS),
            tuple(
                "=F2+1" if key == "students_total" else value
                for key, value in LAYOUT_ROWS[0].items()
            ),
        ],
    )
    result = parse_workbook([sheet], file_name=FILE)

    warning = only_problem(result)
    assert (warning.code, warning.row, warning.column) == ("uncalculated_formula", 2, "J")
    assert warning.message.startswith("Формула «=F2+1» без вычисленного значения")
    assert result.rows[0].students_total is None and result.rows[0].teachers_total == 107


def only_problem(result):
    """The one problem of a parse result."""
    assert len(result.problems) == 1, [p.as_line() for p in result.problems]
    return result.problems[0]
