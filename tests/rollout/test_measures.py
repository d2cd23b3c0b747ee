"""Measured items (1.7, 4.1–4.4) follow the weekly monitoring values: they say what was measured
in which week against which target, and nobody ticks them by hand."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from rollout.measures import MeasuredState, format_pct, measured_states
from rollout.models import PlanItemTemplate, Status
from rollout.services import task_status_change
from tests.factories import plan_task
from tests.rollout.conftest import Reading

WEEK = datetime.date(2025, 11, 24)
STAGES = {1: Decimal("41.30"), 2: Decimal("75.00")}


def _items():
    return {i.code: i for i in PlanItemTemplate.objects.filter(indicator__gt="")}


def test_a_met_target_reads_as_done_with_the_week_value_and_target(world, readings):
    readings.data[world.school.pk] = {
        "teachers_registered": Reading(WEEK, Decimal("78.4"), {}),
        "staff_activity": Reading(WEEK, Decimal("52.04"), STAGES),
    }
    items = _items()
    states = measured_states(items.values(), [world.school.pk])
    registered = states[items["1.7"].pk, world.school.pk]
    assert registered.done is True
    assert registered.text == (
        "выполнено по данным мониторинга на неделю 24.11–30.11.2025: 78,4 % при цели 75 %"
    )
    stage_1 = states[items["4.1"].pk, world.school.pk]
    stage_2 = states[items["4.2"].pk, world.school.pk]
    assert stage_1.done is True and "при цели 41,3 %" in stage_1.text
    assert stage_2.done is False
    assert stage_2.text == (
        "не выполнено по данным мониторинга на неделю 24.11–30.11.2025: 52,0 % при цели 75 %"
    )


def test_no_reading_means_no_data_never_zero(world, readings):
    readings.data[world.school.pk] = {
        "students_parents_activity": Reading(WEEK, None, {1: None, 2: Decimal("30.00")})
    }
    items = _items()
    states = measured_states(items.values(), [world.school.pk, world.other_school.pk])
    assert states[items["4.4"].pk, world.school.pk].text == "нет данных мониторинга"
    assert states[items["4.4"].pk, world.school.pk].done is None
    assert states[items["1.7"].pk, world.other_school.pk].done is None


def test_a_stage_1_without_the_regions_baseline_has_no_verdict(world, readings):
    readings.data[world.school.pk] = {
        "staff_activity": Reading(WEEK, Decimal("60"), {1: None, 2: Decimal("75")})
    }
    item = _items()["4.1"]
    state = measured_states([item], [world.school.pk])[item.pk, world.school.pk]
    assert state.done is None
    assert "цель этапа 1 ещё не задана" in state.text and "60 %" in state.text


def test_readings_are_fetched_once_for_all_organisations(world, readings):
    measured_states(_items().values(), [world.school.pk, world.other_school.pk])
    assert readings.calls == [[world.school.pk, world.other_school.pk]]


def test_a_measured_item_cannot_be_ticked_by_the_service_either(world):
    task = plan_task(world.school, "1.7")
    with pytest.raises(ValidationError, match="по данным мониторинга"):
        task_status_change(task=task, user=world.oo_admin, status=Status.DONE)


def test_pages_show_the_measured_state(world, readings, client):
    readings.data[world.school.pk] = {
        "teachers_registered": Reading(WEEK, Decimal("78.4"), {}),
    }
    client.force_login(world.oo_admin)
    page = client.get(reverse("rollout:my_steps")).content.decode()
    assert (
        "Выполнено по данным мониторинга на неделю 24.11–30.11.2025: 78,4 % при цели 75 %" in page
    )
    task = plan_task(world.school, "1.7")
    page = client.get(reverse("rollout:task", args=[task.pk])).content.decode()
    assert "78,4 %" in page and "вручную его отметить нельзя" in page
    client.force_login(world.district_lead)
    matrix = client.get(reverse("rollout:district_matrix", args=[world.municipality.pk]))
    assert (
        'class="mx mx-done" title="1.7: выполнено по данным мониторинга' in matrix.content.decode()
    )


def test_a_measured_item_past_its_deadline_without_the_target_is_overdue(
    world, readings, today, client
):
    today.set(datetime.date(2025, 12, 5))
    readings.data[world.school.pk] = {"teachers_registered": Reading(WEEK, Decimal("40"), {})}
    client.force_login(world.district_lead)
    page = client.get(reverse("rollout:district_matrix", args=[world.municipality.pk])).content
    assert (
        'class="mx mx-overdue" title="1.7: просрочено (срок 30.11.2025); не выполнено'
        in page.decode()
    )


@pytest.mark.parametrize(
    ("value", "text"),
    [(Decimal("78.4"), "78,4 %"), (Decimal("75.00"), "75 %"), (Decimal("30.05"), "30,1 %")],
)
def test_percentages_are_written_with_a_comma(value, text):
    assert format_pct(value) == text


def test_a_week_across_new_year_shows_both_years():
    state = MeasuredState(True, Decimal("80"), Decimal("75"), datetime.date(2025, 12, 29), 1)
    assert "на неделю 29.12.2025–04.01.2026: 80 %" in state.text
