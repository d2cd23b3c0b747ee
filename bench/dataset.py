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


NATIONAL_DATABASE = "sferum_bench_national"
BIG_REGION_ORGANIZATIONS = 3_000
WEEKS = 26
FIRST_MONDAY = dt.date(2025, 6, 2)


def build_national_database() -> dict:
    """Registry and 26 weeks of snapshots for 70,000 organisations, straight in SQL.

    Region 01 has 3,000 organisations (the "large region" of the targets); the other 84 share
    the rest. Numbers are deterministic functions of the organisation id and the week.
    """
    from django.db import connection, transaction

    from monitoring.models import Snapshot, Upload
    from monitoring.weekly import weekly_values_compute_weeks
    from organizations.models import Municipality, Organization, Region

    org, mo, reg, snap = (
        Organization._meta.db_table,
        Municipality._meta.db_table,
        Region._meta.db_table,
        Snapshot._meta.db_table,
    )
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {reg} (name, code, timezone) "
            f"SELECT 'Регион ' || lpad(r::text, 2, '0'), lpad(r::text, 2, '0'), 'Europe/Moscow' "
            f"FROM generate_series(1, %s) r",
            [REGIONS],
        )
        cursor.execute(
            f"INSERT INTO {mo} (region_id, name) "
            f"SELECT g.id, 'МО ' || g.code || '-' || lpad(m::text, 2, '0') "
            f"FROM {reg} g CROSS JOIN generate_series(1, %s) m",
            [MUNICIPALITIES_PER_REGION],
        )
        # Organisation n goes to region 1 for n ≤ 3000, else spread over regions 2..85.
        cursor.execute(
            f"""
            WITH n AS (SELECT generate_series(1, %(total)s) AS n),
            placed AS (
                SELECT n, CASE WHEN n <= %(big)s THEN 1
                               ELSE 2 + (n - %(big)s - 1) %% (%(regions)s - 1) END AS region_no
                FROM n
            )
            INSERT INTO {org} (municipality_id, sferum_id, short_name, org_type, link,
                               is_active, inn, kpp, created_at, updated_at)
            SELECT m.id, 2000000 + p.n,
                   CASE WHEN p.n %% 20 < 11 THEN 'МБОУ СШ № ' WHEN p.n %% 20 < 17
                        THEN 'МБДОУ д/с № ' WHEN p.n %% 20 < 19 THEN 'МБУ ДО ДДТ № '
                        ELSE 'ГБПОУ Колледж № ' END || p.n,
                   CASE WHEN p.n %% 20 < 11 THEN 'ou' WHEN p.n %% 20 < 17 THEN 'dou'
                        WHEN p.n %% 20 < 19 THEN 'udo' ELSE 'spo' END,
                   '', true, '', '', now(), now()
            FROM placed p
            JOIN {reg} g ON g.code = lpad(p.region_no::text, 2, '0')
            JOIN {mo} m ON m.region_id = g.id
                 AND m.name = 'МО ' || g.code || '-' || lpad((1 + p.n %% %(mos)s)::text, 2, '0')
            """,
            {
                "total": ORGANIZATIONS,
                "big": BIG_REGION_ORGANIZATIONS,
                "regions": REGIONS,
                "mos": MUNICIPALITIES_PER_REGION,
            },
        )
        upload = Upload.objects.create(
            file_name="bench.xlsx", sha256="bench", status=Upload.Status.DONE
        )
        # Week w: registrations and activity grow; a few organisations skip some weeks.
        cursor.execute(
            f"""
            INSERT INTO {snap} (organization_id, date, upload_id, teachers_total, staff_active,
                students_total, parents_total, students_active, parents_active,
                teachers_registered, students_registered, parents_registered, teachers_ejd,
                students_ejd, parents_ejd, people_total, registrations_total, is_active,
                flags, extra, updated_at)
            SELECT o.id, %(first)s::date + (7 * w + o.id %% 5)::int, %(upload)s,
                   t, (t * (20 + w * 2 + o.id %% 30)) / 100,
                   s, s, (s * (5 + w + o.id %% 10)) / 100, (s * (3 + w + o.id %% 7)) / 100,
                   (t * (60 + w + o.id %% 15)) / 100, (s * (40 + w)) / 100,
                   (s * (30 + w)) / 100, t / 3, s / 5, s / 6, t + 2 * s,
                   (t * (60 + w)) / 100 + (s * (70 + 2 * w)) / 100, true, '[]', '{{}}', now()
            FROM {org} o
            CROSS JOIN generate_series(0, %(weeks)s - 1) w
            CROSS JOIN LATERAL (SELECT 10 + o.id %% 190 AS t, 50 + (o.id * 7) %% 1950 AS s) k
            WHERE (o.id + w) %% 37 <> 0
            """,
            {"first": FIRST_MONDAY, "upload": upload.pk, "weeks": WEEKS},
        )
    weekly_values_compute_weeks(
        mondays=[FIRST_MONDAY + dt.timedelta(days=7 * w) for w in range(WEEKS)]
    )
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
    return {
        "organizations": Organization.objects.count(),
        "snapshots": Snapshot.objects.count(),
        "weeks": WEEKS,
    }


def national_size() -> dict:
    from monitoring.models import Snapshot
    from organizations.models import Organization

    return {
        "organizations": Organization.objects.count(),
        "snapshots": Snapshot.objects.count(),
        "weeks": WEEKS,
    }


def sync_big_region_tasks() -> None:
    """Checklist and plan tasks for region 01's organisations and districts (the dashboards show
    their progress): what the portal's signals create as people and organisations arrive."""
    from organizations.models import Organization, Region
    from rollout.services import tasks_sync_for_municipalities, tasks_sync_for_organizations

    region = Region.objects.get(code="01")
    tasks_sync_for_organizations(
        organization_ids=Organization.objects.filter(municipality__region=region)
    )
    tasks_sync_for_municipalities(municipality_ids=region.municipalities.all())
