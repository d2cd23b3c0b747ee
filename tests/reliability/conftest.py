"""Fixtures for the reliability tests: other real processes on the test database, started at
the same moment or made to run into each other, and a way to see that one of them is waiting
for a lock."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from django.db import connection

ROOT = Path(__file__).resolve().parents[2]


def database_url() -> str:
    db = connection.settings_dict
    return (
        f"postgres://{db['USER'] or 'postgres'}@{db['HOST'] or '127.0.0.1'}:"
        f"{db['PORT'] or 5432}/{db['NAME']}"
    )


@pytest.fixture
def postgres_only():
    if connection.vendor != "postgresql":
        pytest.skip(
            "needs real processes sharing a PostgreSQL database: run with "
            "DATABASE_URL=postgres://… (the PostgreSQL pass of .ci/run)"
        )


@dataclass
class Processes:
    """Driver processes (tests/reliability/driver.py) on the test database."""

    folder: Path
    env: dict
    running: list = field(default_factory=list)

    def start(self, spec: dict) -> subprocess.Popen:
        process = subprocess.Popen(
            [sys.executable, "-m", "tests.reliability.driver", json.dumps(spec)],
            cwd=ROOT,
            env=self.env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        self.running.append(process)
        return process

    def flag(self, name: str) -> Path:
        return self.folder / name

    def release(self, name: str) -> None:
        (self.folder / name).touch()

    def wait_for(self, name: str, *, limit: float = 60, watch=()) -> None:
        """Wait for a flag file; fail early with the output of a watched process that died."""
        deadline = time.monotonic() + limit
        while not (self.folder / name).exists():
            for process in watch:
                if process.poll() is not None:
                    out, err = process.communicate()
                    pytest.fail(f"a driver exited before {name}: {out}\n{err}")
            assert time.monotonic() < deadline, f"{name} did not appear within {limit} s"
            time.sleep(0.02)

    @staticmethod
    def result(process: subprocess.Popen, limit: float = 120) -> dict:
        out, err = process.communicate(timeout=limit)
        assert process.returncode == 0, f"driver failed:\n{out}\n{err}"
        return json.loads(out.strip().splitlines()[-1])


@pytest.fixture
def processes(postgres_only, media_root, tmp_path):
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in ("REDIS_URL", "CELERY_TASK_ALWAYS_EAGER")
    }
    # No broker: a driver runs its follow-up tasks (the weekly recompute) inline, as the
    # import command does on a machine without Redis.
    env.update(DATABASE_URL=database_url(), MEDIA_ROOT=str(media_root), DEBUG="True")
    group = Processes(folder=tmp_path, env=env)
    yield group
    for process in group.running:
        if process.poll() is None:
            process.kill()
            process.wait(timeout=10)


def lock_waiters() -> int:
    """Sessions of this database (other than ours) waiting for a lock right now."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
            "AND wait_event_type = 'Lock' AND pid <> pg_backend_pid()"
        )
        return cursor.fetchone()[0]


def wait_until_blocked_or_done(process: subprocess.Popen, limit: float = 60) -> str:
    """'blocked' once some session waits for a lock, 'done' if the process finished first."""
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        if lock_waiters():
            return "blocked"
        if process.poll() is not None:
            return "done"
        time.sleep(0.02)
    raise AssertionError(f"the second process neither blocked nor finished in {limit} s")
