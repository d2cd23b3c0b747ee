"""The outbox through real protocols: e-mails reach a real SMTP server with a text and an HTML
part, the unsubscribe headers and the attachment; MAX messages reach a server that follows the
Bot API, and the client waits out a 429 and retries a 5xx; nothing is queued or sent twice."""

import datetime as dt
import itertools

import pytest
from django.utils import timezone

from notify.max_client import CHAT_INTERVAL, MaxClient, MaxRefused, MaxRetryLater, split_text
from notify.models import Channel, MaxLink, Message, MessageStatus, Preference
from notify.outbox import Draft, deliver_due, enqueue_many
from tests.notify.conftest import TOKEN


def _draft(user, **extra) -> Draft:
    fields = {
        "kind": "digest",
        "key": "2025-W50",
        "subject": "Сводка за неделю 08.12–14.12.2025",
        "text": "Активность сотрудников 47,6 %.",
        "html": "<p>Активность сотрудников <b>47,6 %</b>.</p>",
        "link": "/municipalities/1/dashboard/",
    }
    return Draft(user=user, **{**fields, **extra})


def _link_max(user, max_user_id: int) -> None:
    MaxLink.objects.create(user=user, max_user_id=max_user_id, linked_at=timezone.now())


def _due_now() -> None:
    Message.objects.filter(status=MessageStatus.PENDING).update(next_attempt_at=timezone.now())


