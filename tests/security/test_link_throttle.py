"""Set-password links by e-mail are throttled (organizations/throttle.py): at most
LINK_THROTTLE_PER_MAILBOX to one address and LINK_THROTTLE_PER_ADDRESS requests from one client
per hour, for «выслать ссылку» and the password reset form alike; the reset form answers the
same whether or not an account has the address."""

import re

import pytest
from django.core import mail
from django.urls import reverse

from organizations.models import Membership, Role, User

PER_MAILBOX = 3
PER_ADDRESS = 5


@pytest.fixture(autouse=True)
def _limits(settings):
    settings.LINK_THROTTLE_PER_MAILBOX = PER_MAILBOX
    settings.LINK_THROTTLE_PER_ADDRESS = PER_ADDRESS


def newcomer(world, username: str) -> Membership:
    user = User.objects.create(username=username, email=f"{username}@example.ru")
    user.set_unusable_password()
    user.save()
    return Membership.objects.create(user=user, role=Role.OO_HEAD, organization=world.school)


def resend(client, world, membership, address="10.0.0.1"):
    url = reverse("organizations:person_send_link", args=[world.school.pk, membership.pk])
    return client.post(url, REMOTE_ADDR=address, follow=True)


def reset(client, email: str, address: str = "10.0.0.2"):
    return client.post(reverse("password_reset"), {"email": email}, REMOTE_ADDR=address)


def page_text(response) -> str:
    """The page without what differs on every render (the CSRF token, the CSP nonce)."""
    text = response.content.decode()
    text = re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", text)
    return re.sub(r'nonce="[^"]+"', "", text)


def test_the_fourth_resend_to_one_person_within_the_hour_is_refused_and_sends_nothing(
    world, client
):
    membership = newcomer(world, "slow")
    client.force_login(world.district_lead)
    for _ in range(PER_MAILBOX):
        assert "Новая ссылка отправлена" in resend(client, world, membership).content.decode()
    assert len(mail.outbox) == PER_MAILBOX
    page = resend(client, world, membership).content.decode()
    assert "Слишком много запросов" in page and "попробуйте через" in page and "мин." in page
    assert "Новая ссылка отправлена" not in page
    assert len(mail.outbox) == PER_MAILBOX

    other = newcomer(world, "other")
    assert "Новая ссылка отправлена" in resend(client, world, other).content.decode()
    assert mail.outbox[-1].to == ["other@example.ru"]


def test_resends_from_one_address_are_limited_across_people(world, client):
    client.force_login(world.district_lead)
    people = [newcomer(world, f"new{n}") for n in range(PER_ADDRESS + 1)]
    for membership in people[:PER_ADDRESS]:
        resend(client, world, membership)
    assert len(mail.outbox) == PER_ADDRESS
    assert "Слишком много запросов" in resend(client, world, people[-1]).content.decode()
    assert len(mail.outbox) == PER_ADDRESS
    resend(client, world, people[-1], address="10.9.9.9")  # another address still may
    assert len(mail.outbox) == PER_ADDRESS + 1


def test_the_reset_form_refuses_the_fourth_request_for_one_address_with_a_russian_message(
    world, client
):
    email = world.oo_head.email
    for n in range(PER_MAILBOX):
        response = reset(client, email, address=f"10.0.1.{n}")
        assert response.status_code == 302
    assert len(mail.outbox) == PER_MAILBOX
    refused = reset(client, email.upper(), address="10.0.1.200")  # the same mailbox
    assert refused.status_code == 429
    assert "Слишком много запросов" in refused.content.decode()
    assert len(mail.outbox) == PER_MAILBOX
    assert reset(client, world.oo_admin.email, address="10.0.1.201").status_code == 302
    assert len(mail.outbox) == PER_MAILBOX + 1


def test_the_reset_form_limits_one_client_across_addresses(world, client):
    for n in range(PER_ADDRESS):
        assert reset(client, f"nobody-{n}@example.ru").status_code == 302
    refused = reset(client, world.oo_head.email)
    assert refused.status_code == 429 and "Слишком много запросов" in refused.content.decode()
    assert mail.outbox == []
    assert reset(client, world.oo_head.email, address="10.7.7.7").status_code == 302
    assert len(mail.outbox) == 1


def test_the_reset_form_answers_alike_for_known_and_unknown_addresses(world, client):
    known, unknown = world.oo_head.email, "nobody-here@example.ru"
    answers = {}
    for email in (known, unknown):
        accepted = [reset(client, email, address=f"10.0.2.{n}") for n in range(PER_MAILBOX)]
        refused = reset(client, email, address="10.0.2.100")
        answers[email] = (
            [(r.status_code, r["Location"]) for r in accepted],
            refused.status_code,
            page_text(refused).replace(email, "EMAIL"),
        )
    assert answers[known] == answers[unknown]
    assert answers[known][1] == 429
    assert len(mail.outbox) == PER_MAILBOX and {m.to[0] for m in mail.outbox} == {known}
