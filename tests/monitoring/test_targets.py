"""Targets as data: defaults from fixtures, the coordinator's Stage 1 baselines, history."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from monitoring.models import IndicatorRule, Target, WeeklyOrganizationValue
from monitoring.selectors import target_value, targets_in_force
from monitoring.targets import stage1_baselines, stage1_baselines_set
from sferum_portal.weeks import week_start
from tests.monitoring.conftest import export_file, export_row


def test_the_defaults_hold_stage_2_and_the_organisation_types(db):
    stage2 = {t.indicator: t for t in Target.objects.filter(stage=2, region=None)}
    assert stage2["staff_activity"].value_pct == Decimal("75.00")
    assert stage2["students_parents_activity"].value_pct == Decimal("30.00")
    assert stage2["staff_activity"].due_date == dt.date(2025, 12, 30)
    rule = IndicatorRule.objects.get(indicator="students_parents_activity")
    assert rule.parents_only_types == ["dou"] and "dou" in rule.org_types


@pytest.mark.parametrize(
    ("persona", "get", "post"),
    [
        ("coordinator", 200, 302),
        ("methodologist", 200, 403),
        ("district_lead", 404, 404),
        ("oo_admin", 404, 404),
    ],
)
def test_only_the_coordinator_sets_baselines(world, client, persona, get, post):
    client.force_login(getattr(world, persona))
    url = reverse("monitoring:region_targets", args=[world.region.pk])
    assert client.get(url).status_code == get
    response = client.post(
        url,
        {"staff_activity": "48.5", "students_parents_activity": "", "effective_from": "2025-09-01"},
    )
    assert response.status_code == post
    assert Target.objects.filter(stage=1).exists() == (post == 302)


def test_a_changed_baseline_keeps_the_old_one_as_history_and_recomputes(
    world, django_capture_on_commit_callbacks
):
    from monitoring import services

    with django_capture_on_commit_callbacks(execute=True):
        upload = services.upload_receive(
            uploaded_file=export_file([export_row(world.school, dt.date(2025, 11, 26))]),
            user=world.coordinator,
        )
        services.upload_confirm(upload=upload, skip_invalid=False)
    value = WeeklyOrganizationValue.objects.get(organization=world.school)
    assert value.staff_stage1_met is None  # no baseline yet; staff activity is 70 %
    with django_capture_on_commit_callbacks(execute=True):
        stage1_baselines_set(
            region=world.region, values={"staff_activity": Decimal("65")},
            effective_from=dt.date(2025, 9, 1),
        )  # fmt: skip
    value = WeeklyOrganizationValue.objects.get(organization=world.school)
    assert value.staff_stage1_met is True
    with django_capture_on_commit_callbacks(execute=True):
        stage1_baselines_set(
            region=world.region, values={"staff_activity": Decimal("72")},
            effective_from=dt.date(2025, 11, 1),
        )  # fmt: skip
    value = WeeklyOrganizationValue.objects.get(organization=world.school)
    assert value.staff_stage1_met is False
    history = list(
        Target.objects.filter(region=world.region, stage=1)
        .order_by("effective_from")
        .values_list("value_pct", "effective_from", "effective_to")
    )
    assert history == [
        (Decimal("65.00"), dt.date(2025, 9, 1), dt.date(2025, 10, 31)),
        (Decimal("72.00"), dt.date(2025, 11, 1), None),
    ]


def _stage1_rows(region, indicator="staff_activity"):
    return list(
        Target.objects.filter(region=region, stage=1, indicator=indicator)
        .order_by("effective_from")
        .values_list("value_pct", "effective_from", "effective_to")
    )


def _staff_baseline_in_force(region, day: dt.date):
    return target_value(targets_in_force(week_start(day)), "staff_activity", 1, region.pk)


def _a_year_from_today() -> dt.date:
    today = timezone.localdate()
    try:
        return today.replace(year=today.year + 1)
    except ValueError:
        return today.replace(year=today.year + 1, day=28)


@pytest.mark.parametrize("start", ["9999-12-31", "31.12.9999", "2024-12-31", "a year and a day"])
def test_a_start_date_out_of_range_is_refused_with_the_allowed_range(world, client, start):
    latest = _a_year_from_today()
    if start == "a year and a day":
        start = (latest + dt.timedelta(days=1)).isoformat()
    client.force_login(world.coordinator)
    url = reverse("monitoring:region_targets", args=[world.region.pk])
    response = client.post(
        url, {"staff_activity": "48.5", "students_parents_activity": "", "effective_from": start}
    )
    assert response.status_code == 200
    assert response.context["form"].errors["effective_from"] == [
        f"Укажите дату с 01.01.2025 по {latest:%d.%m.%Y}: не раньше начала проекта и не "
        "больше чем на год вперёд."
    ]
    assert not Target.objects.filter(stage=1).exists()


def test_the_first_day_of_the_project_and_a_year_from_today_are_accepted(world):
    for value, start in ((40, dt.date(2025, 1, 1)), (45, _a_year_from_today())):
        stage1_baselines_set(
            region=world.region, values={"staff_activity": Decimal(value)}, effective_from=start
        )
    assert [row[1] for row in _stage1_rows(world.region)] == [
        dt.date(2025, 1, 1),
        _a_year_from_today(),
    ]


def test_the_service_and_the_model_refuse_a_start_out_of_range_too(world):
    with pytest.raises(ValidationError):
        stage1_baselines_set(
            region=world.region, values={"staff_activity": Decimal("40")},
            effective_from=dt.date(9999, 12, 31),
        )  # fmt: skip
    assert not Target.objects.filter(stage=1).exists()
    target = Target(indicator="staff_activity", stage=1, region=world.region,
                    value_pct=Decimal("40"), due_date=dt.date(2025, 12, 30),
                    effective_from=dt.date(9999, 12, 31))  # fmt: skip
    with pytest.raises(ValidationError) as refused:
        target.full_clean()
    assert "effective_from" in refused.value.message_dict


def test_an_earlier_edit_after_a_future_baseline_gets_its_own_row(world):
    future = timezone.localdate() + dt.timedelta(days=100)
    region = world.region
    for value, start in ((40, dt.date(2025, 9, 1)), (60, future), (50, dt.date(2025, 11, 3))):
        stage1_baselines_set(
            region=region, values={"staff_activity": Decimal(value)}, effective_from=start
        )
    assert _stage1_rows(region) == [
        (Decimal("40.00"), dt.date(2025, 9, 1), dt.date(2025, 11, 2)),
        (Decimal("50.00"), dt.date(2025, 11, 3), future - dt.timedelta(days=1)),
        (Decimal("60.00"), future, None),
    ]
    assert _staff_baseline_in_force(region, dt.date(2025, 10, 1)) == Decimal("40.00")
    assert _staff_baseline_in_force(region, dt.date(2025, 11, 5)) == Decimal("50.00")
    assert _staff_baseline_in_force(region, future + dt.timedelta(days=7)) == Decimal("60.00")
    # The page shows the baseline in force today, not the one planned for later.
    assert stage1_baselines(region)["staff_activity"].value_pct == Decimal("50.00")
    # The same start again changes that row only; a date before every row gets its own row.
    stage1_baselines_set(
        region=region, values={"staff_activity": Decimal("55")}, effective_from=dt.date(2025, 11, 3)
    )
    stage1_baselines_set(
        region=region, values={"staff_activity": Decimal("30")}, effective_from=dt.date(2025, 3, 1)
    )
    assert _stage1_rows(region) == [
        (Decimal("30.00"), dt.date(2025, 3, 1), dt.date(2025, 8, 31)),
        (Decimal("40.00"), dt.date(2025, 9, 1), dt.date(2025, 11, 2)),
        (Decimal("55.00"), dt.date(2025, 11, 3), future - dt.timedelta(days=1)),
        (Decimal("60.00"), future, None),
    ]


def test_a_value_equal_to_the_one_in_force_at_the_new_date_adds_no_row(world):
    future = timezone.localdate() + dt.timedelta(days=100)
    region = world.region
    stage1_baselines_set(
        region=region, values={"staff_activity": Decimal("40")}, effective_from=dt.date(2025, 9, 1)
    )
    stage1_baselines_set(
        region=region, values={"staff_activity": Decimal("60")}, effective_from=future
    )
    changed = stage1_baselines_set(
        region=region, values={"staff_activity": Decimal("40")}, effective_from=dt.date(2025, 10, 1)
    )
    assert changed == []
    assert [row[0] for row in _stage1_rows(region)] == [Decimal("40.00"), Decimal("60.00")]
