"""Celery: the beat schedule, the Monday job's choice of regions, and a real worker."""

import datetime as dt
from decimal import Decimal
from unittest import mock

import pytest
from django.conf import settings
from django.utils import timezone

from monitoring import services
from monitoring.models import Snapshot, Upload, WeeklyOrganizationValue, WeeklyRegionValue
from monitoring.tasks import weekly_monday_task, weekly_recompute_task
from tests.factories import RegionFactory
from tests.monitoring.conftest import export_file, export_row


def test_the_beat_schedule_runs_the_monday_job_with_an_expiry():
    entry = settings.CELERY_BEAT_SCHEDULE["weekly-values-monday-0600-local"]
    assert entry["task"] == "monitoring.tasks.weekly_monday_task"
    schedule = entry["schedule"]
    # Sunday and Monday: Monday 06:00 in Kamchatka (UTC+12) is Sunday 21:00 in Moscow.
    assert schedule.day_of_week == {0, 1} and schedule.minute == {0}
    assert 0 < entry["options"]["expires"] <= 3600
    assert all("expires" in e["options"] for e in settings.CELERY_BEAT_SCHEDULE.values())


def test_the_monday_job_computes_last_week_where_it_is_six_in_the_morning(world):
    Snapshot.objects.create(
        organization=world.school,
        date=dt.date(2025, 11, 26),
        upload=Upload.objects.create(file_name="x.xlsx", sha256="0" * 64),
        teachers_total=10,
        staff_active=8,
    )
    ural = RegionFactory(name="Свердловская область", code="66", timezone="Asia/Yekaterinburg")
    monday_6am_moscow = dt.datetime(2025, 12, 1, 3, 30, tzinfo=dt.UTC)  # 06:30 МСК, 08:30 ЕКБ
    with mock.patch("monitoring.tasks.timezone.now", return_value=monday_6am_moscow):
        weeks = weekly_monday_task()
    assert weeks == ["2025-11-24"]
    value = WeeklyOrganizationValue.objects.get(organization=world.school)
    assert value.staff_activity_pct == Decimal("80.00")
    assert not WeeklyRegionValue.objects.filter(region=ural).exists()


def test_the_monday_job_reaches_kamchatka_while_it_is_still_sunday_in_moscow(world):
    kamchatka = RegionFactory(name="Камчатский край", code="41", timezone="Asia/Kamchatka")
    sunday_evening = dt.datetime(2025, 11, 30, 18, 15, tzinfo=dt.UTC)  # 21:15 МСК, Mon 06:15 там
    with (
        mock.patch("monitoring.tasks.timezone.now", return_value=sunday_evening),
        mock.patch("monitoring.tasks.weekly.weekly_values_compute") as compute,
    ):
        assert weekly_monday_task() == ["2025-11-24"]
    compute.assert_called_once_with(monday=dt.date(2025, 11, 24), region_ids=[kamchatka.pk])


def test_the_monday_job_does_nothing_at_other_hours(world):
    with mock.patch(
        "monitoring.tasks.timezone.now",
        return_value=timezone.make_aware(dt.datetime(2025, 12, 1, 9, 0)),
    ):
        assert weekly_monday_task() == []


@pytest.mark.worker
@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_an_import_and_its_recompute_run_in_a_real_worker(world, real_celery):
    upload = services.upload_receive(
        uploaded_file=export_file([export_row(world.school, dt.date(2025, 11, 26))]),
        user=world.coordinator,
    )
    services.upload_confirm(upload=upload, skip_invalid=False)
    deadline = timezone.now() + dt.timedelta(seconds=60)
    while timezone.now() < deadline:
        upload.refresh_from_db()
        if not upload.is_active:
            break
    assert upload.status == Upload.Status.DONE
    result = weekly_recompute_task.delay(dates=["2025-11-26"], region_ids=[world.region.pk])
    assert result.get(timeout=60) == ["2025-11-24"]
    value = WeeklyOrganizationValue.objects.get(organization=world.school)
    assert value.staff_activity_pct == Decimal("70.00")
