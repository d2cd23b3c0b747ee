"""Load fixtures/rollout_templates.json into the template tables, then create the tasks.

The data migration already loads the file once; run this after the file changed. Without
``--update`` only missing checklists, steps, plans and items are added; with it, the texts of the
existing ones are rewritten from the file (statuses and history are never touched).
"""

from pathlib import Path

from django.core.management.base import BaseCommand
from django.db import transaction

from rollout.services import tasks_sync_all
from rollout.signals import sync_muted
from rollout.templates_data import FIXTURE_PATH, templates_load, templates_read


class Command(BaseCommand):
    help = "Загрузить шаблоны чек-листов и плана мероприятий из fixtures/rollout_templates.json."

    def add_arguments(self, parser):
        parser.add_argument("--path", type=Path, default=FIXTURE_PATH, help="Другой файл JSON.")
        parser.add_argument(
            "--update",
            action="store_true",
            help="Переписать тексты уже существующих шагов и пунктов из файла.",
        )

    def handle(self, *args, path: Path, update: bool, **options):
        with transaction.atomic():
            with sync_muted():
                loaded = templates_load(data=templates_read(path), update=update)
            synced = tasks_sync_all()
        created = ", ".join(f"{k}: {v}" for k, v in loaded.created.items()) or "ничего"
        updated = ", ".join(f"{k}: {v}" for k, v in loaded.updated.items()) or "ничего"
        self.stdout.write(f"Добавлено — {created}; обновлено — {updated}.")
        self.stdout.write(self.style.SUCCESS(f"Шаги и пункты плана: {synced}."))
