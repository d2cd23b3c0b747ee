"""Daily reminders of overdue plan items, climbing a ladder that is data (``ReminderRung``).

An item is overdue as the matrix says (rollout.deadlines.deadline_state): a one-off item whose
last day has passed in the region's time zone and that is neither done nor «не требуется»
(a measured item: its measure is not met). An organisation's item tasks are created lazily, so
the overdue items of the organisations are derived from templates × organisations minus the
closed tasks, never from the task rows alone; the district's own (УО) items the same way from
templates × municipalities.

Each rung says how many days after the first overdue day whom to remind: the owner (for an
item of an ОО its администратор Сферум в ОО, for an item of the УО the районный ответственный),
the руководитель ОО, or the районный ответственный. ``Reminded`` keeps what each person was
reminded of (once per person and object), so each person gets at most one combined message a
day (kind "reminder", key the local date) holding only what is new to them.

Set-based: the queries depend on the number of items and rungs, never on the number of people
or organisations (a national registry of 70,000 ОО costs the same few dozen queries).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Exists, F, OuterRef
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.text import Truncator

from organizations.models import Membership, Municipality, Organization, Region, Role
from rollout import deadlines
from rollout.measures import measured_states
from rollout.models import CLOSED_STATUSES, PlanItemTemplate, Recurrence, Task
from sferum_portal.batches import batches
from sferum_portal.plurals import count_ru, plural_ru

from .models import Kind, Message, Reminded, ReminderRung, Whom
from .outbox import Draft, enqueue_many, site_url

CHUNK = 5000
# A message lists at most this many organisations; the rest are counted (the link shows all).
LIST_LIMIT = 30
# An item's title is cut to this many characters (the page has the full text).
TITLE_LIMIT = 150


@dataclass(frozen=True)
class Hit:
    """One new reminder: a person, an overdue item of an organisation (or of a district)."""

    user_id: int
    item_id: int
    organization_id: int | None
    municipality_id: int
    rung_id: int
    whom: str


@dataclass
class Run:
    """What one daily run found and queued."""

    people: int = 0
    reminders: int = 0
    queued: int = 0
    drafts: list[Draft] = field(default_factory=list)


def _not_reminded(user_ref: str, item: PlanItemTemplate, organization_ref: str | None, mo_ref):
    """An Exists() that is true when the person was already reminded of the object."""
    reminded = Reminded.objects.filter(user_id=OuterRef(user_ref), plan_item_id=item.pk)
    if organization_ref is None:
        reminded = reminded.filter(organization__isnull=True, municipality_id=OuterRef(mo_ref))
    else:
        reminded = reminded.filter(organization_id=OuterRef(organization_ref))
    return ~Exists(reminded)


def _organization_hits(
    item: PlanItemTemplate, rungs: list[ReminderRung], region_ids: list[int], states
) -> list[Hit]:
    """The new reminders of an organisation item overdue in these regions, rung by rung."""
    organizations = Organization.objects.filter(
        municipality__region_id__in=region_ids, is_active=True, org_type__in=item.org_types
    ).exclude(
        pk__in=Task.objects.filter(
            plan_item_id=item.pk, organization__isnull=False, status__in=CLOSED_STATUSES
        ).values("organization_id")
    )
    if item.indicator:
        # A measured item is closed by its measure, not by a tick.
        ids = list(organizations.values_list("pk", flat=True))
        states.update(measured_states([item], ids))
        open_ids = [i for i in ids if (s := states.get((item.pk, i))) is None or s.done is not True]
        targets = list(batches(open_ids, CHUNK))
    else:
        targets = [organizations.values("pk")]
    hits = []
    for rung in rungs:
        for target in targets:
            if rung.whom in (Whom.OWNER, Whom.HEAD):
                role = Role.OO_ADMIN if rung.whom == Whom.OWNER else Role.OO_HEAD
                rows = (
                    Membership.objects.filter(role=role, organization_id__in=target)
                    .filter(_not_reminded("user_id", item, "organization_id", None))
                    .values_list("user_id", "organization_id", "organization__municipality_id")
                )
            else:
                # The district leads of each overdue organisation's municipality.
                rows = (
                    Membership.objects.filter(role=Role.DISTRICT_LEAD)
                    .annotate(org=F("municipality__organizations__id"))
                    .filter(org__in=target)
                    .filter(_not_reminded("user_id", item, "org", None))
                    .values_list("user_id", "org", "municipality_id")
                )
            hits += [
                Hit(user_id, item.pk, org_id, mo_id, rung.pk, rung.whom)
                for user_id, org_id, mo_id in rows
            ]
    return hits


def _district_hits(
    item: PlanItemTemplate, rungs: list[ReminderRung], region_ids: list[int]
) -> list[Hit]:
    """The new reminders of a district (УО) item overdue in these regions: its owner is the
    district lead, and no head exists for it."""
    municipalities = Municipality.objects.filter(region_id__in=region_ids).exclude(
        pk__in=Task.objects.filter(
            plan_item_id=item.pk, municipality__isnull=False, status__in=CLOSED_STATUSES
        ).values("municipality_id")
    )
    hits = []
    for rung in rungs:
        if rung.whom == Whom.HEAD:
            continue
        rows = (
            Membership.objects.filter(role=Role.DISTRICT_LEAD, municipality__in=municipalities)
            .filter(_not_reminded("user_id", item, None, "municipality_id"))
            .values_list("user_id", "municipality_id")
        )
        hits += [Hit(user_id, item.pk, None, mo_id, rung.pk, rung.whom) for user_id, mo_id in rows]
    return hits


def overdue_items(today: dt.date) -> list[tuple[PlanItemTemplate, int]]:
    """The one-off items overdue on ``today`` and the days since the first overdue day."""
    items = PlanItemTemplate.objects.filter(
        is_active=True,
        plan__is_active=True,
        recurrence=Recurrence.NONE,
        deadline_date__isnull=False,
    ).order_by("order")
    return [
        (item, (today - item.deadline_date).days - 1)
        for item in items
        if deadlines.deadline_state(item, False, today) == "overdue"
    ]


def find_new(today_by_region: dict[int, dt.date] | None = None) -> dict[dt.date, list[Hit]]:
    """Per local date, the new reminders (one per person and object, the lowest rung kept)."""
    rungs = list(ReminderRung.objects.filter(is_active=True).order_by("days", "pk"))
    if today_by_region is None:
        today_by_region = {
            pk: deadlines.local_today(tz or "")
            for pk, tz in Region.objects.values_list("pk", "timezone")
        }
    regions_by_day: dict[dt.date, list[int]] = defaultdict(list)
    for region_id, today in today_by_region.items():
        regions_by_day[today].append(region_id)
    result: dict[dt.date, list[Hit]] = {}
    for today, region_ids in regions_by_day.items():
        hits: dict[tuple, Hit] = {}
        states: dict = {}
        for item, days in overdue_items(today):
            due = [r for r in rungs if r.days <= days]
            if not due:
                continue
            found = []
            if item.org_types:
                found += _organization_hits(item, due, region_ids, states)
            if item.for_district:
                found += _district_hits(item, due, region_ids)
            for hit in found:
                place = hit.organization_id or -hit.municipality_id
                hits.setdefault((hit.user_id, hit.item_id, place), hit)
        if hits:
            result[today] = list(hits.values())
    return result


# --- the messages ----------------------------------------------------------------------------


WHOM_NOTES = {
    Whom.OWNER: "",
    Whom.HEAD: "Вы получили это напоминание как руководитель ОО: пункты не выполнены в срок.",
    Whom.DISTRICT_LEAD: (
        "Вы получили это напоминание как районный ответственный: пункты ОО района не выполнены "
        "в срок, несмотря на напоминания администратору Сферум в ОО и руководителю ОО."
    ),
}


def _overdue_text(item: PlanItemTemplate, today: dt.date) -> str:
    days = (today - item.deadline_date).days
    return (
        f"срок {item.deadline_date:%d.%m.%Y}, просрочено на {count_ru(days, 'день', 'дня', 'дней')}"
    )


def _summary(ordered: list[PlanItemTemplate]) -> str:
    """A school's items in one line, for a message about several schools: "3 пункта: 1.5, 1.6,
    1.8 — срок 30.11.2025; 2.1 — срок 30.12.2025"."""
    by_deadline: dict[dt.date, list[str]] = defaultdict(list)
    for item in ordered:
        by_deadline[item.deadline_date].append(item.label)
    parts = [
        f"{', '.join(labels)} — срок {d:%d.%m.%Y}" for d, labels in sorted(by_deadline.items())
    ]
    return f"{count_ru(len(ordered), 'пункт', 'пункта', 'пунктов')}: {'; '.join(parts)}"


