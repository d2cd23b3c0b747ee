"""The weekly digests: one message per person for a week, built for their roles and scopes, as
``notify.outbox.Draft`` rows that ``enqueue_many`` queues by the person's channels.

- regional coordinator: the region's rates against Stage 1 and Stage 2 with the change, the МО
  at the top and bottom of the league, МО without data, overdue УО items of the districts;
- district lead: the district's rates, the schools furthest from the target with the gap in
  people and their Sferum admin's phone, schools without data, the most improved, overdue items
  of the district and its schools, what is due this week, and the district table as xlsx;
- OO Sferum admin and head: the school's rates and gap in people, its overdue and due-this-week
  items, the person's unticked steps, the data flags with the advice;
- class teacher: their unticked steps, only when there are any.

A person with several roles gets one digest with a part per role. Every message names the week
and how complete its data is («данные по N из M ОО», a partial week said so) and links to the
page it summarises.

The build is set-based: memberships, weekly values, organisations, УО tasks and unticked steps
are read per region in a fixed number of queries, each district's checklist matrix
(``rollout.matrix.district_progress``) once, and every part of a region, district or school is
rendered once and shared by all who receive it. Scope: each part covers the scope object of the
membership it comes from (the region, the МО, the ОО, the teacher's own tasks), which lies
within ``organizations.selectors.scope_of`` of the person.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.html import escape

from monitoring.dashboards import (
    Coverage,
    LeagueRow,
    adequate,
    counted_types,
    furthest_from_target,
    improved_most,
    kpis_for,
)
from monitoring.exports import league_workbook
from monitoring.flags import flags_for, flags_grouped
from monitoring.models import (
    Target,
    WeeklyMunicipalityValue,
    WeeklyOrganizationValue,
    WeeklyRegionValue,
)
from monitoring.selectors import targets_in_force
from monitoring.templatetags.monitoring_tags import pct
from organizations.models import Membership, Municipality, Organization, Region, Role
from rollout import deadlines
from rollout.matrix import (
    OrganizationFigures,
    district_deadlines,
    district_progress,
    matrix_columns,
)
from rollout.models import CLOSED_STATUSES, Task
from rollout.rows import PlanBlock, TaskRow
from sferum_portal.numbers import group_digits
from sferum_portal.plurals import count_ru
from sferum_portal.weeks import iso_week_label, week_label
from sferum_portal.xlsx import workbook_bytes

from .models import Kind
from .outbox import Draft, site_url

DIGEST_ROLES = (
    Role.REGIONAL_COORDINATOR,
    Role.DISTRICT_LEAD,
    Role.OO_HEAD,
    Role.OO_ADMIN,
    Role.CLASS_TEACHER,
)
ROLE_ORDER = {role: i for i, role in enumerate(DIGEST_ROLES)}
HEADLINE = ("staff_activity", "students_parents_activity")
FURTHEST = 7  # schools furthest from the target in a district lead's digest (5–10)
IMPROVED = 3
LEAGUE_ENDS = 3  # МО at the top and at the bottom of the region's league
LIST_LIMIT = 10  # longer lists end with «и ещё N»
STEPS_LIMIT = 8
ITEMS_LIMIT = 5  # overdue and due items of a school
TITLE_LIMIT = 70
STEP_LIMIT = 90


# --- formatting ---------------------------------------------------------------------------------


def change_pp(value: Decimal | None) -> str:
    """A week's change in percentage points: «+1,2 п. п.», «−0,4 п. п.», «±0 п. п.»."""
    if value is None:
        return ""
    sign = "+" if value > 0 else ("−" if value < 0 else "±")
    return f"{sign}{pct(abs(value)).removesuffix(' %')} п. п."


def people(number: int, whom: tuple[str, str, str]) -> str:
    return count_ru(number, *whom)


def coverage_sentence(coverage: Coverage | None) -> str:
    if coverage is None:
        return "данных за эту неделю нет"
    text = (
        f"данные по {group_digits(coverage.with_data)} из "
        f"{count_ru(coverage.organizations, 'ОО', 'ОО', 'ОО')}"
    )
    if not coverage.adequate:
        text += " — неполные данные, неделя загружена не полностью"
    return text


