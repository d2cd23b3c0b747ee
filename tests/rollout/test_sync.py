"""Tasks appear by themselves and stay in step: with organisations, memberships, classes and
templates; a removed membership or class archives its tasks and never deletes them."""

import datetime
from unittest import mock

from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from organizations.models import Membership, Organization, OrgType, Role, SchoolClass
from rollout.matrix import district_progress
from rollout.models import ChecklistStepTemplate, ChecklistTemplate, PlanItemTemplate, Status, Task
from rollout.services import organization_tasks_ensure, task_status_change, tasks_sync_all
from tests.factories import (
    MembershipFactory,
    OrganizationFactory,
    SchoolClassFactory,
    UserFactory,
    person,
    plan_task,
)


def _codes(**filters) -> list[str]:
    return sorted(
        Task.objects.filter(archived=False, **filters).values_list("step__code", flat=True)
    )


def test_each_person_gets_the_steps_of_their_role(world):
    assert len(_codes(user=world.oo_admin)) == 5
    assert len(_codes(user=world.oo_head)) == 6
    assert len(_codes(user=world.district_lead)) == 4
    assert _codes(user=world.coordinator) == [] and _codes(user=world.methodologist) == []


def test_a_class_teacher_gets_their_variant_once_per_class(world):
    tasks = Task.objects.filter(user=world.teacher, archived=False)
    assert tasks.count() == 9  # no ВКМ profile: 9 steps, one class
    assert set(tasks.values_list("class_name", flat=True)) == {"5А"}
    membership = Membership.objects.get(user=world.teacher)
    membership.classes.add(world.other_class)
    assert Task.objects.filter(user=world.teacher, archived=False).count() == 18
    assert set(
        Task.objects.filter(user=world.teacher, archived=False).values_list("class_name", flat=True)
    ) == {"5А", "6Б"}


def test_switching_the_ВКМ_profile_swaps_the_checklist_and_keeps_the_old_ticks(world):
    membership = Membership.objects.get(user=world.teacher)
    first = Task.objects.get(user=world.teacher, step__code="class_teacher-without_vkm-1")
    task_status_change(task=first, user=world.teacher, status=Status.DONE)
    membership.had_vkm_profile = True
    membership.save()
    assert len(_codes(user=world.teacher)) == 8
    assert all(c.startswith("class_teacher-with_vkm") for c in _codes(user=world.teacher))
    first.refresh_from_db()
    assert first.archived and first.status == Status.DONE
    membership.had_vkm_profile = False
    membership.save()
    first.refresh_from_db()
    assert not first.archived and first.status == Status.DONE


def _ensure(*orgs) -> int:
    return organization_tasks_ensure(organization_ids=[org.pk for org in orgs])


def test_a_new_organisation_gets_the_plan_items_of_its_type_when_its_page_opens(world, client):
    preschool = OrganizationFactory(municipality=world.municipality, org_type=OrgType.DOU)
    assert not Task.objects.filter(organization=preschool).exists()
    client.force_login(world.district_lead)
    page = client.get(reverse("rollout:organization", args=[preschool.pk]))
    assert page.status_code == 200
    codes = set(
        Task.objects.filter(organization=preschool).values_list("plan_item__code", flat=True)
    )
    assert {"2.4", "2.5", "3.2-dou", "1.5", "4.4"} <= codes
    assert not codes & {"2.6", "2.8", "2.9", "3.2-ou-udo", "1.1"}
    assert {r.task.plan_item.code for r in page.context["progress"].plan.rows} == codes
    college = OrganizationFactory(municipality=world.municipality, org_type=OrgType.SPO)
    assert _ensure(college) == 0
    assert not Task.objects.filter(organization=college).exists()


def test_a_changed_organisation_type_archives_and_adds_items(world):
    task = plan_task(world.other_school, "2.8")
    world.other_school.org_type = OrgType.DOU
    world.other_school.save()
    task.refresh_from_db()
    assert task.archived
    assert _ensure(world.other_school) > 0
    assert Task.objects.filter(
        organization=world.other_school, plan_item__code="2.4", archived=False
    ).exists()


def test_a_new_municipality_gets_the_district_items(world):
    from tests.factories import MunicipalityFactory

    municipality = MunicipalityFactory(region=world.region)
    codes = sorted(
        Task.objects.filter(municipality=municipality).values_list("plan_item__code", flat=True)
    )
    assert codes == ["1.1", "1.2", "1.3", "1.4", "1.8", "3.3", "3.4"]


