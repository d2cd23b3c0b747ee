"""Data steps of the monitoring migrations, run on today's models."""

from importlib import import_module

import pytest
from django.apps import apps

from monitoring.models import Upload

queued_at_migration = import_module("monitoring.migrations.0004_upload_queued_at")


@pytest.mark.django_db
def test_uploads_waiting_for_a_worker_get_a_queued_time_the_reaper_can_use():
    waiting = Upload.objects.create(file_name="в очереди.xlsx", status=Upload.Status.QUEUED)
    finished = Upload.objects.create(file_name="загружен.xlsx", status=Upload.Status.DONE)
    queued_at_migration.stamp_queued_uploads(apps, schema_editor=None)
    waiting.refresh_from_db()
    finished.refresh_from_db()
    assert waiting.queued_at is not None
    assert finished.queued_at is None
