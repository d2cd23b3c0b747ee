"""Pure cleaners for single cells of the export: each returns a clean value or raises.

``CellError`` rejects the row; ``CellWarning`` keeps it with ``value`` as the fallback and tells
the user why. The common case (an int is an int, a date is a date) returns before any parsing;
the parser remembers the results for values that repeat down a column (dates, МО, types).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable

from organizations.links import safe_http_url

ORG_TYPE_LABELS: dict[str, str] = {
    "ou": "Общеобраз.",
    "dou": "Дошкольн.",
    "udo": "Доп. образ.",
    "spo": "СПО",
    "ouo": "ОУО",
    "other": "другое",
}

# Serials of 01.01.2000 and 31.12.2099: a smaller or larger number is not a report date.
_EXCEL_EPOCH = dt.date(1899, 12, 30)
_SERIAL_MIN, _SERIAL_MAX = 36526, 73415

_NO_DATA = frozenset({"", "-", "—", "–", "‐", "−", "н/д", "нд", "нет данных", "n/a", "na"})
_THOUSANDS = str.maketrans("", "", " \u00a0\u202f\u2007\u2009'")
_WHITESPACE = re.compile(r"\s+")
_DATE_TEXT = re.compile(
    r"(?:(?P<d>\d{1,2})[./](?P<m>\d{1,2})[./](?P<y>\d{4}|\d{2})"
    r"|(?P<iy>\d{4})-(?P<im>\d{1,2})-(?P<id>\d{1,2}))"
    r"(?:[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?"
)
# Russian report dates: «10.12.2025 г.», «10 декабря 2025 года», «10 декабрь 2025».
_YEAR_WORD = r"(?:\s*(?:г\.?|года?)\s*)?"
_DATE_TEXT_YEAR_WORD = re.compile(r"(?P<date>\d{1,2}[./]\d{1,2}[./]\d{2,4})\s*(?:г\.?|года?)\s*")
_DATE_WORDS = re.compile(
    r"«?(?P<d>\d{1,2})»?\s+(?P<month>[а-яё]+)\s+(?P<y>\d{4})" + _YEAR_WORD, re.IGNORECASE
)
# Genitive and nominative stems: «декабр» covers «декабря» and «декабрь», «ма» «мая» and «май».
_MONTHS = {
    "январ": 1, "феврал": 2, "март": 3, "апрел": 4, "ма": 5, "июн": 6, "июл": 7, "август": 8,
    "сентябр": 9, "октябр": 10, "ноябр": 11, "декабр": 12,
}  # fmt: skip
_MONTH_ENDINGS = ("ь", "я", "а", "й", "")
_MASK_CHARS = frozenset("xXхХ*")


class CellError(ValueError):
    """The cell cannot be used; the row is rejected with this message."""

    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code = code
        self.message = message


class CellWarning(Exception):
    """The cell is doubtful; the row is kept with ``value`` and the user is told why."""

    def __init__(self, code: str, message: str, value: object = None):
        super().__init__(message)
        self.code = code
        self.message = message
        self.value = value


def shown(value: object) -> str:
    """How a cell value is quoted back to the user in a message."""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, (dt.date, dt.datetime)):
        return value.strftime("%d.%m.%Y")
    return str(value).strip()


def is_empty(value: object) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


# --- dates ----------------------------------------------------------------------------------------


def _date_error(value: object) -> CellError:
    return CellError("bad_date", f"Ожидалась дата в формате ДД.ММ.ГГГГ, получено «{shown(value)}»")


def _month(word: str) -> int | None:
    word = word.lower().replace("ё", "е")
    for ending in _MONTH_ENDINGS:
        if ending and not word.endswith(ending):
            continue
        month = _MONTHS.get(word[: len(word) - len(ending)])
        if month:
            return month
    return None


def _date_from_words(text: str) -> dt.date:
    match = _DATE_WORDS.fullmatch(text)
    month = match and _month(match["month"])
    if not month:
        raise _date_error(text)
    try:
        return dt.date(int(match["y"]), month, int(match["d"]))
    except ValueError:
        raise _date_error(text) from None


def _date_from_text(text: str) -> dt.date:
    text = text.strip()
    match = _DATE_TEXT.fullmatch(text)
    if not match:
        with_year_word = _DATE_TEXT_YEAR_WORD.fullmatch(text)
        if with_year_word:
            return _date_from_text(with_year_word["date"])
        return _date_from_words(text)
    if match["d"]:
        year, month, day = int(match["y"]), int(match["m"]), int(match["d"])
        if len(match["y"]) == 2:
            year += 2000
    else:
        year, month, day = int(match["iy"]), int(match["im"]), int(match["id"])
    try:
        return dt.date(year, month, day)
    except ValueError:
        raise _date_error(text) from None


def clean_date(value: object) -> dt.date:
    """A report date from an Excel date, a 1900-system serial number, dd.mm.yyyy-like text
    (with «г.» or «года» after it or not) or words: «10 декабря 2025 г.», «10 декабрь 2025»."""
    kind = type(value)
    if kind is dt.datetime:
        return value.date()
    if kind is dt.date:
        return value
    if kind is str and value.strip():
        return _date_from_text(value)
    if kind in (int, float) and _SERIAL_MIN <= value <= _SERIAL_MAX:
        return _EXCEL_EPOCH + dt.timedelta(days=int(value))
    if is_empty(value):
        raise CellError("missing_date", "Не указана дата — ожидалась дата ДД.ММ.ГГГГ")
    raise _date_error(value)


# --- counts ---------------------------------------------------------------------------------------


def _count_error(value: object) -> CellError:
    return CellError(
        "bad_count", f"Ожидалось целое число (количество человек), получено «{shown(value)}»"
    )


def _negative(value: object) -> CellError:
    return CellError(
        "negative_count",
        f"Количество не может быть отрицательным: получено «{shown(value)}», ожидалось число ≥ 0",
    )


def uncalculated(formula: str) -> CellWarning:
    """A formula read as its text: the program that wrote the file never calculated it."""
    return CellWarning(
        "uncalculated_formula",
        f"Формула «{shown(formula)}» без вычисленного значения — прочитана как «нет данных». "
        "Откройте файл в Excel или LibreOffice, сохраните его (значения формул будут "
        "вычислены) и загрузите ещё раз",
    )


def clean_count(value: object) -> int | None:
    """A head count; empty cells and "-", "н/д" mean no data (None), never 0; a formula's
    text ("=1+2", never calculated) is no data too, with a warning."""
    kind = type(value)
    if kind is int:
        if value >= 0:
            return value
        raise _negative(value)
    if value is None:
        return None
    if kind is float:
        number = value
    elif kind is str:
        text = value.strip().lower()
        if text in _NO_DATA:
            return None
        if text.startswith("="):
            raise uncalculated(value)
        text = text.translate(_THOUSANDS).replace(",", ".")
        try:
            number = int(text)
        except ValueError:
            try:
                number = float(text)
            except ValueError:
                raise _count_error(value) from None
    else:  # bools, dates and times are not counts
        raise _count_error(value)
    if number != number or number in (float("inf"), float("-inf")):  # NaN / infinity
        raise _count_error(value)
    if number < 0:
        raise _negative(value)
    if number != int(number):
        raise _count_error(value)
    return int(number)


# --- Sferum ids -----------------------------------------------------------------------------------


def clean_sferum_id(value: object) -> int:
    """The organisation's numeric Sferum ID; a masked one ("XXXX") is an error, never a guess."""
    kind = type(value)
    if kind is int and value > 0:
        return value
    if kind is float and value.is_integer() and value > 0:
        return int(value)
    if is_empty(value):
        raise CellError(
            "missing_id", "Не указан ID организации — нужен числовой ID из выгрузки Сферум"
        )
    text = str(value).strip().lstrip("'").strip().translate(_THOUSANDS)
    if any(char in _MASK_CHARS for char in text):
        raise CellError(
            "masked_id",
            f"ID организации скрыт («{shown(value)}») — нужен числовой ID из выгрузки Сферум",
        )
    if text.endswith(".0"):
        text = text[:-2]
    if text.isdigit() and int(text) > 0:
        return int(text)
    raise CellError(
        "bad_id", f"Ожидался числовой ID организации из выгрузки Сферум, получено «{shown(value)}»"
    )


