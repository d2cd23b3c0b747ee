"""Print or save the weekly activity report (CSV for scripts, xlsx for people)."""

import csv

from django.core.management.base import BaseCommand, CommandError

from monitoring.reports import LEVELS, activity_report
from sferum_portal.weeks import parse_iso_week
from sferum_portal.xlsx import safe_text, table_workbook


class Command(BaseCommand):
    help = "Отчёт об активности за неделю по ОО, МО или регионам (CSV или xlsx)."

    def add_arguments(self, parser):
        parser.add_argument("--week", required=True, help="ISO-неделя, например 2025-W48")
        parser.add_argument("--level", choices=LEVELS, default="organization")
        parser.add_argument("--municipality", help="Только это МО (по названию)")
        parser.add_argument("--format", choices=("csv", "xlsx"), default="csv")
        parser.add_argument("--out", help="Файл; по умолчанию CSV печатается в stdout")

    def handle(self, *args, week, level, municipality, format, out, **options):
        try:
            monday = parse_iso_week(week)
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        columns, rows = activity_report(monday=monday, level=level, municipality=municipality)
        if format == "xlsx":
            if not out:
                raise CommandError("Для xlsx укажите --out ФАЙЛ.")
            table_workbook(f"Активность {week}", list(columns.values()), rows).save(out)
            return
        handle = open(out, "w", newline="", encoding="utf-8") if out else self.stdout  # noqa: SIM115
        try:
            writer = csv.writer(handle, lineterminator="\n")
            writer.writerow(columns)
            for row in rows:
                writer.writerow([safe_text(value) for value in row])
        finally:
            if out:
                handle.close()
