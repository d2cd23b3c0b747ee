"""Backups: a custom-format pg_dump of the database restores into a fresh database with every
table's rows, as README's backup section says. PostgreSQL only (the second pass of .ci/run)."""

import datetime as dt
import os
import shutil
import subprocess

import psycopg2
import pytest
from django.db import connection
from psycopg2 import sql

from monitoring import services
from monitoring.models import Snapshot
from organizations.models import Organization, Region
from tests.monitoring.conftest import export_file, export_row

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

DATES = [dt.date(2025, 11, 17), dt.date(2025, 11, 24)]


@pytest.fixture
def postgres():
    if connection.vendor != "postgresql":
        pytest.skip("backups are pg_dump/pg_restore: PostgreSQL only")
    if not all(shutil.which(tool) for tool in ("pg_dump", "pg_restore", "createdb", "dropdb")):
        pytest.skip("the PostgreSQL client tools are not installed")
    db = connection.settings_dict
    options = ["-h", db["HOST"] or "127.0.0.1", "-p", str(db["PORT"] or 5432)]
    options += ["-U", db["USER"] or "postgres"]
    environment = {**os.environ, "PGPASSWORD": db["PASSWORD"] or ""}
    return db, options, environment


def table_counts(cursor, tables: list[str]) -> dict[str, int]:
    counts = {}
    for table in tables:
        cursor.execute(sql.SQL("SELECT count(*) FROM {}").format(sql.Identifier(table)))
        counts[table] = cursor.fetchone()[0]
    return counts


def run(command: list[str], environment: dict) -> None:
    result = subprocess.run(command, env=environment, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr


def test_a_dump_restores_into_a_fresh_database_with_the_same_rows(world, postgres, tmp_path):
    db, options, environment = postgres
    for date in DATES:
        upload = services.upload_receive(
            uploaded_file=export_file(
                [export_row(world.school, date), export_row(world.other_school, date)]
            ),
            user=world.coordinator,
            inline=True,
        )
        services.upload_confirm(upload=upload, skip_invalid=False, inline=True)
    assert Snapshot.objects.count() == 4
    # Every table of the installed apps (not the session's temporary upsert tables).
    tables = sorted(connection.introspection.django_table_names(only_existing=True))
    with connection.cursor() as cursor:
        before = table_counts(cursor, tables)
    assert before["organizations_organization"] == 4 and before["monitoring_upload"] == 2
    sferum_ids = sorted(Organization.objects.values_list("sferum_id", flat=True))
    last_region = Region.objects.order_by("pk").last().pk

    dump = tmp_path / "portal.dump"
    fresh = f"{db['NAME']}_restored_{os.getpid()}"
    run(["pg_dump", *options, "-Fc", "-f", str(dump), db["NAME"]], environment)
    run(["createdb", *options, fresh], environment)
    try:
        run(["pg_restore", *options, "--no-owner", "-d", fresh, str(dump)], environment)
        restored = psycopg2.connect(
            dbname=fresh,
            host=options[1],
            port=options[3],
            user=options[5],
            password=db["PASSWORD"] or None,
        )
        try:
            with restored.cursor() as cursor:
                assert table_counts(cursor, tables) == before
                cursor.execute(
                    "SELECT sferum_id FROM organizations_organization ORDER BY sferum_id"
                )
                ids = [row[0] for row in cursor.fetchall()]
                # Sequences come back too: a new row does not collide with a restored one.
                cursor.execute(
                    "INSERT INTO organizations_region (name, code, timezone) "
                    "VALUES ('Новый', '99', 'Europe/Moscow') RETURNING id"
                )
                new_id = cursor.fetchone()[0]
        finally:
            restored.close()
        assert ids == sferum_ids
        assert new_id > last_region
    finally:
        run(["dropdb", *options, "--if-exists", fresh], environment)
