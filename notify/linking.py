"""Linking a person's MAX account: the profile page's deep link
``https://max.ru/<bot>?start=<payload>`` with a one-time payload, and the bot's ``bot_started``
update that brings the payload back with the MAX user who pressed «Начать»."""

from __future__ import annotations

import datetime as dt
import io

import segno
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from .models import MaxLink, new_payload


def deep_link(user) -> tuple[MaxLink, str]:
    """The person's link row and a deep link with a payload that is still valid (a new payload
    when there is none or it is older than ``MAX_LINK_TIMEOUT``)."""
    link, _ = MaxLink.objects.get_or_create(user=user)
    lifetime = dt.timedelta(seconds=settings.MAX_LINK_TIMEOUT)
    stale = link.payload_created_at is None or timezone.now() - link.payload_created_at > lifetime
    if not link.payload or stale:
        link.payload, link.payload_created_at = new_payload(), timezone.now()
        link.save(update_fields=["payload", "payload_created_at"])
    return link, f"https://max.ru/{settings.MAX_BOT_NAME}?start={link.payload}"


def qr_svg(url: str) -> str:
    """The deep link as an inline SVG QR code (to scan with the phone's MAX)."""
    out = io.BytesIO()
    segno.make(url, error="m").save(
        out, kind="svg", scale=5, border=2, xmldecl=False, svgns=True, title="QR-код ссылки на бота"
    )
    return out.getvalue().decode()


def bind(update: dict) -> MaxLink | None:
    """Apply a ``bot_started`` update: the payload's person is now that MAX user (a MAX account
    bound to someone else before moves). None when the payload is unknown or too old."""
    payload = str(update.get("payload") or "")
    user = update.get("user") or {}
    max_user_id = user.get("user_id")
    if not payload or not isinstance(max_user_id, int):
        return None
    lifetime = dt.timedelta(seconds=settings.MAX_LINK_TIMEOUT)
    with transaction.atomic():
        link = MaxLink.objects.select_for_update().filter(payload=payload).first()
        if link is None or timezone.now() - link.payload_created_at > lifetime:
            return None
        MaxLink.objects.filter(max_user_id=max_user_id).exclude(pk=link.pk).update(
            max_user_id=None, chat_id=None, max_name="", linked_at=None
        )
        link.max_user_id = max_user_id
        chat_id = update.get("chat_id")
        link.chat_id = chat_id if isinstance(chat_id, int) else None
        link.max_name = " ".join(
            str(user.get(k) or "") for k in ("first_name", "last_name") if user.get(k)
        )[:200]
        link.linked_at = timezone.now()
        link.payload = None
        link.save()
    return link


def unbind(user) -> None:
    MaxLink.objects.filter(user=user).update(
        max_user_id=None, chat_id=None, max_name="", linked_at=None
    )
