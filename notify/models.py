"""What the portal sends and to whom: each person's choice of channels and kinds, their MAX
link, and the outbox, one row per message and channel, sent by Celery (notify.outbox)."""

from __future__ import annotations

import secrets

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone


class Channel(models.TextChoices):
    EMAIL = "email", "электронная почта"
    MAX = "max", "МАХ"


class Kind(models.TextChoices):
    DIGEST = "digest", "еженедельная сводка"
    REMINDER = "reminder", "напоминания о сроках"
    NUDGE = "nudge", "напоминания от УО («Напомнить»)"


class MessageStatus(models.TextChoices):
    PENDING = "pending", "ждёт отправки"
    SENDING = "sending", "отправляется"
    SENT = "sent", "отправлено"
    FAILED = "failed", "не отправлено"


class Preference(models.Model):
    """A person's channels and kinds of message; a person without a row gets everything their
    channels can carry (e-mail if they have an address, MAX once linked)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="notify_preference",
        verbose_name="пользователь",
    )
    email = models.BooleanField("по электронной почте", default=True)
    max = models.BooleanField("в МАХ", default=True)
    digest = models.BooleanField(Kind.DIGEST.label, default=True)
    reminder = models.BooleanField(Kind.REMINDER.label, default=True)
    nudge = models.BooleanField(Kind.NUDGE.label, default=True)
    updated_at = models.DateTimeField("изменено", auto_now=True)

    class Meta:
        verbose_name = "настройки рассылок"
        verbose_name_plural = "настройки рассылок"

    def __str__(self) -> str:
        return str(self.user)

    def wants(self, kind: str, channel: str) -> bool:
        return bool(getattr(self, kind)) and bool(getattr(self, channel))


def new_payload() -> str:
    """A one-time start payload of the bot's deep link (MAX allows up to 128 characters of
    ``A-Za-z0-9_-``; token_urlsafe gives exactly that alphabet)."""
    return secrets.token_urlsafe(32)


class MaxLink(models.Model):
    """A person's MAX account: the deep link's one-time payload until they press «Начать», then
    the MAX user the bot's ``bot_started`` update named."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="max_link",
        verbose_name="пользователь",
    )
    payload = models.CharField("код привязки", max_length=128, unique=True, null=True, blank=True)
    payload_created_at = models.DateTimeField("код выдан", null=True, blank=True)
    max_user_id = models.BigIntegerField("пользователь МАХ", unique=True, null=True, blank=True)
    chat_id = models.BigIntegerField("чат с ботом", null=True, blank=True)
    max_name = models.CharField("имя в МАХ", max_length=200, blank=True)
    linked_at = models.DateTimeField("привязан", null=True, blank=True)

    class Meta:
        verbose_name = "привязка МАХ"
        verbose_name_plural = "привязки МАХ"

    def __str__(self) -> str:
        return f"{self.user} — {self.max_user_id or 'не привязан'}"

    @property
    def is_linked(self) -> bool:
        return self.max_user_id is not None