@dataclass
class Rate:
    """One headline indicator as a digest line shows it."""

    label: str
    value: str
    change: str
    stage1: str
    stage2: str
    gap: str  # «ещё 12 сотрудников до 75 %» or ""
    reached: bool
    partial: bool


def _rate(kpi, partial: bool) -> Rate:
    gap = ""
    if kpi.gap_people and kpi.stage2 is not None:
        gap = f"ещё {people(kpi.gap_people, kpi.whom)} до {pct(kpi.stage2, 0)}"
    reached = not partial and kpi.gap_people == 0 and kpi.value is not None
    return Rate(
        label=kpi.label,
        value=pct(kpi.value),
        change=change_pp(kpi.change),
        stage1=pct(kpi.stage1) if kpi.stage1 is not None else "не задан",
        stage2=pct(kpi.stage2, 0) if kpi.stage2 is not None else "не задан",
        gap=gap,
        reached=reached,
        partial=partial,
    )


def _rates(kpis, partial: bool) -> list[Rate]:
    return [_rate(k, partial) for k in kpis if k.code in HEADLINE]


def short(title: str, limit: int = TITLE_LIMIT) -> str:
    """A plan item's or step's title on one line, cut to ``limit`` characters for a phone."""
    text = " ".join(title.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip(" ,;:") + "…"


def _more(items: list, limit: int = LIST_LIMIT) -> tuple[list, int]:
    return items[:limit], max(0, len(items) - limit)


# --- the parts ----------------------------------------------------------------------------------


@dataclass
class Part:
    """A rendered part of a digest (a region's, a district's, a school's, a person's steps)."""

    role: str
    title: str
    text: str
    html: str
    link: str
    municipality_id: int | None = None
    organization_id: int | None = None
    attachment_name: str = ""
    attachment: bytes = b""


def tidy_text(text: str) -> str:
    """A rendered text part without trailing spaces and without runs of empty lines."""
    lines, blank = [], False
    for line in text.strip().splitlines():
        line = line.rstrip()
        if not line and blank:
            continue
        blank = not line
        lines.append(line)
    return "\n".join(lines)


def tidy_html(html: str) -> str:
    """A rendered HTML part without the templates' indentation and empty lines (smaller rows
    in the outbox, the same page in a mail client)."""
    return "\n".join(line.strip() for line in html.splitlines() if line.strip())


def _render(name: str, context: dict) -> tuple[str, str]:
    return (
        tidy_text(render_to_string(f"notify/digest_{name}.txt", context)),
        tidy_html(render_to_string(f"notify/digest_{name}.html", context)),
    )


def _week_url(name: str, pk: int, week: dt.date | None) -> str:
    url = reverse(name, args=[pk])
    return site_url(f"{url}?week={iso_week_label(week)}" if week else url)


@dataclass
class AreaWeek:
    """An area's week: its weekly row, the row of the week before and the coverage."""

    row: object | None
    previous: object | None
    coverage: Coverage | None


def _area_week(rows: list, week: dt.date) -> AreaWeek:
    """``rows``: an area's weekly rows in week order; the coverage against its previous week with
    data, as the dashboards count it."""
    before = None
    for row in rows:
        if row.week_start >= week:
            break
        if row.organizations_with_data:
            before = row.organizations_with_data
    by_week = {r.week_start: r for r in rows}
    row = by_week.get(week)
    coverage = None
    if row is not None and row.organizations_with_data:
        coverage = Coverage(row.organizations_with_data, row.organizations, before)
    return AreaWeek(row, by_week.get(week - dt.timedelta(days=7)), coverage)


def latest_adequate_week(rows: list) -> dt.date | None:
    """The week a dashboard opens on: the latest whose coverage is adequate."""
    chosen, before = None, None
    for row in rows:
        if not row.organizations_with_data:
            continue
        if adequate(row.organizations_with_data, before):
            chosen = row.week_start
        before = row.organizations_with_data
    return chosen


@dataclass
class Counters:
    regions: int = 0
    districts: int = 0
    organizations: int = 0
    teachers_without_steps: int = 0


@dataclass
class Digest:
    draft: Draft
    roles: list[str]
    parts: list[Part] = field(default_factory=list)


class _RegionBuild:
    """Everything one region's digests need, read once (a fixed number of queries) and then
    the districts' matrices, once per district."""

    def __init__(self, region: Region, week: dt.date, memberships: list, targets, columns, today):
        self.region, self.week, self.today = region, week, today
        self.memberships = memberships
        self.in_force = targets_in_force(week, targets)
        self.columns = columns
        self.types = counted_types()
        self.cache: dict[tuple, Part | None] = {}
        self.progress: dict[int, object] = {}
        self.matrix_rows: dict[int, dict[int, object]] = {}
        region_rows = list(WeeklyRegionValue.objects.filter(region=region).order_by("week_start"))
        self.area = _area_week(region_rows, week)
        self.municipalities = {
            m.pk: m for m in Municipality.objects.filter(region=region).order_by("name")
        }
        mo_rows = defaultdict(list)
        for row in WeeklyMunicipalityValue.objects.filter(
            municipality__region=region, week_start__lte=week
        ).order_by("week_start"):
            mo_rows[row.municipality_id].append(row)
        self.mo_weeks = {pk: _area_week(mo_rows.get(pk, []), week) for pk in self.municipalities}
        needs_schools = any(m.role != Role.REGIONAL_COORDINATOR for m in memberships)
        self.organizations: dict[int, list[Organization]] = defaultdict(list)
        self.org_by_id: dict[int, Organization] = {}
        self.values: dict[int, object] = {}
        self.values_before: dict[int, object] = {}
        if needs_schools:
            for org in Organization.objects.filter(
                municipality__region=region, is_active=True
            ).order_by("short_name"):
                self.organizations[org.municipality_id].append(org)
                self.org_by_id[org.pk] = org
            for value in WeeklyOrganizationValue.objects.filter(
                organization__municipality__region=region,
                week_start__in=[week, week - dt.timedelta(days=7)],
            ):
                target = self.values if value.week_start == week else self.values_before
                target[value.organization_id] = value
        # The districts' own (УО) plan items, for the coordinator and the district leads.
        self.own_items: dict[int, list[TaskRow]] = defaultdict(list)
        for task in Task.objects.filter(
            municipality__region=region, plan_item__isnull=False, archived=False
        ).select_related("plan_item"):
            state = deadlines.deadline_state(task.plan_item, task.is_closed, today)
            self.own_items[task.municipality_id].append(
                TaskRow(task=task, deadline=deadlines.deadline_for(task.plan_item, today),
                        deadline_state=state)
            )  # fmt: skip
        for rows in self.own_items.values():
            rows.sort(key=lambda r: r.task.plan_item.order)
        # The Sferum admin of each school (their phone goes into the district lead's digest).
        self.admins: dict[int, object] = {}
        for m in memberships:
            if m.role == Role.OO_ADMIN and m.organization_id not in self.admins:
                self.admins[m.organization_id] = m.user
        # Unticked checklist steps of the recipients, by membership.
        self.open_steps: dict[int, list[Task]] = defaultdict(list)
        step_roles = (Role.OO_ADMIN, Role.OO_HEAD, Role.CLASS_TEACHER, Role.DISTRICT_LEAD)
        ids = [m.pk for m in memberships if m.role in step_roles]
        if ids:
            for task in (
                Task.objects.filter(membership_id__in=ids, archived=False, step__isnull=False)
                .exclude(status__in=list(CLOSED_STATUSES))
                .select_related("step")
                .order_by("class_name", "step__order")
            ):
                self.open_steps[task.membership_id].append(task)

    # --- shared pieces ---

    def _matrix(self, municipality_id: int):
        if municipality_id not in self.progress:
            self.progress[municipality_id] = district_progress(
                self.municipalities[municipality_id], today=self.today, columns=self.columns
            )
        return self.progress[municipality_id]

    def _matrix_row(self, org: Organization):
        if org.municipality_id not in self.matrix_rows:
            rows = self._matrix(org.municipality_id).rows
            self.matrix_rows[org.municipality_id] = {r.organization.pk: r for r in rows}
        return self.matrix_rows[org.municipality_id].get(org.pk)

    def _league(self, municipality_id: int) -> list[LeagueRow]:
        league = []
        for org in self.organizations.get(municipality_id, []):
            row = self.values.get(org.pk)
            kpis = kpis_for(row, self.values_before.get(org.pk), self.in_force, self.region.pk)
            league.append(
                LeagueRow(org.short_name, org.pk, row, {k.code: k for k in kpis},
                          {"org_type": org.get_org_type_display(), "organization": org,
                           "counted": org.org_type in self.types})
            )  # fmt: skip
        return league

    def _own(self, municipality_id: int, kind: str) -> list[dict]:
        return [
            {"label": r.task.plan_item.label, "title": short(r.task.plan_item.title),
             "deadline": f"{r.deadline:%d.%m.%Y}" if r.deadline else ""}
            for r in self.own_items.get(municipality_id, []) if r.deadline_state == kind
        ]  # fmt: skip

    def part(self, key: tuple, build) -> Part | None:
        if key not in self.cache:
            self.cache[key] = build()
        return self.cache[key]

    # --- the region ---

    def region_part(self) -> Part:
        area = self.area
        kpis = kpis_for(area.row, area.previous, self.in_force, self.region.pk)
        partial = area.coverage is None or not area.coverage.adequate
        league = []
        no_data = []
        overdue = []
        for pk, municipality in self.municipalities.items():
            mo = self.mo_weeks[pk]
            if mo.coverage is None:
                no_data.append(municipality.name)
            else:
                value = mo.row.staff_activity_pct
                if value is not None:
                    league.append((value, municipality.name, mo))
            own = self._own(pk, "overdue")
            if own:
                overdue.append({"name": municipality.name, "count": len(own),
                                "items": ", ".join(i["label"] for i in own)})  # fmt: skip
        league.sort(key=lambda t: (-t[0], t[1]))

        def line(value, name, mo):
            return {"name": name, "value": pct(value),
                    "change": change_pp(mo.row.staff_activity_change),
                    "partial": not mo.coverage.adequate}  # fmt: skip

        top = [line(*t) for t in league[:LEAGUE_ENDS]]
        bottom = [line(*t) for t in reversed(league[LEAGUE_ENDS:][-LEAGUE_ENDS:])]
        overdue.sort(key=lambda o: (-o["count"], o["name"]))
        no_data_shown, no_data_more = _more(no_data)
        overdue_shown, overdue_more = _more(overdue)
        row = area.row
        context = {
            "region": self.region,
            "coverage": coverage_sentence(area.coverage),
            "partial": partial,
            "rates": _rates(kpis, partial),
            "met_staff": group_digits(row.staff_stage2_met_count) if row else "",
            "met_sp": group_digits(row.students_parents_stage2_met_count) if row else "",
            "top": top,
            "bottom": bottom,
            "no_data": no_data_shown,
            "no_data_more": no_data_more,
            "no_data_count": count_ru(len(no_data), "МО", "МО", "МО"),
            "overdue": overdue_shown,
            "overdue_more": overdue_more,
            "overdue_total": count_ru(
                sum(o["count"] for o in overdue), "пункт", "пункта", "пунктов"
            ),
            "link": _week_url("monitoring:region_dashboard", self.region.pk, self.week),
        }
        text, html = _render("region", context)
        return Part(Role.REGIONAL_COORDINATOR, f"Субъект: {self.region.name}", text, html,
                    context["link"])  # fmt: skip

    # --- a district ---

    def district_part(self, municipality_id: int) -> Part:
        municipality = self.municipalities[municipality_id]
        mo = self.mo_weeks[municipality_id]
        partial = mo.coverage is None or not mo.coverage.adequate
        kpis = kpis_for(mo.row, mo.previous, self.in_force, self.region.pk)
        league = self._league(municipality_id)
        furthest = []
        for r in furthest_from_target(league, "staff_activity", FURTHEST):
            staff, sp = r.kpis["staff_activity"], r.kpis["students_parents_activity"]
            admin = self.admins.get(r.pk)
            furthest.append({
                "name": r.name,
                "value": pct(staff.value),
                "gap": people(staff.gap_people, staff.whom),
                "sp_gap": people(sp.gap_people, sp.whom) if sp.gap_people else "",
                "admin": admin.full_name if admin else "",
                "phone": (admin.phone if admin else "") or "",
                "tel": re.sub(r"[^\d+]", "", admin.phone) if admin and admin.phone else "",
            })  # fmt: skip
        improved = [
            {"name": r.name, "change": change_pp(r.kpis["staff_activity"].change),
             "value": pct(r.kpis["staff_activity"].value)}
            for r in improved_most(league, "staff_activity", IMPROVED)
        ]  # fmt: skip
        no_data = [r.name for r in league if r.value_row is None]
        no_data_shown, no_data_more = _more(no_data)
        progress = self._matrix(municipality_id)
        empty = PlanBlock("", "", [])
        lists = {}
        for kind in ("overdue", "week"):
            groups, _own = district_deadlines(progress, empty, kind=kind)
            groups = sorted(groups, key=lambda g: -len(g.organizations))  # the widest first
            lists[kind] = [
                {"label": g.column.label, "title": short(g.column.title),
                 "deadline": f"{g.deadline:%d.%m.%Y}" if g.deadline else "",
                 "count": count_ru(len(g.organizations), "ОО", "ОО", "ОО")}
                for g in groups
            ]  # fmt: skip
        own_overdue, own_week = (
            self._own(municipality_id, "overdue"),
            self._own(municipality_id, "week"),
        )
        attachment = b""
        if mo.row is not None:
            book = league_workbook(f"ОО {municipality.name}", "ОО", league, self.week)
            attachment = workbook_bytes(book)
        context = {
            "municipality": municipality,
            "coverage": coverage_sentence(mo.coverage),
            "partial": partial,
            "rates": _rates(kpis, partial),
            "furthest": furthest,
            "improved": improved,
            "no_data": no_data_shown,
            "no_data_more": no_data_more,
            "no_data_count": count_ru(len(no_data), "ОО", "ОО", "ОО"),
            "own_overdue": own_overdue[:ITEMS_LIMIT],
            "org_overdue": lists["overdue"][:ITEMS_LIMIT],
            "overdue_more": max(0, len(own_overdue) - ITEMS_LIMIT)
            + max(0, len(lists["overdue"]) - ITEMS_LIMIT),
            "overdue_total": count_ru(
                len(own_overdue) + progress.overdue_cells, "пункт", "пункта", "пунктов"
            ),
            "own_week": own_week[:ITEMS_LIMIT],
            "org_week": lists["week"][:ITEMS_LIMIT],
            "week_more": max(0, len(own_week) - ITEMS_LIMIT)
            + max(0, len(lists["week"]) - ITEMS_LIMIT),
            "link": site_url(
                reverse("portal:municipality_dashboard", args=[municipality_id])
                + f"?week={iso_week_label(self.week)}"
            ),
            "plan_link": site_url(reverse("rollout:district", args=[municipality_id])),
            "attached": bool(attachment),
        }
        text, html = _render("district", context)
        return Part(
            Role.DISTRICT_LEAD, f"МО: {municipality.name}", text, html, context["link"],
            municipality_id=municipality_id,
            attachment_name=(
                f"district-{municipality_id}-{iso_week_label(self.week)}.xlsx" if attachment else ""
            ),
            attachment=attachment,
        )  # fmt: skip

    # --- a school ---

    def organization_part(self, organization_id: int) -> Part | None:
        org = self.org_by_id.get(organization_id)
        if org is None:  # an inactive organisation: no figures to send
            return None
        value = self.values.get(org.pk)
        kpis = kpis_for(value, self.values_before.get(org.pk), self.in_force, self.region.pk)
        figures = None
        row = self._matrix_row(org)
        overdue, week_items = [], []
        if row is not None:
            figures = OrganizationFigures.of(self.columns[0], row)
            overdue = [
                {"label": i.label, "title": short(i.title),
                 "deadline": f"{i.deadline:%d.%m.%Y}" if i.deadline else ""}
                for i in figures.overdue_items
            ]  # fmt: skip
            week_items = [
                {"label": c.label, "title": short(c.title),
                 "deadline": f"{c.deadline:%d.%m.%Y}" if c.deadline else ""}
                for c, cell in zip(self.columns[0], row.cells, strict=True) if cell.due_week
            ]  # fmt: skip
        mo = self.mo_weeks[org.municipality_id]
        flags = [
            {"titles": "; ".join(f.title for f in g.flags), "advice": g.advice}
            for g in flags_grouped(flags_for(value))
        ]
        context = {
            "organization": org,
            "has_data": value is not None,
            "snapshot_date": f"{value.snapshot_date:%d.%m.%Y}" if value else "",
            "district_coverage": coverage_sentence(mo.coverage),
            "partial": value is None,
            "rates": _rates(kpis, value is None),
            "overdue": overdue[:ITEMS_LIMIT],
            "overdue_more": max(0, len(overdue) - ITEMS_LIMIT),
            "overdue_count": count_ru(len(overdue), "пункт", "пункта", "пунктов"),
            "week_items": week_items[:ITEMS_LIMIT],
            "week_more": max(0, len(week_items) - ITEMS_LIMIT),
            "percent": figures.percent if figures else None,
            "flags": flags,
            "link": _week_url("monitoring:organization_dashboard", org.pk, self.week),
            "steps_link": site_url(reverse("rollout:my_steps")),
        }
        text, html = _render("organization", context)
        return Part(Role.OO_ADMIN, f"ОО: {org.short_name}", text, html, context["link"],
                    municipality_id=org.municipality_id, organization_id=org.pk)  # fmt: skip

    # --- a person's unticked steps ---

    def steps_part(self, membership) -> Part | None:
        tasks = self.open_steps.get(membership.pk, [])
        if not tasks:
            return None
        shown, more = _more(tasks, STEPS_LIMIT)
        context = {
            "role": membership.get_role_display(),
            "where": str(membership.scope_object),
            "count": count_ru(len(tasks), "шаг", "шага", "шагов"),
            "steps": [
                {"title": short(t.step.title, STEP_LIMIT), "class_name": t.class_name}
                for t in shown
            ],
            "more": more,
            "link": site_url(reverse("rollout:my_steps")),
        }
        text, html = _render("steps", context)
        return Part(membership.role, "Мои шаги", text, html, context["link"],
                    organization_id=membership.organization_id,
                    municipality_id=membership.municipality_id)  # fmt: skip

    def parts_for(self, membership) -> list[Part]:
        role = membership.role
        parts: list[Part | None] = []
        if role == Role.REGIONAL_COORDINATOR:
            parts.append(self.part(("region",), self.region_part))
        elif role == Role.DISTRICT_LEAD:
            pk = membership.municipality_id
            parts.append(self.part(("district", pk), lambda: self.district_part(pk)))
            parts.append(self.steps_part(membership))
        elif role in (Role.OO_ADMIN, Role.OO_HEAD):
            pk = membership.organization_id
            parts.append(self.part(("organization", pk), lambda: self.organization_part(pk)))
            parts.append(self.steps_part(membership))
        elif role == Role.CLASS_TEACHER:
            parts.append(self.steps_part(membership))
        return [p for p in parts if p is not None]


def _memberships(region_ids) -> list[Membership]:
    """Every digest role's membership in the regions, with the person (one query)."""
    where = (
        Q(region_id__in=region_ids)
        | Q(municipality__region_id__in=region_ids)
        | Q(organization__municipality__region_id__in=region_ids)
    )
    return list(
        Membership.objects.filter(where, role__in=DIGEST_ROLES, user__is_active=True)
        .select_related("user", "region", "municipality", "organization__municipality")
        .order_by("user_id", "pk")
    )


def _region_of(m: Membership) -> int:
    if m.region_id:
        return m.region_id
    if m.municipality_id:
        return m.municipality.region_id
    return m.organization.municipality.region_id


NAME_SLOT = "\x00name\x00"  # where the person's name goes into a header rendered once


def _header(week: dt.date, roles: tuple[str, ...], cache: dict) -> tuple[str, str]:
    """The greeting and the week, rendered once per week and set of roles (the name is put in
    afterwards: rendering a template per person would dominate a national build)."""
    key = (week, roles)
    if key not in cache:
        context = {"week": week_label(week), "roles": roles, "name": NAME_SLOT}
        cache[key] = (
            tidy_text(render_to_string("notify/digest_header.txt", context)),
            render_to_string("notify/digest_header.html", context).strip(),
        )
    return cache[key]


def _compose(user, parts: list[Part], roles: list[str], week: dt.date, cache: dict) -> Digest:
    key = iso_week_label(week)
    subject = f"Сферум → МАХ: сводка за неделю {week_label(week)}"
    text_header, html_header = _header(week, tuple(roles), cache)
    name = user.get_short_name()
    text = "\n\n".join([text_header.replace(NAME_SLOT, name), *(p.text for p in parts)])
    html = "\n".join([html_header.replace(NAME_SLOT, escape(name)), *(p.html for p in parts)])
    first = parts[0]
    attached = next((p for p in parts if p.attachment), None)
    draft = Draft(
        user=user, kind=Kind.DIGEST, key=key, subject=subject, text=text, html=html,
        link=first.link, attachment_name=attached.attachment_name if attached else "",
        attachment=attached.attachment if attached else b"",
        municipality_id=next((p.municipality_id for p in parts if p.municipality_id), None),
        organization_id=next((p.organization_id for p in parts if p.organization_id), None),
    )  # fmt: skip
    return Digest(draft, roles, parts)


def region_weeks(region_ids, week: dt.date | None) -> dict[int, dt.date | None]:
    """The week of each region's digests: the one asked for, else the region's latest week
    with adequate data, as its dashboard opens (one query)."""
    if week is not None:
        return dict.fromkeys(region_ids, week)
    rows = defaultdict(list)
    for row in WeeklyRegionValue.objects.filter(region_id__in=region_ids).order_by("week_start"):
        rows[row.region_id].append(row)
    return {pk: latest_adequate_week(rows.get(pk, [])) for pk in region_ids}


def build_digests(
    *, week: dt.date | None = None, region_ids=None, counters: Counters | None = None
) -> list[Digest]:
    """The digests of every person in a digest role in the regions (all by default) for
    ``week`` (by default each region's latest adequate week)."""
    counters = counters if counters is not None else Counters()
    regions = Region.objects.all()
    if region_ids is not None:
        regions = regions.filter(pk__in=list(region_ids))
    regions = {r.pk: r for r in regions.order_by("name")}
    chosen = region_weeks(list(regions), week)
    memberships = _memberships([pk for pk, w in chosen.items() if w is not None])
    by_region: dict[int, list[Membership]] = defaultdict(list)
    for m in memberships:
        by_region[_region_of(m)].append(m)
    targets = list(Target.objects.all())
    columns = matrix_columns() if memberships else None
    person_parts: dict[int, list[tuple[int, Part, str]]] = defaultdict(list)
    users = {}
    part_week: dict[int, dt.date] = {}
    for region_id, members in by_region.items():
        region = regions[region_id]
        today = deadlines.local_today(region.timezone)
        build = _RegionBuild(region, chosen[region_id], members, targets, columns, today)
        counters.regions += 1
        for m in members:
            users[m.user_id] = m.user
            for part in build.parts_for(m):
                part_week[id(part)] = chosen[region_id]
                person_parts[m.user_id].append((ROLE_ORDER[m.role], part, m.get_role_display()))
            if m.role == Role.CLASS_TEACHER and not build.open_steps.get(m.pk):
                counters.teachers_without_steps += 1
        counters.districts += len(build.progress)
        counters.organizations += sum(1 for k in build.cache if k[0] == "organization")
    digests, headers = [], {}
    for user_id, entries in person_parts.items():
        entries.sort(key=lambda e: e[0])
        parts, roles, seen = [], [], set()
        for _order, part, role in entries:
            if id(part) in seen:  # an admin who is also the head: the school once
                continue
            seen.add(id(part))
            parts.append(part)
            if role not in roles:
                roles.append(role)
        digest = _compose(users[user_id], parts, roles, part_week[id(parts[0])], headers)
        digests.append((entries[0][0], users[user_id].full_name, user_id, digest))
    digests.sort(key=lambda e: e[:3])  # coordinators first, then district leads, …
    return [e[3] for e in digests]
