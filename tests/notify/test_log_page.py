"""«Рассылки»: the district lead sees what was sent to whom and when, by which channel, and what
failed, within the district; the coordinator for the region; another district's lead gets 404,
a methodologist 403; filters by kind, status and channel; paginated."""

import pytest
from django.urls import reverse

from notify.models import Channel, Kind, Message, MessageStatus
from notify.views_log import error_ru
from organizations.models import Role
from tests.factories import person


def _message(user, subject, **fields):
    defaults = {"kind": Kind.DIGEST, "key": subject, "channel": Channel.EMAIL, "text": "…"}
    return Message.objects.create(user=user, subject=subject, **{**defaults, **fields})


@pytest.fixture
def log(world):
    far_admin = person(Role.OO_ADMIN, world.far_school)
    return {
        # To a person of the district, about nothing in particular (a digest).
        "admin_digest": _message(world.oo_admin, "Сводка администратора"),
        # About the district, failed.
        "failed": _message(
            world.district_lead,
            "Напоминание о сроках",
            kind=Kind.REMINDER,
            municipality=world.municipality,
            status=MessageStatus.FAILED,
            attempts=6,
            last_error="ConnectionRefusedError: [Errno 111] Connection refused",
        ),
        "max_refused": _message(
            world.oo_head,
            "Напоминание от УО",
            kind=Kind.NUDGE,
            channel=Channel.MAX,
            organization=world.school,
            municipality=world.municipality,
            sent_by=world.district_lead,
            status=MessageStatus.FAILED,
            attempts=1,
            last_error="МАХ не привязан",
        ),
        # Elsewhere: the other district's school and another region.
        "coordinator": _message(world.coordinator, "Сводка региона"),
        "far": _message(far_admin, "Сводка далёкой школы", municipality=world.far_municipality),
    }


def _page(client, user, municipality, query=""):
    client.force_login(user)
    return client.get(reverse("notify:log", args=[municipality.pk]) + query)


def test_the_district_lead_sees_the_districts_messages_and_failures(world, client, log):
    response = _page(client, world.district_lead, world.municipality)
    assert response.status_code == 200
    page = response.content.decode()
    for subject in ("Сводка администратора", "Напоминание о сроках", "Напоминание от УО"):
        assert subject in page
    assert "Сводка региона" not in page and "Сводка далёкой школы" not in page
    assert "почтовый сервер недоступен (соединение отклонено)" in page
    assert "МАХ не привязан" in page
    assert "не отправлено" in page and "МАХ" in page
    assert f"отправил {world.district_lead.full_name}" in page


def test_another_districts_lead_gets_404_and_sees_nothing_of_it(world, client, log):
    other_lead = person(Role.DISTRICT_LEAD, world.other_municipality)
    assert _page(client, other_lead, world.municipality).status_code == 404
    own = _page(client, other_lead, world.other_municipality)
    assert own.status_code == 200
    assert "Сводка администратора" not in own.content.decode()
    assert "Портал пока ничего не отправлял." in own.content.decode()


@pytest.mark.parametrize("persona", ["oo_admin", "oo_head", "teacher", "nobody"])
def test_people_of_a_school_or_nobody_get_404(world, client, log, persona):
    assert _page(client, getattr(world, persona), world.municipality).status_code == 404


def test_a_methodologist_sees_the_district_but_not_its_messages(world, client, log):
    for user in (world.district_methodologist, world.methodologist):
        assert _page(client, user, world.municipality).status_code == 403


def test_the_coordinator_sees_each_district_and_the_region(world, client, log):
    assert _page(client, world.coordinator, world.municipality).status_code == 200
    client.force_login(world.coordinator)
    region = client.get(reverse("notify:region_log", args=[world.region.pk])).content.decode()
    assert "Сводка региона" in region and "Сводка администратора" in region
    assert "Сводка далёкой школы" not in region
    assert client.get(reverse("notify:region_log", args=[world.other_region.pk])).status_code == 404
    # A district lead's scope is their district: the region's page does not exist for them.
    client.force_login(world.district_lead)
    assert client.get(reverse("notify:region_log", args=[world.region.pk])).status_code == 404
    # The regional methodologist sees the region, but not whom the portal wrote to.
    client.force_login(world.methodologist)
    assert client.get(reverse("notify:region_log", args=[world.region.pk])).status_code == 403


def test_filters_and_pages(world, client, log):
    page = _page(client, world.district_lead, world.municipality, "?status=failed").content
    page = page.decode()
    assert "Напоминание о сроках" in page and "Сводка администратора" not in page
    page = _page(client, world.district_lead, world.municipality, "?kind=nudge&channel=max")
    assert list(page.context["rows"]) == [(log["max_refused"], "МАХ не привязан")]
    # Unusable values are ignored.
    page = _page(client, world.district_lead, world.municipality, "?kind=x&status=1&page=abc")
    assert page.status_code == 200 and len(page.context["rows"]) == 3
    for number in range(60):
        _message(world.oo_admin, f"Сводка {number}", key=f"2025-W{number}")
    first = _page(client, world.district_lead, world.municipality)
    assert len(first.context["rows"]) == 50 and first.context["page"].paginator.count == 63
    second = _page(client, world.district_lead, world.municipality, "?page=2")
    assert len(second.context["rows"]) == 13
    assert "Новее" in second.content.decode()


def test_errors_read_in_russian():
    assert error_ru("SMTPRecipientsRefused: {'x@y': (550, b'no')}") == (
        "почтовый сервер не принял адрес получателя"
    )
    assert error_ru("TimeoutError: timed out") == "нет ответа от сервера (время ожидания истекло)"
    assert error_ru("МАХ: 403 chat.denied") == "МАХ: 403 chat.denied"
    assert error_ru("KeyError: 'x'") == "ошибка при отправке"
    assert error_ru("") == ""


def test_the_dashboard_links_the_page_for_the_lead_only(world, client, log):
    url = reverse("portal:municipality_dashboard", args=[world.municipality.pk])
    link = reverse("notify:log", args=[world.municipality.pk])
    client.force_login(world.district_lead)
    assert link in client.get(url).content.decode()
    client.force_login(world.district_methodologist)
    assert link not in client.get(url).content.decode()
