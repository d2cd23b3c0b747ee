"""«Напомнить»: a district lead (or the region's coordinator) sends a lagging organisation's
Sferum admin and head a message now, about the organisation's overdue plan items or about one
item. Throttled per organisation (setting ``NOTIFY_NUDGE_INTERVAL_HOURS``, 24 h by default);
the outbox rows (kind "nudge", ``sent_by`` the sender) are the log.

The button (templates/notify/_nudge_button.html) is drawn by the ``notify_tags`` template tags,
which read the last nudge of every organisation on a page in one query.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.db.models import Max
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from organizations.models import Organization, Role
from organizations.permissions import leads_municipality, require
from organizations.selectors import get_visible_or_404, organizations_visible_to, scope_of
from rollout.models import PlanItemTemplate
from rollout.summaries import district_summary
from sferum_portal.params import param_int
from sferum_portal.plurals import count_ru

from .models import Kind, Message
from .outbox import Draft, enqueue_many, site_url


def interval() -> dt.timedelta:
    return dt.timedelta(hours=getattr(settings, "NOTIFY_NUDGE_INTERVAL_HOURS", 24))


def local_zone(region) -> ZoneInfo:
    try:
        return ZoneInfo((region.timezone if region else "") or settings.TIME_ZONE)
    except (KeyError, ValueError):
        return ZoneInfo(settings.TIME_ZONE)


def when_text(moment: dt.datetime, zone: ZoneInfo) -> str:
    """«02.12.2026 в 10:15» in the region's time."""
    local = moment.astimezone(zone)
    return f"{local:%d.%m.%Y} в {local:%H:%M}"


def last_nudges(organization_ids: Iterable[int]) -> dict[int, dt.datetime]:
    """Organisation id -> its last nudge within the throttle interval (one query)."""
    ids = list(dict.fromkeys(i for i in organization_ids if i))
    if not ids:
        return {}
    rows = (
        Message.objects.filter(
            kind=Kind.NUDGE, organization_id__in=ids, created_at__gte=timezone.now() - interval()
        )
        .order_by()
        .values("organization_id")
        .annotate(last=Max("created_at"))
        .values_list("organization_id", "last")
    )
    return dict(rows)


@dataclass
class Nudge:
    queued: int = 0
    recipients: int = 0
    throttled_at: dt.datetime | None = None


def sender_title(user, organization: Organization) -> str:
    if scope_of(user).holds(Role.DISTRICT_LEAD, municipality=organization.municipality_id):
        return "Районный ответственный"
    if scope_of(user).holds(Role.REGIONAL_COORDINATOR, region=organization.municipality.region_id):
        return "Региональный координатор"
    return "Администратор портала"


def _text(sender, organization: Organization, items: list, title: str) -> tuple[str, str]:
    municipality = organization.municipality
    subject = f"Напоминание от УО: {organization.short_name}"
    lines = [
        "Здравствуйте!",
        "",
        f"{title} {sender.full_name} (МО «{municipality.name}») напоминает о переходе Сферум "
        f"в МАХ в {organization.short_name}.",
    ]
    if items:
        lines += ["", "Просроченные пункты плана мероприятий:"]
        for label, item_title, deadline in items:
            when = f" (срок {deadline:%d.%m.%Y})" if deadline else ""
            lines.append(f"  • {label} {item_title}{when}")
    else:
        lines += ["", "Проверьте, пожалуйста, шаги чек-листов и активность в МАХ."]
    lines += [
        "",
        "Ход внедрения ОО: " + site_url(reverse("rollout:organization", args=[organization.pk])),
    ]
    contacts = ", ".join(c for c in (sender.email, sender.phone) if c)
    if contacts:
        lines.append(f"Связаться: {contacts}")
    return subject, "\n".join(lines)


def nudge_send(sender, organization: Organization, *, item: PlanItemTemplate | None = None):
    """Queue the nudge to the organisation's Sferum admins and heads, unless one went within the
    interval (``throttled_at`` then says when). The organisation's row is locked meanwhile, so
    two clicks at once send one nudge."""
    with transaction.atomic():
        Organization.objects.select_for_update().filter(pk=organization.pk).first()
        last = last_nudges([organization.pk]).get(organization.pk)
        if last is not None:
            return Nudge(throttled_at=last)
        if item is not None:
            items = [(item.label, item.title, item.deadline_date)]
        else:
            figures = district_summary(organization.municipality).per_organization.get(
                organization.pk
            )
            items = [
                (i.label, i.title, i.deadline) for i in (figures.overdue_items if figures else ())
            ]
        recipients = list(
            get_user_model()
            .objects.filter(
                memberships__organization=organization,
                memberships__role__in=[Role.OO_ADMIN, Role.OO_HEAD],
                is_active=True,
            )
            .distinct()
        )
        subject, text = _text(sender, organization, items, sender_title(sender, organization))
        now = timezone.now()
        key = f"org{organization.pk}-{f'item{item.pk}' if item else 'all'}-{now:%Y%m%dT%H%M%S%f}"
        drafts = [
            Draft(
                user=user, kind=Kind.NUDGE, key=key, subject=subject, text=text,
                link=reverse("rollout:organization", args=[organization.pk]),
                municipality_id=organization.municipality_id, organization_id=organization.pk,
                sent_by_id=sender.pk,
            )
            for user in recipients
        ]  # fmt: skip
        queued = enqueue_many(drafts) if drafts else 0
    return Nudge(queued=queued, recipients=len(recipients))


def _back(request, organization: Organization) -> str:
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return reverse("portal:municipality_dashboard", args=[organization.municipality_id])


@login_required
@require_POST
def nudge(request, pk: int):
    """POST «Напомнить» for an organisation (``item``: one of its plan items)."""
    organization = get_visible_or_404(
        organizations_visible_to(request.user).select_related("municipality__region"), pk=pk
    )
    require(
        leads_municipality(request.user, organization.municipality),
        "Напоминать ОО может районный ответственный или региональный координатор.",
    )
    item = None
    if (item_id := param_int(request.POST, "item")) is not None:
        item = PlanItemTemplate.objects.filter(pk=item_id, is_active=True).first()
        if item is not None and organization.org_type not in item.org_types:
            item = None  # not an item of this organisation: nudge about all of them
    result = nudge_send(request.user, organization, item=item)
    zone = local_zone(organization.municipality.region)
    hours = int(interval().total_seconds() // 3600)
    if result.throttled_at is not None:
        messages.info(
            request,
            f"{organization.short_name}: уже напомнили {when_text(result.throttled_at, zone)}; "
            f"снова — не раньше чем через {count_ru(hours, 'час', 'часа', 'часов')} после этого.",
        )
    elif result.queued:
        messages.success(request, f"Напоминание отправлено: {organization.short_name}.")
    else:
        messages.warning(
            request,
            f"{organization.short_name}: некому отправить — у ОО нет администратора Сферум "
            "и руководителя с электронной почтой или привязанным МАХ.",
        )
    return redirect(_back(request, organization))
