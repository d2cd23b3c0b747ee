"""Deadline rules of the plan: a region's today, an item's last day and its state.

An item is overdue when its last day (``deadline_date``, or the month's end for a monthly item)
has passed in the region's time zone and it is neither done nor "не требуется"; "week" when its
last day falls in the current Monday–Sunday week. Weeks come from sferum_portal.weeks; tests set
"today" by replacing ``local_today``, which every other module calls through this module.
"""

import calendar
import datetime

from organizations.models import Region
from sferum_portal import weeks

from .models import (
    PlanItemTemplate,
    Recurrence,
)


def local_today(tz_name: str) -> datetime.date:
    """Today in a region's time zone (sferum_portal.weeks); the one place the rollout asks, so
    tests replace this function."""
    return weeks.region_today(tz_name)


def region_today(region_id: int | None) -> datetime.date:
    tz_name = (
        Region.objects.filter(pk=region_id).values_list("timezone", flat=True).first()
        if region_id
        else None
    )
    return local_today(tz_name or "")


def deadline_for(item: PlanItemTemplate, today: datetime.date) -> datetime.date | None:
    """The last day that counts: the item's date, or the end of this month for a monthly one."""
    if item.recurrence == Recurrence.MONTHLY:
        return today.replace(day=calendar.monthrange(today.year, today.month)[1])
    return item.deadline_date


def deadline_state(item, closed: bool, today: datetime.date) -> str | None:
    """ "overdue", "week" (due in the current Monday–Sunday week) or None."""
    if closed or item is None:
        return None
    deadline = deadline_for(item, today)
    if deadline is None:
        return None
    if deadline < today and item.recurrence != Recurrence.MONTHLY:
        return "overdue"
    monday, sunday = weeks.week_bounds(today)
    if monday <= deadline <= sunday and deadline >= today:
        return "week"
    return None
