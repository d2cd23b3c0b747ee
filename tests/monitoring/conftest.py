"""Fixtures for monitoring tests: Sferum export files built in memory."""

import datetime as dt
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from monitoring.importers.columns import SEED_COLUMNS
from monitoring.importers.export_writer import write_export

WITH_STAFF = [*SEED_COLUMNS, "staff_active"]


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
