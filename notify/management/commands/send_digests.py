"""``manage.py send_digests [--week 2025-W50] [--dry-run] [--only email|max] [--region CODE]``:
build the week's digests and queue them in the outbox, which sends them (notify.outbox)."""

from django.core.management.base import BaseCommand, CommandError

from notify.digests import Counters, build_digests
from notify.models import Channel, Kind
from notify.outbox import channels_of, enqueue_many
from organizations.models import Region
from sferum_portal.plurals import count_ru
from sferum_portal.weeks import parse_iso_week


class Command(BaseCommand):
    help = (
        "Собрать еженедельные сводки и поставить их в очередь рассылки (по умолчанию — "
        "за последнюю неделю с полными данными каждого субъекта)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--week", help="неделя ISO, например 2025-W50")
        parser.add_argument(
            "--dry-run", action="store_true", help="показать получателей и тексты, не отправлять"
        )
        parser.add_argument(
            "--only", choices=[Channel.EMAIL, Channel.MAX], help="только этот канал"
        )
        parser.add_argument("--region", action="append", help="код субъекта (можно несколько)")

    def handle(self, *args, week, dry_run, only, region, **options):
        monday = None
        if week:
            try:
                monday = parse_iso_week(week)
            except ValueError as exc:
                raise CommandError(f"Неделя «{week}» не понята: нужна вида 2025-W50.") from exc
        region_ids = None
        if region:
            region_ids = list(Region.objects.filter(code__in=region).values_list("pk", flat=True))
            if not region_ids:
                raise CommandError("Нет субъектов с такими кодами.")
        counters = Counters()
        digests = build_digests(week=monday, region_ids=region_ids, counters=counters)
        channels = channels_of([d.draft.user for d in digests], Kind.DIGEST)
        labels = dict(Channel.choices)
        if only:
            channels = {pk: [c for c in chs if c == only] for pk, chs in channels.items()}
        reachable = sum(1 for d in digests if channels.get(d.draft.user.pk))
        if dry_run:
            for digest in digests:
                user = digest.draft.user
                chs = channels.get(user.pk) or []
                names = ", ".join(labels[c] for c in chs) or "нет канала"
                self.stdout.write("=" * 72)
                self.stdout.write(f"Кому: {user.full_name} <{user.email or 'нет адреса'}>")
                self.stdout.write(f"Роль: {', '.join(digest.roles)}")
                self.stdout.write(f"Каналы: {names}")
                self.stdout.write(f"Тема: {digest.draft.subject}")
                if digest.draft.attachment_name:
                    self.stdout.write(f"Вложение: {digest.draft.attachment_name}")
                self.stdout.write("")
                self.stdout.write(digest.draft.text)
            self.stdout.write("=" * 72)
        queued = 0
        if not dry_run:
            queued = enqueue_many([d.draft for d in digests], channels=[only] if only else None)
        summary = [
            f"Сводок собрано: {len(digests)}",
            f"получателей с каналом: {reachable}",
            f"субъектов: {counters.regions}",
            f"МО: {counters.districts}",
        ]
        if counters.teachers_without_steps:
            summary.append(
                "классным руководителям без неотмеченных шагов сводка не нужна: "
                + count_ru(counters.teachers_without_steps, "роль", "роли", "ролей")
            )
        self.stdout.write("; ".join(summary) + ".")
        if dry_run:
            self.stdout.write("Пробный запуск: ничего не поставлено в очередь и не отправлено.")
        else:
            self.stdout.write(
                f"Поставлено в очередь: {count_ru(queued, 'сообщение', 'сообщения', 'сообщений')}"
                " (уже поставленные раньше за эту неделю не повторяются)."
            )
