"""Deterministic synthetic export rows for tests, demo data and benchmarks.

Numbers look like the real export's: totals from ОО-1 that stay put, registrations that grow
from date to date and mostly stay under the totals, and now and then a row that breaks a rule
(more registered than in the school, more active than registered) so flags have work to do.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Iterable, Iterator, Mapping
from typing import Any

from .values import ORG_TYPE_LABELS

# (teachers min, max), (students min, max) per organisation type.
_SIZES = {
    "ou": ((10, 200), (50, 2000)),
    "dou": ((5, 60), (30, 300)),
    "udo": ((10, 80), (100, 1500)),
    "spo": ((30, 200), (300, 2000)),
    "ouo": ((5, 40), (0, 0)),
    "other": ((10, 100), (50, 800)),
}
_TYPE_WEIGHTS = {"ou": 55, "dou": 30, "udo": 10, "spo": 4, "ouo": 1}
_NAMES = {
    "ou": "МБОУ СШ № {n}",
    "dou": "МБДОУ д/с № {n}",
    "udo": "МБУ ДО ДДТ № {n}",
    "spo": "ГБПОУ Колледж № {n}",
    "ouo": "Управление образования № {n}",
}


def synthetic_organizations(
    count: int,
    *,
    seed: int = 0,
    region_name: str = "Липецкая область",
    region_code: str = "48",
    municipalities: list[str] | None = None,
    first_id: int = 700_001,
) -> list[dict[str, Any]]:
    """``count`` organisations spread over the municipalities, ids from ``first_id`` up."""
    rng = random.Random(seed)
    municipalities = municipalities or ["Липецк", "Елец", "Грязинский", "Данковский"]
    types = rng.choices(list(_TYPE_WEIGHTS), weights=list(_TYPE_WEIGHTS.values()), k=count)
    return [
        {
            "sferum_id": first_id + i,
            "short_name": _NAMES[org_type].format(n=i + 1),
            "org_type": org_type,
            "municipality": municipalities[i % len(municipalities)],
            "region_name": region_name,
            "region_code": region_code,
        }
        for i, org_type in enumerate(types)
    ]


def _share(rng: random.Random, low: float, high: float, progress: float) -> float:
    start = rng.uniform(low, high)
    return start + (1 - start) * progress * rng.uniform(0.3, 0.9)


def synthetic_rows(
    organizations: Iterable[Mapping[str, Any]],
    dates: Iterable[dt.date],
    *,
    seed: int = 0,
    with_staff_active: bool = True,
) -> Iterator[dict[str, Any]]:
    """One row per organisation and date (dates in the given order), keyed by canonical keys.

    The same seed, organisations and dates give the same rows; an organisation's totals are
    the same on every date and its registrations grow with the dates.
    """
    organizations = list(organizations)
    dates = list(dates)
    for position, date in enumerate(dates):
        progress = position / max(len(dates) - 1, 1)
        for org in organizations:
            yield _row(org, date, progress, seed, with_staff_active)


def _row(org: Mapping[str, Any], date: dt.date, progress: float, seed: int, staff: bool) -> dict:
    sferum_id = org["sferum_id"]
    code = org.get("org_type") or "ou"
    base = random.Random(f"{seed}:{sferum_id}")  # the same on every date
    (t_min, t_max), (s_min, s_max) = _SIZES.get(code, _SIZES["other"])
    teachers, students = base.randint(t_min, t_max), base.randint(s_min, s_max)
    parents = students  # the export counts one parent per student
    shares = (_share(base, 0.4, 0.8, progress), _share(base, 0.1, 0.5, progress))
    parent_share = _share(base, 0.05, 0.4, progress)
    rng = random.Random(f"{seed}:{sferum_id}:{date.isoformat()}")  # this date's noise
    t_reg = round(teachers * min(shares[0], 1.0))
    if rng.random() < 0.02:  # stale accounts: more registered than ОО-1 says
        t_reg = teachers + rng.randint(1, 10)
    s_reg = round(students * min(shares[1], 1.0))
    p_reg = round(parents * min(parent_share, 1.0))
    s_act = round(s_reg * rng.uniform(0.1, 0.7))
    p_act = round(p_reg * rng.uniform(0.1, 0.6))
    if rng.random() < 0.01:
        p_act = p_reg + rng.randint(1, 40)  # as in the seed's sample row
    row = {
        "date": date,
        "short_name": org["short_name"],
        "org_type": ORG_TYPE_LABELS.get(code, code),
        "municipality": org["municipality"],
        "region_name": org.get("region_name"),
        "region_code": org.get("region_code"),
        "link": org.get("link") or f"https://sferum.ru/?p=org&id={sferum_id}",
        "sferum_id": sferum_id,
        "is_active": "Неактивна" if rng.random() < 0.01 else "Активна",
        "people_total": teachers + students + parents,
        "teachers_total": teachers,
        "students_total": students,
        "parents_total": parents,
        "registrations_total": t_reg + s_reg + p_reg,
        "teachers_registered": t_reg,
        "teachers_ejd": round(t_reg * rng.uniform(0.05, 0.8)),
        "students_registered": s_reg,
        "students_ejd": round(s_reg * rng.uniform(0.05, 0.6)),
        "parents_registered": p_reg,
        "parents_ejd": round(p_reg * rng.uniform(0.05, 0.6)),
        "students_active": s_act,
        "parents_active": p_act,
    }
    if staff:
        row["staff_active"] = round(t_reg * rng.uniform(0.3, 0.95))
    return row
