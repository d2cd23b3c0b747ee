"""Canonical columns of the Sferum statistics export and the header texts that name them.

Real files rename columns ("ID организации", "Учителей всего в школе", "Муниципалитет"), so a
header cell is normalised first and then looked up among the aliases of every canonical key.
The canonical keys map 1:1 to the snapshot model's fields.
"""

from __future__ import annotations

import re

# The seed's export (seed 003, question 6), in the seed's column order, with its exact texts.
SEED_HEADERS: dict[str, str] = {
    "date": "Дата",
    "short_name": "Краткое название",
    "org_type": "Тип ОО",
    "municipality": "МО",
    "region_name": "Субъект",
    "region_code": "Код региона",
    "link": "Ссылка",
    "sferum_id": "ID организация",
    "is_active": "Активна",
    "people_total": "Учителей, учеников и родителей в школе всего",
    "teachers_total": "Учителей в школе всего",
    "students_total": "Учеников в школе всего",
    "parents_total": "Родителей в школе всего",
    "registrations_total": "Регистраций в школе всего",
    "teachers_registered": "Учителей зарегистрировано в Сферум",
    "teachers_ejd": "Кол-во учителей, связавших аккаунты ЭЖД",
    "students_registered": "Учеников зарегистрировано в Сферум",
    "students_ejd": "Кол-во учеников, связавших аккаунты ЭЖД",
    "parents_registered": "Родителей зарегистрировано в Сферум",
    "parents_ejd": "Кол-во родителей, связавших аккаунты ЭЖД",
    "students_active": "Активные ученики",
    "parents_active": "Активные родители",
}
SEED_COLUMNS: tuple[str, ...] = tuple(SEED_HEADERS)

# Header texts used in messages and by the export writer; staff_active is not in the seed.
HEADERS: dict[str, str] = {**SEED_HEADERS, "staff_active": "Активные учителя"}
ALL_COLUMNS: tuple[str, ...] = tuple(HEADERS)

REQUIRED_COLUMNS: tuple[str, ...] = ("date", "short_name", "municipality", "sferum_id")

COUNT_COLUMNS: tuple[str, ...] = (
    "people_total",
    "teachers_total",
    "students_total",
    "parents_total",
    "registrations_total",
    "teachers_registered",
    "teachers_ejd",
    "students_registered",
    "students_ejd",
    "parents_registered",
    "parents_ejd",
    "students_active",
    "parents_active",
    "staff_active",
)

# Word forms per group, used to spell the count aliases once instead of by hand.
_GROUPS = {
    "teachers": ("учителей", "педагогов"),
    "students": ("учеников", "обучающихся"),
    "parents": ("родителей",),
}
# A two-level header names the group once («Учителя» merged over «всего / зарегистрировано /
# ЭЖД / активные»); the parser joins group and sub-header into "учителя всего" and so on.
_GROUP_NAMES = {
    "teachers": ("учителя", "педагоги"),
    "students": ("ученики", "обучающиеся"),
    "parents": ("родители",),
}
_ACTIVE_KEY = {
    "teachers": "staff_active",
    "students": "students_active",
    "parents": "parents_active",
}


def _group_aliases(group: str) -> dict[str, list[str]]:
    aliases: dict[str, list[str]] = {
        f"{group}_total": [],
        f"{group}_registered": [],
        f"{group}_ejd": [],
    }
    for word in _GROUPS[group]:
        aliases[f"{group}_total"] += [
            f"{word} в школе всего",
            f"{word} всего в школе",
            f"всего {word} в школе",
            f"всего {word}",
            f"{word} всего",
            f"количество {word}",
            f"количество {word} всего",
        ]
        aliases[f"{group}_registered"] += [
            f"{word} зарегистрировано в сферум",
            f"{word} зарегистрировано в сферуме",
            f"{word} зарегистрировано",
            f"зарегистрировано {word}",
            f"зарегистрировано {word} в сферум",
            f"зарегистрированных {word}",
            f"количество зарегистрированных {word}",
        ]
        aliases[f"{group}_ejd"] += [
            f"количество {word} связавших аккаунты эжд",
            f"количество {word} связавших аккаунты с эжд",
            f"{word} связавших аккаунты эжд",
            f"{word} связавших аккаунты с эжд",
            f"{word} связали аккаунты эжд",
            f"{word} связали аккаунты с эжд",
            f"{word} эжд",
        ]
    for word in _GROUP_NAMES[group]:
        aliases[f"{group}_total"] += [
            f"{word} всего",
            f"{word} в школе всего",
            f"{word} всего в школе",
            f"{word} в школе",
        ]
        aliases[f"{group}_registered"] += [
            f"{word} зарегистрировано",
            f"{word} зарегистрировано в сферум",
            f"{word} зарегистрированы",
            f"{word} зарегистрированы в сферум",
            f"{word} зарегистрированные",
        ]
        aliases[f"{group}_ejd"] += [
            f"{word} эжд",
            f"{word} связали аккаунты эжд",
            f"{word} связали аккаунты с эжд",
            f"{word} связавших аккаунты эжд",
            f"{word} связавшие аккаунты эжд",
            f"{word} связавшие аккаунты с эжд",
            f"{word} с аккаунтом эжд",
        ]
    return aliases


