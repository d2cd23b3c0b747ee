"""Create every missing task (and archive the ones that no longer apply) for the whole registry.

Idempotent: run it after anything that writes the registry without signals (demo data, a bulk
import of organisations or people) or after editing templates in bulk.
"""

from django.core.management.base import BaseCommand

from rollout.services import tasks_sync_all


class Command(BaseCommand):
    help = (
        "Создать недостающие шаги и пункты плана для всех ролей, ОО и МО "
        "(можно запускать повторно)."
    )

    def handle(self, *args, **options):
        result = tasks_sync_all()
        self.stdout.write(self.style.SUCCESS(f"Шаги и пункты плана: {result}."))
