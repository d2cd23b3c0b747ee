"""Compute the weekly values: the week just ended, a given ISO week, or every week with data."""

import time

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from monitoring.weekly import weekly_values_compute_weeks, weeks_with_snapshots
from sferum_portal.weeks import iso_week_label, parse_iso_week, previous_week_start


class Command(BaseCommand):
    help = "Рассчитать недельные показатели активности (по умолчанию — за прошедшую неделю)."

    def add_arguments(self, parser):
        group = parser.add_mutually_exclusive_group()
        group.add_argument("--week", help="ISO-неделя, например 2025-W48")
        group.add_argument("--all", action="store_true", help="Все недели, где есть данные")

    def handle(self, *args, week, all, **options):
        if all:
            mondays = weeks_with_snapshots()
        elif week:
            try:
                mondays = [parse_iso_week(week)]
            except ValueError as exc:
                raise CommandError(str(exc)) from exc
        else:
            mondays = [previous_week_start(timezone.localdate())]
        started = time.perf_counter()
        weekly_values_compute_weeks(mondays=mondays)
        elapsed = time.perf_counter() - started
        weeks = ", ".join(iso_week_label(m) for m in mondays) or "нет недель с данными"
        self.stdout.write(f"{weeks}: рассчитано за {elapsed:.2f} с")