def test_an_email_reaches_the_smtp_server_with_both_parts_headers_and_attachment(world, smtp):
    draft = _draft(world.district_lead, attachment_name="district.xlsx", attachment=b"PK\x03\x04")
    assert enqueue_many([draft], send=False) == 1
    result = deliver_due()
    assert (result.sent, result.failed) == (1, 0)
    [(recipients, mail)] = smtp.received.messages
    assert recipients == [world.district_lead.email]
    assert str(mail["Subject"]).strip() == "Сводка за неделю 08.12–14.12.2025"
    message = Message.objects.get()
    assert mail["Message-ID"].startswith(f"<notify-{message.pk}@")
    assert "/notifications/unsubscribe/" in mail["List-Unsubscribe"]
    assert mail["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    text = mail.get_body(("plain",)).get_content()
    html = mail.get_body(("html",)).get_content()
    assert "47,6 %" in text and "Отписаться" in text
    assert "<b>47,6 %</b>" in html and "Отписаться от этих сообщений" in html
    [attachment] = list(mail.iter_attachments())
    assert attachment.get_filename() == "district.xlsx"
    assert attachment.get_content() == b"PK\x03\x04"
    message.refresh_from_db()
    assert message.status == MessageStatus.SENT and message.sent_at and message.attempts == 1


def test_the_same_digest_is_queued_once_and_sent_once(world, smtp):
    assert enqueue_many([_draft(world.district_lead), _draft(world.oo_admin)], send=False) == 2
    assert enqueue_many([_draft(world.district_lead), _draft(world.oo_admin)], send=False) == 0
    deliver_due()
    deliver_due()
    assert len(smtp.received.messages) == 2
    assert Message.objects.filter(status=MessageStatus.SENT).count() == 2


def test_a_person_without_an_address_or_with_the_kind_switched_off_gets_nothing(world, smtp):
    world.teacher.email = ""
    world.teacher.save()
    Preference.objects.create(user=world.oo_head, digest=False)
    drafts = [_draft(world.teacher), _draft(world.oo_head), _draft(world.oo_admin)]
    assert enqueue_many(drafts, send=False) == 1
    assert Message.objects.get().user == world.oo_admin


def test_an_smtp_server_that_is_down_is_retried_later(world, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", 9  # nothing listens there
    enqueue_many([_draft(world.oo_admin)], send=False)
    result = deliver_due()
    assert result.retry == 1
    message = Message.objects.get()
    assert message.status == MessageStatus.PENDING and message.attempts == 1
    assert message.next_attempt_at > timezone.now() + dt.timedelta(seconds=50)
    assert "ConnectionRefusedError" in message.last_error


def test_max_messages_go_by_the_bot_api_and_wait_out_429_and_5xx(world, max_api, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    _link_max(world.oo_admin, 5550001)
    Preference.objects.create(user=world.oo_admin, email=False)
    max_api.script = [(429, {"Retry-After": "120"}), (503, {})]
    enqueue_many([_draft(world.oo_admin)], send=False)
    message = Message.objects.get()
    assert message.channel == Channel.MAX

    first = deliver_due()
    message.refresh_from_db()
    assert first.retry == 1 and message.status == MessageStatus.PENDING
    # The delay MAX asked for is kept (120 s, longer than the first backoff of a minute).
    assert message.next_attempt_at >= timezone.now() + dt.timedelta(seconds=115)
    assert deliver_due().handled == 0  # not due yet

    _due_now()
    second = deliver_due()
    message.refresh_from_db()
    assert second.retry == 1 and "503" in message.last_error and message.attempts == 2

    _due_now()
    third = deliver_due()
    message.refresh_from_db()
    assert third.sent == 1 and message.status == MessageStatus.SENT and message.attempts == 3
    calls = max_api.delivered
    assert [c.user_id for c in calls] == [5550001] * 3
    assert all(c.authorization == TOKEN for c in calls)
    assert "47,6 %" in calls[-1].body["text"] and "Отписаться" in calls[-1].body["text"]


def test_a_wrong_token_fails_for_good_without_retrying(world, max_api, settings):
    settings.MAX_BOT_TOKEN = "not-the-token"
    _link_max(world.oo_admin, 5550002)
    Preference.objects.create(user=world.oo_admin, email=False)
    enqueue_many([_draft(world.oo_admin)], send=False)
    result = deliver_due()
    message = Message.objects.get()
    assert result.failed == 1 and message.status == MessageStatus.FAILED
    assert "401" in message.last_error


def test_the_client_splits_a_long_text_and_paces_one_chat(max_api):
    text = "\n".join(f"Строка {i}: " + "х" * 60 for i in range(200))  # about 14,000 characters
    parts = split_text(text)
    assert len(parts) == 4 and all(len(p) <= 4000 for p in parts)
    assert "".join(p.replace("\n", "") for p in parts) == text.replace("\n", "")
    with MaxClient(token=TOKEN, base_url=max_api.url) as client:
        sent = client.send(7001, text)
    assert len(sent.message_ids) == 4
    times = [c.at for c in max_api.delivered]
    assert all(b - a >= CHAT_INTERVAL - 0.02 for a, b in itertools.pairwise(times))


def test_the_client_names_what_went_wrong(max_api):
    max_api.script = [(429, {}), (500, {})]
    with MaxClient(token=TOKEN, base_url=max_api.url) as client:
        with pytest.raises(MaxRetryLater) as limited:
            client.send(1, "текст")
        assert limited.value.retry_after == 30  # no Retry-After: the default
        with pytest.raises(MaxRetryLater, match="500"):
            client.send(1, "текст")
    with MaxClient(token="wrong", base_url=max_api.url) as client, pytest.raises(MaxRefused):
        client.send(1, "текст")
    down = MaxClient(token=TOKEN, base_url="http://127.0.0.1:9")
    with down as client, pytest.raises(MaxRetryLater, match="недоступен"):
        client.send(1, "текст")


def test_the_ca_bundle_is_trusted_beside_certifi_and_a_missing_one_holds_nothing_up(
    settings, tmp_path, caplog
):
    import ssl
    from pathlib import Path

    import certifi

    from notify.max_client import _verify

    settings.MAX_CA_BUNDLE = ""
    assert _verify() is True
    plain = ssl.create_default_context(cafile=certifi.where()).cert_store_stats()["x509_ca"]
    # A self-signed root made with openssl stands in for Минцифры's (tests/notify/).
    settings.MAX_CA_BUNDLE = str(Path(__file__).with_name("test_root_ca.pem"))
    context = _verify()
    assert context.cert_store_stats()["x509_ca"] == plain + 1
    settings.MAX_CA_BUNDLE = str(tmp_path / "absent.pem")
    assert _verify().cert_store_stats()["x509_ca"] == plain
    assert "MAX_CA_BUNDLE" in caplog.text
