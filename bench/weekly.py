"""Weekly-values benchmark (issue 4): recompute one week for 70,000 organisations with every
rollup, and 26 weeks for a region of 3,000; the statement count must not depend on size."""

from __future__ import annotations

import datetime as dt
import time

from .common import print_table, setup_django
from .dataset import (
    FIRST_MONDAY,
    NATIONAL_DATABASE,
    WEEKS,
    build_national_database,
    national_size,
)


def _measure(fn) -> tuple[float, int]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        start = time.perf_counter()
        fn()
        elapsed = time.perf_counter() - start
    return elapsed, len(queries)


def main(*, rebuild: bool = True) -> dict:
    setup_django(fresh=rebuild, database=NATIONAL_DATABASE)
    start = time.perf_counter()
    size = build_national_database() if rebuild else national_size()
    built = time.perf_counter() - start
    from monitoring.weekly import weekly_values_compute, weekly_values_compute_weeks
    from organizations.models import Region

    last = FIRST_MONDAY + dt.timedelta(days=7 * (WEEKS - 1))
    big = Region.objects.get(code="01")
    small = Region.objects.get(code="02")
    one_week = [_measure(lambda: weekly_values_compute(monday=last)) for _ in range(3)]
    region_weeks = _measure(
        lambda: weekly_values_compute_weeks(
            mondays=[FIRST_MONDAY + dt.timedelta(days=7 * w) for w in range(WEEKS)],
            region_ids=[big.pk],
        )
    )
    _, big_queries = _measure(lambda: weekly_values_compute(monday=last, region_ids=[big.pk]))
    _, small_queries = _measure(lambda: weekly_values_compute(monday=last, region_ids=[small.pk]))
    best = min(t for t, _ in one_week)
    print_table(
        "Weekly values (PostgreSQL, this machine)",
        [
            ("dataset", f"{size['organizations']:,} ОО, {size['snapshots']:,} snapshots, "
                        f"{size['weeks']} weeks (built in {built:.0f} s)"),
            ("one week, 70,000 ОО, all rollups (best of 3)", f"{best:.2f} s",
             f"{one_week[0][1]} statements"),
            ("26 weeks, region of 3,000 ОО", f"{region_weeks[0]:.2f} s",
             f"{region_weeks[1]} statements"),
            ("statements: region of 3,000 / region of ~800 / all 70,000",
             f"{big_queries} / {small_queries} / {one_week[0][1]}"),
        ],
    )  # fmt: skip
    return {"one_week": best, "region_26_weeks": region_weeks[0]}
