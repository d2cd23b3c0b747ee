"""Linking MAX from the profile page: a deep link with a one-time payload (and its QR code), the
bot's webhook refusing a wrong secret and binding the person on ``bot_started``; the one-click
unsubscribe."""

import datetime as dt
import re

from django.urls import reverse
from django.utils import timezone

from notify.models import MaxLink, Preference
from notify.tokens import unsubscribe_token

SECRET = "webhook-secret"


def _started(payload: str, user_id: int = 9001) -> dict:
    return {
        "update_type": "bot_started",
        "timestamp": 1765000000000,
        "chat_id": 42,
        "user": {"user_id": user_id, "first_name": "Ирина", "last_name": "Петрова"},
        "payload": payload,
        "user_locale": "ru",
    }


def _post(client, update: dict, secret: str | None = SECRET):
    headers = {"HTTP_X_MAX_BOT_API_SECRET": secret} if secret is not None else {}
    return client.post(
        reverse("notify:max_webhook"), update, content_type="application/json", **headers
    )


def _payload_from_page(client, user) -> str:
    client.force_login(user)
    page = client.get(reverse("notify:settings")).content.decode()
    link = re.search(r'href="https://max\.ru/sferum_portal_bot\?start=([A-Za-z0-9_-]+)"', page)
    assert link, "the page shows the deep link"
    assert "<svg" in page and "QR-код ссылки на бота" in page
    payload = link.group(1)
    assert len(payload) <= 128
    return payload


def test_the_profile_page_links_max_through_the_bot(world, client, max_api):
    payload = _payload_from_page(client, world.oo_admin)
    assert _post(client, _started(payload)).status_code == 200
    link = MaxLink.objects.get(user=world.oo_admin)
    assert (link.max_user_id, link.chat_id, link.max_name) == (9001, 42, "Ирина Петрова")
    assert link.payload is None  # one-time
    page = client.get(reverse("notify:settings")).content.decode()
    assert "МАХ привязан: Ирина Петрова" in page and "Отвязать МАХ" in page
    # The same payload again binds nobody else.
    assert _post(client, _started(payload, user_id=9002)).status_code == 200
    assert not MaxLink.objects.filter(max_user_id=9002).exists()


def test_the_webhook_refuses_a_wrong_or_missing_secret(world, client, max_api):
    payload = _payload_from_page(client, world.oo_admin)
    assert _post(client, _started(payload), secret="guess").status_code == 403
    assert _post(client, _started(payload), secret=None).status_code == 403
    assert not MaxLink.objects.filter(max_user_id__isnull=False).exists()


def test_an_old_payload_binds_nothing(world, client, max_api):
    payload = _payload_from_page(client, world.oo_admin)
    MaxLink.objects.update(payload_created_at=timezone.now() - dt.timedelta(days=2))
    _post(client, _started(payload))
    assert not MaxLink.objects.filter(max_user_id__isnull=False).exists()


def test_a_max_account_moves_to_the_person_who_linked_it_last(world, client, max_api):
    first = _payload_from_page(client, world.oo_admin)
    _post(client, _started(first))
    second = _payload_from_page(client, world.oo_head)
    _post(client, _started(second))
    assert MaxLink.objects.get(max_user_id=9001).user == world.oo_head
    assert not MaxLink.objects.get(user=world.oo_admin).is_linked


def test_without_a_bot_the_page_says_max_is_off(world, client):
    client.force_login(world.oo_admin)
    page = client.get(reverse("notify:settings")).content.decode()
    assert "Отправка в МАХ на этом портале не настроена" in page


def test_the_choices_are_saved(world, client):
    client.force_login(world.oo_admin)
    response = client.post(reverse("notify:settings"), {"email": "on", "digest": "on"})
    assert response.status_code == 302
    preference = Preference.objects.get(user=world.oo_admin)
    assert preference.email and preference.digest
    assert not (preference.max or preference.reminder or preference.nudge)


def test_one_click_unsubscribe(world, client):
    url = reverse("notify:unsubscribe", args=[unsubscribe_token(world.oo_admin.pk, "digest")])
    page = client.get(url)
    assert "Больше не присылать вам сообщения «еженедельная сводка»?" in page.content.decode()
    assert not Preference.objects.filter(user=world.oo_admin).exists()  # a GET changes nothing
    done = client.post(url, {"List-Unsubscribe": "One-Click"})  # as a mail client posts it
    assert "больше не придут" in done.content.decode()
    assert not Preference.objects.get(user=world.oo_admin).digest
    bad = reverse("notify:unsubscribe", args=["forged"])
    assert client.get(bad).status_code == 404


def test_the_user_menu_links_the_settings_page(world, client):
    client.force_login(world.teacher)
    page = client.get(reverse("rollout:my_steps")).content.decode()
    assert f'href="{reverse("notify:settings")}">Рассылки и уведомления</a>' in page
