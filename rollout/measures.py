"""Measured plan items: their state follows from the weekly monitoring values, never from a tick.

Item 1.7 (at least 75 % of staff registered) and 4.1–4.4 (staff and students-and-parents activity,
Stage 1 and Stage 2) carry an indicator code and either a threshold or a stage. The readings come
from ``monitoring.measures.latest_readings`` (the monitoring app's contract: a constant number of
queries for any number of organisations); an organisation without a reading shows
"нет данных мониторинга".
"""

import datetime
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from monitoring import measures as monitoring_measures
from sferum_portal.weeks import week_label

NO_DATA = "нет данных мониторинга"


@dataclass(frozen=True, slots=True)
class MeasuredState:
    # True: target met; False: not met; None: no data, or no target for the stage yet.
    done: bool | None
    value_pct: Decimal | None = None
    target_pct: Decimal | None = None
    week_start: datetime.date | None = None
    stage: int | None = None  # the item's stage, named when its target is not set yet

    @property
    def short(self) -> str:
        """For a matrix cell: "78 %", or "н/д"."""
        if self.value_pct is None:
            return "н/д"
        return f"{self.value_pct.quantize(Decimal('1'), rounding=ROUND_HALF_UP)} %"

    @property
    def text(self) -> str:
        """The sentence for people (built when shown: a district's figures need none of it)."""
        if self.value_pct is None or self.week_start is None:
            return NO_DATA
        week, value = week_label(self.week_start), format_pct(self.value_pct)
        if self.target_pct is None:
            return (
                f"по данным мониторинга на неделю {week}: {value}; цель этапа {self.stage} ещё "
                "не задана региональным координатором"
            )
        verdict = "выполнено" if self.done else "не выполнено"
        return (
            f"{verdict} по данным мониторинга на неделю {week}: {value} "
            f"при цели {format_pct(self.target_pct)}"
        )


NO_DATA_STATE = MeasuredState(done=None)


def format_pct(value: Decimal) -> str:
    """Decimal("78.4") → "78,4 %"; Decimal("75.00") → "75 %"."""
    value = Decimal(value)
    if value == value.to_integral_value():
        text = f"{value.to_integral_value():f}"
    else:
        text = f"{value.quantize(Decimal('0.1'), rounding=ROUND_HALF_UP):f}"
    return f"{text.replace('.', ',')} %"


def state_from_reading(item, reading) -> MeasuredState:
    """One item's state from one IndicatorReading (or None)."""
    if reading is None or reading.value_pct is None:
        return NO_DATA_STATE
    value = Decimal(reading.value_pct)
    if item.threshold_pct is not None:
        target = Decimal(item.threshold_pct)
    else:
        target = (reading.stage_targets or {}).get(item.stage)
    if target is None:
        return MeasuredState(None, value, None, reading.week_start, item.stage)
    target = Decimal(target)
    return MeasuredState(value >= target, value, target, reading.week_start, item.stage)


def measured_states(
    items: Iterable, organization_ids: Iterable[int]
) -> dict[tuple[int, int], MeasuredState]:
    """The state of every measured item for every organisation, by (item id, organisation id).

    Items without an indicator are skipped; the readings are fetched once for all organisations.
    """
    measured = [item for item in items if item.indicator]
    org_ids = list(dict.fromkeys(organization_ids))
    if not measured or not org_ids:
        return {}
    readings = monitoring_measures.latest_readings(org_ids)
    states = {}
    for org_id in org_ids:
        by_code = readings.get(org_id, {})
        for item in measured:
            states[item.pk, org_id] = state_from_reading(item, by_code.get(item.indicator))
    return states
