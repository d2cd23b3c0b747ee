"""Cell cleaners of the importer: what each accepts, what it refuses, and what it says."""

import datetime as dt

import pytest

from monitoring.importers import values as v


def error_of(clean, value) -> v.CellError:
    with pytest.raises(v.CellError) as caught:
        clean(value)
    return caught.value


def warning_of(clean, value) -> v.CellWarning:
    with pytest.raises(v.CellWarning) as caught:
        clean(value)
    return caught.value


# --- dates ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "cell",
    [
        dt.date(2025, 10, 30),
        dt.datetime(2025, 10, 30),
        dt.datetime(2025, 10, 30, 15, 45),
        45960,
        45960.0,
        45960.75,
        "30.10.2025",
        " 30.10.2025 ",
        "30.10.25",
        "2025-10-30",
        "2025-10-30 00:00:00",
        "30.10.2025 12:00",
    ],
)
def test_a_date_is_read_from_excel_dates_serials_and_text(cell):
    assert v.clean_date(cell) == dt.date(2025, 10, 30)


@pytest.mark.parametrize(
    ("cell", "date"),
    [
        ("10.12.2025 г.", dt.date(2025, 12, 10)),
        ("10.12.2025г", dt.date(2025, 12, 10)),
        ("10.12.2025 года", dt.date(2025, 12, 10)),
        ("10 декабря 2025", dt.date(2025, 12, 10)),
        ("10 декабря 2025 г.", dt.date(2025, 12, 10)),
        ("10 декабря 2025 года", dt.date(2025, 12, 10)),
        ("«10» декабря 2025 г.", dt.date(2025, 12, 10)),
        ("10 Декабрь 2025", dt.date(2025, 12, 10)),
        ("10 ДЕКАБРЯ 2025 Г.", dt.date(2025, 12, 10)),
        ("1 января 2026", dt.date(2026, 1, 1)),
        ("28 февраль 2026", dt.date(2026, 2, 28)),
        ("3 марта 2026", dt.date(2026, 3, 3)),
        ("3 апреля 2026", dt.date(2026, 4, 3)),
        ("1 мая 2026", dt.date(2026, 5, 1)),
        ("1 май 2026 г.", dt.date(2026, 5, 1)),
        ("5 июня 2026", dt.date(2026, 6, 5)),
        ("5 июль 2026", dt.date(2026, 7, 5)),
        ("5 августа 2026", dt.date(2026, 8, 5)),
        ("5 сентябрь 2025", dt.date(2025, 9, 5)),
        ("30 октября 2025 года", dt.date(2025, 10, 30)),
        ("17 ноября 2025", dt.date(2025, 11, 17)),
        ("17 ноябрё 2025", None),  # not a month
        ("31 февраля 2026", None),
        ("10 декабря", None),
        ("декабрь 2025", None),
    ],
)
def test_russian_dates_are_read_with_the_month_in_words_and_a_year_word(cell, date):
    if date is None:
        assert error_of(v.clean_date, cell).code == "bad_date"
    else:
        assert v.clean_date(cell) == date


@pytest.mark.parametrize("cell", ["вчера", "31.02.2025", "30-10-2025", "2025/10", 5, 10**7, True])
def test_anything_else_is_not_a_date_and_the_message_shows_what_was_expected(cell):
    error = error_of(v.clean_date, cell)
    assert error.code == "bad_date"
    assert error.message.startswith("Ожидалась дата в формате ДД.ММ.ГГГГ, получено «")


def test_the_date_message_quotes_the_cell():
    assert error_of(v.clean_date, " вчера ").message == (
        "Ожидалась дата в формате ДД.ММ.ГГГГ, получено «вчера»"
    )


@pytest.mark.parametrize("cell", ["=1+2", " =SUM(F2:F9) "])
def test_a_count_given_as_a_formulas_text_is_no_data_with_a_warning(cell):
    warning = warning_of(v.clean_count, cell)
    assert (warning.code, warning.value) == ("uncalculated_formula", None)
    assert "Откройте файл в Excel или LibreOffice" in warning.message


@pytest.mark.parametrize("cell", [None, "", "   "])
def test_an_empty_date_is_an_error(cell):
    assert error_of(v.clean_date, cell).code == "missing_date"


# --- counts ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        (0, 0),
        (1593, 1593),
        (3.0, 3),
        ("1593", 1593),
        ("1 593", 1593),
        ("1\u00a0593", 1593),
        ("1\u202f593", 1593),
        (" 12 345 678 ", 12345678),
        ("1593,0", 1593),
        ("1593.0", 1593),
    ],
)
def test_a_count_is_a_whole_number_whatever_the_thousands_separator(cell, expected):
    assert v.clean_count(cell) == expected
    assert type(v.clean_count(cell)) is int


@pytest.mark.parametrize("cell", [None, "", "  ", "-", "—", "–", "н/д", "Н/Д", "нет данных"])
def test_no_data_in_a_count_is_none_never_zero(cell):
    assert v.clean_count(cell) is None


@pytest.mark.parametrize("cell", [-5, -5.0, "-5", "-1 000"])
def test_a_negative_count_is_an_error(cell):
    error = error_of(v.clean_count, cell)
    assert error.code == "negative_count"
    assert "ожидалось число ≥ 0" in error.message


@pytest.mark.parametrize("cell", [2.5, "2,5", "много", "1,593", True, dt.date(2025, 1, 1)])
def test_a_count_that_is_not_a_whole_number_is_an_error_naming_what_was_expected(cell):
    error = error_of(v.clean_count, cell)
    assert error.code == "bad_count"
    assert error.message.startswith("Ожидалось целое число (количество человек), получено «")


