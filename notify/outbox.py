"""The outbox: messages are rows (notify.models.Message) queued by ``enqueue_many`` and sent by
``deliver_due`` in Celery workers (notify.tasks), with retries and backoff.

Exactly once: a message is unique per (person, kind, key, channel), so a digest built twice for
the same week (beat firing twice, a re-run of ``send_digests``) queues nothing new. A worker
claims due rows with ``SELECT … FOR UPDATE SKIP LOCKED``, marks them «отправляется» with a lease
and commits before it talks to SMTP or MAX, and marks each one sent the moment it went out: two
workers never send the same row, and a row left «отправляется» by a worker that died is taken
up again only when its lease has run out. E-mails carry a Message-ID made from the row, so the
one message a worker may have sent just before dying is the same message if it goes again.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.db import transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from .max_client import MaxClient, MaxError, MaxRefused
from .models import Channel, MaxLink, Message, MessageStatus, Preference
from .tokens import unsubscribe_token

logger = logging.getLogger(__name__)

LEASE = dt.timedelta(minutes=5)


def lease() -> dt.timedelta:
    """How long a claim holds (setting ``NOTIFY_LEASE_SECONDS``, five minutes by default)."""
    seconds = getattr(settings, "NOTIFY_LEASE_SECONDS", None)
    return dt.timedelta(seconds=seconds) if seconds else LEASE


# Waits after the 1st, 2nd, … failed attempt; after the last the message is «не отправлено».
BACKOFF = (
    dt.timedelta(minutes=1),
    dt.timedelta(minutes=5),
    dt.timedelta(minutes=30),
    dt.timedelta(hours=2),
    dt.timedelta(hours=6),
)
MAX_ATTEMPTS = len(BACKOFF) + 1


@dataclass
class Draft:
    """A message to one person before it has channels: what ``enqueue_many`` turns into rows."""

    user: object
    kind: str
    key: str
    subject: str
    text: str
    html: str = ""
    link: str = ""
    attachment_name: str = ""
    attachment: bytes = b""
    municipality_id: int | None = None
    organization_id: int | None = None
    sent_by_id: int | None = None


def max_enabled() -> bool:
    return bool(settings.MAX_BOT_TOKEN)


def channels_of(users: Iterable, kind: str) -> dict[int, list[str]]:
    """Person id -> the channels a message of ``kind`` goes by: e-mail when they have an address,
    MAX when it is configured and they linked it, minus what they switched off (two queries)."""
    users = list(users)
    ids = [u.pk for u in users]
    preferences = {p.user_id: p for p in Preference.objects.filter(user_id__in=ids)}
    linked = set()
    if max_enabled():
        linked = set(
            MaxLink.objects.filter(user_id__in=ids, max_user_id__isnull=False).values_list(
                "user_id", flat=True
            )
        )
    result = {}
    for user in users:
        preference = preferences.get(user.pk) or Preference(user_id=user.pk)
        channels = []
        if user.email and preference.wants(kind, Channel.EMAIL):
            channels.append(Channel.EMAIL)
        if user.pk in linked and preference.wants(kind, Channel.MAX):
            channels.append(Channel.MAX)
        result[user.pk] = channels
    return result


def enqueue_many(
    drafts: list[Draft], *, send: bool = True, channels: Iterable[str] | None = None
) -> int:
    """Queue the drafts by each person's channels (only those of ``channels``, when given); a
    message already queued (the same person, kind, key and channel) is left as it is. Returns
    the number of rows queued now."""
    only = set(channels) if channels is not None else None
    by_kind: dict[str, list[Draft]] = {}
    for draft in drafts:
        by_kind.setdefault(draft.kind, []).append(draft)
    rows = []
    for kind, group in by_kind.items():
        by_person = channels_of([d.user for d in group], kind)
        for draft in group:
            for channel in by_person.get(draft.user.pk, []):
                if only is not None and channel not in only:
                    continue
                rows.append(
                    Message(
                        user_id=draft.user.pk, kind=draft.kind, key=draft.key, channel=channel,
                        subject=draft.subject[:200], text=draft.text, html=draft.html,
                        link=draft.link, attachment_name=draft.attachment_name,
                        attachment=draft.attachment if channel == Channel.EMAIL else b"",
                        municipality_id=draft.municipality_id,
                        organization_id=draft.organization_id, sent_by_id=draft.sent_by_id,
                    )
                )  # fmt: skip
    if not rows:
        return 0
    scope = Q(pk__in=[])
    for kind, key in {(r.kind, r.key) for r in rows}:
        scope |= Q(kind=kind, key=key)
    mine = Message.objects.filter(scope, user_id__in={r.user_id for r in rows})
    before = mine.count()
    Message.objects.bulk_create(rows, batch_size=1000, ignore_conflicts=True)
    created = mine.count() - before
    if send and created:
        from .tasks import outbox_send_task

        transaction.on_commit(outbox_send_task.delay)
    return created


# --- sending ---------------------------------------------------------------------------------


@dataclass
class Delivery:
    sent: int = 0
    retry: int = 0
    failed: int = 0
    errors: list[str] = field(default_factory=list)

    @property
    def handled(self) -> int:
        return self.sent + self.retry + self.failed


def _claim(limit: int, now: dt.datetime) -> list[int]:
    with transaction.atomic():
        due = (
            Message.objects.select_for_update(skip_locked=True)
            .filter(
                Q(status=MessageStatus.PENDING, next_attempt_at__lte=now)
                | Q(status=MessageStatus.SENDING, lease_until__lt=now)
            )
            .order_by("next_attempt_at", "pk")
            .values_list("pk", flat=True)[:limit]
        )
        ids = list(due)
        if ids:
            Message.objects.filter(pk__in=ids).update(
                status=MessageStatus.SENDING, lease_until=now + lease()
            )
    return ids


def site_url(path: str) -> str:
    return settings.SITE_URL.rstrip("/") + path if path.startswith("/") else path


def unsubscribe_url(message: Message) -> str:
    return site_url(
        reverse("notify:unsubscribe", args=[unsubscribe_token(message.user_id, message.kind)])
    )


def _email(message: Message, connection) -> None:
    unsubscribe = unsubscribe_url(message)
    domain = settings.SITE_URL.split("//")[-1].split("/")[0] or "localhost"
    mail = EmailMultiAlternatives(
        subject=message.subject,
        body=f"{message.text}\n\n—\nОтписаться от этих сообщений: {unsubscribe}\n",
        to=[message.user.email],
        connection=connection,
        headers={
            "Message-ID": f"<notify-{message.pk}@{domain}>",
            "List-Unsubscribe": f"<{unsubscribe}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        },
    )
    if message.html:
        footer = render_to_string(
            "notify/_email_footer.html",
            {"unsubscribe": unsubscribe, "settings_url": site_url(reverse("notify:settings"))},
        )
        mail.attach_alternative(message.html + footer, "text/html")
    if message.attachment_name and message.attachment:
        mail.attach(
            message.attachment_name,
            bytes(message.attachment),
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
    mail.send()


def _max(message: Message, client: MaxClient, max_users: dict[int, int]) -> None:
    """``max_users``: person id -> MAX user id, for the batch's recipients (one query)."""
    max_user_id = max_users.get(message.user_id)
    if max_user_id is None:
        raise MaxRefused("МАХ не привязан")
    text = f"{message.text}\n\nОтписаться: {unsubscribe_url(message)}"
    client.send(max_user_id, text)


