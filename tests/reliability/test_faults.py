"""Faults: a Celery worker killed in the middle of an import, PostgreSQL or Redis briefly down.

An import is one transaction, so a worker that dies mid-write leaves nothing of it; the upload
then ends DONE (the task is delivered again and claims its RUNNING upload) or FAILED (the
reaper), never stuck "running". A dependency that is down gives /healthz 503 and a Russian
error page, and the portal comes back by itself when the dependency does.

The real-process cases run on PostgreSQL (and Redis for the worker and the broker): a real
worker killed with SIGKILL, and gunicorn whose database and Redis go through throwaway TCP
proxies that the test stops and starts (the real servers are never touched). The in-process
cases run on any database.
"""

from __future__ import annotations

import datetime as dt
import http.client
import json
import os
import signal
import socket
import subprocess
import sys
import time
import uuid
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from unittest import mock
from urllib.parse import urlsplit

import kombu.exceptions
import pytest
from django.conf import settings
from django.core.cache import cache
from django.db import OperationalError, connection
from django.urls import reverse
from django.utils import timezone

from monitoring import services, tasks
from monitoring.models import Snapshot, Upload
from organizations.models import Municipality, Organization
from sferum_portal.celery import app as celery_app
from tests.monitoring.conftest import export_file, export_row

from .conftest import ROOT, database_url
from .proxy import TcpProxy
from .worker import PAUSE_BEFORE_SNAPSHOTS, QUEUE

TRANSACTIONAL = pytest.mark.django_db(transaction=True, serialized_rollback=True)
DATE = dt.date(2025, 11, 26)
PAUSE = 4  # seconds a write waits with the registry written and the snapshots not yet
NEW = 40  # organisations the upload adds to the registry
UNAVAILABLE_TEXT = "Портал временно недоступен"
BROKER_DOWN = kombu.exceptions.OperationalError("Error 111 connecting to redis. Refused.")


def upload_rows(world) -> list[dict]:
    """Changed figures for two registry schools and a batch of new schools in a new district."""
    new = [
        {
            "sferum_id": 980_000_000 + i,
            "short_name": f"МБОУ «Школа № {i}»",
            "org_type": "ou",
            "municipality": "Сбойный",
        }
        for i in range(NEW)
    ]
    schools = [world.school, world.other_school]
    return [export_row(o, DATE, staff_active=77) for o in [*schools, *new]]


def registry_state() -> dict:
    return {
        "snapshots": Snapshot.objects.count(),
        "organizations": Organization.objects.count(),
        "municipalities": Municipality.objects.count(),
        "staff_active": sorted(Snapshot.objects.values_list("staff_active", flat=True)),
    }


def fresh(upload: Upload) -> Upload:
    upload.refresh_from_db()
    return upload


def wait_for(condition, *, limit: float, what: str, log: Path | None = None):
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.1)
    tail = log.read_text()[-3000:] if log and log.exists() else ""
    pytest.fail(f"{what} did not happen within {limit} s\n{tail}")


def children_of(pid: int) -> list[int]:
    children = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            if int(stat.rpartition(")")[2].split()[1]) == pid:
                children.append(int(entry.name))
    return sorted(children)


# In-process: any database ---------------------------------------------------------------------


@TRANSACTIONAL
def test_a_database_error_in_a_page_is_a_russian_503_page_not_a_stack_trace(world, client):
    client.force_login(world.coordinator)
    with mock.patch(
        "django.contrib.sessions.backends.db.SessionStore.load",
        side_effect=OperationalError("connection to server at 127.0.0.1 refused"),
    ):
        response = client.get(reverse("monitoring:region_dashboard", args=[world.region.pk]))
    assert response.status_code == 503
    assert response["Retry-After"] == "30"
    text = response.content.decode()
    assert UNAVAILABLE_TEXT in text and "Traceback" not in text and "refused" not in text


@TRANSACTIONAL
def test_the_broker_down_at_confirm_gives_the_preview_back(world, client):
    upload = services.upload_receive(
        uploaded_file=export_file(upload_rows(world)), user=world.coordinator
    )
    assert upload.status == Upload.Status.PREVIEW
    client.force_login(world.coordinator)
    url = reverse("monitoring:upload_confirm", args=[upload.pk])
    with mock.patch.object(tasks.upload_process_task, "delay", side_effect=BROKER_DOWN):
        response = client.post(url)
    assert response.status_code == 503 and UNAVAILABLE_TEXT in response.content.decode()
    # Not "queued" with no task behind it: the person can confirm again once Redis is back.
    assert fresh(upload).status == Upload.Status.PREVIEW
    assert client.post(url).status_code == 302
    assert fresh(upload).status == Upload.Status.DONE


@TRANSACTIONAL
def test_the_broker_down_after_a_write_leaves_the_upload_done(world):
    upload = services.upload_receive(
        uploaded_file=export_file(upload_rows(world)), user=world.coordinator
    )
    with mock.patch.object(tasks.weekly_recompute_task, "delay", side_effect=BROKER_DOWN):
        services.upload_confirm(upload=upload, skip_invalid=False)
    # The data went in; the recompute that could not be queued does not make it "failed".
    assert fresh(upload).status == Upload.Status.DONE
    assert Snapshot.objects.filter(upload=upload).count() == NEW + 2


@TRANSACTIONAL
def test_the_cache_down_during_an_import_loses_progress_notes_not_the_data(world, settings):
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",  # nothing listens on port 1
        }
    }
    upload = services.upload_receive(
        uploaded_file=export_file(upload_rows(world)), user=world.coordinator
    )
    services.upload_confirm(upload=upload, skip_invalid=False)
    assert fresh(upload).status == Upload.Status.DONE
    assert Snapshot.objects.filter(upload=upload).count() == NEW + 2


# A real worker killed mid-write -----------------------------------------------------------------


@dataclass
class Workers:
    """Celery workers (tests/reliability/worker.py) on the test database, consuming QUEUE and
    sending their follow-up tasks to it, each logging to its own file."""

    env: dict
    folder: Path
    started: list = field(default_factory=list)

    def start(self, *, pool: str, **env) -> subprocess.Popen:
        name = f"reliability-{uuid.uuid4().hex[:8]}"
        log = self.folder / f"{name}.log"
        process = subprocess.Popen(
            [sys.executable, "-m", "tests.reliability.worker", f"--pool={pool}",
             "--concurrency=1", "-n", f"{name}@%h", "--without-gossip", "--without-mingle",
             "--without-heartbeat", "--loglevel=INFO"],
            cwd=ROOT, env={**self.env, **env}, stdout=log.open("w"), stderr=subprocess.STDOUT,
        )  # fmt: skip
        process.log = log
        self.started.append(process)
        node = f"{name}@{socket.gethostname()}"
        wait_for(
            lambda: process.poll() is not None or celery_app.control.ping([node], timeout=0.5),
            limit=60,
            what=f"worker {node} answering",
            log=log,
        )
        assert process.poll() is None, log.read_text()[-3000:]
        return process


def purge_queue() -> None:
    """Empty QUEUE, and forget its unacknowledged tasks left by killed workers of earlier runs
    (the broker would otherwise hand them to these tests' workers)."""
    with celery_app.connection_for_write() as conn:
        channel = conn.default_channel
        channel.queue_purge(QUEUE)
        client = channel.client
        for tag, payload in client.hgetall(channel.unacked_key).items():
            if json.loads(payload)[2] == QUEUE:
                client.hdel(channel.unacked_key, tag)
                client.zrem(channel.unacked_index_key, tag)


@pytest.fixture
def workers(postgres_only, media_root, tmp_path):
    if not os.environ.get("REDIS_URL"):
        pytest.skip("a real worker needs REDIS_URL (the PostgreSQL pass of .ci/run sets it)")
    env = {
        **os.environ,
        "DATABASE_URL": database_url(),
        "CELERY_TASK_ALWAYS_EAGER": "false",
        "MEDIA_ROOT": str(media_root),
    }
    celery_app.conf.task_always_eager = False
    purge_queue()
    group = Workers(env=env, folder=tmp_path)
    yield group
    for process in group.started:
        if process.poll() is None:
            process.kill()
        process.wait(timeout=20)
    purge_queue()
    celery_app.conf.task_always_eager = True


def send_to_queue(world) -> tuple[Upload, list]:
    """Receive and confirm an upload as the portal does, its task sent to QUEUE."""
    upload = services.upload_receive(
        uploaded_file=export_file(upload_rows(world)), user=world.coordinator, inline=True
    )
    sent = []

    def delay(upload_id):
        sent.append(tasks.upload_process_task.apply_async((upload_id,), queue=QUEUE))

    with mock.patch.object(tasks.upload_process_task, "delay", delay):
        services.upload_confirm(upload=upload, skip_invalid=False)
    assert len(sent) == 1
    return upload, sent


