"""The query-parameter helpers (sferum_portal/params.py): what each one takes and what it
treats as absent. No database."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.http import QueryDict

from sferum_portal import params


def q(text: str) -> QueryDict:
    return QueryDict(text)


@pytest.mark.parametrize("text", ["²", "¹²³", "１２３", "١٢٣", "-1", "0", "1.5", "", " ", "1e3"])
def test_a_number_that_is_not_ascii_digits_or_not_positive_is_absent(text):
    assert params.param_int({"page": text}, "page") is None


def test_a_number_is_read_from_ascii_digits_within_the_range():
    assert params.param_int(q("page=7"), "page") == 7
    assert params.param_int(q("page=%207%20"), "page") == 7
    assert params.param_int(q("page=0"), "page", min_value=0) == 0
    assert params.param_int(q("page=11"), "page", max_value=10) is None
    assert params.param_int(q(""), "page", default=1) == 1


def test_a_number_beyond_the_database_column_is_absent():
    assert params.param_int({"id": str(params.DB_INT_MAX)}, "id") == params.DB_INT_MAX
    assert params.param_int({"id": str(params.DB_INT_MAX + 1)}, "id") is None
    assert params.param_int({"id": "1" * 30}, "id") is None
    assert params.param_int({"id": "9" * 5000}, "id") is None  # not even handed to int()


def test_a_repeated_key_counts_by_its_last_value():
    assert params.param_int(q("page=2&page=3"), "page") == 3
    assert params.param_int(q("page=2&page=²"), "page") is None


def test_an_id_list_keeps_the_usable_ids_in_order_once_each():
    assert params.param_int_list(q("ids=3,1,²,３,-1,3,," + "9" * 30 + ",2"), "ids") == [3, 1, 2]
    assert params.param_int_list(q(""), "ids") == []
    many = ",".join(str(i) for i in range(1, 1000))
    assert params.param_int_list({"ids": many}, "ids") == list(range(1, params.LIST_MAX + 1))


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2025-11-26", dt.date(2025, 11, 26)),
        ("26.11.2025", dt.date(2025, 11, 26)),
        ("1.2.2025", dt.date(2025, 2, 1)),
        ("2000-01-01", dt.date(2000, 1, 1)),
        ("2100-12-31", dt.date(2100, 12, 31)),
        ("9999-12-31", None),
        ("31.12.9999", None),
        ("0001-01-01", None),
        ("1999-12-31", None),
        ("2025-02-30", None),
        ("２０２５-11-26", None),
        ("2025-11-26T00:00", None),
        ("", None),
        ("x" * 5000, None),
    ],
)
def test_a_date_is_iso_or_russian_within_the_sane_range(text, expected):
    assert params.param_date({"d": text}, "d") == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2025-W48", dt.date(2025, 11, 24)),
        ("2025w48", dt.date(2025, 11, 24)),
        ("2025-W53", None),  # 2025 has 52 ISO weeks
        ("2020-W53", dt.date(2020, 12, 28)),
        ("2025-W99", None),
        ("2025-W00", None),
        ("9999-W01", None),
        ("0001-W01", None),
        ("２０２５-W48", None),
        ("2025-W４８", None),
        ("", None),
    ],
)
def test_a_week_is_an_existing_iso_week_within_the_range(text, expected):
    assert params.param_week({"week": text}) == expected


def test_a_choice_is_one_of_the_choices_or_the_default():
    assert params.param_choice(q("type=ou"), "type", ("ou", "dou")) == "ou"
    assert params.param_choice(q("type=OU"), "type", ("ou", "dou")) == ""
    assert params.param_choice(q("type=%00"), "type", ("ou",), default="ou") == "ou"


def test_text_loses_control_characters_and_is_cut_to_its_limit():
    assert params.param_text(q("q=%20%D0%A1%D0%9E%D0%A8%00%201%20"), "q") == "СОШ 1"
    assert len(params.param_text({"q": "я" * 5000}, "q")) == params.TEXT_MAX
    assert params.param_text({"q": "a" * 10}, "q", max_length=3) == "aaa"
    assert params.param_text(q(""), "q") == ""


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("100500", 100500),
        (str(params.DB_INT_MAX), params.DB_INT_MAX),
        (str(params.DB_INT_MAX + 1), None),
        ("²", None),
        ("１２３", None),
        ("0", None),
        ("СОШ 1", None),
    ],
)
def test_a_search_text_is_a_sferum_id_only_when_it_is_ascii_digits_the_column_holds(text, expected):
    assert params.sferum_id_in(text) == expected


def test_a_form_date_outside_the_range_is_refused_in_russian():
    params.validate_date_in_range(dt.date(2025, 11, 26))
    with pytest.raises(ValidationError) as refused:
        params.validate_date_in_range(dt.date(9999, 12, 31))
    assert refused.value.messages == ["Укажите дату с 01.01.2000 по 31.12.2100."]