def _done(message: Message, now: dt.datetime) -> None:
    Message.objects.filter(pk=message.pk).update(
        status=MessageStatus.SENT, sent_at=now, lease_until=None, last_error="",
        attempts=message.attempts + 1,
    )  # fmt: skip


def _failed(message: Message, error: str, *, transient: bool, retry_after=None) -> str:
    attempts = message.attempts + 1
    now = timezone.now()
    if transient and attempts < MAX_ATTEMPTS:
        wait = BACKOFF[attempts - 1]
        if retry_after:
            wait = max(wait, dt.timedelta(seconds=retry_after))
        Message.objects.filter(pk=message.pk).update(
            status=MessageStatus.PENDING, attempts=attempts, last_error=error[:2000],
            next_attempt_at=now + wait, lease_until=None,
        )  # fmt: skip
        return "retry"
    Message.objects.filter(pk=message.pk).update(
        status=MessageStatus.FAILED, attempts=attempts, last_error=error[:2000], lease_until=None
    )
    return "failed"


def deliver_due(*, limit: int = 100) -> Delivery:
    """Send up to ``limit`` due messages (one SMTP connection and one MAX client for them)."""
    result = Delivery()
    ids = _claim(limit, timezone.now())
    if not ids:
        return result
    messages = list(Message.objects.filter(pk__in=ids).select_related("user").order_by("pk"))
    max_users = dict(
        MaxLink.objects.filter(
            user_id__in={m.user_id for m in messages if m.channel == Channel.MAX},
            max_user_id__isnull=False,
        ).values_list("user_id", "max_user_id")
    )
    connection = get_connection()
    client = MaxClient() if max_enabled() else None
    try:
        for message in messages:
            try:
                if message.channel == Channel.EMAIL:
                    _email(message, connection)
                elif client is None:
                    raise MaxRefused("МАХ не настроен (MAX_BOT_TOKEN)")
                else:
                    _max(message, client, max_users)
            except MaxError as exc:
                outcome = _failed(
                    message, str(exc), transient=exc.transient,
                    retry_after=getattr(exc, "retry_after", None),
                )  # fmt: skip
            except Exception as exc:  # SMTP and socket errors: try again later
                logger.warning("notify: message %s not sent: %r", message.pk, exc)
                outcome = _failed(message, f"{exc.__class__.__name__}: {exc}", transient=True)
            else:
                _done(message, timezone.now())
                result.sent += 1
                continue
            if outcome == "retry":
                result.retry += 1
            else:
                result.failed += 1
            result.errors.append(f"{message.pk}: {message.last_error}")
    finally:
        connection.close()
        if client is not None:
            client.close()
    return result
