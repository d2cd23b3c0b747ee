"""Query parameters, read one way: every page reads ``request.GET`` through these helpers (or a
form whose fields use them), and a value a helper cannot use is treated as absent, never passed
on to ``int()``, a date sum or the database.

The rules: a number is ASCII digits only (``str.isdigit()`` is also true for "²" and "١٢٣",
which ``int()`` refuses or reads differently) and within what the database columns hold; a date
is ISO ``yyyy-mm-dd`` or ``dd.mm.yyyy`` between DATE_MIN and DATE_MAX (so a day can be added and a
time zone applied); a week is ``yyyy-Www`` of an existing ISO week in the same range; text is
stripped of control characters (PostgreSQL refuses NUL) and cut to TEXT_MAX characters. A
repeated key counts by its last value, as ``QueryDict.get`` reads it.

A leaf module: it imports no app of the project.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Mapping

from django.core.exceptions import ValidationError
from django.utils.http import url_has_allowed_host_and_scheme

from . import weeks

# BigAutoField and PositiveBigIntegerField hold up to 2**63 - 1 on PostgreSQL and SQLite.
DB_INT_MAX = 2**63 - 1
DATE_MIN = dt.date(2000, 1, 1)
DATE_MAX = dt.date(2100, 12, 31)
TEXT_MAX = 200
LIST_MAX = 100

_DIGITS = re.compile(r"[0-9]{1,19}")  # 19 digits cover DB_INT_MAX; checked against it below
_ISO_DATE = re.compile(r"([0-9]{4})-([0-9]{2})-([0-9]{2})")
_RU_DATE = re.compile(r"([0-9]{1,2})\.([0-9]{1,2})\.([0-9]{4})")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def _raw(params: Mapping, name: str) -> str:
    value = params.get(name)
    return value if isinstance(value, str) else ""


# --- values -------------------------------------------------------------------------------------


def to_int(text: str, *, min_value: int = 1, max_value: int = DB_INT_MAX) -> int | None:
    """``text`` as an integer if it is ASCII digits within [min_value, max_value], else None."""
    text = text.strip()
    if not _DIGITS.fullmatch(text):
        return None
    value = int(text)
    return value if min_value <= value <= max_value else None


def to_date(text: str, *, earliest: dt.date = DATE_MIN, latest: dt.date = DATE_MAX):
    """``yyyy-mm-dd`` or ``dd.mm.yyyy`` as a date within [earliest, latest], else None."""
    text = text.strip()
    if match := _ISO_DATE.fullmatch(text):
        year, month, day = match.groups()
    elif match := _RU_DATE.fullmatch(text):
        day, month, year = match.groups()
    else:
        return None
    try:
        value = dt.date(int(year), int(month), int(day))
    except ValueError:
        return None
    return value if earliest <= value <= latest else None


def to_week(text: str, *, earliest: dt.date = DATE_MIN, latest: dt.date = DATE_MAX):
    """``2025-W48`` as the Monday of that ISO week, if the week exists and is in range (the
    week rule lives in ``sferum_portal.weeks``)."""
    return weeks.to_week(text, earliest=earliest, latest=latest)


def clean_text(text: str, *, max_length: int = TEXT_MAX) -> str:
    """Text without control characters, stripped and cut to ``max_length`` characters."""
    return _CONTROL.sub("", text).strip()[:max_length].strip()


def sferum_id_in(text: str) -> int | None:
    """The Sferum ID a search text may be: the whole text in ASCII digits, within the column."""
    return to_int(text, min_value=1)


# --- parameters ---------------------------------------------------------------------------------


def param_int(
    params: Mapping,
    name: str,
    *,
    default: int | None = None,
    min_value: int = 1,
    max_value: int = DB_INT_MAX,
) -> int | None:
    value = to_int(_raw(params, name), min_value=min_value, max_value=max_value)
    return default if value is None else value


def param_int_list(
    params: Mapping, name: str, *, max_items: int = LIST_MAX, max_value: int = DB_INT_MAX
) -> list[int]:
    """``ids=1,2,3``: the usable numbers, in order, without repeats, at most ``max_items``."""
    found: list[int] = []
    for part in _raw(params, name).split(",")[: max_items * 2]:
        value = to_int(part, max_value=max_value)
        if value is not None and value not in found:
            found.append(value)
        if len(found) == max_items:
            break
    return found


def param_date(
    params: Mapping, name: str, *, earliest: dt.date = DATE_MIN, latest: dt.date = DATE_MAX
) -> dt.date | None:
    return to_date(_raw(params, name), earliest=earliest, latest=latest)


def param_week(params: Mapping, name: str = "week") -> dt.date | None:
    return to_week(_raw(params, name))


def param_choice(params: Mapping, name: str, choices: Iterable[str], default: str = "") -> str:
    value = _raw(params, name)
    return value if value in set(choices) else default


def param_text(params: Mapping, name: str, *, max_length: int = TEXT_MAX) -> str:
    return clean_text(_raw(params, name), max_length=max_length)


# --- form validators ----------------------------------------------------------------------------


def validate_date_in_range(value: dt.date) -> None:
    """For a filter form's DateField: the same range as ``param_date``, a Russian message."""
    if not DATE_MIN <= value <= DATE_MAX:
        raise ValidationError(
            f"Укажите дату с {DATE_MIN:%d.%m.%Y} по {DATE_MAX:%d.%m.%Y}.", code="date_range"
        )


def safe_next(request, fallback: str) -> str:
    """Where to go back after a form: the ``next`` of the POST or the query string if it is a
    path of this site (never another host: no open redirect), else ``fallback``."""
    target = request.POST.get("next") or param_text(request.GET, "next", max_length=2000)
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return fallback
