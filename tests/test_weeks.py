"""What a week is: Monday to Sunday, its ISO name, the one label people read, and the Monday
06:00 local run hour. No database: these are plain dates and clocks.

Russia keeps no daylight saving time since 2014, so the zones below have fixed offsets at the
dates used: Moscow UTC+3, Yekaterinburg UTC+5, Kamchatka UTC+12.
"""

import datetime as dt

import pytest

from sferum_portal import weeks

D = dt.date
UTC = dt.UTC


def at(*args) -> dt.datetime:
    return dt.datetime(*args, tzinfo=UTC)


# --- a week's days ------------------------------------------------------------------------------


@pytest.mark.parametrize("day", [D(2025, 11, 24) + dt.timedelta(days=n) for n in range(7)])
def test_every_day_of_a_week_belongs_to_its_monday_to_sunday(day):
    assert weeks.week_start(day) == D(2025, 11, 24)
    assert weeks.week_end(day) == D(2025, 11, 30)
    assert weeks.week_bounds(day) == (D(2025, 11, 24), D(2025, 11, 30))


def test_a_week_across_new_year_keeps_its_monday_and_sunday():
    assert weeks.week_bounds(D(2026, 1, 1)) == (D(2025, 12, 29), D(2026, 1, 4))


def test_the_previous_week_is_the_one_just_ended_on_a_monday_or_a_sunday():
    assert weeks.previous_week_start(D(2025, 12, 1)) == D(2025, 11, 24)
    assert weeks.previous_week_start(D(2025, 12, 7)) == D(2025, 11, 24)
    assert weeks.previous_week_start(D(2026, 1, 5)) == D(2025, 12, 29)


# --- labels -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("day", "label"),
    [
        (D(2025, 12, 1), "01.12–07.12.2025"),
        (D(2025, 12, 22), "22.12–28.12.2025"),  # ends on the 28th: one year
        (D(2025, 12, 29), "29.12.2025–04.01.2026"),  # across new year: both years
        (D(2029, 12, 31), "31.12.2029–06.01.2030"),
        (D(2026, 1, 1), "29.12.2025–04.01.2026"),  # any day names its week
        (D(2026, 1, 5), "05.01–11.01.2026"),
    ],
)
def test_the_week_label_writes_the_year_once_or_on_both_ends_when_they_differ(day, label):
    assert weeks.week_label(day) == label


@pytest.mark.parametrize(
    ("day", "label"),
    [
        (D(2025, 11, 24), "2025-W48"),
        (D(2025, 1, 6), "2025-W02"),
        (D(2020, 12, 28), "2020-W53"),
        (D(2021, 1, 3), "2020-W53"),  # a Sunday of January in the last year's week 53
        (D(2024, 12, 30), "2025-W01"),  # a Monday of December in next year's week 1
        (D(2026, 12, 28), "2026-W53"),
    ],
)
def test_the_iso_week_label_is_the_iso_year_and_week(day, label):
    assert weeks.iso_week_label(day) == label


# --- parsing ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "monday"),
    [
        ("2025-W48", D(2025, 11, 24)),
        ("2025w48", D(2025, 11, 24)),
        (" 2025-w48 ", D(2025, 11, 24)),
        ("2025-W1", D(2024, 12, 30)),
        ("2020-W53", D(2020, 12, 28)),
        ("2026-W53", D(2026, 12, 28)),
    ],
)
def test_an_iso_week_parses_to_its_monday(text, monday):
    assert weeks.parse_iso_week(text) == monday
    assert weeks.to_week(text) == monday


def test_every_label_parses_back_to_its_monday():
    monday = D(2019, 12, 30)
    while monday < D(2031, 1, 1):
        assert weeks.parse_iso_week(weeks.iso_week_label(monday)) == monday
        monday += dt.timedelta(days=7)


@pytest.mark.parametrize(
    "text",
    [
        "",
        "2025",
        "2025-48",
        "W48",
        "2025-W",
        "25-W48",
        "2025-W480",
        "2025-W+48",
        "2025-W４８",
        "２０２５-W48",
        "2025-W48-1",
        "48-2025",
    ],
)
def test_a_text_that_is_not_a_week_is_refused_with_the_format_to_use(text):
    with pytest.raises(ValueError, match="нужен формат 2025-W48"):
        weeks.parse_iso_week(text)
    assert weeks.to_week(text) is None


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("2025-W53", "в 2025 году нет ISO-недели 53"),  # 2025 has 52 weeks
        ("2025-W00", "в 2025 году нет ISO-недели 0"),
        ("2025-W99", "в 2025 году нет ISO-недели 99"),
        ("0000-W01", "в 0 году нет ISO-недели 1"),
    ],
)
def test_a_week_that_does_not_exist_is_refused_with_the_reason(text, reason):
    with pytest.raises(ValueError, match=reason):
        weeks.parse_iso_week(text)
    assert weeks.to_week(text) is None