def _group_active_aliases() -> dict[str, list[str]]:
    """«Учителя» over «активные»: the active head count of the group."""
    aliases: dict[str, list[str]] = {}
    for group, words in _GROUP_NAMES.items():
        key = _ACTIVE_KEY[group]
        aliases[key] = [f"{word} {sub}" for word in words for sub in ("активные", "активных")]
    return aliases


_GROUP_ACTIVE = _group_active_aliases()


ALIASES: dict[str, tuple[str, ...]] = {
    "date": ("дата", "дата выгрузки", "дата отчета", "дата формирования", "отчетная дата"),
    "short_name": (
        "краткое название",
        "краткое наименование",
        "сокращенное наименование",
        "название",
        "наименование",
        "название оо",
        "наименование оо",
        "название организации",
        "наименование организации",
        "организация",
        "образовательная организация",
    ),
    "org_type": ("тип оо", "тип", "тип организации", "тип образовательной организации", "вид оо"),
    "municipality": (
        "мо",
        "муниципалитет",
        "муниципальное образование",
        "муниципальный район",
        "муниципальный округ",
        "район",
    ),
    "region_name": ("субъект", "субъект рф", "субъект российской федерации", "регион"),
    "region_code": ("код региона", "код субъекта", "код субъекта рф"),
    "link": ("ссылка", "ссылка на сообщество", "ссылка на организацию", "url"),
    "sferum_id": (
        "id организации",
        "id",
        "sferum id",
        "id сферум",
        "id в сферум",
        "id оо",
        "идентификатор организации",
    ),
    "is_active": ("активна", "активная", "статус", "статус организации", "организация активна"),
    "people_total": (
        "учителей учеников и родителей в школе всего",
        "учителей учеников и родителей всего",
        "всего учителей учеников и родителей",
        "всего в школе",
    ),
    "registrations_total": (
        "регистраций в школе всего",
        "регистраций всего",
        "всего регистраций",
        "зарегистрировано всего",
        "всего зарегистрировано",
    ),
    **{key: tuple(texts) for g in _GROUPS for key, texts in _group_aliases(g).items()},
    "students_active": (
        "активные ученики",
        "активных учеников",
        "активные обучающиеся",
        "активных обучающихся",
        *_GROUP_ACTIVE["students_active"],
    ),
    "parents_active": ("активные родители", "активных родителей", *_GROUP_ACTIVE["parents_active"]),
    "staff_active": (
        "активные учителя",
        "активные сотрудники",
        "активные педагоги",
        "активных учителей",
        "активных сотрудников",
        "активных педагогов",
        "активные педагоги и сотрудники",
        "активные учителя и сотрудники",
        *_GROUP_ACTIVE["staff_active"],
    ),
}

_QUOTES = str.maketrans("", "", "«»\"'“”„‘’`")
# A colon joins a group to its sub-header in some files («Учителя: зарегистрировано»).
_SPACES = re.compile(r"[\s\u00a0\u202f\u2007\u2009\ufeff,:]+")
_DASHES = re.compile(r"[\u2010-\u2015\u2212]")
_TRAILING = re.compile(r"[\s.:;*!?]+$")


def normalize_header(text: object) -> str:
    """Fold a header cell to the form aliases are written in.

    Lowercase, ё→е, no quotes, commas or colons, one plain space between words, "кол-во"
    spelled out, "ID организация" read as "ID организации", no trailing punctuation.
    """
    if text is None:
        return ""
    folded = str(text).lower().replace("ё", "е").translate(_QUOTES)
    folded = _DASHES.sub("-", folded)
    folded = _SPACES.sub(" ", folded).strip()
    folded = _TRAILING.sub("", folded)
    folded = folded.replace("кол-во", "количество").replace("кол во", "количество")
    return folded.replace("id организация", "id организации")


def _build_index() -> dict[str, str]:
    index: dict[str, str] = {}
    for key in ALL_COLUMNS:
        for alias in (HEADERS[key], *ALIASES.get(key, ())):
            norm = normalize_header(alias)
            if index.setdefault(norm, key) != key:
                raise ValueError(f"alias {alias!r} names both {index[norm]} and {key}")
    return index


ALIAS_INDEX: dict[str, str] = _build_index()


def column_key(header: object) -> str | None:
    """The canonical key a header cell names, or None for a column we do not know."""
    if not isinstance(header, str):
        return None
    return ALIAS_INDEX.get(normalize_header(header))


def column_letter(index: int) -> str:
    """Excel letter of a 0-based column index: 0 -> "A", 26 -> "AA"."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters
