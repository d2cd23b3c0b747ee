"""The next step for each red school: what an organisation has not done yet that would raise
its figures that are below target.

Which steps move which indicator is data beside the templates (``ChecklistStepTemplate.indicators``,
from fixtures/rollout_templates.json). For an indicator below target, the open steps (neither done
nor «не требуется», not archived) of the mapped checklists are grouped by whom: the Sferum admin
and the head by person, the class teachers by class; beside them the roles nobody holds and the
classes without a class teacher.

- ``below_target`` — which indicators of a week are red (no data is never red);
- ``organization_next_steps`` — the detail for one organisation's pages, with the links to the
  tasks the viewer may open;
- ``not_done_by_organization`` — a countable summary per organisation, for the district's list
  of lagging schools.

Both read the same rows in a fixed number of queries, whatever the number of organisations,
classes or teachers.
"""

from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Count, Q

from monitoring.dashboards import COUNTED_FLAG, HEADLINE, kpis_for
from monitoring.models import Target, WeeklyOrganizationValue
from monitoring.selectors import targets_in_force
from organizations.models import Membership, Organization, Role, SchoolClass
from organizations.permissions import administers_organization, roles_grantable
from sferum_portal.plurals import count_ru

from .models import CLOSED_STATUSES, ChecklistStepTemplate, Status, Task
from .selectors import class_sort_key, tasks_visible_to

# The roles whose steps are shown per person, in the order shown; class teachers come by class.
PERSON_ROLES = (Role.OO_ADMIN, Role.OO_HEAD)
# The class teachers' step that the district asks about by name: the parents' meeting.
PARENTS_MEETING_STEPS = frozenset({"class_teacher-with_vkm-6", "class_teacher-without_vkm-7"})
# A step without its few words (``ChecklistStepTemplate.short_title``) is named in a one-line
# summary by the start of its title.
SHORT_TITLE_MAX = 40


def below_target(kpis, row=None, codes=None) -> list:
    """The Kpi objects below their target (Stage 2, else Stage 1): a value is known and under
    it. A headline indicator that the organisation's type does not count in (the week's
    ``row`` says) is never red; neither is an indicator without data or without a target."""
    red = []
    for kpi in kpis:
        if codes is not None and kpi.code not in codes:
            continue
        if kpi.value is None or kpi.target is None or kpi.value >= kpi.target:
            continue
        if row is not None and kpi.code in HEADLINE and not getattr(row, COUNTED_FLAG[kpi.code]):
            continue
        red.append(kpi)
    return red


def latest_kpis(organization: Organization) -> tuple[object | None, list]:
    """The organisation's latest week with data and its indicators (two queries)."""
    row = (
        WeeklyOrganizationValue.objects.filter(organization=organization)
        .order_by("-week_start")
        .first()
    )
    if row is None:
        return None, []
    in_force = targets_in_force(row.week_start, list(Target.objects.all()))
    return row, kpis_for(row, None, in_force, organization.municipality.region_id)


# --- reading the rows ------------------------------------------------------------------------


@dataclass
class OpenStep:
    task_id: int
    code: str
    order: int
    title: str
    status: str
    indicators: frozenset[str]
    short: str = ""
    may_open: bool = False

    @property
    def status_label(self) -> str:
        return Status(self.status).label

    @property
    def short_title(self) -> str:
        if self.short:
            return self.short
        title = self.title.rstrip(".;")
        if len(title) <= SHORT_TITLE_MAX:
            return title[:1].lower() + title[1:]
        return title[:1].lower() + title[1 : SHORT_TITLE_MAX - 1].rstrip() + "…"


@dataclass
class _Open:
    """An open task with whose it is: (role, person) or the class."""

    step: OpenStep
    role: str
    user_id: int | None
    name: str
    class_id: int | None
    class_name: str


@dataclass
class _Organization:
    tasks: list[_Open] = field(default_factory=list)
    roles_held: set[str] = field(default_factory=set)
    classes: list[tuple[int, str, int]] = field(default_factory=list)  # (pk, name, teachers)


def _full_name(row: dict) -> str:
    parts = [row["user__last_name"], row["user__first_name"], row["user__patronymic"]]
    return " ".join(p for p in parts if p) or row["user__username"] or ""


Mapped = dict[str, set[str]]  # role → the indicators its active steps move


