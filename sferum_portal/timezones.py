"""Russia's time zones by the names people use: «Москва, UTC+3», not «Europe/Moscow».

The one list of zones a region may have (the region form's choices) and their Russian labels;
an unknown zone is shown as its IANA name.

A leaf module: it imports no app of the project.
"""

from __future__ import annotations

# (IANA name, city in Russian, offset from UTC in hours), west to east. Russia keeps no summer
# time since 2014, so each offset is fixed.
ZONES: tuple[tuple[str, str, int], ...] = (
    ("Europe/Kaliningrad", "Калининград", 2),
    ("Europe/Moscow", "Москва", 3),
    ("Europe/Simferopol", "Симферополь", 3),
    ("Europe/Kirov", "Киров", 3),
    ("Europe/Volgograd", "Волгоград", 3),
    ("Europe/Astrakhan", "Астрахань", 4),
    ("Europe/Samara", "Самара", 4),
    ("Europe/Saratov", "Саратов", 4),
    ("Europe/Ulyanovsk", "Ульяновск", 4),
    ("Asia/Yekaterinburg", "Екатеринбург", 5),
    ("Asia/Omsk", "Омск", 6),
    ("Asia/Barnaul", "Барнаул", 7),
    ("Asia/Krasnoyarsk", "Красноярск", 7),
    ("Asia/Novokuznetsk", "Новокузнецк", 7),
    ("Asia/Novosibirsk", "Новосибирск", 7),
    ("Asia/Tomsk", "Томск", 7),
    ("Asia/Irkutsk", "Иркутск", 8),
    ("Asia/Chita", "Чита", 9),
    ("Asia/Khandyga", "Хандыга", 9),
    ("Asia/Yakutsk", "Якутск", 9),
    ("Asia/Ust-Nera", "Усть-Нера", 10),
    ("Asia/Vladivostok", "Владивосток", 10),
    ("Asia/Magadan", "Магадан", 11),
    ("Asia/Sakhalin", "Южно-Сахалинск", 11),
    ("Asia/Srednekolymsk", "Среднеколымск", 11),
    ("Asia/Anadyr", "Анадырь", 12),
    ("Asia/Kamchatka", "Петропавловск-Камчатский", 12),
)
_LABELS = {name: f"{city}, UTC+{offset}" for name, city, offset in ZONES}

CHOICES: list[tuple[str, str]] = [(name, _LABELS[name]) for name, _, _ in ZONES]


def zone_label(name: str | None) -> str:
    """``Europe/Moscow`` → ``Москва, UTC+3``; an unknown name as it is, an empty one as «—»."""
    if not name:
        return "—"
    return _LABELS.get(name, name)
