"""Suite-wide fixtures: fast password hashing, inline Celery, and a small two-region world with
one person per role (the personas every scoping test uses)."""

import os
import uuid
from dataclasses import dataclass

import pytest

from organizations.models import Role
from sferum_portal.celery import app as celery_app
from tests.factories import (
    PASSWORD,
    MunicipalityFactory,
    OrganizationFactory,
    RegionFactory,
    SchoolClassFactory,
    UserFactory,
    person,
)


@pytest.fixture(scope="session")
def media_root(tmp_path_factory):
    return tmp_path_factory.mktemp("media")


@pytest.fixture(autouse=True)
def _fast_and_inline(settings, media_root):
    settings.MEDIA_ROOT = media_root
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    # Each test counts set-password link requests afresh, in locmem and in Redis alike.
    settings.LINK_THROTTLE_KEY_PREFIX = f"link-throttle-{uuid.uuid4().hex}"
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    eager = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = True
    yield
    celery_app.conf.task_always_eager = eager


@dataclass
class World:
    """Two regions; in the first, two municipalities; in the first of those, two schools."""

    region: object
    other_region: object
    municipality: object
    other_municipality: object
    far_municipality: object
    school: object
    other_school: object
    far_school: object
    school_class: object
    other_class: object
    coordinator: object
    district_lead: object
    methodologist: object
    district_methodologist: object
    oo_admin: object
    oo_head: object
    teacher: object
    operator: object
    nobody: object

    def personas(self) -> dict[str, object]:
        return {
            "coordinator": self.coordinator,
            "district_lead": self.district_lead,
            "methodologist": self.methodologist,
            "district_methodologist": self.district_methodologist,
            "oo_admin": self.oo_admin,
            "oo_head": self.oo_head,
            "teacher": self.teacher,
        }


@pytest.fixture
def world(db) -> World:
    region = RegionFactory(name="Республика Коми", code="11")
    other_region = RegionFactory(name="Липецкая область", code="48")
    municipality = MunicipalityFactory(region=region, name="Княжпогостский")
    other_municipality = MunicipalityFactory(region=region, name="Ухта")
    far_municipality = MunicipalityFactory(region=other_region, name="Липецк")
    school = OrganizationFactory(municipality=municipality, short_name="МБОУ «СОШ № 1» г. Емвы")
    other_school = OrganizationFactory(municipality=municipality, short_name="МБОУ «СОШ № 2»")
    far_school = OrganizationFactory(municipality=far_municipality, short_name="МАОУ СШ")
    OrganizationFactory(municipality=other_municipality, short_name="МОУ «СОШ № 3» г. Ухты")
    school_class = SchoolClassFactory(organization=school, name="5А")
    other_class = SchoolClassFactory(organization=school, name="6Б")
    return World(
        region=region,
        other_region=other_region,
        municipality=municipality,
        other_municipality=other_municipality,
        far_municipality=far_municipality,
        school=school,
        other_school=other_school,
        far_school=far_school,
        school_class=school_class,
        other_class=other_class,
        coordinator=person(Role.REGIONAL_COORDINATOR, region, username="coordinator"),
        district_lead=person(Role.DISTRICT_LEAD, municipality, username="district"),
        methodologist=person(Role.METHODOLOGIST, region, username="methodologist"),
        district_methodologist=person(Role.METHODOLOGIST, municipality, username="mo_method"),
        oo_admin=person(Role.OO_ADMIN, school, username="oo_admin"),
        oo_head=person(Role.OO_HEAD, school, username="director"),
        teacher=person(Role.CLASS_TEACHER, school, classes=[school_class], username="teacher"),
        operator=UserFactory(username="operator", is_superuser=True, is_staff=True),
        nobody=UserFactory(username="nobody"),
    )


@pytest.fixture
def login(client):
    def _login(user):
        client.force_login(user)
        return client

    return _login