def _read(organization_ids: list[int]) -> tuple[dict[int, _Organization], Mapped]:
    """The open mapped tasks, the roles held and the classes of the organisations, and which
    indicators each role's steps move: four queries."""
    data = {pk: _Organization() for pk in organization_ids}
    mapped: Mapped = defaultdict(set)
    if not data:
        return data, mapped
    steps = {
        s["pk"]: s
        for s in ChecklistStepTemplate.objects.filter(
            is_active=True, checklist__is_active=True
        ).values("pk", "code", "order", "title", "short_title", "indicators", "checklist__actor")
        if s["indicators"]
    }
    for s in steps.values():
        mapped[s["checklist__actor"]].update(s["indicators"])
    tasks = (
        Task.objects.filter(
            Q(school_class__isnull=True) | Q(school_class__archived_at__isnull=True),
            organization_id__in=organization_ids,
            step_id__in=list(steps),
            membership__isnull=False,
            archived=False,
        )
        .exclude(status__in=list(CLOSED_STATUSES))
        .values(
            "pk", "step_id", "status", "organization_id", "school_class_id", "class_name",
            "membership__role", "user_id", "user__last_name", "user__first_name",
            "user__patronymic", "user__username",
        )
        .order_by("pk")
    )  # fmt: skip
    for row in tasks:
        step = steps[row["step_id"]]
        data[row["organization_id"]].tasks.append(
            _Open(
                step=OpenStep(
                    task_id=row["pk"],
                    code=step["code"],
                    order=step["order"],
                    title=step["title"],
                    status=row["status"],
                    indicators=frozenset(step["indicators"]),
                    short=step["short_title"],
                ),
                role=row["membership__role"],
                user_id=row["user_id"],
                name=_full_name(row),
                class_id=row["school_class_id"],
                class_name=row["class_name"],
            )
        )
    held = (
        Membership.objects.filter(organization_id__in=organization_ids, role__in=PERSON_ROLES)
        .values_list("organization_id", "role")
        .distinct()
    )
    for org_id, role in held:
        data[org_id].roles_held.add(role)
    classes = (
        SchoolClass.objects.active()
        .filter(organization_id__in=organization_ids)
        .annotate(
            teachers=Count(
                "teacher_memberships", filter=Q(teacher_memberships__role=Role.CLASS_TEACHER)
            )
        )
        .values_list("organization_id", "pk", "name", "teachers")
        .order_by("name")
    )
    for org_id, pk, name, teachers in classes:
        data[org_id].classes.append((pk, name, teachers))
    return data, mapped


# --- one organisation ------------------------------------------------------------------------


@dataclass
class PersonSteps:
    role: str
    name: str
    steps: list[OpenStep]

    @property
    def role_label(self) -> str:
        return Role(self.role).label


@dataclass
class ClassSteps:
    name: str
    teachers: list[str]
    steps: list[OpenStep]


@dataclass
class IndicatorSteps:
    """«Что поднимет показатель»: the open steps of one red indicator, by whom."""

    kpi: object
    people: list[PersonSteps]
    classes: list[ClassSteps]
    missing_roles: list[Role]
    classes_without_teacher: list[str]
    no_classes: bool

    @property
    def code(self) -> str:
        return self.kpi.code

    @property
    def label(self) -> str:
        return self.kpi.label

    @property
    def teacher_steps(self) -> int:
        return sum(len(c.steps) for c in self.classes)

    @property
    def is_empty(self) -> bool:
        return not (
            self.people
            or self.classes
            or self.missing_roles
            or self.classes_without_teacher
            or self.no_classes
        )


@dataclass
class NextSteps:
    """What an organisation's page shows below its figures."""

    indicators: list[IndicatorSteps]
    grantable: tuple[str, ...] = ()  # the roles the viewer may give (a link to add one)
    can_add_class: bool = False


def _for_indicator(kpi, org: _Organization, mapped: Mapped) -> IndicatorSteps:
    code = kpi.code
    people: dict[tuple, list[OpenStep]] = defaultdict(list)
    names: dict[tuple, str] = {}
    by_class: dict[int, list[_Open]] = defaultdict(list)
    for t in org.tasks:
        if code not in t.step.indicators:
            continue
        if t.role == Role.CLASS_TEACHER and t.class_id is not None:
            by_class[t.class_id].append(t)
        elif t.role in PERSON_ROLES:
            key = (PERSON_ROLES.index(t.role), t.name, t.user_id, t.role)
            people[key].append(t.step)
            names[key] = t.name
    person_list = [
        PersonSteps(role=key[3], name=names[key], steps=sorted(people[key], key=lambda s: s.order))
        for key in sorted(people, key=lambda k: k[:3])
    ]
    classes = sorted(org.classes, key=lambda c: class_sort_key(c[1]))
    class_list = []
    for pk, name, _teachers in classes:
        group = by_class.get(pk)
        if not group:
            continue
        teachers = sorted({t.name for t in group})
        class_list.append(
            ClassSteps(
                name=name, teachers=teachers, steps=sorted((t.step for t in group), key=_step_key)
            )
        )
    missing = [r for r in PERSON_ROLES if r not in org.roles_held and code in mapped[r]]
    by_teachers = code in mapped[Role.CLASS_TEACHER]
    return IndicatorSteps(
        kpi=kpi,
        people=person_list,
        classes=class_list,
        missing_roles=[Role(r) for r in missing],
        classes_without_teacher=[n for _pk, n, teachers in classes if by_teachers and not teachers],
        no_classes=by_teachers and not classes,
    )


def _step_key(step: OpenStep):
    return (step.order, step.code, step.task_id)


