"""Celery tasks: thin wrappers that take ids and call the services (safe to run twice)."""

import datetime as dt
import logging

from celery import shared_task
from django.utils import timezone

from organizations.models import Region
from sferum_portal import weeks

from . import services, weekly
from .signals import week_computed

log = logging.getLogger(__name__)


@shared_task(acks_late=True)
def upload_check_task(upload_id: int) -> None:
    services.upload_check(upload_id=upload_id)


@shared_task(acks_late=True)
def upload_process_task(upload_id: int) -> None:
    services.upload_process(upload_id=upload_id)


@shared_task(acks_late=True)
def weekly_recompute_task(dates: list[str], region_ids: list[int] | None = None) -> list[str]:
    """Recompute the weeks the given dates fall in (after an import)."""
    mondays = weekly.weekly_values_compute_weeks(
        mondays=[dt.date.fromisoformat(d) for d in dates], region_ids=region_ids
    )
    return [m.isoformat() for m in mondays]


@shared_task
def weekly_monday_task() -> list[str]:
    """Runs every hour around Monday: for each region where it is now the weekly run hour
    (Monday 06:xx local time, ``weeks.is_weekly_run_hour``), compute the week just ended."""
    now = timezone.now()
    due = []
    for region_id, tz_name in Region.objects.values_list("pk", "timezone"):
        if weeks.is_weekly_run_hour(tz_name, now):
            due.append((region_id, weeks.previous_week_start(weeks.region_today(tz_name, now))))
    by_week: dict[dt.date, list[int]] = {}
    for region_id, monday in due:
        by_week.setdefault(monday, []).append(region_id)
    for monday, region_ids in by_week.items():
        weekly.weekly_values_compute(monday=monday, region_ids=region_ids)
        log.info("Weekly values for %s computed for regions %s", monday, region_ids)
        week_computed.send(sender=weekly_monday_task, region_ids=region_ids, monday=monday)
    return [m.isoformat() for m in by_week]


@shared_task
def uploads_reap_stale_task() -> int:
    return services.uploads_reap_stale()


@shared_task(acks_late=True)
def weekly_recompute_region_task(region_id: int) -> int:
    """Recompute every week of a region (after its targets changed)."""
    mondays = weekly.weeks_with_snapshots([region_id])
    weekly.weekly_values_compute_weeks(mondays=mondays, region_ids=[region_id])
    return len(mondays)