def test_the_count_message_quotes_the_cell():
    assert error_of(v.clean_count, "много").message == (
        "Ожидалось целое число (количество человек), получено «много»"
    )


# --- Sferum ids -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "cell", [700037, 700037.0, "700037", "'700037", " 700037.0 ", " '700037 ", "700 037"]
)
def test_a_sferum_id_is_read_as_an_int_from_numbers_and_text(cell):
    assert v.clean_sferum_id(cell) == 700037


@pytest.mark.parametrize("cell", ["XXXX", "xxxx", "ХХХХ", "хххх", "***", "7000XX", "ID-X"])
def test_a_masked_id_is_reported_not_guessed(cell):
    error = error_of(v.clean_sferum_id, cell)
    assert error.code == "masked_id"
    assert error.message == (
        f"ID организации скрыт («{cell}») — нужен числовой ID из выгрузки Сферум"
    )


@pytest.mark.parametrize("cell", [None, "", "  "])
def test_an_empty_id_is_an_error(cell):
    error = error_of(v.clean_sferum_id, cell)
    assert error.code == "missing_id"
    assert "нужен числовой ID из выгрузки Сферум" in error.message


@pytest.mark.parametrize("cell", ["abc", 0, -5, 12.5, "12.5"])
def test_an_id_that_is_not_a_positive_whole_number_is_an_error(cell):
    assert error_of(v.clean_sferum_id, cell).code == "bad_id"


# --- the "Активна" flag ---------------------------------------------------------------------------


@pytest.mark.parametrize("cell", ["Активна", " активна ", "Да", "true", "TRUE", 1, 1.0, True])
def test_active_values_are_true(cell):
    assert v.clean_is_active(cell) is True


@pytest.mark.parametrize("cell", ["Неактивна", "Не активна", "Нет", "false", 0, 0.0, False])
def test_inactive_values_are_false(cell):
    assert v.clean_is_active(cell) is False


@pytest.mark.parametrize("cell", [None, "", " ", "-"])
def test_an_empty_active_flag_is_no_data(cell):
    assert v.clean_is_active(cell) is None


def test_an_unknown_active_flag_warns_and_is_no_data():
    warning = warning_of(v.clean_is_active, "Заблокирована")
    assert warning.code == "unknown_active"
    assert warning.value is None
    assert "«Заблокирована»" in warning.message


# --- organisation types ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("cell", "code"),
    [
        ("Общеобраз.", "ou"),
        ("Общеобразовательная", "ou"),
        ("Общеобразовательная организация", "ou"),
        ("ОУ", "ou"),
        ("Школа", "ou"),
        ("СОШ", "ou"),
        ("Дошкольн.", "dou"),
        ("Дошкольная", "dou"),
        ("ДОУ", "dou"),
        ("Детский сад", "dou"),
        ("Доп. образ.", "udo"),
        ("Дополнительное образование", "udo"),
        ("УДО", "udo"),
        ("СПО", "spo"),
        ("Проф. образ.", "spo"),
        ("Профессиональная", "spo"),
        ("Колледж", "spo"),
        ("Техникум", "spo"),
        ("ОУО", "ouo"),
        ("Орган управления образованием", "ouo"),
        ("Управление образования", "ouo"),
        ("  общеобраз. ", "ou"),
    ],
)
def test_org_types_are_mapped_from_abbreviations_and_long_forms(cell, code):
    assert v.clean_org_type(cell) == code


def test_an_unknown_org_type_is_other_with_a_warning_naming_it():
    warning = warning_of(v.clean_org_type, "Санаторий")
    assert (warning.code, warning.value) == ("unknown_org_type", "other")
    assert warning.message == "Неизвестный тип ОО «Санаторий» — сохранён как «другое»"


@pytest.mark.parametrize("cell", [None, "", "  "])
def test_an_empty_org_type_is_other_with_a_warning(cell):
    warning = warning_of(v.clean_org_type, cell)
    assert (warning.code, warning.value) == ("missing_org_type", "other")
    assert "Не указан тип ОО" in warning.message


# --- text and region codes ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        ("  МАОУ   СШ\u00a0№ 1 ", "МАОУ СШ № 1"),
        ("Липецк\n", "Липецк"),
        (48, "48"),
        (48.0, "48"),
        (4.5, "4.5"),
        (dt.date(2025, 10, 30), "30.10.2025"),
        ("", None),
        ("   ", None),
        (None, None),
    ],
)
def test_text_is_stripped_and_numbers_become_text(cell, expected):
    assert v.clean_text(cell) == expected


def test_a_required_text_cell_that_is_empty_names_its_column():
    error = error_of(v.required_text("Краткое название"), "  ")
    assert error.code == "missing_value"
    assert error.message == "Не заполнен обязательный столбец «Краткое название»"


@pytest.mark.parametrize(
    ("cell", "expected"),
    [(11, "11"), (11.0, "11"), ("48", "48"), (" 48 ", "48"), (5, "05"), ("5", "05"), (None, None)],
)
def test_a_region_code_is_two_digits(cell, expected):
    assert v.clean_region_code(cell) == expected


def test_a_region_code_that_is_not_a_number_warns_and_is_no_data():
    warning = warning_of(v.clean_region_code, "RU-LIP")
    assert (warning.code, warning.value) == ("bad_region_code", None)
    assert "«RU-LIP»" in warning.message