def organization_next_steps(user, organization: Organization, red: list) -> NextSteps:
    """The open steps behind each red indicator (``below_target``'s Kpi objects) of one
    organisation, for a person who sees the organisation whole: five queries. A step links to
    its task only if the person may open it (``selectors.tasks_visible_to``)."""
    if not red:
        return NextSteps([])
    data, mapped = _read([organization.pk])
    org = data[organization.pk]
    indicators = [_for_indicator(kpi, org, mapped) for kpi in red]
    ids = [t.step.task_id for t in org.tasks]
    visible = set(
        tasks_visible_to(user)
        .filter(organization_id=organization.pk, pk__in=ids)
        .values_list("pk", flat=True)
    )
    for t in org.tasks:
        t.step.may_open = t.step.task_id in visible
    return NextSteps(
        indicators=indicators,
        grantable=tuple(roles_grantable(user, organization)),
        can_add_class=administers_organization(user, organization),
    )


def next_steps_for_page(user, organization: Organization, kpis, row=None) -> NextSteps:
    """``organization_next_steps`` for the red ones of a week's ``kpis``."""
    return organization_next_steps(user, organization, below_target(kpis, row))


# --- many organisations: the lagging list ----------------------------------------------------


@dataclass
class NotDone:
    """What one organisation has not done yet, counted: the most useful first."""

    admin_missing: bool = False
    admin_steps: list[str] = field(default_factory=list)  # short titles
    teacher_steps: int = 0
    teacher_classes: int = 0
    meeting_classes: int = 0  # classes whose parents' meeting step is open
    head_missing: bool = False
    head_steps: list[str] = field(default_factory=list)
    classes_without_teacher: int = 0
    no_classes: bool = False

    @property
    def nothing(self) -> bool:
        return not self.phrases

    @property
    def phrases(self) -> list[str]:
        """The summary as short phrases, the most useful first, for one line of a table:
        «администратор: 2 шага (список классов, приглашения по ссылке)», «классные
        руководители: 5 шагов в 3 классах», «родительские собрания не проведены в 4 классах»."""
        out = []
        if self.admin_missing:
            out.append("администратор Сферум в ОО не назначен")
        if self.admin_steps:
            names = ", ".join(self.admin_steps[:ADMIN_NAMED])
            more = " и др." if len(self.admin_steps) > ADMIN_NAMED else ""
            out.append(f"администратор: {_steps(len(self.admin_steps))} ({names}{more})")
        if self.teacher_steps:
            out.append(
                f"классные руководители: {_steps(self.teacher_steps)} "
                f"в {_in_classes(self.teacher_classes)}"
            )
        if self.meeting_classes:
            meetings = (
                "родительское собрание не проведено"
                if self.meeting_classes == 1
                else "родительские собрания не проведены"
            )
            out.append(f"{meetings} в {_in_classes(self.meeting_classes)}")
        if self.head_missing:
            out.append("руководитель ОО не назначен")
        if self.head_steps:
            out.append(f"руководитель: {_steps(len(self.head_steps))}")
        if self.classes_without_teacher:
            n = self.classes_without_teacher
            out.append(f"без классного руководителя: {count_ru(n, 'класс', 'класса', 'классов')}")
        if self.no_classes:
            out.append("классы не добавлены в портал")
        return out


ADMIN_NAMED = 3  # how many of the admin's open steps a summary names


def _steps(n: int) -> str:
    return count_ru(n, "шаг", "шага", "шагов")


def _in_classes(n: int) -> str:
    return count_ru(n, "классе", "классах", "классах")


def _not_done(org: _Organization, codes: set[str], mapped: Mapped) -> NotDone:
    result = NotDone()
    admin, head = {}, {}
    teacher_classes, meeting_classes = set(), set()
    for t in org.tasks:
        if not codes & t.step.indicators:
            continue
        if t.role == Role.OO_ADMIN:
            admin.setdefault(t.step.code, t.step)
        elif t.role == Role.OO_HEAD:
            head.setdefault(t.step.code, t.step)
        elif t.role == Role.CLASS_TEACHER and t.class_id is not None:
            result.teacher_steps += 1
            teacher_classes.add(t.class_id)
            if t.step.code in PARENTS_MEETING_STEPS:
                meeting_classes.add(t.class_id)
    result.admin_steps = [s.short_title for s in sorted(admin.values(), key=_step_key)]
    result.head_steps = [s.short_title for s in sorted(head.values(), key=_step_key)]
    result.teacher_classes = len(teacher_classes)
    result.meeting_classes = len(meeting_classes)
    result.admin_missing = (
        bool(codes & mapped[Role.OO_ADMIN]) and Role.OO_ADMIN not in org.roles_held
    )
    result.head_missing = bool(codes & mapped[Role.OO_HEAD]) and Role.OO_HEAD not in org.roles_held
    if codes & mapped[Role.CLASS_TEACHER]:
        result.classes_without_teacher = sum(1 for _pk, _name, n in org.classes if not n)
        result.no_classes = not org.classes
    return result


def not_done_by_organization(red_codes: dict[int, set[str]]) -> dict[int, NotDone]:
    """{organisation id: NotDone} for the organisations given with their red indicator codes
    (those with none are left out of the answer): four queries, whatever their number, and the
    same four whether or not any of them is red."""
    data, mapped = _read(sorted(red_codes))
    return {pk: _not_done(data[pk], set(codes), mapped) for pk, codes in red_codes.items() if codes}
