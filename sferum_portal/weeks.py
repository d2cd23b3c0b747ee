"""What a week is, in one place: the ISO week, Monday to Sunday, its ``yyyy-Www`` name, the one
label people read, and a region's "today" and weekly run hour.

Weekly values, targets in force, plan deadlines "this week", dashboards, reports, commands and
the Monday job all take their weeks from here, so a week is computed, named and printed alike
everywhere.

A leaf module: it imports no app of the project (only the standard library and
``django.utils.timezone`` for the current time and the default time zone).
"""

from __future__ import annotations

import datetime as dt
import re
import zoneinfo

from django.utils import timezone

# The Monday job computes the week just ended at this hour of Monday in each region's local
# time: late enough that the Sunday's exports are in, early enough for the morning's pages.
WEEKLY_RUN_WEEKDAY = 0  # Monday, as ``date.weekday()`` counts
WEEKLY_RUN_HOUR = 6

# ``2025-W48``, ``2025W48``, ``2025-w48``: ASCII digits only (``int()`` also reads "４８" and "٤٨").
_ISO_WEEK = re.compile(r"([0-9]{4})-?[Ww]([0-9]{1,2})")
_FORMAT_HINT = "нужен формат 2025-W48"

# --- a week's days ------------------------------------------------------------------------------


def week_start(day: dt.date) -> dt.date:
    """The Monday of the ISO week ``day`` falls in."""
    return day - dt.timedelta(days=day.weekday())


def week_end(day: dt.date) -> dt.date:
    """The Sunday of the ISO week ``day`` (usually its Monday) falls in."""
    return week_start(day) + dt.timedelta(days=6)


def week_bounds(day: dt.date) -> tuple[dt.date, dt.date]:
    """The Monday and the Sunday of the ISO week ``day`` falls in, both days included."""
    monday = week_start(day)
    return monday, monday + dt.timedelta(days=6)


def previous_week_start(day: dt.date) -> dt.date:
    """The Monday of the week before the one ``day`` falls in: on a Monday, the week just ended."""
    return week_start(day) - dt.timedelta(days=7)


# --- names --------------------------------------------------------------------------------------


def iso_week_label(day: dt.date) -> str:
    """The ISO week's name for URLs, files and commands: ``2025-W48``."""
    year, week, _ = day.isocalendar()
    return f"{year}-W{week:02d}"


def parse_iso_week(text: str) -> dt.date:
    """``2025-W48`` (also ``2025W48``, any case, spaces around) → the Monday of that ISO week.

    For commands and scripts: a text that is not a week, or names a week that does not exist
    (``2025-W53``: 2025 has 52 weeks), raises ValueError with a Russian message to show as is.
    """
    match = _ISO_WEEK.fullmatch(text.strip())
    if not match:
        raise ValueError(f"Неделя «{text}»: {_FORMAT_HINT}.")
    year, week = int(match[1]), int(match[2])
    try:
        return dt.date.fromisocalendar(year, week, 1)
    except ValueError:
        raise ValueError(
            f"Неделя «{text}»: в {year} году нет ISO-недели {week} ({_FORMAT_HINT})."
        ) from None


def to_week(
    text: str, *, earliest: dt.date = dt.date.min, latest: dt.date = dt.date.max
) -> dt.date | None:
    """The lenient reading of ``parse_iso_week`` for query parameters: the Monday, or None when
    the text is not an existing ISO week whose Monday lies within [earliest, latest]."""
    try:
        monday = parse_iso_week(text)
    except ValueError:
        return None
    return monday if earliest <= monday <= latest else None


def week_label(day: dt.date) -> str:
    """The one label people read for the week ``day`` (usually its Monday) falls in.

    ``01.12–07.12.2025`` within one year, ``29.12.2025–04.01.2026`` across the new year. Dates
    are dd.mm.yyyy as everywhere on the portal; the year is written once when both ends share
    it, so the range reads as one, and on both ends when they differ, because
    ``29.12–04.01.2026`` reads as 29 December 2026 (dashboards printed exactly that).
    """
    monday, sunday = week_bounds(day)
    if monday.year == sunday.year:
        return f"{monday:%d.%m}–{sunday:%d.%m.%Y}"
    return f"{monday:%d.%m.%Y}–{sunday:%d.%m.%Y}"


# --- a region's time ----------------------------------------------------------------------------


def _zone(tz_name: str | None) -> dt.tzinfo:
    """The named zone; an empty or unknown name falls back to the project's time zone, so that
    one region's bad setting cannot stop a page or the Monday job."""
    if tz_name:
        try:
            return zoneinfo.ZoneInfo(tz_name)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            pass
    return timezone.get_default_timezone()


def region_now(tz_name: str | None, now: dt.datetime | None = None) -> dt.datetime:
    """``now`` (an aware datetime; by default the current time) in a region's time zone."""
    now = timezone.now() if now is None else now
    if timezone.is_naive(now):
        raise ValueError("region_now needs an aware datetime")
    return now.astimezone(_zone(tz_name))


def region_today(tz_name: str | None, now: dt.datetime | None = None) -> dt.date:
    """Today's date in a region's time zone (at ``now``, by default the current time)."""
    return region_now(tz_name, now).date()


def is_weekly_run_hour(tz_name: str | None, now: dt.datetime) -> bool:
    """Whether ``now`` falls in the weekly run hour in that zone: Monday, 06:00–06:59 local
    time. The beat calls the Monday job hourly; each region is due once, in its own hour."""
    local = region_now(tz_name, now)
    return local.weekday() == WEEKLY_RUN_WEEKDAY and local.hour == WEEKLY_RUN_HOUR
