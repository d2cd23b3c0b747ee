"""Targets as data: defaults from fixtures, the coordinator's Stage 1 baselines, history."""

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse

from monitoring.models import IndicatorRule, Target, WeeklyOrganizationValue
from monitoring.targets import stage1_baselines_set
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
