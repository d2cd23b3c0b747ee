"""The set-based sync of plan-item tasks (rollout/plan_sync.py): its statements do not grow with
the registry, it restores and archives exactly what the registry implies, an organisation's
item tasks are created when its page is opened (exactly the items of its type, once), and a
sync that changes nothing writes nothing."""

from django.db import connection
from django.test.utils import CaptureQueriesContext

from organizations.models import Organization, OrgType
from rollout.models import PlanItemTemplate, Status, Task
from rollout.services import (
    organization_tasks_ensure,
    task_status_change,
    tasks_sync_all,
    tasks_sync_for_organizations,
    tasks_sync_for_plans,
)
from tests.factories import OrganizationFactory, plan_task


def _expected_items(org_type: str) -> set[int]:
    return {
        item.pk
        for item in PlanItemTemplate.objects.filter(is_active=True, plan__is_active=True)
        if org_type in item.org_types
    }


def _active_items(org) -> set[int]:
    return set(
        Task.objects.filter(organization=org, archived=False, plan_item__isnull=False).values_list(
            "plan_item_id", flat=True
        )
    )


def _ensure(orgs) -> int:
    return organization_tasks_ensure(organization_ids=[org.pk for org in orgs])


def test_the_statements_of_a_sync_and_of_the_lazy_insert_do_not_grow_with_the_organisations(
    world,
):
    def run(n: int) -> tuple[int, int]:
        orgs = [OrganizationFactory(municipality=world.municipality) for _ in range(n)]
        ids = [org.pk for org in orgs]
        with CaptureQueriesContext(connection) as sync:
            result = tasks_sync_for_organizations(organization_ids=ids)
        assert result.created == 0  # an organisation's items wait for its page
        assert not Task.objects.filter(organization_id__in=ids).exists()
        with CaptureQueriesContext(connection) as ensure:
            assert _ensure(orgs) == n * len(_expected_items(orgs[0].org_type))
        return len(sync.captured_queries), len(ensure.captured_queries)

    assert run(2) == run(40)


def test_the_lazy_insert_gives_each_active_organisation_exactly_the_items_of_its_type(world):
    schools = [OrganizationFactory(municipality=world.municipality, org_type=t) for t in OrgType]
    closed = OrganizationFactory(municipality=world.municipality, org_type=OrgType.OU)
    assert _ensure([*schools, closed]) > 0
    assert _ensure([*schools, closed]) == 0  # a second opening creates nothing
    Organization.objects.filter(pk=closed.pk).update(is_active=False)  # no signal: sync below
    tasks_sync_all()
    assert _ensure([closed]) == 0
    for org in schools:
        assert _active_items(org) == _expected_items(org.org_type), org.org_type
    assert _active_items(closed) == set()
    assert Task.objects.filter(organization=closed, archived=True).exists()


def test_the_lazy_insert_skips_rows_another_request_created_first(world):
    school = OrganizationFactory(municipality=world.municipality, org_type=OrgType.OU)
    first = plan_task(school, "2.1")
    Task.objects.filter(organization=school).exclude(pk=first.pk).delete()
    created = _ensure([school])
    assert created == len(_expected_items(OrgType.OU)) - 1
    assert _active_items(school) == _expected_items(OrgType.OU)


def test_a_type_changed_back_restores_the_ticked_items(world):
    school = world.other_school
    task = plan_task(school, "2.8")
    task_status_change(task=task, user=world.district_lead, status=Status.IN_PROGRESS)
    Organization.objects.filter(pk=school.pk).update(org_type=OrgType.DOU)
    moved = tasks_sync_for_organizations(organization_ids=[school.pk])
    assert moved.archived and not moved.created
    assert _ensure([school]) == len(_expected_items(OrgType.DOU) - _expected_items(OrgType.OU))
    Organization.objects.filter(pk=school.pk).update(org_type=school.org_type)
    back = tasks_sync_for_organizations(organization_ids=[school.pk])
    assert back.restored == moved.archived and back.created == 0
    task.refresh_from_db()
    assert not task.archived and task.status == Status.IN_PROGRESS
    assert _active_items(school) == _expected_items(school.org_type)


def test_a_sync_restricted_to_items_touches_only_those_items(world):
    _ensure(Organization.objects.all())
    item = PlanItemTemplate.objects.get(code="2.2")
    other = Task.objects.filter(plan_item__code="2.8", archived=False).count()
    PlanItemTemplate.objects.filter(pk=item.pk).update(is_active=False)
    Task.objects.filter(plan_item__code="2.8").update(archived=True)  # not this sync's business
    result = tasks_sync_for_plans(item_ids=[item.pk])
    assert result.archived == Task.objects.filter(plan_item=item).count() > 0
    assert Task.objects.filter(plan_item__code="2.8", archived=True).count() == other


def test_a_second_sync_changes_nothing_and_writes_nothing(world):
    _ensure(Organization.objects.all())
    tasks_sync_all()
    before = list(Task.objects.order_by("pk").values_list("pk", "archived", "archived_at"))
    with CaptureQueriesContext(connection) as ctx:
        result = tasks_sync_all()
    assert not result.changed
    assert not any(q["sql"].lstrip().upper().startswith("INSERT") for q in ctx.captured_queries)
    assert list(Task.objects.order_by("pk").values_list("pk", "archived", "archived_at")) == before
