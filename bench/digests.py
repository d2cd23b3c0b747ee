"""Digest benchmark (issue 15): the weekly digests of the whole nation (70,000 ОО, 2,125 МО, a
person in each role: a coordinator per region, a district lead per МО, a Sferum admin and a head
per ОО) built as drafts and queued in the outbox, then 2,000 of those e-mails sent through a
local aiosmtpd server with ``notify.outbox.deliver_due`` and Django's SMTP backend.

Runs on the national dataset (database ``sferum_bench_national``, built as bench/dataset.py
does when it is empty); the people are added once, in bulk, without signals (their checklist
tasks are created lazily, and the matrix counts missing ones as «не начато»)."""

from __future__ import annotations

import time

from .common import peak_mb, print_table, setup_django
from .dataset import NATIONAL_DATABASE, build_national_database

SEND = 2_000
PREFIX = "dg-"


def _people() -> int:
    """One coordinator per region, one district lead per МО, an admin and a head per ОО."""
    from django.db import transaction

    from organizations.models import Membership, Municipality, Organization, Region, Role, User

    if User.objects.filter(username__startswith=PREFIX).exists():
        return Membership.objects.filter(user__username__startswith=PREFIX).count()
    scopes = [
        (Role.REGIONAL_COORDINATOR, "region", pk)
        for pk in Region.objects.values_list("pk", flat=True)
    ]
    scopes += [
        (Role.DISTRICT_LEAD, "municipality", pk)
        for pk in Municipality.objects.values_list("pk", flat=True)
    ]
    for pk in Organization.objects.values_list("pk", flat=True):
        scopes += [(role, "organization", pk) for role in (Role.OO_ADMIN, Role.OO_HEAD)]
    with transaction.atomic():
        users = [
            User(username=f"{PREFIX}{i}", email=f"{PREFIX}{i}@bench.local", last_name="Иванова",
                 first_name="Анна", patronymic="Сергеевна", phone=f"+7 900 {i:07d}", password="!")
            for i in range(len(scopes))
        ]  # fmt: skip
        User.objects.bulk_create(users, batch_size=5000)
        ids = dict(User.objects.filter(username__startswith=PREFIX).values_list("username", "pk"))
        Membership.objects.bulk_create(
            [
                Membership(user_id=ids[f"{PREFIX}{i}"], role=role, **{f"{field}_id": pk})
                for i, (role, field, pk) in enumerate(scopes)
            ],
            batch_size=5000,
        )
    return len(scopes)


def _build() -> dict:
    from django.db import connection

    from notify.digests import Counters, build_digests
    from notify.models import Kind, Message
    from notify.outbox import enqueue_many

    Message.objects.filter(kind=Kind.DIGEST).delete()
    counters = Counters()
    queries = 0

    def count(execute, sql, params, many, context):
        nonlocal queries
        queries += 1
        return execute(sql, params, many, context)

    with connection.execute_wrapper(count):
        start = time.perf_counter()
        digests = build_digests(counters=counters)
        built = time.perf_counter() - start
    start = time.perf_counter()
    queued = enqueue_many([d.draft for d in digests], send=False)
    enqueued = time.perf_counter() - start
    return {
        "digests": len(digests),
        "districts": counters.districts,
        "regions": counters.regions,
        "queries": queries,
        "build_s": built,
        "enqueue_s": enqueued,
        "queued": queued,
    }


def _send() -> dict:
    """Send SEND of the queued e-mails (the district leads' with their xlsx among them)."""
    import datetime as dt
    import socket

    from aiosmtpd.controller import Controller
    from django.conf import settings
    from django.utils import timezone

    from notify.models import Message, MessageStatus
    from notify.outbox import deliver_due

    class Counter:
        received = 0

        async def handle_DATA(self, server, session, envelope):
            self.received += 1
            return "250 OK"

    with socket.socket() as probe:  # a free port (the controller checks it is up by connecting)
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    handler = Counter()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", port
    settings.EMAIL_USE_TLS, settings.EMAIL_HOST_USER, settings.EMAIL_HOST_PASSWORD = False, "", ""
    try:
        pending = Message.objects.filter(status=MessageStatus.PENDING)
        # The first SEND by id are due now (district leads come before the schools); the rest
        # wait for another day, so that deliver_due takes exactly these.
        first = list(pending.order_by("pk").values_list("pk", flat=True)[:SEND])
        now = timezone.now()
        pending.exclude(pk__in=first).update(next_attempt_at=now + dt.timedelta(days=7))
        Message.objects.filter(pk__in=first).update(next_attempt_at=now)
        attachments = Message.objects.filter(pk__in=first).exclude(attachment_name="").count()
        sent = 0
        start = time.perf_counter()
        while True:
            result = deliver_due(limit=100)
            if not result.handled:
                break
            sent += result.sent
        elapsed = time.perf_counter() - start
    finally:
        controller.stop()
    return {
        "sent": sent,
        "received": handler.received,
        "with_xlsx": attachments,
        "send_s": elapsed,
        "rate": sent / elapsed if elapsed else 0.0,
    }


def main(*, rebuild: bool = False) -> dict:
    setup_django(fresh=rebuild, database=NATIONAL_DATABASE)
    from organizations.models import Municipality, Organization

    if rebuild or not Organization.objects.exists():
        build_national_database()
    start = time.perf_counter()
    people = _people()
    added = time.perf_counter() - start
    built = _build()
    sent = _send()
    orgs, mos = Organization.objects.count(), Municipality.objects.count()
    rows = [
        (f"people in digest roles ({orgs:,} ОО, {mos:,} МО)", f"{people:,} memberships",
         f"{added:.1f} s to add (once)"),
        ("digests built (drafts, text + HTML, xlsx per district)", f"{built['digests']:,}",
         f"{built['build_s']:.1f} s", f"{built['queries']:,} queries",
         f"{built['districts']:,} district matrices"),
        ("queued in the outbox (enqueue_many, one call)", f"{built['queued']:,} rows",
         f"{built['enqueue_s']:.1f} s"),
        (f"sent through local aiosmtpd (deliver_due, SMTP backend, {sent['with_xlsx']} with xlsx)",
         f"{sent['sent']:,} e-mails", f"{sent['send_s']:.1f} s", f"{sent['rate']:.0f} messages/s"),
        ("peak memory", f"{peak_mb():.0f} MB"),
    ]  # fmt: skip
    print_table("Weekly digests, national dataset (PostgreSQL)", rows)
    return {**built, **sent, "people": people}