def _draft(user, hits: list[Hit], today: dt.date, items, organizations, municipalities) -> Draft:
    by_place: dict[tuple, list[Hit]] = defaultdict(list)
    for hit in hits:
        by_place[hit.organization_id or 0, hit.municipality_id].append(hit)
    places = []
    for (org_id, mo_id), group in sorted(
        by_place.items(),
        key=lambda p: (p[0][0] != 0, organizations.get(p[0][0], "") if p[0][0] else ""),
    ):
        municipality = municipalities[mo_id]
        if org_id:
            title = f"{organizations[org_id]} (МО «{municipality}»)"
            url = site_url(reverse("rollout:organization", args=[org_id]))
        else:
            title = f"План района: МО «{municipality}» (пункты УО)"
            url = site_url(reverse("rollout:district_deadlines", args=[mo_id, "overdue"]))
        ordered = [items[h.item_id] for h in sorted(group, key=lambda h: items[h.item_id].order)]
        lines = [
            {"label": i.label, "title": Truncator(i.title).chars(TITLE_LIMIT),
             "when": _overdue_text(i, today)}
            for i in ordered
        ]  # fmt: skip
        places.append(
            {"title": title, "url": url, "lines": lines, "summary": _summary(ordered),
             "compact": bool(org_id) and len(by_place) > 1}
        )  # fmt: skip
    shown, more = places[:LIST_LIMIT], len(places) - LIST_LIMIT
    count = len(hits)
    whom = min((h.whom for h in hits), key=list(Whom).index)
    municipality_ids = {h.municipality_id for h in hits}
    organization_ids = {h.organization_id for h in hits}
    if len(municipality_ids) == 1:
        [mo_id] = municipality_ids
        link = reverse("rollout:district_deadlines", args=[mo_id, "overdue"])
    else:
        mo_id, link = None, reverse("home")
    org_id = next(iter(organization_ids)) if len(organization_ids) == 1 else None
    if org_id and whom != Whom.DISTRICT_LEAD:
        link = reverse("rollout:organization", args=[org_id])
    overdue = count_ru(count, "просроченный пункт", "просроченных пункта", "просроченных пунктов")
    subject = f"Напоминание о сроках: {overdue} плана на {today:%d.%m.%Y}"
    context = {
        "user": user,
        "today": today,
        "places": shown,
        "more": more,
        "more_text": f"{more} {plural_ru(more, 'ОО', 'ОО', 'ОО')}" if more > 0 else "",
        "note": WHOM_NOTES[whom],
        "link": site_url(link),
        "count": count,
    }
    return Draft(
        user=user,
        kind=Kind.REMINDER,
        key=today.isoformat(),
        subject=subject,
        text=render_to_string("notify/reminder_email.txt", context).strip(),
        html=render_to_string("notify/reminder_email.html", context),
        link=link,
        municipality_id=mo_id,
        organization_id=org_id,
    )


def _names(model, ids: set[int], field_name: str) -> dict[int, str]:
    names = {}
    for chunk in batches(sorted(i for i in ids if i), CHUNK):
        names.update(model.objects.filter(pk__in=chunk).values_list("pk", field_name))
    return names


def reminders_build(today_by_region: dict[int, dt.date] | None = None, *, send: bool = True) -> Run:
    """Find what is new, record it (``Reminded``) and queue one message per person and day.

    A person who already has a reminder queued for the day keeps their new items for the next
    run (the outbox would not queue a second message with the same key)."""
    run = Run()
    User = get_user_model()
    with transaction.atomic():
        for today, hits in find_new(today_by_region).items():
            key = today.isoformat()
            already = set(
                Message.objects.filter(kind=Kind.REMINDER, key=key).values_list(
                    "user_id", flat=True
                )
            )
            hits = [h for h in hits if h.user_id not in already]
            if not hits:
                continue
            Reminded.objects.bulk_create(
                [
                    Reminded(
                        user_id=h.user_id, plan_item_id=h.item_id,
                        organization_id=h.organization_id, municipality_id=h.municipality_id,
                        rung_id=h.rung_id, reminded_on=today,
                    )
                    for h in hits
                ],
                batch_size=1000,
                ignore_conflicts=True,
            )  # fmt: skip
            items = PlanItemTemplate.objects.in_bulk({h.item_id for h in hits})
            organizations = _names(Organization, {h.organization_id for h in hits}, "short_name")
            municipalities = _names(Municipality, {h.municipality_id for h in hits}, "name")
            by_user: dict[int, list[Hit]] = defaultdict(list)
            for hit in hits:
                by_user[hit.user_id].append(hit)
            users = {}
            for chunk in batches(sorted(by_user), CHUNK):
                users.update(User.objects.in_bulk(chunk))
            drafts = [
                _draft(users[pk], group, today, items, organizations, municipalities)
                for pk, group in by_user.items()
                if pk in users
            ]
            run.people += len(drafts)
            run.reminders += len(hits)
            run.drafts += drafts
        run.queued = enqueue_many(run.drafts, send=send) if run.drafts else 0
    return run
