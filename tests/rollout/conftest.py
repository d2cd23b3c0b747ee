"""Fixtures of the rollout tests: the templates in the database, a fixed "today", and a fake
monitoring reader so that no test depends on the monitoring app's data."""

import datetime
import types
from dataclasses import dataclass, field
from decimal import Decimal

import pytest

from monitoring import measures as monitoring_measures
from rollout.models import ChecklistTemplate
from rollout.templates_data import templates_load

# A Thursday: the week is 17.11–23.11.2025, the plan's "До 30.11.2025" is not yet due.
TODAY = datetime.date(2025, 11, 20)


@pytest.fixture(autouse=True)
def rollout_templates(db):
    """The data migration loads the templates, but a transactional test elsewhere in the run may
    have flushed them; load them again when they are gone."""
    if not ChecklistTemplate.objects.exists():
        templates_load()


@pytest.fixture(autouse=True)
def today(monkeypatch):
    """Set "today" for deadlines: ``today.set(date)``; 20.11.2025 unless a test changes it."""

    class Today:
        value = TODAY

        def set(self, value: datetime.date) -> None:
            self.value = value

    holder = Today()
    monkeypatch.setattr("rollout.deadlines.local_today", lambda tz_name: holder.value)
    return holder


@dataclass(frozen=True)
class Reading:
    """Shaped like monitoring.measures.IndicatorReading."""

    week_start: datetime.date
    value_pct: Decimal | None
    stage_targets: dict = field(default_factory=dict)


@pytest.fixture(autouse=True)
def readings(monkeypatch):
    """{organisation id: {indicator code: Reading}}, served as monitoring.measures.latest_readings
    (no test depends on the monitoring data)."""
    data: dict[int, dict[str, Reading]] = {}
    calls = []

    def latest_readings(organization_ids):
        ids = list(organization_ids)
        calls.append(ids)
        return {i: data[i] for i in ids if i in data}

    monkeypatch.setattr(monitoring_measures, "latest_readings", latest_readings)
    data_calls = types.SimpleNamespace(data=data, calls=calls)
    return data_calls
