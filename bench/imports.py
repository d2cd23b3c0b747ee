"""Import benchmark (issue 3): 70,000 national rows and 3,000 regional rows end-to-end on
PostgreSQL, against the floor (fastest reader + one bulk INSERT) and against
django-import-export's default import_data."""

from __future__ import annotations

import datetime as dt

from .common import print_table, run_isolated, setup_django
from .dataset import export_path, national_organizations

D1, D2, D3 = dt.date(2025, 11, 24), dt.date(2025, 12, 1), dt.date(2025, 12, 8)


def _fmt(result: dict) -> tuple:
    return (f"{result['seconds']:.2f} s", f"peak {result['peak_mb']:.0f} MB")


def main(*, with_iexport: bool = True) -> dict:
    setup_django(fresh=True)
    organizations = national_organizations()
    national_1 = export_path("national", organizations, D1)
    national_2 = export_path("national", organizations, D2)
    regional = export_path("regional-3000", organizations[:3000], D3)

    read_calamine = run_isolated("bench.import_one", "read-calamine", str(national_2))
    read_openpyxl = run_isolated("bench.import_one", "read-openpyxl", str(national_2))
    first = run_isolated("bench.import_one", "service", str(national_1))
    steady = run_isolated("bench.import_one", "service", str(national_2))
    region = run_isolated("bench.import_one", "service", str(regional))
    phases = run_isolated("bench.import_one", "phases", str(national_2))
    floor = run_isolated("bench.import_one", "floor", str(national_2))
    rows = [
        ("reader alone, calamine (70,000 rows)", *_fmt(read_calamine)),
        ("reader alone, openpyxl read-only", *_fmt(read_openpyxl)),
        ("import 70,000 rows, empty registry (creates 70,000 ОО)", *_fmt(first)),
        ("import 70,000 rows, next date (registry known)", *_fmt(steady)),
        ("  of which check (read, parse, plan)", f"{steady['check_seconds']:.2f} s"),
        ("  of which write (upsert, record the outcome)", f"{steady['write_seconds']:.2f} s"),
        ("import 3,000 rows (regional file)", *_fmt(region)),
        ("phases once: read+parse / plan / write",
         f"{phases['read_parse']:.2f} s / {phases['plan']:.2f} s / {phases['write']:.2f} s"),
        ("floor: calamine + execute_values, bare table", *_fmt(floor)),
        ("ratio import (next date) / floor", f"{steady['seconds'] / floor['seconds']:.2f}×"),
    ]  # fmt: skip
    result = {"steady": steady, "first": first, "regional": region, "floor": floor}
    if with_iexport:
        plain = export_path("national", organizations, D2, title_rows=False)
        baseline = run_isolated("bench.import_one", "iexport", str(plain))
        rows.append(("django-import-export import_data, 70,000 rows", *_fmt(baseline)))
        rows.append(
            ("ratio import_data / our import", f"{baseline['seconds'] / steady['seconds']:.1f}×")
        )
        result["iexport"] = baseline
    print_table("Import of Sferum exports (PostgreSQL, this machine)", rows)
    return result
