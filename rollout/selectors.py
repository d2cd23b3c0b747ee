"""Reads of the rollout app: who sees which tasks, a person's own steps, an organisation's
progress, the district's own steps and УО items.

Every page starts from ``organizations.selectors``; a task outside a person's scope does not
exist for them. The district's matrix and its figures live in matrix.py, the cached summaries
the other pages show in summaries.py, deadlines in deadlines.py.
"""

import datetime
from collections import defaultdict
from dataclasses import dataclass

from django.db.models import Q, QuerySet

from organizations.models import Membership, Municipality, Organization, Role
from organizations.selectors import scope_of

from . import deadlines
from .models import (
    DistrictContacts,
    Task,
)
from .rows import PlanBlock, StepBlock, plan_rows, step_rows


def tasks_visible_to(user) -> QuerySet[Task]:
    """Tasks of the organisations and districts in scope, and a person's own tasks.

    A class teacher sees only their own steps; an organisation's admin and head see all of the
    organisation's tasks; the district and region see their organisations' and district's tasks.
    """
    scope = scope_of(user)
    if scope.is_operator:
        return Task.objects.all()
    whole = scope.without_class_teaching()
    q = Q(user_id=user.pk) if user.is_authenticated else Q(pk__in=[])
    if whole.region_ids or whole.municipality_ids or whole.organization_ids:
        q |= Q(organization__isnull=False) & whole.organizations_q("organization")
    if scope.region_ids:
        q |= Q(municipality__region_id__in=scope.region_ids)
    if scope.municipality_ids:
        q |= Q(municipality_id__in=scope.municipality_ids)
    return Task.objects.filter(q)


def task_detail_queryset(user) -> QuerySet[Task]:
    return tasks_visible_to(user).select_related(
        "step__checklist",
        "plan_item__plan",
        "membership",
        "user",
        "organization__municipality__region",
        "municipality__region",
        "changed_by",
    )


def task_history(task: Task) -> QuerySet:
    return task.changes.select_related("changed_by", "evidence")


@dataclass
class MySteps:
    step_blocks: list[StepBlock]
    plan_blocks: list[PlanBlock]
    contacts: list[DistrictContacts]
    teacher_without_classes: list[Membership]


def own_organization_ids(user) -> list[int]:
    """The organisations whose plan items are on the person's «Мои шаги» (as admin or head)."""
    return sorted(
        {
            m.organization_id
            for m in scope_of(user).memberships
            if m.role in (Role.OO_ADMIN, Role.OO_HEAD) and m.organization_id
        }
    )


def my_steps(user) -> MySteps:
    scope = scope_of(user)
    memberships = [m for m in scope.memberships if m.role in _CHECKLIST_ROLE_ORDER]
    memberships.sort(key=lambda m: _CHECKLIST_ROLE_ORDER[m.role])
    tasks = (
        Task.objects.filter(user=user, membership__isnull=False, archived=False, step__isnull=False)
        .select_related("step__checklist", "changed_by")
        .order_by("class_name", "step__order")
    )
    grouped: dict[tuple, list[Task]] = defaultdict(list)
    for task in tasks:
        grouped[task.membership_id, task.school_class_id].append(task)
    step_blocks, without_classes = [], []
    for m in memberships:
        where = str(m.scope_object)
        keys = [k for k in grouped if k[0] == m.pk]
        if m.role == Role.CLASS_TEACHER and not keys:
            without_classes.append(m)
        for key in sorted(keys, key=lambda k: class_sort_key(grouped[k][0].class_name)):
            rows = step_rows(grouped[key], user)
            checklist = rows[0].task.step.checklist
            subtitle = where
            if key[1] is not None:
                subtitle = f"{rows[0].task.class_name} · {where}"
            step_blocks.append(StepBlock(checklist.title, subtitle, rows, m))

    org_ids = own_organization_ids(user)
    district_ids = [m.municipality_id for m in memberships if m.role == Role.DISTRICT_LEAD]
    plan_blocks = []
    if org_ids or district_ids:
        plan_tasks = (
            Task.objects.filter(
                Q(organization_id__in=org_ids) | Q(municipality_id__in=district_ids),
                plan_item__isnull=False,
                archived=False,
            )
            .select_related("plan_item", "changed_by")
            .order_by("plan_item__order")
        )
        by_owner: dict[tuple, list[Task]] = defaultdict(list)
        for task in plan_tasks:
            owner = (
                ("org", task.organization_id)
                if task.organization_id
                else (
                    "mo",
                    task.municipality_id,
                )
            )
            by_owner[owner].append(task)
        region_ids = {
            (
                m.organization.municipality.region_id
                if m.organization_id
                else m.municipality.region_id
            )
            for m in memberships
            if m.organization_id or m.municipality_id
        }
        today = deadlines.region_today(next(iter(region_ids), None))
        seen = set()
        for m in memberships:
            if m.role in (Role.OO_ADMIN, Role.OO_HEAD):
                owner = ("org", m.organization_id)
                title = "План мероприятий: пункты ОО"
                subtitle = m.organization.short_name
            elif m.role == Role.DISTRICT_LEAD:
                owner = ("mo", m.municipality_id)
                title = "План мероприятий: пункты УО"
                subtitle = m.municipality.name
            else:
                continue
            if owner in seen or owner not in by_owner:
                continue
            seen.add(owner)
            plan_blocks.append(
                PlanBlock(
                    title,
                    subtitle,
                    plan_rows(by_owner[owner], user, today),
                    organization=m.organization if owner[0] == "org" else None,
                    municipality=m.municipality if owner[0] == "mo" else None,
                )
            )
    contact_mo_ids = {
        m.organization.municipality_id for m in memberships if m.organization_id
    } | set(district_ids)
    contacts = list(
        DistrictContacts.objects.filter(municipality_id__in=contact_mo_ids).select_related(
            "municipality"
        )
    )
    return MySteps(step_blocks, plan_blocks, contacts, without_classes)