def test_a_new_step_reaches_everyone_and_leaves_ticked_steps_alone(world):
    ticked = Task.objects.get(user=world.oo_admin, step__code="oo_admin-1")
    task_status_change(task=ticked, user=world.oo_admin, status=Status.DONE, comment="Готово")
    other_admin = person(Role.OO_ADMIN, world.other_school)
    ChecklistStepTemplate.objects.create(
        checklist=ChecklistTemplate.objects.get(code="oo_admin"),
        code="oo_admin-6",
        order=6,
        title="Проверить заявки раз в неделю",
    )
    assert len(_codes(user=world.oo_admin)) == 6
    assert len(_codes(user=other_admin)) == 6
    ticked.refresh_from_db()
    assert ticked.status == Status.DONE and ticked.comment == "Готово"
    assert ticked.changes.count() == 1


def test_a_step_switched_off_is_archived_and_comes_back_with_its_status(world):
    step = ChecklistStepTemplate.objects.get(code="oo_head-6")
    task = Task.objects.get(user=world.oo_head, step=step)
    task_status_change(task=task, user=world.oo_head, status=Status.IN_PROGRESS)
    step.is_active = False
    step.save()
    task.refresh_from_db()
    assert task.archived
    step.is_active = True
    step.save()
    task.refresh_from_db()
    assert not task.archived and task.status == Status.IN_PROGRESS


def test_a_plan_item_switched_off_leaves_every_organisation(world):
    _ensure(*Organization.objects.all())
    item = PlanItemTemplate.objects.get(code="2.2")
    item.is_active = False
    item.save()
    assert not Task.objects.filter(plan_item=item, archived=False).exists()
    assert Task.objects.filter(plan_item=item, archived=True).count() == 4


def test_a_removed_membership_archives_its_tasks_and_keeps_their_history(world):
    membership = Membership.objects.get(user=world.oo_admin)
    task = Task.objects.get(user=world.oo_admin, step__code="oo_admin-2")
    task_status_change(task=task, user=world.oo_admin, status=Status.DONE, comment="Проверено")
    total = Task.objects.count()
    membership.delete()
    assert Task.objects.count() == total
    task.refresh_from_db()
    assert task.archived and task.archived_at and task.membership_id is None
    assert task.user == world.oo_admin and task.status == Status.DONE
    assert task.changes.get().comment == "Проверено"
    assert not Task.objects.filter(user=world.oo_admin, archived=False).exists()


def test_a_role_given_back_gets_its_ticks_back(world):
    Membership.objects.get(user=world.oo_admin).delete()
    MembershipFactory(user=world.oo_admin, role=Role.OO_ADMIN, organization=world.school)
    tasks = Task.objects.filter(user=world.oo_admin, archived=False)
    assert tasks.count() == 5
    assert Task.objects.filter(user=world.oo_admin).count() == 5


def test_a_class_taken_from_a_teacher_or_deleted_archives_its_steps(world):
    membership = Membership.objects.get(user=world.teacher)
    membership.classes.add(world.other_class)
    membership.classes.remove(world.school_class)
    assert set(
        Task.objects.filter(user=world.teacher, archived=False).values_list("class_name", flat=True)
    ) == {"6Б"}
    world.other_class.delete()
    assert not Task.objects.filter(user=world.teacher, archived=False).exists()
    assert Task.objects.filter(user=world.teacher, archived=True, class_name="6Б").count() == 9


def test_a_class_given_a_teacher_from_the_class_side_creates_steps(world):
    new_class = SchoolClassFactory(organization=world.school, name="7В")
    membership = Membership.objects.get(user=world.teacher)
    new_class.teacher_memberships.add(membership)
    assert Task.objects.filter(user=world.teacher, class_name="7В", archived=False).count() == 9
    new_class.teacher_memberships.clear()
    assert not Task.objects.filter(user=world.teacher, class_name="7В", archived=False).exists()


def test_a_deleted_organisation_leaves_its_tasks_archived(world):
    school = OrganizationFactory(municipality=world.municipality)
    teacher_class = SchoolClass.objects.create(organization=school, name="1А")
    teacher = person(Role.CLASS_TEACHER, school, classes=[teacher_class])
    count = Task.objects.filter(organization=school).count()
    assert count > 0
    school.delete()
    assert Task.objects.filter(organization__isnull=True, archived=True).count() >= count
    assert Task.objects.filter(user=teacher, archived=True).count() == 9