@pytest.fixture
def browser_page():
    """A headless Debian chromium page driven by Playwright (no downloaded browser)."""
    from playwright.sync_api import sync_playwright

    # Playwright's sync API runs an event loop in this thread; the ORM calls the tests make
    # between page actions are still synchronous.
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_playwright() as pw:
        browser = pw.chromium.launch(
            executable_path="/usr/bin/chromium",
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        context = browser.new_context(viewport={"width": 1366, "height": 900}, locale="ru-RU")
        page = context.new_page()
        yield page
        context.close()
        browser.close()


__all__ = ["PASSWORD"]


def worker_env(media_root, **extra: str) -> dict[str, str]:
    """The environment of a real worker process on the test database (PostgreSQL)."""
    from django.db import connection

    db = connection.settings_dict
    return {
        **os.environ,
        "DATABASE_URL": f"postgres://{db['USER'] or 'postgres'}@{db['HOST'] or '127.0.0.1'}:"
        f"{db['PORT'] or 5432}/{db['NAME']}",
        "CELERY_TASK_ALWAYS_EAGER": "false",
        "MEDIA_ROOT": str(media_root),
        **extra,
    }


@pytest.fixture(scope="session")
def celery_worker_process(django_db_setup, django_db_blocker, media_root):
    """A real Celery worker process on the test database and Redis (PostgreSQL runs only)."""
    import subprocess
    import sys
    import time
    from pathlib import Path

    from django.db import connection

    if connection.vendor != "postgresql" or not os.environ.get("REDIS_URL"):
        pytest.skip("a real worker needs PostgreSQL and REDIS_URL (the second pass of .ci/run)")
    env = worker_env(media_root)
    root = Path(__file__).resolve().parents[1]
    worker = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "sferum_portal", "worker", "--pool=solo",
         "--loglevel=INFO", "--without-gossip", "--without-mingle", "-n", "test-worker@%h"],
        cwd=root, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )  # fmt: skip
    celery_app.control.purge()
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if celery_app.control.ping(timeout=1):
            break
        if worker.poll() is not None:
            raise RuntimeError(f"the worker exited: {worker.stdout.read()}")
    else:
        worker.kill()
        raise RuntimeError("the Celery worker did not start within 60 s")
    yield worker
    worker.terminate()
    try:
        worker.wait(timeout=20)
    except subprocess.TimeoutExpired:
        worker.kill()


@pytest.fixture
def real_celery(celery_worker_process):
    """Send tasks to the real worker instead of running them inline."""
    celery_app.conf.task_always_eager = False
    yield celery_worker_process
    celery_app.conf.task_always_eager = True
    _wait_until_idle(celery_worker_process)


def _wait_until_idle(worker, timeout: float = 60) -> None:
    """Wait until the worker has nothing queued, prefetched or running: a follow-up task that a
    test did not wait for (a recompute queued on a commit) must not write while the test
    database is being flushed, or the flush deadlocks with it."""
    import time

    deadline = time.monotonic() + timeout
    idle_checks = 0
    with celery_app.connection_for_write() as conn:
        redis = conn.default_channel.client
        while time.monotonic() < deadline and worker.poll() is None:
            queued = redis.llen(celery_app.conf.task_default_queue)
            # The solo pool answers only between tasks: no answer means a task is running.
            inspect = celery_app.control.inspect(timeout=1, limit=1)
            active, reserved = inspect.active(), inspect.reserved()
            busy = queued or not active or any(active.values()) or any((reserved or {}).values())
            idle_checks = 0 if busy else idle_checks + 1
            if idle_checks == 2:  # twice in a row: nothing was handed over in between
                return
            time.sleep(0.2)
    raise RuntimeError("the Celery worker did not become idle within 60 s")


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """pytest-django's, plus: at the end of the run, close the sessions that other threads (the
    live server's) left on the PostgreSQL test database, so that it can be dropped."""
    yield
    from django.db import connection

    if connection.vendor != "postgresql":
        return
    with django_db_blocker.unblock(), connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
            "WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )
