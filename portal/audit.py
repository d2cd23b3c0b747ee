"""«Журнал изменений»: who changed what and when, within a person's scope.

The history itself is django-simple-history's (``history = History(...)`` on the audited models).
This module reads it for one municipality or one region: every source is a history table
filtered to the area and to what the viewer may see (organizations.selectors,
monitoring.selectors.uploads_visible_to, rollout.selectors.tasks_visible_to); the sources are
merged newest first in one UNION query that the page paginates, and only the page's rows are
then read in full, a few queries per kind of entry, however many entries there are.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import CharField, Model, OuterRef, Q, QuerySet, Subquery, Value
from django.urls import reverse
from django.utils import timezone

from monitoring.models import IndicatorRule, Target, Upload
from monitoring.selectors import uploads_visible_to
from organizations import selectors
from organizations.models import (
    Membership,
    Municipality,
    Organization,
    Region,
    Role,
    SchoolClass,
    User,
)
from rollout.models import Task
from rollout.selectors import tasks_visible_to

ACTIONS = {"+": "создано", "~": "изменено", "-": "удалено"}
PERSON_FIELDS = ("last_name", "first_name", "patronymic", "email", "phone", "is_active")


@dataclass(frozen=True)
class Kind:
    label: str
    model: type[Model]
    # Fields shown in "было → стало" (None: every tracked editable field).
    fields: tuple[str, ...] | None = None
    # Created in bulk without a history row, always with the model's defaults (a task: the
    # rollout sync creates it not started): a first change is shown against the defaults.
    born_default: bool = False


KINDS: dict[str, Kind] = {
    "organization": Kind("ОО", Organization),
    "class": Kind("Класс / группа", SchoolClass),
    "membership": Kind("Роль", Membership),
    "person": Kind("Контакты человека", User, PERSON_FIELDS),
    "task": Kind("Чек-лист и план", Task, born_default=True),
    "upload": Kind("Загрузка статистики", Upload),
    "municipality": Kind("МО", Municipality),
    "region": Kind("Субъект РФ", Region),
    "target": Kind("Целевой показатель", Target),
    "rule": Kind("Правило показателя", IndicatorRule),
}


@dataclass
class Change:
    field: str
    old: str
    new: str


@dataclass
class Entry:
    when: dt.datetime
    who: str
    action: str
    kind: str
    kind_label: str
    object_label: str
    url: str = ""
    changes: list[Change] = field(default_factory=list)
    # A change whose earlier state was recorded before the history began.
    earlier_unknown: bool = False
    # Why, where the writer said (an import: «загрузка статистики № 12 «file.xlsx»»).
    reason: str = ""


@dataclass(frozen=True)
class Area:
    """What a log covers: some municipalities (ids, as the viewer sees them) of one region."""

    region: Region
    municipality_ids: tuple[int, ...]
    whole_region: bool


def municipality_area(municipality: Municipality) -> Area:
    return Area(municipality.region, (municipality.pk,), whole_region=False)


def region_area(user, region: Region) -> Area:
    ids = selectors.municipalities_visible_to(user).filter(region=region).values_list("pk")
    return Area(region, tuple(pk for (pk,) in ids), whole_region=True)


def _history(model: type[Model]) -> QuerySet:
    return model.history.model.objects.all()


def sources(user, area: Area) -> dict[str, QuerySet]:
    """Per kind, the history rows of the area that the viewer may see."""
    m_ids = area.municipality_ids
    organizations = selectors.organizations_visible_to(user).filter(municipality_id__in=m_ids)
    people = Q(organization__in=organizations) | Q(municipality_id__in=m_ids)
    if area.whole_region:
        people |= Q(region=area.region)
    tasks = tasks_visible_to(user).filter(
        Q(organization__in=organizations) | Q(municipality_id__in=m_ids)
    )
    uploads = uploads_visible_to(user).filter(
        Q(municipalities__in=m_ids) | Q(uploaded_by=user.pk, municipalities=None)
    )
    found = {
        "organization": _history(Organization).filter(municipality_id__in=m_ids),
        "class": _history(SchoolClass).filter(organization__in=organizations),
        "membership": _history(Membership).filter(people),
        "person": _history(User).filter(id__in=Membership.objects.filter(people).values("user_id")),
        "task": _history(Task).filter(id__in=tasks.values("pk")),
        "upload": _history(Upload).filter(id__in=uploads.values("pk")),
        "municipality": _history(Municipality).filter(id__in=m_ids),
        "target": _history(Target).filter(Q(region=area.region) | Q(region__isnull=True)),
        "rule": _history(IndicatorRule).all(),
    }
    if area.whole_region:
        found["region"] = _history(Region).filter(id=area.region.pk)
    return found


def kinds_for(area: Area) -> list[tuple[str, str]]:
    """The kinds a log of this area can show, as (key, label) choices."""
    return [(k, kind.label) for k, kind in KINDS.items() if k != "region" or area.whole_region]


def log_rows(
    user,
    area: Area,
    *,
    kind: str = "",
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
) -> QuerySet:
    """(kind, history_id, history_date) of every entry, newest first: one UNION query."""
    tz = timezone.get_current_timezone()
    parts = []
    for key, rows in sources(user, area).items():
        if kind and key != kind:
            continue
        if date_from:
            rows = rows.filter(history_date__gte=dt.datetime.combine(date_from, dt.time(), tz))
        if date_to:
            end = dt.datetime.combine(date_to + dt.timedelta(days=1), dt.time(), tz)
            rows = rows.filter(history_date__lt=end)
        parts.append(
            rows.order_by()
            .annotate(kind=Value(key, output_field=CharField()))
            .values_list("kind", "history_id", "history_date")
        )
    if not parts:
        return _history(Region).none().values_list("history_id")
    first, *rest = parts
    return first.union(*rest, all=True).order_by("-history_date", "-history_id")


# --- the page's entries, read in full --------------------------------------------------------

_RELATED = {
    "class": ("organization",),
    "membership": ("user", "region", "municipality", "organization"),
    "target": ("region",),
}


def _with_previous(rows: QuerySet) -> QuerySet:
    """Annotate each history row with the history_id of the same object's previous row."""
    previous = (
        rows.model.objects.filter(id=OuterRef("id"))
        .filter(
            Q(history_date__lt=OuterRef("history_date"))
            | Q(history_date=OuterRef("history_date"), history_id__lt=OuterRef("history_id"))
        )
        .order_by("-history_date", "-history_id")
        .values("history_id")[:1]
    )
    return rows.annotate(previous_id=Subquery(previous))


def _person_name(row) -> str:
    parts = [row.last_name, row.first_name, row.patronymic]
    return " ".join(p for p in parts if p) or row.username


def _who(row) -> str:
    user = row.history_user
    return user.full_name if user is not None else "система"


def _plain(value) -> str:
    if value is None or value == "" or value == []:
        return "—"
    if isinstance(value, bool):
        return "да" if value else "нет"
    if isinstance(value, dt.datetime):
        return f"{timezone.localtime(value):%d.%m.%Y %H:%M}"
    if isinstance(value, dt.date):
        return f"{value:%d.%m.%Y}"
    if isinstance(value, Decimal):
        return f"{value.normalize():f}"
    if isinstance(value, list | tuple):
        return ", ".join(str(v) for v in value)
    return str(value)


class _Names:
    """Names of the objects the page's foreign keys point at: one query per related model."""

    def __init__(self):
        self.wanted: dict[type[Model], set] = defaultdict(set)
        self.found: dict[tuple[type[Model], object], str] = {}

    def want(self, model, pk) -> None:
        if pk is not None:
            self.wanted[model].add(pk)

    def load(self) -> None:
        for model, pks in self.wanted.items():
            for obj in model.objects.filter(pk__in=pks):
                self.found[(model, obj.pk)] = str(obj)

    def name(self, model, pk) -> str:
        if pk is None:
            return "—"
        return self.found.get((model, pk), f"№ {pk} (удалён)")


def _display(model_field, value, names: _Names) -> str:
    if model_field.is_relation:
        return names.name(model_field.related_model, value)
    if model_field.choices and not isinstance(value, list):
        return str(dict(model_field.flatchoices).get(value, _plain(value)))
    return _plain(value)


def _label(key: str, row, live: dict) -> tuple[str, str]:
    """The object's name as the entry shows it, and a link to its page where it has one."""
    if key == "organization":
        return row.short_name, reverse("organizations:organization", args=[row.id])
    if key == "class":
        where = row.organization.short_name if row.organization else "ОО удалена"
        return f"{row.name} ({where})", ""
    if key == "membership":
        who = _person_name(row.user) if row.user else "человек удалён"
        place = row.organization or row.municipality or row.region
        role = dict(Role.choices).get(row.role, row.role)
        return f"{who} — {role} ({place or '—'})", ""
    if key == "person":
        return _person_name(row), ""
    if key == "task":
        task = live.get(row.id)
        name = str(task) if task else f"задача № {row.id}"
        if task and task.user_id and task.step_id:
            name = f"{name} · {task.user.full_name}"
        return name, reverse("rollout:task", args=[row.id]) if task else ""
    if key == "upload":
        upload = live.get(row.id)
        name = f"«{upload.file_name}»" if upload else f"загрузка № {row.id}"
        return name, reverse("monitoring:upload", args=[row.id]) if upload else ""
    if key == "target":
        indicator = dict(Target._meta.get_field("indicator").flatchoices).get(row.indicator)
        where = row.region.name if row.region else "все регионы"
        return f"{indicator}, этап {row.stage} ({where}), с {row.effective_from:%d.%m.%Y}", ""
    if key == "rule":
        return str(dict(IndicatorRule._meta.get_field("indicator").flatchoices)[row.indicator]), ""
    return getattr(row, "name", str(row.id)), ""


def _defaults(row):
    """An unsaved history row holding the model's defaults: the state before a first change."""
    fields = {f.attname: f.get_default() for f in row.tracked_fields if not f.primary_key}
    return type(row)(id=row.id, **fields)


def _live(key: str, ids: set[int]) -> dict:
    if key == "task":
        tasks = Task.objects.filter(pk__in=ids).select_related(
            "step", "plan_item", "organization", "municipality", "user"
        )
        return {t.pk: t for t in tasks}
    if key == "upload":
        return {u.pk: u for u in Upload.objects.filter(pk__in=ids).only("pk", "file_name")}
    return {}


def entries(page_rows) -> list[Entry]:
    """The entries of one page of ``log_rows``: a fixed number of queries per kind."""
    by_kind: dict[str, list[int]] = defaultdict(list)
    for key, history_id, _date in page_rows:
        by_kind[key].append(history_id)
    rows, previous, live = {}, {}, {}
    for key, ids in by_kind.items():
        model = KINDS[key].model.history.model
        found = _with_previous(
            model.objects.filter(history_id__in=ids).select_related(
                "history_user", *_RELATED.get(key, ())
            )
        )
        for row in found:
            rows[(key, row.history_id)] = row
        earlier_ids = [r.previous_id for (k, _), r in rows.items() if k == key and r.previous_id]
        for row in model.objects.filter(history_id__in=earlier_ids):
            previous[(key, row.history_id)] = row
        live[key] = _live(key, {r.id for (k, _), r in rows.items() if k == key})

    names = _Names()
    deltas = {}
    for (key, history_id), row in rows.items():
        before = previous.get((key, row.previous_id)) if row.previous_id else None
        if before is None and KINDS[key].born_default:
            before = _defaults(row)
        if row.history_type != "~" or before is None:
            continue
        delta = row.diff_against(before, included_fields=KINDS[key].fields)
        deltas[(key, history_id)] = delta
        for change in delta.changes:
            model_field = row._meta.get_field(change.field)
            if model_field.is_relation:
                names.want(model_field.related_model, change.old)
                names.want(model_field.related_model, change.new)
    names.load()

    result = []
    for key, history_id, _date in page_rows:
        row = rows.get((key, history_id))
        if row is None:  # gone between the two queries
            continue
        label, url = _label(key, row, live[key])
        entry = Entry(
            when=row.history_date,
            who=_who(row),
            action=ACTIONS.get(row.history_type, row.history_type),
            kind=key,
            kind_label=KINDS[key].label,
            object_label=label,
            url=url if row.history_type != "-" else "",
            reason=row.history_change_reason or "",
        )
        delta = deltas.get((key, history_id))
        if delta is not None:
            # In the model's field order (status before comment), not simple-history's A–Z.
            order = {f.name: i for i, f in enumerate(row._meta.fields)}
            for change in sorted(delta.changes, key=lambda c: order.get(c.field, 0)):
                model_field = row._meta.get_field(change.field)
                entry.changes.append(
                    Change(
                        field=str(model_field.verbose_name),
                        old=_display(model_field, change.old, names),
                        new=_display(model_field, change.new, names),
                    )
                )
        elif row.history_type == "~":
            entry.earlier_unknown = True
        result.append(entry)
    return result
