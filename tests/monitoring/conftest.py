"""Fixtures for monitoring tests: Sferum export files built in memory."""

import datetime as dt
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from monitoring import services
from monitoring.importers.columns import SEED_COLUMNS
from monitoring.importers.export_writer import write_export
from monitoring.models import Target
from tests.factories import OrganizationFactory

WITH_STAFF = [*SEED_COLUMNS, "staff_active"]
WEEK1, WEEK2, WEEK3 = dt.date(2025, 11, 10), dt.date(2025, 11, 17), dt.date(2025, 11, 24)


def export_row(org, date: dt.date, **values) -> dict:
    """A plausible export row for a registry organisation (or a dict with its fields)."""
    get = org.get if isinstance(org, dict) else lambda k, d=None: getattr(org, k, d)
    municipality = get("municipality")
    row = {
        "date": date,
        "short_name": get("short_name"),
        "org_type": {"ou": "Общеобраз.", "dou": "Дошкольн.", "udo": "Доп. образ."}.get(
            get("org_type", "ou"), "Общеобраз."
        ),
        "municipality": getattr(municipality, "name", municipality),
        "region_name": "Республика Коми",
        "region_code": getattr(getattr(municipality, "region", None), "code", None) or "11",
        "sferum_id": get("sferum_id"),
        "is_active": "Активна",
        "teachers_total": 100,
        "students_total": 1000,
        "parents_total": 1000,
        "people_total": 2100,
        "teachers_registered": 90,
        "teachers_ejd": 50,
        "students_registered": 600,
        "students_ejd": 100,
        "parents_registered": 500,
        "parents_ejd": 80,
        "registrations_total": 1190,
        "students_active": 300,
        "parents_active": 200,
        "staff_active": 70,
    }
    row.update(values)
    return row


def export_file(rows, *, name="export.xlsx", columns=WITH_STAFF, **options) -> SimpleUploadedFile:
    buffer = io.BytesIO()
    write_export(buffer, rows, columns=columns, **options)
    return SimpleUploadedFile(name, buffer.getvalue())


@pytest.fixture
def make_export():
    return export_file


def counts(teachers, staff_active, students, parents, students_active, parents_active, registered):
    return {
        "teachers_total": teachers,
        "staff_active": staff_active,
        "students_total": students,
        "parents_total": parents,
        "students_active": students_active,
        "parents_active": parents_active,
        "teachers_registered": registered,
        "people_total": teachers + students + parents,
        "students_registered": students,
        "parents_registered": parents,
        "registrations_total": registered + students + parents,
        "teachers_ejd": None,
        "students_ejd": None,
        "parents_ejd": None,
    }


@pytest.fixture
def scenario(world, django_capture_on_commit_callbacks):
    """The hand-computed three-week scenario described in test_weekly.py."""
    s = world.school
    p = OrganizationFactory(municipality=world.municipality, org_type="dou",
                            short_name="МБДОУ «Детский сад № 1»")  # fmt: skip
    u = OrganizationFactory(municipality=world.other_municipality, org_type="udo",
                            short_name="МБУДО «ДДТ» г. Ухты")  # fmt: skip
    for indicator, value in (("staff_activity", 50), ("students_parents_activity", 25)):
        Target.objects.create(indicator=indicator, stage=1, region=world.region,
                              value_pct=value, due_date=dt.date(2025, 12, 30),
                              effective_from=dt.date(2025, 9, 1))  # fmt: skip
    day = dt.date
    week1 = [
        export_row(s, day(2025, 11, 12), **counts(100, 80, 500, 500, 100, 50, 90)),
        export_row(s, day(2025, 11, 14), **counts(100, 76, 500, 500, 120, 60, 95)),
        export_row(p, day(2025, 11, 13), **counts(20, 10, 80, 80, 5, 30, 18)),
        export_row(u, day(2025, 11, 13), **counts(10, 9, 200, 200, 40, 20, 12)),
    ]
    week2 = [
        export_row(s, day(2025, 11, 20), **counts(100, None, 500, 500, 150, 90, 96)),
        export_row(u, day(2025, 11, 21), **counts(10, None, 200, 200, 50, 30, 10)),
    ]
    week3 = [
        export_row(s, day(2025, 11, 27), **counts(100, 60, 500, 500, 100, 100, 97)),
        export_row(p, day(2025, 11, 27), **counts(20, 16, 80, 80, 5, 40, 20)),
        export_row(u, day(2025, 11, 27), **counts(10, 6, 200, 200, 60, 30, 10)),
    ]
    without_staff = [c for c in WITH_STAFF if c != "staff_active"]
    files = [
        export_file(week1, name="w1.xlsx"),
        export_file(week2, name="w2.xlsx", columns=without_staff),
        export_file(week3, name="w3.xlsx"),
    ]
    for file in files:
        with django_capture_on_commit_callbacks(execute=True):
            upload = services.upload_receive(uploaded_file=file, user=world.coordinator)
            services.upload_confirm(upload=upload, skip_invalid=False)
    return {"S": s, "P": p, "U": u, "world": world}
