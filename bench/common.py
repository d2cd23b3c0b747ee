"""Shared set-up for the benchmarks: a throwaway PostgreSQL database and Django pointed at it."""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "bench" / "out"
DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/sferum_bench"


def database_url(name: str | None = None) -> str:
    url = os.environ.get("BENCH_DATABASE_URL", DEFAULT_URL)
    return f"{url.rpartition('/')[0]}/{name}" if name else url


def setup_django(*, fresh: bool = False, database: str | None = None) -> None:
    """Point Django at a bench database (created if missing, emptied when ``fresh``); each
    benchmark that builds its own data names its own database."""
    url = os.environ["DATABASE_URL"] if os.environ.get("BENCH_CHILD") else database_url(database)
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sferum_portal.settings")
    os.environ.setdefault("DEBUG", "True")  # demo-free, but no manifest storage needed
    os.environ.pop("REDIS_URL", None)  # tasks inline: benchmarks call services directly
    import psycopg2

    base, _, name = url.rpartition("/")
    admin = psycopg2.connect(f"{base}/postgres")
    admin.autocommit = True
    with admin.cursor() as cursor:
        if fresh:
            cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
        if not cursor.fetchone():
            cursor.execute(f'CREATE DATABASE "{name}"')
    admin.close()
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def run_isolated(module: str, *args: str) -> dict:
    """Run ``python -m module args`` in a fresh process (its own peak memory); it prints JSON."""
    done = subprocess.run(
        [sys.executable, "-m", module, *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env={**os.environ, "BENCH_CHILD": "1"},
        check=False,
    )
    if done.returncode:
        raise RuntimeError(f"{module} {args} failed:\n{done.stdout}\n{done.stderr}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def print_table(title: str, rows: list[tuple]) -> None:
    print(f"\n## {title}")
    width = max(len(str(r[0])) for r in rows)
    for label, *values in rows:
        print(f"  {label:<{width}}  " + "  ".join(str(v) for v in values))