class Message(models.Model):
    """One message to one person by one channel. (person, kind, key, channel) is unique: the
    same digest for the same week, or the same day's reminders, is never queued twice."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="notify_messages",
        verbose_name="кому",
    )
    kind = models.CharField("вид", max_length=16, choices=Kind.choices)
    # The week of a digest ("2025-W50"), the day of a reminder ("2025-12-03"), the object and
    # moment of a nudge: what makes a message the same message.
    key = models.CharField("о чём", max_length=100)
    channel = models.CharField("канал", max_length=8, choices=Channel.choices)
    subject = models.CharField("тема", max_length=200)
    text = models.TextField("текст")
    html = models.TextField("HTML", blank=True)
    link = models.CharField("ссылка на страницу", max_length=500, blank=True)
    attachment_name = models.CharField("вложение", max_length=200, blank=True)
    attachment = models.BinaryField("файл вложения", blank=True, default=b"")
    # Where the message is about (for the district's «Рассылки» page and its scope).
    municipality = models.ForeignKey(
        "organizations.Municipality",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="МО",
    )
    organization = models.ForeignKey(
        "organizations.Organization",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="ОО",
    )
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="отправил («Напомнить»)",
    )
    status = models.CharField(
        "состояние", max_length=8, choices=MessageStatus.choices, default=MessageStatus.PENDING
    )
    attempts = models.PositiveSmallIntegerField("попыток", default=0)
    last_error = models.TextField("последняя ошибка", blank=True)
    created_at = models.DateTimeField("создано", default=timezone.now)
    next_attempt_at = models.DateTimeField("следующая попытка", default=timezone.now)
    # A worker that claimed the message and died: after this moment another one may send it.
    lease_until = models.DateTimeField("занято до", null=True, blank=True)
    sent_at = models.DateTimeField("отправлено", null=True, blank=True)

    class Meta:
        verbose_name = "сообщение"
        verbose_name_plural = "сообщения (очередь рассылок)"
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "kind", "key", "channel"], name="notify_message_once"
            )
        ]
        indexes = [
            # The sender's queue: the few rows still to send, in order.
            models.Index(
                fields=["next_attempt_at"],
                condition=Q(status__in=["pending", "sending"]),
                name="notify_message_due",
            ),
            models.Index(fields=["municipality", "-created_at"], name="notify_message_mo"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.key} → {self.user} ({self.get_channel_display()})"


class Whom(models.TextChoices):
    OWNER = "owner", "исполнитель (для пунктов ОО — администратор Сферум в ОО)"
    HEAD = "head", "руководитель ОО"
    DISTRICT_LEAD = "district_lead", "районный ответственный"


class ReminderRung(models.Model):
    """A rung of the reminder ladder (notify.reminders): so many days after an item became
    overdue, remind these people of it. Data, edited in the admin; the defaults (0 → owner,
    3 → руководитель ОО, 7 → районный ответственный) come from a data migration."""

    days = models.PositiveSmallIntegerField(
        "дней просрочки",
        help_text="Через сколько дней после первого дня просрочки: 0 — в первый же день.",
    )
    whom = models.CharField("кому", max_length=16, choices=Whom.choices)
    is_active = models.BooleanField("действует", default=True)

    class Meta:
        verbose_name = "ступень напоминаний"
        verbose_name_plural = "лестница напоминаний о сроках"
        ordering = ["days", "whom"]
        constraints = [
            models.UniqueConstraint(fields=["days", "whom"], name="notify_rung_unique"),
        ]

    def __str__(self) -> str:
        return f"+{self.days} дн. — {self.get_whom_display()}"


class Reminded(models.Model):
    """What a person was reminded of: an overdue plan item of an organisation (or of a district,
    ``organization`` empty). One row per person and object, so a reminder of it goes once and
    every later reminder to them holds only what is new."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name="кому",
    )
    plan_item = models.ForeignKey(
        "rollout.PlanItemTemplate",
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name="пункт плана",
    )
    organization = models.ForeignKey(
        "organizations.Organization",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="ОО",
    )
    municipality = models.ForeignKey(
        "organizations.Municipality",
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name="МО",
    )
    rung = models.ForeignKey(
        ReminderRung,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="ступень",
    )
    reminded_on = models.DateField("дата напоминания")

    class Meta:
        verbose_name = "отправленное напоминание"
        verbose_name_plural = "отправленные напоминания"
        constraints = [
            models.UniqueConstraint(
                fields=["user", "plan_item", "organization"],
                condition=Q(organization__isnull=False),
                name="notify_reminded_org_once",
            ),
            models.UniqueConstraint(
                fields=["user", "plan_item", "municipality"],
                condition=Q(organization__isnull=True),
                name="notify_reminded_district_once",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.plan_item_id} → {self.user_id} ({self.reminded_on:%d.%m.%Y})"
