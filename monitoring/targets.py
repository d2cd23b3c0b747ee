"""Writes to targets: the regional coordinator's Stage 1 baselines (seed 004, 4.1 and 4.3)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from organizations.models import Region

from .models import Indicator, Target
from .models.targets import validate_effective_date
from .tasks import weekly_recompute_region_task

STAGE1_INDICATORS = (Indicator.STAFF_ACTIVITY, Indicator.STUDENTS_PARENTS_ACTIVITY)
# Stage 1 runs over the autumn term of the 2025/26 school year (seed 004): from its first day to
# the stage's deadline.
STAGE1_START = dt.date(2025, 9, 1)
STAGE_DUE = dt.date(2025, 12, 30)


def _in_force(rows: list[Target], day: dt.date) -> Target | None:
    """Of one indicator's rows, oldest first: the one in force on ``day`` (the latest start on
    or before it, unless it ended earlier)."""
    found = None
    for target in rows:
        if target.effective_from <= day:
            found = target
    if found and found.effective_to and found.effective_to < day:
        return None
    return found


def stage1_baselines(region: Region, on: dt.date | None = None) -> dict[str, Target | None]:
    """The region's Stage 1 baseline per indicator in force on ``on`` (today by default): a
    baseline planned for a later date is not yet the current one."""
    on = on or timezone.localdate()
    rows = list(Target.objects.filter(region=region, stage=1).order_by("effective_from"))
    return {
        indicator: _in_force([t for t in rows if t.indicator == indicator], on)
        for indicator in STAGE1_INDICATORS
    }


@transaction.atomic
def stage1_baselines_set(
    *,
    region: Region,
    values: dict[str, Decimal | None],
    effective_from: dt.date,
    due_date: dt.date = STAGE_DUE,
) -> list[Target]:
    """Set the region's baselines from a date, which must be in the range of
    ``validate_effective_date`` (ValidationError otherwise). The value in force on that date is
    kept as history (it ends the day before); a baseline that starts later stays and ends the
    new one; the same start again changes that row. Every week of the region is recomputed."""
    validate_effective_date(effective_from)
    day = dt.timedelta(days=1)
    changed = []
    for indicator, value in values.items():
        if value is None:
            continue
        rows = list(
            Target.objects.select_for_update()
            .filter(region=region, stage=1, indicator=indicator)
            .order_by("effective_from")
        )
        previous = _in_force(rows, effective_from)
        following = next((t for t in rows if t.effective_from > effective_from), None)
        if previous and previous.value_pct == value and previous.due_date == due_date:
            continue
        same_start = next((t for t in rows if t.effective_from == effective_from), None)
        if same_start:
            same_start.value_pct, same_start.due_date = value, due_date
            same_start.save(update_fields=["value_pct", "due_date"])
            changed.append(same_start)
            continue
        effective_to = following.effective_from - day if following else None
        if previous:
            if previous.effective_to:
                effective_to = min(effective_to or previous.effective_to, previous.effective_to)
            previous.effective_to = effective_from - day
            previous.save(update_fields=["effective_to"])
        changed.append(
            Target.objects.create(
                region=region,
                stage=1,
                indicator=indicator,
                value_pct=value,
                due_date=due_date,
                effective_from=effective_from,
                effective_to=effective_to,
                note="Этап 1: максимальное значение региона в VK Мессенджере в 2024/2025 уч. г.",
            )
        )
    if changed:
        transaction.on_commit(lambda: weekly_recompute_region_task.delay(region.pk))
    return changed
