"""The national dataset: ~70,000 organisations in 85 regions, as export files and as snapshots."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from .common import OUT

REGIONS = 85
ORGANIZATIONS = 70_000
MUNICIPALITIES_PER_REGION = 25


def national_organizations(count: int = ORGANIZATIONS) -> list[dict]:
    """Organisations spread over 85 regions of 25 municipalities each (ids from 1,000,001)."""
    from monitoring.importers.synthetic import synthetic_organizations

    per_region = count // REGIONS
    organizations = []
    for r in range(REGIONS):
        code = f"{r + 1:02d}"
        size = per_region + (1 if r < count % REGIONS else 0)
        organizations += synthetic_organizations(
            size,
            seed=r,
            region_name=f"Регион {code}",
            region_code=code,
            municipalities=[f"МО {code}-{m + 1:02d}" for m in range(MUNICIPALITIES_PER_REGION)],
            first_id=1_000_001 + len(organizations),
        )
    return organizations


def export_path(
    name: str, organizations: list[dict], date: dt.date, *, title_rows: bool = True
) -> Path:
    """Write (once) a Sferum-format export with the active-staff column and, unless told
    otherwise, title rows above the header (tablib, under django-import-export, needs none)."""
    from monitoring.importers.columns import SEED_COLUMNS
    from monitoring.importers.export_writer import write_export
    from monitoring.importers.synthetic import synthetic_rows

    OUT.mkdir(parents=True, exist_ok=True)
    path = OUT / f"{name}-{date:%Y%m%d}{'' if title_rows else '-plain'}.xlsx"
    if not path.exists():
        write_export(
            path,
            synthetic_rows(organizations, [date]),
            columns=[*SEED_COLUMNS, "staff_active"],
            title_rows=["Статистика Сферум по организациям", f"на {date:%d.%m.%Y}"]
            if title_rows
            else None,
        )
    return path
