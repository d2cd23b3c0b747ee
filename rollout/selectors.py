"""Reads of the rollout app: who sees which tasks, a person's own steps, an organisation's
progress, and the district's progress (the matrix, its per-cell states, deadlines and summary).

Every page starts from ``organizations.selectors``; a task outside a person's scope does not
exist for them. The district's figures are computed once by ``district_progress`` with a fixed
number of queries (one aggregate over the tasks, grouped in the database) and feed the matrix, its
xlsx export, the overdue and due-this-week lists and the summary cards alike.

Deadlines: an item is overdue when its last day (``deadline_date``, or the month's end for a
monthly item) has passed in the region's time zone and it is neither done nor "не требуется"; a
measured item is overdue while the monitoring does not say it is met.
"""

import calendar
import datetime
import zoneinfo
from collections import defaultdict
from dataclasses import dataclass, field
from html import escape

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from organizations.models import Membership, Municipality, Organization, Region, Role
from organizations.selectors import scope_of
from organizations.versions import ALL, cached, municipality_data
from sferum_portal.params import sferum_id_in

from .measures import MeasuredState, measured_states
from .models import (
    CLOSED_STATUSES,
    ChecklistStepTemplate,
    DistrictContacts,
    PlanItemTemplate,
    Recurrence,
    Status,
    Task,
)
from .permissions import change_refusal

# --- time ------------------------------------------------------------------------------------