_CHECKLIST_ROLE_ORDER = {
    Role.DISTRICT_LEAD: 0,
    Role.OO_HEAD: 1,
    Role.OO_ADMIN: 2,
    Role.CLASS_TEACHER: 3,
}


def class_sort_key(name: str):
    """Classes in school order: by the grade their name starts with («2А» before «10Б»)."""
    digits = "".join(ch for ch in name[:2] if ch.isdigit())
    return (int(digits) if digits else 99, name)


@dataclass
class ClassProgress:
    name: str
    teacher: str
    variant: str
    block: StepBlock | None


@dataclass
class OrganizationProgress:
    organization: Organization
    admin_blocks: list[StepBlock]
    head_blocks: list[StepBlock]
    plan: PlanBlock | None
    classes: list[ClassProgress]
    contacts: DistrictContacts | None

    @property
    def teacher_done(self) -> int:
        return sum(c.block.done for c in self.classes if c.block)

    @property
    def teacher_total(self) -> int:
        return sum(c.block.total for c in self.classes if c.block)


def organization_progress(user, organization: Organization) -> OrganizationProgress:
    tasks = (
        Task.objects.filter(organization=organization, archived=False)
        .select_related("step__checklist", "plan_item", "membership__user", "changed_by")
        .order_by("pk")
    )
    by_membership: dict[tuple, list[Task]] = defaultdict(list)
    plan_tasks = []
    for task in tasks:
        if task.plan_item_id:
            plan_tasks.append(task)
        else:
            by_membership[task.membership_id, task.school_class_id].append(task)

    def blocks_for(role) -> list[StepBlock]:
        result = []
        for group in by_membership.values():
            membership = group[0].membership
            if membership.role != role:
                continue
            rows = step_rows(group, user)
            result.append(
                StepBlock(
                    rows[0].task.step.checklist.title, membership.user.full_name, rows, membership
                )
            )
        return sorted(result, key=lambda b: b.subtitle)

    classes = []
    teacher_blocks = {key[1]: group for key, group in by_membership.items() if key[1] is not None}
    for school_class in organization.classes.active().prefetch_related("teacher_memberships__user"):
        teachers = list(school_class.teacher_memberships.all())
        group = teacher_blocks.get(school_class.pk)
        block = None
        if group:
            rows = step_rows(group, user)
            block = StepBlock(rows[0].task.step.checklist.title, school_class.name, rows)
        variant = ""
        if teachers:
            variant = "есть профиль в ВКМ" if teachers[0].had_vkm_profile else "нет профиля в ВКМ"
        classes.append(
            ClassProgress(
                name=school_class.name,
                teacher=", ".join(t.user.full_name for t in teachers),
                variant=variant,
                block=block,
            )
        )
    today = deadlines.local_today(organization.municipality.region.timezone)
    plan = None
    if plan_tasks:
        plan = PlanBlock(
            "План мероприятий: пункты ОО",
            organization.short_name,
            plan_rows(plan_tasks, user, today),
            organization=organization,
        )
    contacts = DistrictContacts.objects.filter(municipality_id=organization.municipality_id).first()
    return OrganizationProgress(
        organization=organization,
        admin_blocks=blocks_for(Role.OO_ADMIN),
        head_blocks=blocks_for(Role.OO_HEAD),
        plan=plan,
        classes=classes,
        contacts=contacts,
    )


def district_task_rows(user, municipality: Municipality, today: datetime.date):
    """The district lead's own steps and the district-level (УО) items, for the district page."""
    tasks = (
        Task.objects.filter(municipality=municipality, archived=False)
        .select_related("step__checklist", "plan_item", "membership__user", "changed_by")
        .order_by("pk")
    )
    steps, items = [], []
    for task in tasks:
        (steps if task.step_id else items).append(task)
    by_person: dict[int, list[Task]] = defaultdict(list)
    for task in steps:
        by_person[task.membership_id].append(task)
    blocks = []
    for group in by_person.values():
        rows = step_rows(group, user)
        blocks.append(
            StepBlock(
                rows[0].task.step.checklist.title,
                group[0].membership.user.full_name,
                rows,
                group[0].membership,
            )
        )
    plan = PlanBlock(
        "План мероприятий: пункты УО",
        municipality.name,
        plan_rows(items, user, today),
        municipality=municipality,
    )
    return blocks, plan