def test_the_lenient_reading_keeps_to_its_range():
    kwargs = {"earliest": D(2025, 1, 1), "latest": D(2025, 12, 31)}
    assert weeks.to_week("2025-W48", **kwargs) == D(2025, 11, 24)
    assert weeks.to_week("2025-W01", **kwargs) is None  # its Monday is 30.12.2024
    assert weeks.to_week("2026-W01", **kwargs) == D(2025, 12, 29)  # the Monday counts
    assert weeks.to_week("2026-W02", **kwargs) is None


# --- a region's time ----------------------------------------------------------------------------


def test_a_regions_today_follows_its_zone():
    now = at(2025, 11, 30, 13, 0)  # Sunday 16:00 in Moscow, Monday 01:00 in Kamchatka
    assert weeks.region_today("Europe/Moscow", now) == D(2025, 11, 30)
    assert weeks.region_today("Asia/Kamchatka", now) == D(2025, 12, 1)


def test_an_unknown_or_empty_zone_falls_back_to_the_projects(settings):
    settings.TIME_ZONE = "Europe/Moscow"
    now = at(2025, 11, 30, 22, 0)  # Monday 01:00 in Moscow
    assert weeks.region_today("Mars/Olympus", now) == D(2025, 12, 1)
    assert weeks.region_today("", now) == D(2025, 12, 1)
    assert weeks.region_today(None, now) == D(2025, 12, 1)


def test_a_naive_time_is_refused():
    with pytest.raises(ValueError):
        weeks.region_today("Europe/Moscow", dt.datetime(2025, 12, 1, 6, 0))


# Monday 01.12.2025 06:00 local: Moscow 03:00 UTC, Yekaterinburg 01:00 UTC, Kamchatka 18:00 UTC
# on Sunday 30.11.
RUN_HOUR_UTC = {
    "Europe/Moscow": at(2025, 12, 1, 3, 0),
    "Asia/Yekaterinburg": at(2025, 12, 1, 1, 0),
    "Asia/Kamchatka": at(2025, 11, 30, 18, 0),
}


@pytest.mark.parametrize("tz_name", list(RUN_HOUR_UTC))
def test_the_weekly_run_is_monday_six_local_in_every_zone(tz_name):
    start = RUN_HOUR_UTC[tz_name]
    assert weeks.is_weekly_run_hour(tz_name, start)
    assert weeks.is_weekly_run_hour(tz_name, start + dt.timedelta(minutes=59))
    assert not weeks.is_weekly_run_hour(tz_name, start - dt.timedelta(minutes=1))
    assert not weeks.is_weekly_run_hour(tz_name, start + dt.timedelta(hours=1))
    assert not weeks.is_weekly_run_hour(tz_name, start + dt.timedelta(days=1))  # Tuesday 06:00
    assert not weeks.is_weekly_run_hour(tz_name, start - dt.timedelta(days=1))  # Sunday 06:00
    # The week computed then is the one just ended.
    assert weeks.previous_week_start(weeks.region_today(tz_name, start)) == D(2025, 11, 24)


@pytest.mark.parametrize("tz_name", list(RUN_HOUR_UTC))
def test_each_zone_is_due_in_exactly_one_hour_of_the_week(tz_name):
    hours = [at(2025, 11, 28, 0, 0) + dt.timedelta(hours=h) for h in range(7 * 24)]
    due = [h for h in hours if weeks.is_weekly_run_hour(tz_name, h)]
    assert due == [RUN_HOUR_UTC[tz_name]]


def test_one_instant_is_the_run_hour_in_one_zone_only():
    moscow_run = RUN_HOUR_UTC["Europe/Moscow"]
    assert [tz for tz in RUN_HOUR_UTC if weeks.is_weekly_run_hour(tz, moscow_run)] == [
        "Europe/Moscow"
    ]
