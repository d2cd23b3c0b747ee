"""The district's matrix: every active organisation × every step of its Sferum admin and head,
its class teachers' steps as one cell, and every organisation item of its type; cell states,
their symbols and labels, the filters and the overdue and due-this-week lists.

``district_progress`` computes it with a fixed number of queries (one pass over the tasks) and
feeds the matrix page, its xlsx export, the deadline lists and ``DistrictSummary``, the one
definition of done % and overdue (README, «Чек-листы и план»).
"""

import datetime
from dataclasses import dataclass

from django.db.models import Count, Q

from organizations.models import Municipality, Organization, Role
from organizations.selectors import organizations_matching

from . import deadlines
from .deadlines import deadline_for, deadline_state
from .measures import MeasuredState, measured_states
from .models import (
    ChecklistStepTemplate,
    PlanItemTemplate,
    Status,
    Task,
)
from .rows import PlanBlock

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


@dataclass
class DistrictProgress:
    municipality: Municipality
    today: datetime.date
    columns: list[Column]
    rows: list[Row]
    inactive_count: int

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

    def _percent(self, groups: frozenset[str] | None = None) -> int | None:
        fractions = [
            cell.fraction
            for row in self.rows
            for column, cell in zip(self.columns, row.cells, strict=True)
            if cell.fraction is not None and (groups is None or column.group in groups)
        ]
        return round(100 * sum(fractions) / len(fractions)) if fractions else None

    @property
    def percent(self) -> int | None:
        return self._percent()

    def summary(self) -> "DistrictSummary":
        return DistrictSummary(
            organizations=len(self.rows),
            percent=self.percent,
            steps_percent=self._percent(STEP_GROUPS),
            items_percent=self._percent(frozenset({"plan"})),
            overdue_cells=self.overdue_cells,
            per_organization={
                row.organization.pk: OrganizationFigures.of(self.columns, row) for row in self.rows
            },
        )

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


# An organisation's item tasks are created when its page is first opened (plan_sync): until
# then the item of its type has no row and is «не начато».
_NOT_STARTED = (1, 0, 0, 0)


def _plan_cell(column: "Column", counts, measured: MeasuredState | None) -> Cell:
    counts = counts or _NOT_STARTED
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
    today = today or deadlines.region_today(municipality.region_id)
    organizations = Organization.objects.filter(municipality=municipality)
    inactive_count = 0
    if not org_type and not query:
        inactive_count = organizations.filter(is_active=False).count()
    organizations = organizations.filter(is_active=True)
    if org_type:
        organizations = organizations.filter(org_type=org_type)
    organizations = organizations_matching(organizations, query)
    organizations = list(
        organizations.annotate(
            class_total=Count("classes", filter=Q(classes__archived_at__isnull=True))
        ).order_by("short_name")
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


STEP_GROUPS = frozenset({"admin", "head", "teachers"})


@dataclass(frozen=True)
class DistrictSummary:
    """A district's checklist and plan figures, the one definition every page and export uses
    (README, «Чек-листы и план»), all taken from the matrix (``district_progress``):

    - done %: over every cell of the matrix that applies (an active ОО × a step of its Sferum
      admin or head, its class teachers' steps as one cell, an organisation item of its type),
      the mean share done (a step or item closed counts 1, class teachers' cell the share of
      their steps closed, a measured item 1 when its measure is met, a missing task 0: an
      item whose task is not created yet is «не начато»);
      ``steps_percent`` and ``items_percent`` are the same over the step and item cells;
    - overdue: organisation items past their deadline and not closed, measured items included
      (the district's own УО items are counted apart, on the district plan).
    """

    organizations: int
    percent: int | None
    steps_percent: int | None
    items_percent: int | None
    overdue_cells: int
    per_organization: dict[int, "OrganizationFigures"]  # by organisation id

    @property
    def percents(self) -> dict[int, int | None]:
        """Organisation id -> its share done."""
        return {pk: figures.percent for pk, figures in self.per_organization.items()}


@dataclass(frozen=True)
class OrganizationFigures:
    """One organisation's row of the matrix, reduced: its share done, its items overdue, and
    its organisation items closed out of those that apply (measured ones included)."""

    percent: int | None
    overdue: int
    items_done: int
    items_total: int
    # The items overdue, in the matrix's column order (the meeting pack lists them).
    overdue_items: tuple["OverdueItem", ...] = ()

    @classmethod
    def of(cls, columns: list[Column], row: Row) -> "OrganizationFigures":
        items = [
            cell.fraction
            for column, cell in zip(columns, row.cells, strict=True)
            if column.group == "plan" and cell.fraction is not None
        ]
        overdue_items = tuple(
            OverdueItem(column.label, column.title, column.deadline)
            for column, cell in zip(columns, row.cells, strict=True)
            if cell.overdue
        )
        return cls(
            row.percent, row.overdue, sum(1 for f in items if f == 1.0), len(items), overdue_items
        )


@dataclass(frozen=True)
class OverdueItem:
    """An organisation item past its deadline and not closed: its code, title and last day."""

    label: str
    title: str
    deadline: datetime.date | None


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
