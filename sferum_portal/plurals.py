"""Russian plurals: the one rule for "1 организация, 2 организации, 5 организаций".

A leaf module: it imports no app of the project, so every app and template tag can use it.
"""

from __future__ import annotations

from .numbers import group_digits


def plural_ru(number: int, one: str, few: str, many: str) -> str:
    """The form of a noun that agrees with ``number``: ``one`` for 1, 21, 101; ``few`` for
    2–4, 22–24; ``many`` for 0, 5–20, 25–30 and the teens (11–14 take ``many``)."""
    n = abs(int(number))
    if n % 10 == 1 and n % 100 != 11:
        return one
    if 2 <= n % 10 <= 4 and not 12 <= n % 100 <= 14:
        return few
    return many


def count_ru(number: int, one: str, few: str, many: str) -> str:
    """The number, grouped (``sferum_portal.numbers``), and the noun agreeing with it:
    ``count_ru(684, "ошибка", "ошибки", "ошибок")`` → "684 ошибки"; for messages built in Python
    (templates write ``{{ n|num }} {{ n|plural_ru:"…" }}``)."""
    return f"{group_digits(number)} {plural_ru(number, one, few, many)}"