def local_today(tz_name: str) -> datetime.date:
    """Today in a region's time zone (tests replace this function)."""
    try:
        tz = zoneinfo.ZoneInfo(tz_name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        tz = timezone.get_current_timezone()
    return timezone.localtime(timezone.now(), tz).date()


def region_today(region_id: int | None) -> datetime.date:
    tz_name = (
        Region.objects.filter(pk=region_id).values_list("timezone", flat=True).first()
        if region_id
        else None
    )
    return local_today(tz_name or timezone.get_current_timezone_name())


def week_bounds(today: datetime.date) -> tuple[datetime.date, datetime.date]:
    monday = today - datetime.timedelta(days=today.weekday())
    return monday, monday + datetime.timedelta(days=6)


def deadline_for(item: PlanItemTemplate, today: datetime.date) -> datetime.date | None:
    """The last day that counts: the item's date, or the end of this month for a monthly one."""
    if item.recurrence == Recurrence.MONTHLY:
        return today.replace(day=calendar.monthrange(today.year, today.month)[1])
    return item.deadline_date


def deadline_state(item, closed: bool, today: datetime.date) -> str | None:
    """ "overdue", "week" (due in the current Monday–Sunday week) or None."""
    if closed or item is None:
        return None
    deadline = deadline_for(item, today)
    if deadline is None:
        return None
    if deadline < today and item.recurrence != Recurrence.MONTHLY:
        return "overdue"
    monday, sunday = week_bounds(today)
    if monday <= deadline <= sunday and deadline >= today:
        return "week"
    return None


# --- visibility ------------------------------------------------------------------------------


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


# --- one task as a row of a list -------------------------------------------------------------


@dataclass
class TaskRow:
    task: Task
    measured: MeasuredState | None = None
    deadline: datetime.date | None = None
    deadline_state: str | None = None
    refusal: str | None = None

    @property
    def can_change(self) -> bool:
        return self.refusal is None

    @property
    def status_key(self) -> str:
        """The status as a CSS key; measured items show their measured state."""
        if self.measured is not None:
            if self.measured.done is True:
                return "done"
            return "fail" if self.measured.done is False else "nodata"
        return {
            Status.DONE: "done",
            Status.IN_PROGRESS: "progress",
            Status.NOT_REQUIRED: "na",
        }.get(self.task.status, "todo")

    @property
    def status_label(self) -> str:
        if self.measured is not None:
            if self.measured.done is True:
                return "выполнено (мониторинг)"
            return "не выполнено (мониторинг)" if self.measured.done is False else "нет данных"
        return self.task.get_status_display()


def _plan_rows(tasks, user, today: datetime.date) -> list[TaskRow]:
    tasks = sorted(tasks, key=lambda t: t.plan_item.order)
    org_ids = {t.organization_id for t in tasks if t.organization_id}
    states = measured_states({t.plan_item.pk: t.plan_item for t in tasks}.values(), org_ids)
    rows = []
    for task in tasks:
        item = task.plan_item
        measured = states.get((item.pk, task.organization_id)) if item.indicator else None
        closed = measured.done is True if measured is not None else task.is_closed
        rows.append(
            TaskRow(
                task=task,
                measured=measured,
                deadline=deadline_for(item, today),
                deadline_state=deadline_state(item, closed, today),
                refusal=change_refusal(user, task),
            )
        )
    return rows


def _step_rows(tasks, user) -> list[TaskRow]:
    return [
        TaskRow(task=t, refusal=change_refusal(user, t))
        for t in sorted(tasks, key=lambda t: t.step.order)
    ]


@dataclass
class StepBlock:
    """One checklist of one person (one class for a class teacher)."""

    title: str
    subtitle: str
    rows: list[TaskRow]
    membership: Membership | None = None

    @property
    def done(self) -> int:
        return sum(1 for r in self.rows if r.task.is_closed)

    @property
    def total(self) -> int:
        return len(self.rows)

    @property
    def percent(self) -> int:
        return round(100 * self.done / self.total) if self.total else 0


@dataclass
class PlanBlock:
    title: str
    subtitle: str
    rows: list[TaskRow]
    organization: Organization | None = None
    municipality: Municipality | None = None

    @property
    def overdue(self) -> int:
        return sum(1 for r in self.rows if r.deadline_state == "overdue")


# --- a person's own steps --------------------------------------------------------------------


@dataclass
class MySteps:
    step_blocks: list[StepBlock]
    plan_blocks: list[PlanBlock]
    contacts: list[DistrictContacts]
    teacher_without_classes: list[Membership]


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
        for key in sorted(keys, key=lambda k: _class_sort_key(grouped[k][0].class_name)):
            rows = _step_rows(grouped[key], user)
            checklist = rows[0].task.step.checklist
            subtitle = where
            if key[1] is not None:
                subtitle = f"{rows[0].task.class_name} · {where}"
            step_blocks.append(StepBlock(checklist.title, subtitle, rows, m))

    org_ids = [m.organization_id for m in memberships if m.role in (Role.OO_ADMIN, Role.OO_HEAD)]
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
        today = region_today(next(iter(region_ids), None))
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
                    _plan_rows(by_owner[owner], user, today),
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


def _class_sort_key(name: str):
    digits = "".join(ch for ch in name[:2] if ch.isdigit())
    return (int(digits) if digits else 99, name)


# --- one organisation's progress -------------------------------------------------------------


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
            rows = _step_rows(group, user)
            result.append(
                StepBlock(
                    rows[0].task.step.checklist.title, membership.user.full_name, rows, membership
                )
            )
        return sorted(result, key=lambda b: b.subtitle)

    classes = []
    teacher_blocks = {key[1]: group for key, group in by_membership.items() if key[1] is not None}
    for school_class in organization.classes.prefetch_related("teacher_memberships__user"):
        teachers = list(school_class.teacher_memberships.all())
        group = teacher_blocks.get(school_class.pk)
        block = None
        if group:
            rows = _step_rows(group, user)
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
    today = region_today(organization.municipality.region_id)
    plan = None
    if plan_tasks:
        plan = PlanBlock(
            "План мероприятий: пункты ОО",
            organization.short_name,
            _plan_rows(plan_tasks, user, today),
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


# --- the district's progress: matrix, deadlines, summary -------------------------------------

CELL_SYMBOLS = {
    "done": "✓",
    "progress": "◐",
    "todo": "·",
    "na": "н/т",
    "none": "нет",
    "skip": "",
}
CELL_LABELS = {
    "done": "выполнено",
    "progress": "в работе",
    "todo": "не начато",
    "na": "не требуется",
    "overdue": "просрочено",
    "none": "нет исполнителя",
    "skip": "не относится к типу ОО",
    "fail": "не выполнено по данным мониторинга",
    "nodata": "нет данных мониторинга",
}
# Shared by the page (rollout.css) and the xlsx export.
CELL_COLORS = {
    "done": ("C6EFCE", "006100"),
    "progress": ("FFEB9C", "7A4A00"),
    "todo": ("FFFFFF", "6C757D"),
    "na": ("DDE4EE", "3B4A5E"),
    "overdue": ("FFC7CE", "9C0006"),
    "none": ("E9ECEF", "495057"),
    "skip": ("F8F9FA", "ADB5BD"),
    "fail": ("FCD5B4", "843C0C"),
    "nodata": ("E9ECEF", "495057"),
}
STATUS_FILTERS = [
    ("todo", "не начато"),
    ("progress", "в работе"),
    ("done", "выполнено"),
    ("na", "не требуется"),
    ("overdue", "просрочено"),
    ("none", "нет исполнителя"),
    ("fail", "не выполнено по данным мониторинга"),
    ("nodata", "нет данных мониторинга"),
]
GROUP_TITLES = {
    "admin": "Администратор Сферум в ОО",
    "head": "Руководитель ОО",
    "teachers": "Классные руководители",
    "plan": "План мероприятий: пункты ОО",
}


@dataclass
class Column:
    key: str
    group: str
    label: str
    title: str
    step: ChecklistStepTemplate | None = None
    item: PlanItemTemplate | None = None
    # For an item: its last day and its deadline state while not closed, as of "today".
    deadline: datetime.date | None = None
    when_open: str | None = None


@dataclass(slots=True)
class Cell:
    state: str
    text: str
    fraction: float | None  # None: not applicable
    overdue: bool = False
    due_week: bool = False
    detail: str = ""

    @property
    def label(self) -> str:
        return self.detail or CELL_LABELS[self.state]


@dataclass
class Row:
    organization: Organization
    cells: list[Cell]
    percent: int | None
    overdue: int
    due_week: int
    html: str = ""


@dataclass
class DistrictProgress:
    municipality: Municipality
    today: datetime.date
    columns: list[Column]
    rows: list[Row]
    inactive_count: int
    district_rows: list[TaskRow] = field(default_factory=list)

    @property
    def groups(self) -> list[tuple[str, str, int]]:
        """(group, title, number of columns) for the header's first row."""
        result: list[tuple[str, str, int]] = []
        for column in self.columns:
            if result and result[-1][0] == column.group:
                group, title, span = result[-1]
                result[-1] = (group, title, span + 1)
            else:
                result.append((column.group, GROUP_TITLES[column.group], 1))
        return result

    @property
    def percent(self) -> int | None:
        fractions = [c.fraction for r in self.rows for c in r.cells if c.fraction is not None]
        return round(100 * sum(fractions) / len(fractions)) if fractions else None

    @property
    def overdue_cells(self) -> int:
        return sum(r.overdue for r in self.rows)

    @property
    def due_week_cells(self) -> int:
        return sum(r.due_week for r in self.rows)


# Counts per cell: [total, done, not required, in progress].
TOTAL, DONE, NA, PROGRESS = range(4)
_STATUS_INDEX = {Status.DONE: DONE, Status.NOT_REQUIRED: NA, Status.IN_PROGRESS: PROGRESS}


def _step_cell(counts: list[int] | None) -> Cell:
    if not counts:
        return Cell("none", CELL_SYMBOLS["none"], 0.0)
    total, done, na, progress = counts
    closed = done + na
    if closed == total:
        state = "na" if na == total else "done"
        return Cell(state, CELL_SYMBOLS[state], 1.0)
    text = f"{closed}/{total}" if total > 1 else ""
    if progress or closed:
        return Cell("progress", text or CELL_SYMBOLS["progress"], closed / total)
    return Cell("todo", text or CELL_SYMBOLS["todo"], 0.0)


def _plan_cell(column: "Column", counts, measured: MeasuredState | None) -> Cell:
    if not counts:
        return Cell("none", CELL_SYMBOLS["none"], 0.0)
    if measured is not None:
        closed = measured.done is True
        state = "done" if closed else ("fail" if measured.done is False else "nodata")
        cell = Cell(state, measured.short, 1.0 if closed else 0.0, detail=measured.text)
    else:
        if counts[DONE]:
            state = "done"
        elif counts[NA]:
            state = "na"
        elif counts[PROGRESS]:
            state = "progress"
        else:
            state = "todo"
        closed = state in ("done", "na")
        cell = Cell(state, CELL_SYMBOLS[state], 1.0 if closed else 0.0)
    if closed:
        return cell
    if column.when_open == "overdue":
        cell.overdue = True
        cell.detail = f"просрочено (срок {column.deadline:%d.%m.%Y}); {cell.label}"
        cell.state = "overdue"
        if measured is None:
            cell.text = "!"
    elif column.when_open == "week":
        cell.due_week = True
    return cell


def _teachers_cell(counts: list[int] | None, class_total: int) -> Cell:
    if not counts:
        if class_total:
            return Cell("none", CELL_SYMBOLS["none"], 0.0)
        return Cell("skip", "", None)
    total, done, na, progress = counts
    closed = done + na
    state = "done" if closed == total else ("progress" if closed or progress else "todo")
    return Cell(state, f"{closed}/{total}", closed / total)


def matrix_columns() -> tuple[list[Column], dict[int, str]]:
    """The matrix's columns (admin steps, head steps, class teachers, organisation items) and
    which group each step id belongs to."""
    steps = list(
        ChecklistStepTemplate.objects.filter(
            is_active=True,
            checklist__is_active=True,
            checklist__actor__in=[Role.OO_ADMIN, Role.OO_HEAD, Role.CLASS_TEACHER],
        ).select_related("checklist")
    )
    step_group = {}
    columns = []
    for actor, group, prefix in ((Role.OO_ADMIN, "admin", "А"), (Role.OO_HEAD, "head", "Р")):
        for step in sorted((s for s in steps if s.checklist.actor == actor), key=lambda s: s.order):
            step_group[step.pk] = group
            columns.append(
                Column(f"s{step.pk}", group, f"{prefix}{step.order}", step.title, step=step)
            )
    for step in steps:
        if step.checklist.actor == Role.CLASS_TEACHER:
            step_group[step.pk] = "teachers"
    columns.append(
        Column("teachers", "teachers", "КР", "Шаги классных руководителей: выполнено из всех")
    )
    items = PlanItemTemplate.objects.filter(is_active=True, plan__is_active=True).exclude(
        org_types=[]
    )
    for item in items:
        columns.append(Column(f"p{item.pk}", "plan", item.label, item.title, item=item))
    return columns, step_group


def district_progress(
    municipality: Municipality,
    *,
    today: datetime.date | None = None,
    org_type: str = "",
    query: str = "",
    columns: tuple[list[Column], dict[int, str]] | None = None,
) -> DistrictProgress:
    """Every active organisation of the district × every step and organisation-level item."""
    today = today or region_today(municipality.region_id)
    organizations = Organization.objects.filter(municipality=municipality)
    inactive_count = 0
    if not org_type and not query:
        inactive_count = organizations.filter(is_active=False).count()
    organizations = organizations.filter(is_active=True)
    if org_type:
        organizations = organizations.filter(org_type=org_type)
    if query:
        match = Q(short_name__icontains=query)
        if (sferum_id := sferum_id_in(query)) is not None:
            match |= Q(sferum_id=sferum_id)
        organizations = organizations.filter(match)
    organizations = list(
        organizations.annotate(class_total=Count("classes")).order_by("short_name")
    )
    columns, step_group = columns or matrix_columns()
    for column in columns:
        if column.item is not None:
            column.deadline = deadline_for(column.item, today)
            column.when_open = deadline_state(column.item, False, today)
    org_ids = [o.pk for o in organizations]
    teacher_steps = [pk for pk, group in step_group.items() if group == "teachers"]
    counts: dict[tuple, list[int]] = {}
    teacher_counts: dict[int, list[int]] = {}
    if org_ids:
        tasks = Task.objects.filter(organization_id__in=org_ids, archived=False).order_by()
        # Steps of the admin and head and the organisation's items: one row per task (there is
        # about one task per cell, so grouping in the database would save nothing).
        rows = tasks.exclude(step_id__in=teacher_steps).values_list(
            "organization_id", "step_id", "plan_item_id", "status"
        )
        for org_id, step_id, item_id, status in rows:
            bucket = counts.get((org_id, step_id, item_id))
            if bucket is None:
                bucket = counts[org_id, step_id, item_id] = [0, 0, 0, 0]
            bucket[TOTAL] += 1
            index = _STATUS_INDEX.get(status)
            if index is not None:
                bucket[index] += 1
        # Class teachers: one cell per organisation, summed in the database.
        teacher_rows = (
            tasks.filter(step_id__in=teacher_steps)
            .values("organization_id")
            .annotate(
                total=Count("pk"),
                done=Count("pk", filter=Q(status=Status.DONE)),
                na=Count("pk", filter=Q(status=Status.NOT_REQUIRED)),
                progress=Count("pk", filter=Q(status=Status.IN_PROGRESS)),
            )
            .values_list("organization_id", "total", "done", "na", "progress")
        )
        for org_id, *values in teacher_rows:
            teacher_counts[org_id] = values
    items = [c.item for c in columns if c.item is not None]
    states = measured_states(items, org_ids)
    rows = []
    for org in organizations:
        cells = []
        for column in columns:
            if column.group == "teachers":
                cell = _teachers_cell(teacher_counts.get(org.pk), org.class_total)
            elif column.item is not None:
                if org.org_type not in column.item.org_types:
                    cell = Cell("skip", "", None)
                else:
                    cell = _plan_cell(
                        column,
                        counts.get((org.pk, None, column.item.pk)),
                        states.get((column.item.pk, org.pk)) if column.item.indicator else None,
                    )
            else:
                cell = _step_cell(counts.get((org.pk, column.step.pk, None)))
            cells.append(cell)
        applicable = [c.fraction for c in cells if c.fraction is not None]
        rows.append(
            Row(
                organization=org,
                cells=cells,
                percent=round(100 * sum(applicable) / len(applicable)) if applicable else None,
                overdue=sum(1 for c in cells if c.overdue),
                due_week=sum(1 for c in cells if c.due_week),
            )
        )
    return DistrictProgress(municipality, today, columns, rows, inactive_count)


@dataclass(frozen=True)
class DistrictSummary:
    """What a district dashboard shows of the checklists and plan: the matrix's own figures."""

    percent: int | None
    overdue_cells: int
    percents: dict[int, int | None]  # organisation id -> share done


def district_summary(
    municipality: Municipality, *, org_type: str = "", query: str = ""
) -> DistrictSummary:
    """``district_progress`` reduced to its figures, cached until the district's tasks,
    registry, templates or measured values change (organizations.versions) or the day ends."""
    today = local_today(municipality.region.timezone)  # the pages load the region with it

    def compute() -> DistrictSummary:
        progress = district_progress(municipality, today=today, org_type=org_type, query=query)
        return DistrictSummary(
            progress.percent,
            progress.overdue_cells,
            {row.organization.pk: row.percent for row in progress.rows},
        )

    return cached(
        ("district-summary", municipality.pk, today, org_type, query),
        (ALL, municipality_data(municipality.pk)),
        compute,
    )


def district_rows_filter(
    progress: DistrictProgress, *, status: str = "", column: str = "", overdue_only: bool = False
) -> list[Row]:
    rows = progress.rows
    if column:
        index = next((i for i, c in enumerate(progress.columns) if c.key == column), None)
    else:
        index = None
    if status:

        def matches(cell: Cell) -> bool:
            return cell.state == status or (status == "overdue" and cell.overdue)

        if index is not None:
            rows = [r for r in rows if matches(r.cells[index])]
        else:
            rows = [r for r in rows if any(matches(c) for c in r.cells)]
    if overdue_only:
        rows = [r for r in rows if r.overdue]
    return rows


def column_percents(progress: DistrictProgress, rows: list[Row]) -> list[int | None]:
    """Per column, the share done among the given rows where the column applies."""
    done = [0.0] * len(progress.columns)
    applicable = [0] * len(progress.columns)
    for row in rows:
        for i, cell in enumerate(row.cells):
            if cell.fraction is not None:
                done[i] += cell.fraction
                applicable[i] += 1
    return [round(100 * d / a) if a else None for d, a in zip(done, applicable, strict=True)]


def render_row_cells(progress: DistrictProgress, row: Row, memo: dict | None = None) -> str:
    """A row's cells as HTML, built here rather than in the template: 300 × 30 cells through
    template nodes would cost most of the page's time budget. ``memo`` caches the cell markup
    across rows (most cells of a column look alike)."""
    memo = {} if memo is None else memo
    parts = []
    for index, cell in enumerate(row.cells):
        key = (index, cell.state, cell.text, cell.detail, cell.due_week)
        html = memo.get(key)
        if html is None:
            extra = " mx-week" if cell.due_week else ""
            title = escape(f"{progress.columns[index].label}: {cell.label}", quote=True)
            html = memo[key] = (
                f'<td class="mx mx-{cell.state}{extra}" title="{title}">{escape(cell.text)}</td>'
            )
        parts.append(html)
    return "".join(parts)


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
        rows = _step_rows(group, user)
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
        _plan_rows(items, user, today),
        municipality=municipality,
    )
    return blocks, plan


@dataclass
class DeadlineGroup:
    column: Column
    deadline: datetime.date | None
    organizations: list[Organization]


def district_deadlines(progress: DistrictProgress, plan: PlanBlock, *, kind: str):
    """Organisation items overdue (``kind="overdue"``) or due this week (``"week"``), by item,
    and the district's own items in the same state."""
    groups = []
    for index, column in enumerate(progress.columns):
        if column.item is None:
            continue
        orgs = [
            r.organization
            for r in progress.rows
            if (r.cells[index].overdue if kind == "overdue" else r.cells[index].due_week)
        ]
        if orgs:
            groups.append(DeadlineGroup(column, deadline_for(column.item, progress.today), orgs))
    own = [r for r in plan.rows if r.deadline_state == kind]
    return groups, own


# --- region summary --------------------------------------------------------------------------


@dataclass
class MunicipalitySummary:
    municipality: Municipality
    organizations: int
    steps_total: int
    steps_done: int
    items_total: int
    items_done: int
    items_overdue: int

    @property
    def steps_percent(self) -> int | None:
        return round(100 * self.steps_done / self.steps_total) if self.steps_total else None

    @property
    def items_percent(self) -> int | None:
        return round(100 * self.items_done / self.items_total) if self.items_total else None


def region_summary(
    region: Region, municipalities: QuerySet[Municipality]
) -> list[MunicipalitySummary]:
    """Per district: steps and organisation items done, and items overdue (measured items are
    left out: their state lives in the monitoring dashboards)."""
    today = local_today(region.timezone)
    municipalities = list(
        municipalities.filter(region=region)
        .annotate(org_total=Count("organizations", filter=Q(organizations__is_active=True)))
        .order_by("name")
    )
    items = {i.pk: i for i in PlanItemTemplate.objects.all()}
    rows = (
        Task.objects.filter(
            organization__municipality__in=municipalities,
            archived=False,
        )
        .exclude(plan_item__indicator__gt="")
        .values("organization__municipality_id", "plan_item_id")
        .annotate(
            total=Count("pk"),
            closed=Count("pk", filter=Q(status__in=list(CLOSED_STATUSES))),
        )
        .order_by()
    )
    acc = defaultdict(lambda: [0, 0, 0, 0, 0])
    for row in rows:
        bucket = acc[row["organization__municipality_id"]]
        if row["plan_item_id"] is None:
            bucket[0] += row["total"]
            bucket[1] += row["closed"]
        else:
            bucket[2] += row["total"]
            bucket[3] += row["closed"]
            if deadline_state(items[row["plan_item_id"]], False, today) == "overdue":
                bucket[4] += row["total"] - row["closed"]
    return [MunicipalitySummary(m, m.org_total, *acc[m.pk]) for m in municipalities]


# --- the block on an organisation's page -----------------------------------------------------


@dataclass
class OrganizationPanel:
    contacts: DistrictContacts | None
    admin: tuple[int, int]
    head: tuple[int, int]
    teachers: tuple[int, int]
    items: tuple[int, int]
    items_overdue: int
    sees_whole: bool


def organization_panel(user, organization: Organization) -> OrganizationPanel:
    """District contacts and the checklist progress summary, in two queries."""
    from organizations.selectors import sees_whole_organization

    contacts = DistrictContacts.objects.filter(municipality_id=organization.municipality_id).first()
    whole = sees_whole_organization(user, organization)
    totals = {"admin": [0, 0], "head": [0, 0], "teachers": [0, 0], "items": [0, 0]}
    overdue = 0
    if whole:
        today = local_today(organization.municipality.region.timezone)
        rows = (
            Task.objects.filter(organization=organization, archived=False)
            .exclude(plan_item__indicator__gt="")
            .values("step__checklist__actor", "plan_item_id")
            .annotate(
                total=Count("pk"),
                closed=Count("pk", filter=Q(status__in=list(CLOSED_STATUSES))),
            )
            .order_by()
        )
        items = {}
        for row in rows:
            if row["plan_item_id"]:
                key = "items"
                items[row["plan_item_id"]] = row
            else:
                key = {
                    Role.OO_ADMIN: "admin",
                    Role.OO_HEAD: "head",
                    Role.CLASS_TEACHER: "teachers",
                }.get(row["step__checklist__actor"])
                if key is None:
                    continue
            totals[key][0] += row["closed"]
            totals[key][1] += row["total"]
        if items:
            for item in PlanItemTemplate.objects.filter(pk__in=items):
                row = items[item.pk]
                if deadline_state(item, row["closed"] == row["total"], today) == "overdue":
                    overdue += 1
    return OrganizationPanel(
        contacts=contacts,
        admin=tuple(totals["admin"]),
        head=tuple(totals["head"]),
        teachers=tuple(totals["teachers"]),
        items=tuple(totals["items"]),
        items_overdue=overdue,
        sees_whole=whole,
    )
