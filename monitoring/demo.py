"""Demo statistics: eight weekly Sferum exports for the demo registry, imported through the
real importer, and the demo region's Stage 1 baselines, so that a newcomer's first `make run`
shows living dashboards. Only the seed_demo command calls this."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

from django.core.files.uploadedfile import SimpleUploadedFile

from organizations.demo import DEMO_SCHOOL
from organizations.models import Organization, Region

from . import services
from .importers.columns import SEED_COLUMNS
from .importers.export_writer import write_export
from .importers.synthetic import synthetic_rows
from .targets import STAGE1_START, stage1_baselines_set

DEMO_FIRST_DATE = dt.date(2025, 10, 23)  # a Thursday; one export a week from here
DEMO_WEEKS = 8
DEMO_BASELINES = {"staff_activity": Decimal("45.00"), "students_parents_activity": Decimal("20.00")}


def demo_statistics_create(*, uploader) -> int:
    """Import the demo exports as ``uploader``; returns the number of uploads written."""
    organizations = [
        {
            "sferum_id": org.sferum_id,
            "short_name": org.short_name,
            "org_type": org.org_type,
            "municipality": org.municipality.name,
            "region_name": org.municipality.region.name,
            "region_code": org.municipality.region.code,
            "link": org.link,
        }
        for org in Organization.objects.select_related("municipality__region").order_by("pk")
    ]
    dates = [DEMO_FIRST_DATE + dt.timedelta(days=7 * w) for w in range(DEMO_WEEKS)]
    by_date: dict[dt.date, list[dict]] = {d: [] for d in dates}
    for index, row in enumerate(synthetic_rows(organizations, dates, seed=11)):
        # Now and then an organisation sends nothing for a week ("нет данных"); the demo
        # users' school always reports, so their pages show the latest week.
        if row["short_name"] == DEMO_SCHOOL or (index * 7 + row["sferum_id"]) % 13 != 0:
            by_date[row["date"]].append(row)
    for region in Region.objects.all():
        stage1_baselines_set(region=region, values=DEMO_BASELINES, effective_from=STAGE1_START)
    written = 0
    for date, rows in by_date.items():
        buffer = io.BytesIO()
        write_export(
            buffer,
            rows,
            columns=[*SEED_COLUMNS, "staff_active"],
            title_rows=[f"Статистика Сферум на {date:%d.%m.%Y}"],
        )
        upload = services.upload_receive(
            uploaded_file=SimpleUploadedFile(f"sferum-{date:%Y-%m-%d}.xlsx", buffer.getvalue()),
            user=uploader,
            inline=True,
        )
        services.upload_confirm(upload=upload, skip_invalid=True, inline=True)
        written += 1
    return written
