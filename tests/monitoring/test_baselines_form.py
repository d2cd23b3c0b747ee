"""The Stage 1 baselines page: the start date defaults to where a change belongs, «50,5» is
read, and the message says which weeks the change recomputes."""

import datetime as dt
from decimal import Decimal

from django.urls import reverse

from monitoring import services
from monitoring.models import Target
from monitoring.targets import STAGE1_START, stage1_baselines_set
from tests.monitoring.conftest import export_file, export_row


def _url(world):
    return reverse("monitoring:region_targets", args=[world.region.pk])


def _import(world, day):
    upload = services.upload_receive(
        uploaded_file=export_file([export_row(world.school, day)]), user=world.coordinator
    )
    services.upload_confirm(upload=upload, skip_invalid=False)


def test_without_baselines_or_data_the_start_is_the_stages_first_day(world, client):
    client.force_login(world.coordinator)
    form = client.get(_url(world)).context["form"]
    assert form.initial["effective_from"] == STAGE1_START


def test_with_a_baseline_the_start_is_that_baselines_not_today(world, client):
    stage1_baselines_set(
        region=world.region, values={"staff_activity": Decimal("40")},
        effective_from=dt.date(2025, 10, 6),
    )  # fmt: skip
    client.force_login(world.coordinator)
    assert client.get(_url(world)).context["form"].initial["effective_from"] == dt.date(2025, 10, 6)


def test_a_comma_decimal_is_read_and_the_message_names_the_weeks(
    world, client, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        _import(world, dt.date(2025, 11, 26))
    with django_capture_on_commit_callbacks(execute=True):
        _import(world, dt.date(2025, 12, 3))
    client.force_login(world.coordinator)
    page = client.get(_url(world))
    assert page.context["form"].initial["effective_from"] == dt.date(2025, 11, 24)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            _url(world),
            {"staff_activity": "50,5", "students_parents_activity": "",
             "effective_from": "2025-11-01"},
            follow=True,
        )  # fmt: skip
    target = Target.objects.get(region=world.region, stage=1, indicator="staff_activity")
    assert target.value_pct == Decimal("50.50")
    text = response.content.decode()
    assert "Базовые значения сохранены с 01.11.2025" in text
    assert "пересчитываются 2 недели с данными, начиная с недели 24.11–30.11.2025" in text


def test_a_start_after_every_week_with_data_says_so(world, client):
    client.force_login(world.coordinator)
    response = client.post(
        _url(world),
        {"staff_activity": "45", "students_parents_activity": "", "effective_from": "2025-12-01"},
        follow=True,
    )
    assert "недель с данными с этой даты пока нет" in response.content.decode()