def wait_mid_write(upload: Upload, worker) -> None:
    """Until the worker has written the registry and pauses before the snapshots."""

    def writing():
        note = (cache.get(services.progress_key(upload.pk)) or {}).get("note", "")
        status = fresh(upload).status
        assert upload.finished_at is None, f"{status}: {upload.error_message}"
        return status == Upload.Status.RUNNING and note.startswith("Записываем")

    wait_for(writing, limit=60, what="the write reaching the snapshots", log=worker.log)


@pytest.mark.postgres
@pytest.mark.worker
@TRANSACTIONAL
def test_a_pool_process_killed_mid_write_leaves_nothing_and_the_retry_finishes(world, workers):
    before = registry_state()
    worker = workers.start(pool="prefork", **{PAUSE_BEFORE_SNAPSHOTS: str(PAUSE)})
    upload, _ = send_to_queue(world)
    wait_mid_write(upload, worker)
    (child,) = children_of(worker.pid)  # the pool process running the task
    os.kill(child, signal.SIGKILL)

    # Its transaction died with it: not one of the new organisations, not one snapshot.
    assert registry_state() == before
    # The worker saw its pool process lost and gave the task back (acks_late, reject on worker
    # lost); it runs again, claims the upload still marked running, and writes it whole.
    wait_for(
        lambda: fresh(upload).status == Upload.Status.DONE,
        limit=60,
        what="the retried upload finishing",
        log=worker.log,
    )
    after = registry_state()
    assert after["snapshots"] == before["snapshots"] + NEW + 2
    assert after["organizations"] == before["organizations"] + NEW
    assert after["municipalities"] == before["municipalities"] + 1
    assert Snapshot.objects.filter(upload=upload, staff_active=77).count() == NEW + 2
    assert "WorkerLostError" in worker.log.read_text()


@pytest.mark.postgres
@pytest.mark.worker
@TRANSACTIONAL
@pytest.mark.parametrize("first", ["the reaper", "the redelivery"])
def test_a_worker_killed_mid_write_leaves_nothing_and_the_upload_never_stays_running(
    world, workers, first
):
    before = registry_state()
    worker = workers.start(pool="solo", **{PAUSE_BEFORE_SNAPSHOTS: str(PAUSE)})
    upload, (result,) = send_to_queue(world)
    wait_mid_write(upload, worker)
    worker.send_signal(signal.SIGKILL)  # the whole worker, as the OOM killer or a lost host
    worker.wait(timeout=20)

    assert registry_state() == before
    assert fresh(upload).status == Upload.Status.RUNNING  # no one left to finish it…
    if first == "the reaper":
        # …so the reaper (every 10 minutes) marks it failed once it is older than any task.
        later = timezone.now() + dt.timedelta(seconds=settings.CELERY_TASK_TIME_LIMIT + 600)
        assert services.uploads_reap_stale(now=later) == 1
        assert fresh(upload).status == Upload.Status.FAILED
        assert "Загрузите файл ещё раз" in upload.error_message
    # The unacknowledged task goes back to the queue once the broker's visibility timeout
    # passes (a short one here, and a worker looks for such tasks when it starts); a worker
    # runs it again.
    time.sleep(2)
    workers.start(pool="solo", CELERY_VISIBILITY_TIMEOUT="1")
    result.get(timeout=60)
    after = registry_state()
    if first == "the reaper":
        # A failed upload is not claimed again: the late task writes nothing.
        assert fresh(upload).status == Upload.Status.FAILED
        assert after == before
    else:
        assert fresh(upload).status == Upload.Status.DONE
        assert after["snapshots"] == before["snapshots"] + NEW + 2
        assert after["organizations"] == before["organizations"] + NEW


# PostgreSQL and Redis briefly down, under gunicorn --------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="session")
def collected_static(tmp_path_factory):
    folder = tmp_path_factory.mktemp("static")
    env = {**os.environ, "DEBUG": "False", "STATIC_ROOT": str(folder)}
    subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"],
        cwd=ROOT, env=env, check=True, capture_output=True, timeout=120,
    )  # fmt: skip
    return folder


@dataclass
class Portal:
    port: int
    database: TcpProxy
    broker: TcpProxy | None
    process: subprocess.Popen
    log: Path
    cookie: str = ""

    def get(self, path: str) -> tuple[int, str, str]:
        """(status, content type, body) of a GET as the logged-in person."""
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=20)
        try:
            conn.request("GET", path, headers={"Cookie": f"sessionid={self.cookie}"})
            response = conn.getresponse()
            return response.status, response.getheader("Content-Type", ""), response.read().decode()
        finally:
            conn.close()

    def health(self) -> tuple[int, dict]:
        status, _, body = self.get("/healthz")
        return status, json.loads(body)

    def workers(self) -> list[int]:
        return children_of(self.process.pid)


