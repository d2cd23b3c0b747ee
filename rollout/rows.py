"""Tasks as rows of a list (a checklist's steps, a plan's items) and the blocks that group them,
with the state each row shows (its CSS key, measured state, deadline and who may change it)."""

import datetime
from dataclasses import dataclass

from organizations.models import Membership, Municipality, Organization

from .deadlines import deadline_for, deadline_state
from .measures import MeasuredState, measured_states
from .models import (
    EVIDENCE_REQUIRED_FOR_DONE,
    Status,
    Task,
)
from .permissions import change_refusal, ticked_by


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
    def needs_evidence(self) -> bool:
        """Done only with evidence given on the task's own page: never ticked in bulk."""
        return self.task.evidence_kind in EVIDENCE_REQUIRED_FOR_DONE

    @property
    def bulk_tickable(self) -> bool:
        """Offered a checkbox «отметить выполненным» on a list."""
        return self.can_change and not self.task.is_closed and not self.needs_evidence

    @property
    def evidence_label(self) -> str:
        return self.task.template.get_evidence_display()

    @property
    def ticked_by(self) -> str:
        return ticked_by(self.task)

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


def plan_rows(tasks, user, today: datetime.date) -> list[TaskRow]:
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


def step_rows(tasks, user) -> list[TaskRow]:
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

    @property
    def tickable(self) -> int:
        return sum(1 for r in self.rows if r.bulk_tickable)


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

    @property
    def tickable(self) -> int:
        return sum(1 for r in self.rows if r.bulk_tickable)
