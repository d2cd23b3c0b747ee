"""A real Celery worker killed mid-send (PostgreSQL and Redis only): afterwards every message went
out exactly once.

"Exactly once" is by Message-ID. The outbox marks each row sent the moment the SMTP server
accepted it, in its own commit; a worker killed by SIGKILL leaves at most one message between
the server's «250 OK» and that commit: the one in flight. Its row is still «отправляется»,
and once its lease has run out another worker sends it again, with the same Message-ID
(``<notify-<row id>@…>``), so the recipient's mail system sees one message, delivered twice
at most, and never a second distinct one. Every other row is sent by exactly one of the two
workers and reaches the server once: the rows claimed by the dead worker and not sent wait out
the lease (setting ``NOTIFY_LEASE_SECONDS``, shortened here) and are sent by the second.

Run it with (a PostgreSQL database and a Redis database of its own):
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/sferum_portal_notify \\
    REDIS_URL=redis://127.0.0.1:6379/13 \\
    .venv/bin/python -m pytest tests/notify/test_worker_killed.py
"""

import collections
import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
from django.db import connection

from notify.models import Message, MessageStatus
from notify.outbox import Draft, enqueue_many
from notify.tasks import outbox_send_task
from sferum_portal.celery import app as celery_app
from tests.conftest import worker_env
from tests.factories import UserFactory
from tests.notify.servers import SmtpServer

MESSAGES = 40
LEASE_SECONDS = 2
ROOT = Path(__file__).resolve().parents[2]


# Skipped before any database set-up on SQLite: a transactional test's flush would leave the
# content types re-created under new ids for the serialized-rollback tests that follow.
pytestmark = pytest.mark.skipif(
    not os.environ.get("DATABASE_URL", "").startswith("postgres")
    or not os.environ.get("REDIS_URL"),
    reason="a real worker needs PostgreSQL (DATABASE_URL) and REDIS_URL",
)


def _needs_real_services():
    if connection.vendor != "postgresql":
        pytest.skip("a real worker needs PostgreSQL and REDIS_URL")


def _start_worker(name: str, queue: str, smtp_port: int, media_root) -> subprocess.Popen:
    env = worker_env(
        media_root,
        EMAIL_HOST="127.0.0.1",
        EMAIL_PORT=str(smtp_port),
        EMAIL_USE_TLS="false",
        NOTIFY_LEASE_SECONDS=str(LEASE_SECONDS),
    )
    worker = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "sferum_portal", "worker", "--pool=solo",
         "--loglevel=INFO", "--without-gossip", "--without-mingle", "--without-heartbeat",
         "-Q", queue, "-n", name],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if celery_app.control.ping(destination=[name], timeout=1):
            return worker
        if worker.poll() is not None:
            raise RuntimeError("the worker exited")
    worker.kill()
    raise RuntimeError("the Celery worker did not start within 60 s")


def _wait(condition, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.05)
    raise AssertionError(f"timed out waiting for {what}")


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_worker_killed_mid_send_leaves_every_message_sent_exactly_once(media_root):
    _needs_real_services()
    queue = f"notify-killed-{uuid.uuid4().hex[:8]}"
    with SmtpServer(delay=0.1) as smtp:
        users = [UserFactory(username=f"recipient{i}") for i in range(MESSAGES)]
        drafts = [
            Draft(user=u, kind="digest", key="2025-W50", subject="Сводка", text="Текст")
            for u in users
        ]
        assert enqueue_many(drafts, send=False) == MESSAGES
        expected = {f"<notify-{pk}@" for pk in Message.objects.values_list("pk", flat=True)}
        celery_app.conf.task_always_eager = False  # the autouse fixture restores it
        first = _start_worker(f"killed-1-{queue}@test", queue, smtp.port, media_root)
        second = None
        try:
            outbox_send_task.apply_async(queue=queue)
            _wait(lambda: len(smtp.received.messages) >= MESSAGES // 4, 30, "the first e-mails")
            os.kill(first.pid, signal.SIGKILL)
            first.wait(timeout=10)
            at_kill = len(smtp.received.messages)
            assert at_kill < MESSAGES, "the worker finished before it was killed"
            left = Message.objects.exclude(status=MessageStatus.SENT)
            assert left.exists() and set(left.values_list("status", flat=True)) == {"sending"}
            # The dead worker's claim holds until its lease runs out: nobody sends them before.
            time.sleep(LEASE_SECONDS + 0.5)
            second = _start_worker(f"killed-2-{queue}@test", queue, smtp.port, media_root)
            outbox_send_task.apply_async(queue=queue)  # as beat does every minute
            _wait(
                lambda: not Message.objects.exclude(status=MessageStatus.SENT).exists(),
                60,
                "the second worker to send the rest",
            )
            _wait(lambda: len(smtp.received.messages) >= MESSAGES, 10, "the last e-mail")
            time.sleep(0.5)  # anything extra would arrive now
        finally:
            first.kill()
            if second is not None:
                second.terminate()
                try:
                    second.wait(timeout=20)
                except subprocess.TimeoutExpired:
                    second.kill()
        ids = [mail["Message-ID"].split("@")[0] + "@" for _, mail in smtp.received.messages]
    counts = collections.Counter(ids)
    # Every message arrived, and no message other than the one in flight arrived twice.
    assert set(counts) == expected
    twice = [mid for mid, n in counts.items() if n > 1]
    assert len(twice) <= 1 and all(counts[mid] == 2 for mid in twice)
    assert len(ids) in (MESSAGES, MESSAGES + 1)
    print(f"killed after {at_kill} e-mails; received {len(ids)}, twice: {twice or 'none'}")
    assert at_kill >= MESSAGES // 4
    assert Message.objects.filter(status=MessageStatus.SENT).count() == MESSAGES
    # Each e-mail went to its own recipient.
    recipients = sorted(r[0] for r, _ in smtp.received.messages)
    assert set(recipients) == {u.email for u in users}