@contextmanager
def gunicorn_through_proxies(static_root: Path, media_root: Path, log: Path):
    db = connection.settings_dict
    database = TcpProxy(int(db["PORT"] or 5432), db["HOST"] or "127.0.0.1").start()
    redis_url = os.environ.get("REDIS_URL", "")
    broker = None
    env = {
        **os.environ,
        "DATABASE_URL": database_url().replace(f":{db['PORT'] or 5432}/", f":{database.port}/", 1),
        "DEBUG": "False",
        "SECRET_KEY": settings.SECRET_KEY,  # the sessions the test makes must stay valid
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "SECURE_SSL_REDIRECT": "False",
        "STATIC_ROOT": str(static_root),
        "MEDIA_ROOT": str(media_root),
    }
    if redis_url:
        parts = urlsplit(redis_url)
        broker = TcpProxy(parts.port or 6379, parts.hostname or "127.0.0.1").start()
        env["REDIS_URL"] = f"redis://127.0.0.1:{broker.port}{parts.path}"
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "sferum_portal.wsgi:application",
         "--bind", f"127.0.0.1:{port}", "--workers", "1", "--threads", "2",
         "--timeout", "30", "--graceful-timeout", "5"],
        cwd=ROOT, env=env, stdout=log.open("w"), stderr=subprocess.STDOUT,
    )  # fmt: skip
    portal = Portal(port, database, broker, process, log)
    try:

        def up():
            assert process.poll() is None, log.read_text()[-3000:]
            try:
                return portal.health()[0] == 200
            except OSError:
                return False

        wait_for(up, limit=60, what="gunicorn answering /healthz", log=log)
        yield portal
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)
        database.stop()
        if broker:
            broker.stop()


@pytest.fixture
def portal(postgres_only, collected_static, media_root, tmp_path, world, client):
    with gunicorn_through_proxies(collected_static, media_root, tmp_path / "gunicorn.log") as p:
        client.force_login(world.coordinator)
        p.cookie = client.cookies[settings.SESSION_COOKIE_NAME].value
        yield p


@pytest.mark.postgres
@TRANSACTIONAL
def test_the_database_down_gives_503_and_the_portal_recovers_by_itself(portal, world):
    dashboard = reverse("monitoring:region_dashboard", args=[world.region.pk])
    assert portal.get(dashboard)[0] == 200
    workers = portal.workers()

    portal.database.stop()
    status, body = portal.health()
    assert status == 503 and body["status"] == "unavailable"
    assert body["checks"]["database"].startswith("error: OperationalError")
    for _ in range(3):  # every thread, whatever connection it held
        status, content_type, text = portal.get(dashboard)
        assert status == 503 and content_type.startswith("text/html")
        assert UNAVAILABLE_TEXT in text and "Traceback" not in text

    portal.database.start()
    # The next requests reconnect (CONN_HEALTH_CHECKS): no restart, the same worker process.
    assert portal.health()[0] == 200
    for _ in range(3):
        assert portal.get(dashboard)[0] == 200
    assert portal.workers() == workers
    assert "Traceback" not in portal.log.read_text()


@pytest.mark.postgres
@TRANSACTIONAL
def test_redis_down_gives_503_where_it_is_needed_and_the_portal_recovers(portal, world):
    if portal.broker is None:
        pytest.skip("needs REDIS_URL (the PostgreSQL pass of .ci/run sets it)")
    queued = Upload.objects.create(
        uploaded_by=world.coordinator,
        file_name="w48.xlsx",
        sha256="0" * 64,
        status=Upload.Status.QUEUED,
    )
    progress = reverse("monitoring:upload_progress", args=[queued.pk])
    dashboard = reverse("monitoring:region_dashboard", args=[world.region.pk])
    assert portal.get(progress)[0] == 200

    portal.broker.stop()
    status, body = portal.health()
    assert status == 503 and body["checks"]["broker"].startswith("error:")
    assert body["checks"]["database"] == "ok"
    assert portal.get(dashboard)[0] == 200  # reading the figures needs no Redis
    status, _, text = portal.get(progress)  # the live progress lives in the Redis cache
    assert status == 503 and UNAVAILABLE_TEXT in text

    portal.broker.start()
    assert portal.health()[0] == 200
    status, _, text = portal.get(progress)
    assert status == 200 and json.loads(text)["status"] == "queued"
