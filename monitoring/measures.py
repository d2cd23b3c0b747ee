"""The latest measured values of each organisation, for plan items that are measured rather
than ticked (1.7 and 4.1–4.4 of the district plan): the rollout app reads them from here."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Max

from .db import chunked
from .models import MEASURED_INDICATORS, WeeklyOrganizationValue
from .selectors import target_value, targets_in_force


@dataclass(frozen=True)
class IndicatorReading:
    week_start: dt.date  # Monday of the ISO week
    value_pct: Decimal | None  # None: no data for this indicator that week
    stage_targets: dict[int, Decimal | None]  # {1: region's baseline, 2: the Stage 2 target}


def latest_readings(organization_ids: Iterable[int]) -> dict[int, dict[str, IndicatorReading]]:
    """Each organisation's latest week with data, by indicator code; organisations without any
    weekly value are absent. Two queries per 10,000 organisations."""
    rows = []
    for chunk in chunked(organization_ids):
        latest = dict(
            WeeklyOrganizationValue.objects.filter(organization_id__in=chunk)
            .values("organization_id")
            .annotate(week=Max("week_start"))
            .values_list("organization_id", "week")
            .order_by()
        )
        if not latest:
            continue
        # Organisations mostly share their latest week: fetch those weeks, keep each one's own.
        candidates = WeeklyOrganizationValue.objects.filter(
            organization_id__in=list(latest), week_start__in=set(latest.values())
        ).values_list(
            "organization_id",
            "week_start",
            "organization__municipality__region_id",
            *(f"{indicator}_pct" for indicator in MEASURED_INDICATORS),
        )
        rows += [row for row in candidates if latest[row[0]] == row[1]]
    targets_by_week = {week: targets_in_force(week) for week in {row[1] for row in rows}}
    readings: dict[int, dict[str, IndicatorReading]] = {}
    for org_id, week, region_id, *values in rows:
        in_force = targets_by_week[week]
        readings[org_id] = {
            indicator.value: IndicatorReading(
                week_start=week,
                value_pct=value,
                stage_targets={
                    stage: target_value(in_force, indicator, stage, region_id) for stage in (1, 2)
                },
            )
            for indicator, value in zip(MEASURED_INDICATORS, values, strict=True)
        }
    return readings