# --- the "Активна" flag ---------------------------------------------------------------------------

_ACTIVE = frozenset({"активна", "активен", "активная", "да", "true", "истина", "1", "yes", "+"})
_INACTIVE = frozenset(
    {"неактивна", "не активна", "неактивен", "не активен", "нет", "false", "ложь", "0", "no"}
)


def clean_is_active(value: object) -> bool | None:
    """True/False from "Активна"/"Неактивна", Да/Нет, 1/0; empty is None (no data)."""
    if value is None or type(value) is bool:
        return value
    if type(value) in (int, float) and value in (0, 1):
        return bool(value)
    text = str(value).strip().lower().replace("ё", "е")
    if text in _ACTIVE:
        return True
    if text in _INACTIVE:
        return False
    if text in _NO_DATA:
        return None
    raise CellWarning(
        "unknown_active",
        f"Непонятное значение «{shown(value)}» в столбце активности — ожидалось «Активна» или "
        "«Неактивна»; сохранено как «нет данных»",
    )


# --- organisation types ---------------------------------------------------------------------------

_ORG_TYPE_EXACT = {
    "общеобраз": "ou",
    "оу": "ou",
    "сош": "ou",
    "оош": "ou",
    "нош": "ou",
    "школа": "ou",
    "дошкольн": "dou",
    "доу": "dou",
    "детский сад": "dou",
    "д/с": "dou",
    "доп образ": "udo",
    "удо": "udo",
    "дод": "udo",
    "спо": "spo",
    "поо": "spo",
    "проф образ": "spo",
    "оуо": "ouo",
    "уо": "ouo",
    "муо": "ouo",
}
# Checked in order after the exact names: (stem, code); "управлени" before any "образ" stem.
_ORG_TYPE_STEMS = (
    ("управлени", "ouo"),
    ("отдел образования", "ouo"),
    ("комитет", "ouo"),
    ("общеобраз", "ou"),
    ("общее образование", "ou"),
    ("дошкол", "dou"),
    ("детский сад", "dou"),
    ("дополнительн", "udo"),
    ("доп образ", "udo"),
    ("профессиональн", "spo"),
    ("проф образ", "spo"),
    ("колледж", "spo"),
    ("техникум", "spo"),
    ("училище", "spo"),
    ("школ", "ou"),
    ("гимнази", "ou"),
    ("лицей", "ou"),
)


