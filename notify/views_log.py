"""«Рассылки»: what the portal sent to whom and when, by which channel, and what failed.

A district lead sees the messages of their district (those about it, and those about no place
to people whose roles lie in it); the region's coordinator the same for any district of the
region, and the region's page. Anyone else who sees the place gets 403; outside the scope, 404.
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Exists, OuterRef, Q
from django.shortcuts import render

from organizations.models import Membership, Role
from organizations.permissions import leads_municipality, require
from organizations.selectors import (
    get_visible_or_404,
    municipalities_visible_to,
    regions_visible_to,
    scope_of,
)
from sferum_portal import params

from .models import Channel, Kind, Message, MessageStatus

PER_PAGE = 50
# A message about a place is listed where that place is; only one about no place (a person's
# own combined reminders) is listed by the recipient's roles, so a person with roles in two
# regions does not show one region's messages in the other's log.
_NO_PLACE = Q(municipality__isnull=True, organization__isnull=True)

# Errors as the senders raise them (SMTP, sockets, the MAX client) -> what they mean.
ERRORS_RU = (
    ("ConnectionRefusedError", "почтовый сервер недоступен (соединение отклонено)"),
    ("SMTPRecipientsRefused", "почтовый сервер не принял адрес получателя"),
    ("SMTPSenderRefused", "почтовый сервер не принял адрес отправителя"),
    ("SMTPAuthenticationError", "почтовый сервер не принял логин или пароль"),
    ("SMTPServerDisconnected", "почтовый сервер разорвал соединение"),
    ("SMTPDataError", "почтовый сервер отказался принять письмо"),
    ("SMTP", "ошибка почтового сервера"),
    ("TimeoutError", "нет ответа от сервера (время ожидания истекло)"),
    ("timed out", "нет ответа от сервера (время ожидания истекло)"),
    ("gaierror", "имя почтового сервера не найдено"),
    ("OSError", "сетевая ошибка"),
)


def error_ru(text: str) -> str:
    """The last error, in Russian: the senders' own Russian messages as they are, known
    technical ones explained; the original stays beside it on the page."""
    if not text:
        return ""
    for marker, meaning in ERRORS_RU:
        if marker in text:
            return meaning
    if any("а" <= ch.lower() <= "я" for ch in text):
        return text
    return "ошибка при отправке"


def _messages_page(request, messages, context: dict):
    kind = params.param_choice(request.GET, "kind", Kind.values)
    status = params.param_choice(request.GET, "status", MessageStatus.values)
    channel = params.param_choice(request.GET, "channel", Channel.values)
    if kind:
        messages = messages.filter(kind=kind)
    if status:
        messages = messages.filter(status=status)
    if channel:
        messages = messages.filter(channel=channel)
    messages = messages.select_related("user", "sent_by", "organization").defer(
        "html", "text", "attachment"
    )
    page = Paginator(messages.order_by("-created_at", "-pk"), PER_PAGE).get_page(
        params.param_int(request.GET, "page")
    )
    query = request.GET.copy()
    query.pop("page", None)
    rows = [(m, error_ru(m.last_error)) for m in page.object_list]
    return render(
        request,
        "notify/log.html",
        {
            **context,
            "page": page,
            "rows": rows,
            "kinds": Kind.choices,
            "statuses": MessageStatus.choices,
            "channels": Channel.choices,
            "values": {"kind": kind, "status": status, "channel": channel},
            "filtered": bool(kind or status or channel),
            "query": query.urlencode(),
        },
    )


@login_required
def municipality_log(request, pk: int):
    municipality = get_visible_or_404(
        municipalities_visible_to(request.user).select_related("region"), pk=pk
    )
    require(
        leads_municipality(request.user, municipality),
        "Рассылки района видят районный ответственный и региональный координатор.",
    )
    people = Membership.objects.filter(
        Q(municipality_id=municipality.pk) | Q(organization__municipality_id=municipality.pk),
        user_id=OuterRef("user_id"),
    )
    messages = Message.objects.filter(
        Q(municipality_id=municipality.pk)
        | Q(organization__municipality_id=municipality.pk)
        | (_NO_PLACE & Exists(people))
    )
    return _messages_page(
        request,
        messages,
        {"municipality": municipality, "region": municipality.region, "place": municipality.name},
    )


@login_required
def region_log(request, pk: int):
    region = get_visible_or_404(regions_visible_to(request.user), pk=pk)
    scope = scope_of(request.user)
    require(
        scope.is_operator or scope.holds(Role.REGIONAL_COORDINATOR, region=region.pk),
        "Рассылки региона видит региональный координатор.",
    )
    people = Membership.objects.filter(
        Q(region_id=region.pk)
        | Q(municipality__region_id=region.pk)
        | Q(organization__municipality__region_id=region.pk),
        user_id=OuterRef("user_id"),
    )
    messages = Message.objects.filter(
        Q(municipality__region_id=region.pk)
        | Q(organization__municipality__region_id=region.pk)
        | (_NO_PLACE & Exists(people))
    )
    return _messages_page(
        request, messages, {"municipality": None, "region": region, "place": region.name}
    )