def test_rollout_sync_fills_in_what_bulk_writes_skipped_and_is_idempotent(world, capsys):
    orgs = Organization.objects.bulk_create(
        [
            Organization(
                municipality=world.municipality, sferum_id=800000 + i, short_name=f"ОО {i}"
            )
            for i in range(3)
        ]
    )
    users = [UserFactory() for _ in orgs]
    Membership.objects.bulk_create(
        [
            Membership(user=u, role=Role.OO_ADMIN, organization=o)
            for u, o in zip(users, orgs, strict=True)
        ]
    )
    assert not Task.objects.filter(organization__in=orgs).exists()
    call_command("rollout_sync")
    assert "создано" in capsys.readouterr().out
    for org, user in zip(orgs, users, strict=True):
        assert Task.objects.filter(user=user).count() == 5
        # The organisation's items come with its page (or its admin's «Мои шаги»).
        assert not Task.objects.filter(organization=org, plan_item__isnull=False).exists()
        assert _ensure(org) == 18
    total = Task.objects.count()
    result = tasks_sync_all()
    assert (result.created, result.archived, result.restored) == (0, 0, 0)
    assert Task.objects.count() == total


def test_sync_costs_a_few_bulk_queries_not_one_per_row(world):
    def run(n: int) -> int:
        orgs = [OrganizationFactory(municipality=world.municipality) for _ in range(n)]
        for org in orgs:
            SchoolClassFactory(organization=org)
        ids = []
        for org in orgs:
            m = MembershipFactory(user=UserFactory(), role=Role.CLASS_TEACHER, organization=org)
            m.classes.set(org.classes.all())
            ids.append(m.pk)
        Task.objects.filter(membership_id__in=ids).delete()
        from rollout.services import tasks_sync_for_memberships

        with CaptureQueriesContext(connection) as ctx:
            tasks_sync_for_memberships(membership_ids=ids)
        assert Task.objects.filter(membership_id__in=ids).count() == 9 * n
        return len(ctx.captured_queries)

    few, many = run(2), run(12)
    # 108 new rows against 18: only bulk_create's batches (SQLite caps parameters) may add one.
    assert many <= few + 2 and many < 12


def _import_a_new_school(world):
    from monitoring import services
    from tests.monitoring.conftest import export_file, export_row

    new = {"sferum_id": 555003, "short_name": "МБДОУ № 7", "municipality": "Воркута"}
    file = export_file([export_row(new, datetime.date(2025, 11, 17))])
    upload = services.upload_receive(uploaded_file=file, user=world.coordinator)
    services.upload_confirm(upload=upload, skip_invalid=False, inline=True)
    upload.refresh_from_db()
    return upload, Organization.objects.get(sferum_id=555003)


def test_an_imports_new_organisation_is_in_the_matrix_at_once_and_gets_its_tasks_on_its_page(
    world, client, django_capture_on_commit_callbacks
):
    """The importer writes in bulk, without model signals: monitoring's registry_grown, sent on
    commit, queues tasks_sync_registry_task (inline in the tests), which creates no row for a
    new organisation's items; the matrix counts them «не начато» until its page is opened."""
    with django_capture_on_commit_callbacks() as callbacks:
        _, school = _import_a_new_school(world)
    for callback in callbacks:
        callback()
    assert not Task.objects.filter(organization=school).exists()
    progress = district_progress(school.municipality)
    row = next(r for r in progress.rows if r.organization == school)
    items = [
        cell.state
        for column, cell in zip(progress.columns, row.cells, strict=True)
        if column.item is not None and school.org_type in column.item.org_types
        and column.item.indicator == ""
    ]  # fmt: skip
    assert items and set(items) <= {"todo", "overdue"}
    client.force_login(world.coordinator)
    assert client.get(reverse("rollout:organization", args=[school.pk])).status_code == 200
    assert Task.objects.filter(organization=school, plan_item__isnull=False).count() == len(
        [c for c in progress.columns if c.item and school.org_type in c.item.org_types]
    )


def test_an_import_whose_sync_cannot_be_queued_stays_done(
    world, django_capture_on_commit_callbacks, caplog
):
    from rollout import tasks

    down = ConnectionError("broker down")
    with (
        mock.patch.object(tasks.tasks_sync_registry_task, "delay", side_effect=down) as delay,
        django_capture_on_commit_callbacks(execute=True),
    ):
        upload, school = _import_a_new_school(world)
    delay.assert_called_once_with([school.pk], [school.municipality_id])
    upload.refresh_from_db()
    assert upload.status == upload.Status.DONE
    assert "broker down" in caplog.text  # logged by the robust on_commit
