"""The district dashboard's checklist figures are cached, and recomputed as soon as anything they
depend on changes: each writer renews a data version in its own transaction
(organizations/versions.py). Each test counts the computations behind the cache."""

import datetime

import pytest
from django.db import transaction

from organizations.models import Role
from organizations.versions import ALL, data_changed, data_tokens, municipality_data
from rollout import summaries
from rollout.matrix import district_progress
from rollout.models import PlanItemTemplate, Status, Task
from rollout.services import task_status_change
from rollout.summaries import district_summary
from tests.factories import SchoolClassFactory, person


@pytest.fixture
def computed(monkeypatch):
    """How many times the figures were computed rather than served from the cache."""
    calls = []
    real = summaries.district_progress

    def counting(*args, **kwargs):
        calls.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(summaries, "district_progress", counting)
    return calls


def summary(world):
    return district_summary(world.municipality)


def test_the_summary_holds_the_matrix_figures(world):
    task = Task.objects.filter(user=world.oo_admin).first()
    task_status_change(task=task, user=world.oo_admin, status=Status.DONE)
    progress = district_progress(world.municipality)
    figures = summary(world)
    assert figures.percent == progress.percent
    assert figures.overdue_cells == progress.overdue_cells
    assert figures.percents == {r.organization.pk: r.percent for r in progress.rows}
    assert figures.percents[world.school.pk] > 0


def test_unchanged_data_is_served_from_the_cache(world, computed):
    first = summary(world)
    assert summary(world) == first and summary(world) == first
    assert len(computed) == 1


def test_a_ticked_step_shows_at_once(world, computed):
    before = summary(world).percents[world.school.pk]
    task = Task.objects.filter(user=world.oo_admin).first()
    task_status_change(task=task, user=world.oo_admin, status=Status.DONE)
    assert summary(world).percents[world.school.pk] > before
    assert len(computed) == 2


def test_a_tick_in_another_district_leaves_this_one_cached(world, computed):
    summary(world)
    far_admin = person(Role.OO_ADMIN, world.far_school)
    summary(world)  # the new person's tasks were synced: every district recomputes once
    task = Task.objects.filter(user=far_admin).first()
    task_status_change(task=task, user=far_admin, status=Status.DONE)
    summary(world)
    assert len(computed) == 2


def test_a_new_class_a_new_person_and_a_closed_organisation_show_at_once(world, computed):
    assert summary(world).percents.keys() == {world.school.pk, world.other_school.pk}
    SchoolClassFactory(organization=world.other_school, name="5А")  # a class without a teacher
    summary(world)
    person(Role.OO_HEAD, world.other_school)
    summary(world)
    world.other_school.is_active = False
    world.other_school.save()
    assert summary(world).percents.keys() == {world.school.pk}
    assert len(computed) == 4


def test_a_changed_deadline_and_a_new_day_show_at_once(world, today, computed):
    assert summary(world).overdue_cells == 0
    item = next(
        i
        for i in PlanItemTemplate.objects.filter(is_active=True, indicator="")
        if world.school.org_type in i.org_types
    )
    item.deadline_date = datetime.date(2025, 11, 1)
    item.save()
    overdue = summary(world).overdue_cells
    assert overdue > 0
    today.set(datetime.date(2026, 1, 15))  # every dated item is past its deadline now
    assert summary(world).overdue_cells > overdue
    assert len(computed) == 3


def test_a_write_that_rolls_back_keeps_the_cache(world, computed):
    summary(world)
    task = Task.objects.filter(user=world.oo_admin).first()
    with pytest.raises(RuntimeError), transaction.atomic():
        task_status_change(task=task, user=world.oo_admin, status=Status.DONE)
        raise RuntimeError("the request failed after the tick")
    summary(world)
    assert len(computed) == 1


def test_a_cache_that_is_down_costs_a_computation_not_the_page(world, computed, monkeypatch):
    from django.core.cache import cache

    def down(*args, **kwargs):
        raise ConnectionError("cache down")

    monkeypatch.setattr(cache, "get", down)
    monkeypatch.setattr(cache, "set", down)
    assert summary(world) == summary(world)
    assert len(computed) == 2


def test_tokens_are_created_once_and_renewed_by_a_change(world):
    names = (ALL, municipality_data(world.municipality.pk))
    first = data_tokens(*names)
    assert data_tokens(*names) == first
    data_changed(municipality_data(world.municipality.pk))
    second = data_tokens(*names)
    assert second.split(":")[0] == first.split(":")[0] and second != first
