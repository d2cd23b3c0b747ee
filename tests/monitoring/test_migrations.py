"""Data steps of the monitoring migrations, run backwards and forwards on the test database."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE = [("monitoring", "0003_audit_history")]
AFTER = [("monitoring", "0004_upload_queued_at")]


def migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


@pytest.mark.django_db(transaction=True)
def test_uploads_waiting_for_a_worker_get_a_queued_time_the_reaper_can_use():
    apps = migrate(BEFORE)
    try:
        upload = apps.get_model("monitoring", "Upload")
        waiting = upload.objects.create(file_name="в очереди.xlsx", status="queued")
        finished = upload.objects.create(file_name="загружен.xlsx", status="done")
    finally:
        apps = migrate(AFTER)
    upload = apps.get_model("monitoring", "Upload")
    assert upload.objects.get(pk=waiting.pk).queued_at is not None
    assert upload.objects.get(pk=finished.pk).queued_at is None
