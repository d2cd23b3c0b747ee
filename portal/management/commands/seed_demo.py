"""Load the demo data: never on a production configuration, and only into an empty registry."""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from monitoring.demo import demo_statistics_create
from organizations.demo import DEMO_LOGIN_HELP, DEMO_PASSWORD, demo_registry_create
from organizations.models import Organization
from rollout.services import tasks_sync_all
from sferum_portal.plurals import count_ru


class Command(BaseCommand):
    help = "Создать демонстрационные данные (Республика Коми) и демо-пользователей."

    def add_arguments(self, parser):
        parser.add_argument(
            "--if-empty",
            action="store_true",
            help="Ничего не делать, если в реестре уже есть организации.",
        )

    def handle(self, *args, if_empty: bool, **options):
        if not settings.DEBUG:
            raise CommandError("Демо-данные не загружаются при DEBUG=False (рабочая конфигурация).")
        if Organization.objects.exists():
            if if_empty:
                self.stdout.write("Реестр не пуст: демо-данные не загружались.")
                self.print_logins()
                return
            raise CommandError("Реестр не пуст: демо-данные загружаются только в пустую базу.")
        users = demo_registry_create()
        # The demo registry is written in bulk, without signals: create its checklist tasks.
        tasks_sync_all()
        uploads = demo_statistics_create(uploader=users["coordinator"])
        self.stdout.write(
            self.style.SUCCESS(
                "Демо-данные загружены: реестр и статистика за "
                f"{count_ru(uploads, 'неделю', 'недели', 'недель')}."
            )
        )
        self.print_logins()

    def print_logins(self):
        self.stdout.write("\nВход: http://127.0.0.1:8000/accounts/login/")
        self.stdout.write(f"Пароль всех демо-пользователей: {DEMO_PASSWORD}")
        for username, who in DEMO_LOGIN_HELP:
            self.stdout.write(f"  {username:<14} {who}")