def _org_type_code(text: str) -> str:
    norm = _WHITESPACE.sub(" ", text.lower().replace("ё", "е").replace(".", " ")).strip()
    code = _ORG_TYPE_EXACT.get(norm)
    if code:
        return code
    for stem, code in _ORG_TYPE_STEMS:
        if stem in norm:
            return code
    return "other"


def clean_org_type(value: object) -> str:
    """The type code (ou, dou, udo, spo, ouo); an unknown or empty type warns and is "other"."""
    text = clean_text(value)
    if text is None:
        raise CellWarning(
            "missing_org_type",
            "Не указан тип ОО — ожидалось «Общеобраз.», «Дошкольн.», «Доп. образ.», «СПО» или "
            "«ОУО»; сохранён как «другое»",
            "other",
        )
    code = _org_type_code(text)
    if code == "other":
        raise CellWarning(
            "unknown_org_type", f"Неизвестный тип ОО «{text}» — сохранён как «другое»", "other"
        )
    return code


# --- text -----------------------------------------------------------------------------------------


def clean_text(value: object) -> str | None:
    """Stripped text with single spaces; numbers as written (48.0 -> "48"); empty is None."""
    if type(value) is str:
        text = " ".join(value.split())
        return text or None
    if value is None:
        return None
    if type(value) is float and value.is_integer():
        return str(int(value))
    if type(value) in (dt.date, dt.datetime):
        return shown(value)
    return " ".join(str(value).split()) or None


def clean_link(value: object) -> str | None:
    """The community link: an http(s) address or nothing. Any other scheme (javascript:,
    data:, file:…) or a hidden character inside is dropped with a warning; the row is kept."""
    if is_empty(value):
        return None
    link = safe_http_url(value)
    if link is None:
        text = shown(value)
        text = text if len(text) <= 100 else text[:100] + "…"
        raise CellWarning(
            "unsafe_link",
            f"Ссылка «{text}» не сохранена: допустима только ссылка http:// или https://",
        )
    return link


def required_text(header: str) -> Callable[[object], str]:
    """A cleaner for a text column that must be filled, naming the column when it is not."""

    def clean(value: object) -> str:
        text = clean_text(value)
        if text is None:
            raise CellError("missing_value", f"Не заполнен обязательный столбец «{header}»")
        return text

    return clean


def clean_region_code(value: object) -> str | None:
    """A two-digit region code: 48, 48.0, "48" -> "48"; 5 -> "05"."""
    text = clean_text(value)
    if text is None:
        return None
    if text.isdigit() and len(text) <= 3:
        return str(int(text)).zfill(2)
    raise CellWarning(
        "bad_region_code",
        f"Код региона «{text}» не похож на код субъекта — ожидалось число от 01 до 99; "
        "сохранено как «нет данных»",
    )
