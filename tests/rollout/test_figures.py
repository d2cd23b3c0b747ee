"""One definition of a district's done % and overdue (rollout.matrix.DistrictSummary): the
region's «План по районам», the district dashboard, «План района», the matrix and the
organisations' panels give the same figures for every district."""

import datetime
from decimal import Decimal

from django.urls import reverse

from rollout.models import PlanItemTemplate, Status, Task
from rollout.services import task_status_change
from rollout.summaries import organization_panel
from tests.factories import OrganizationFactory, plan_task
from tests.rollout.conftest import Reading


def _context(client, name, pk, key):
    response = client.get(reverse(name, args=[pk]))
    assert response.status_code == 200, name
    return response.context[key]


def test_every_page_gives_each_district_the_same_overdue_and_done(world, client, today, readings):
    today.set(datetime.date(2025, 12, 2))  # past several items' deadlines
    OrganizationFactory(municipality=world.other_municipality)
    # Some work done: a ticked step, a closed item, an item not required, a measured item met.
    task_status_change(
        task=Task.objects.filter(user=world.oo_admin, step__isnull=False).first(),
        user=world.oo_admin,
        status=Status.DONE,
    )
    for code, status in (("2.3", Status.DONE), ("1.5", Status.NOT_REQUIRED)):
        task = plan_task(world.school, code)
        task_status_change(task=task, user=world.oo_admin, status=status, reason="нет в ОО")
    measured = PlanItemTemplate.objects.exclude(indicator="").first()
    readings.data[world.school.pk] = {
        measured.indicator: Reading(
            datetime.date(2025, 11, 24), Decimal("80"), {1: Decimal("10"), 2: Decimal("75")}
        )
    }
    client.force_login(world.coordinator)
    region_rows = {
        s.municipality.pk: s.figures
        for s in _context(client, "rollout:region", world.region.pk, "summaries")
    }
    assert set(region_rows) == {world.municipality.pk, world.other_municipality.pk} | {
        m.pk for m in world.region.municipalities.all()
    }
    for municipality in world.region.municipalities.all():
        plan = _context(client, "rollout:district", municipality.pk, "progress")
        matrix = _context(client, "rollout:district_matrix", municipality.pk, "progress")
        dashboard = _context(client, "portal:municipality_dashboard", municipality.pk, "progress")
        figures = region_rows[municipality.pk]
        seen = {
            (figures.percent, figures.overdue_cells),
            (plan.percent, plan.overdue_cells),
            (matrix.percent, matrix.overdue_cells),
            (dashboard.percent, dashboard.overdue_cells),
        }
        assert len(seen) == 1, (municipality.name, seen)
        # Each organisation's panel holds its row of the same matrix.
        panels = [organization_panel(world.coordinator, row.organization) for row in plan.rows]
        assert sum(p.items_overdue for p in panels) == plan.overdue_cells
        assert [p.percent for p in panels] == [row.percent for row in plan.rows]
    mine = region_rows[world.municipality.pk]
    assert mine.overdue_cells > 0 and 0 < mine.percent < 100
