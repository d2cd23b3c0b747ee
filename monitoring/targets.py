"""Writes to targets: the regional coordinator's Stage 1 baselines (seed 004, 4.1 and 4.3)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db import transaction

from organizations.models import Region

from .models import Indicator, Target

STAGE1_INDICATORS = (Indicator.STAFF_ACTIVITY, Indicator.STUDENTS_PARENTS_ACTIVITY)
STAGE_DUE = dt.date(2025, 12, 30)


def stage1_baselines(region: Region) -> dict[str, Target | None]:
    """The region's current Stage 1 baseline per indicator (the latest start)."""
    current = {indicator: None for indicator in STAGE1_INDICATORS}
    for target in Target.objects.filter(region=region, stage=1).order_by("effective_from"):
        current[target.indicator] = target
    return current


@transaction.atomic
def stage1_baselines_set(
    *,
    region: Region,
    values: dict[str, Decimal | None],
    effective_from: dt.date,
    due_date: dt.date = STAGE_DUE,
) -> list[Target]:
    """Set the region's baselines from a date: a change keeps the earlier value as history
    (it ends the day before), and every week of the region is recomputed."""
    changed = []
    for indicator, value in values.items():
        if value is None:
            continue
        previous = (
            Target.objects.filter(region=region, stage=1, indicator=indicator)
            .order_by("-effective_from")
            .first()
        )
        if previous and previous.value_pct == value and previous.due_date == due_date:
            continue
        if previous and previous.effective_from >= effective_from:
            previous.value_pct, previous.due_date = value, due_date
            previous.save(update_fields=["value_pct", "due_date"])
            changed.append(previous)
            continue
        if previous:
            previous.effective_to = effective_from - dt.timedelta(days=1)
            previous.save(update_fields=["effective_to"])
        changed.append(
            Target.objects.create(
                region=region,
                stage=1,
                indicator=indicator,
                value_pct=value,
                due_date=due_date,
                effective_from=effective_from,
                note="Этап 1: максимальное значение региона в VK Мессенджере в 2024/2025 уч. г.",
            )
        )
    if changed:
        from .tasks import weekly_recompute_region_task

        transaction.on_commit(lambda: weekly_recompute_region_task.delay(region.pk))
    return changed
