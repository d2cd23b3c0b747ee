"""«Напомнить»: a district lead sends a lagging school's Sferum admin and head a message now,
from the district dashboard, the matrix or the overdue list; at most one per school in 24 hours
(the button then says when the last one went); only the district's lead or the region's
coordinator may (403), nobody outside the scope sees the school (404); the outbox is the log."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from monitoring import measures as monitoring_measures
from notify.models import Kind, Message
from notify.outbox import deliver_due
from organizations.models import Role
from rollout.models import ChecklistTemplate, PlanItemTemplate
from rollout.templates_data import templates_load
from tests.factories import person
from tests.monitoring.conftest import scenario

AFTER_DEADLINE = dt.date(2025, 12, 2)

__all__ = ["scenario"]


@pytest.fixture(autouse=True)
def plan(db, monkeypatch):
    if not ChecklistTemplate.objects.exists():
        templates_load()
    monkeypatch.setattr("rollout.deadlines.local_today", lambda tz_name: AFTER_DEADLINE)


@pytest.fixture
def no_readings(monkeypatch):
    monkeypatch.setattr(monitoring_measures, "latest_readings", lambda ids: {})


def _nudge(client, user, organization, **data):
    client.force_login(user)
    return client.post(reverse("notify:nudge", args=[organization.pk]), data)


def _nudges(organization=None):
    messages = Message.objects.filter(kind=Kind.NUDGE)
    if organization is not None:
        messages = messages.filter(organization=organization)
    return messages


def test_a_nudge_goes_to_the_admin_and_head_now_and_is_logged(world, client, no_readings, smtp):
    response = _nudge(client, world.district_lead, world.school, next="/somewhere/?a=1")
    assert response.status_code == 302 and response["Location"] == "/somewhere/?a=1"
    rows = list(_nudges().order_by("user_id"))
    assert {m.user for m in rows} == {world.oo_admin, world.oo_head}
    for message in rows:
        assert message.sent_by == world.district_lead
        assert message.organization == world.school
        assert message.municipality == world.municipality
        assert message.subject == "Напоминание от УО: МБОУ «СОШ № 1» г. Емвы"
        assert "Районный ответственный" in message.text and "Княжпогостский" in message.text
        assert "Просроченные пункты плана" in message.text and "(срок 30.11.2025)" in message.text
    assert len({m.key for m in rows}) == 1
    deliver_due()
    assert sorted(r for r, _ in smtp.received.messages) == sorted(
        [[world.oo_admin.email], [world.oo_head.email]]
    )
    # The log page shows it, with who sent it.
    log = client.get(reverse("notify:log", args=[world.municipality.pk])).content.decode()
    assert "Напоминание от УО: МБОУ «СОШ № 1» г. Емвы" in log
    assert f"отправил {world.district_lead.full_name}" in log


def test_a_nudge_about_one_item_names_it(world, client, no_readings):
    item = PlanItemTemplate.objects.get(code="1.6")
    assert _nudge(client, world.district_lead, world.school, item=item.pk).status_code == 302
    message = _nudges().first()
    assert f"{item.label} {item.title}" in message.text
    assert "1.5" not in message.text.split("Просроченные пункты плана мероприятий:")[1]
    assert f"item{item.pk}" in message.key


def test_one_nudge_per_school_per_day(world, client, no_readings, settings):
    assert _nudge(client, world.district_lead, world.school).status_code == 302
    assert _nudges().count() == 2
    response = _nudge(client, world.district_lead, world.school)
    assert response.status_code == 302
    assert _nudges().count() == 2  # throttled
    page = client.get(response["Location"])
    when = timezone.localtime(_nudges().first().created_at)
    assert f"уже напомнили {when:%d.%m.%Y} в {when:%H:%M}" in page.content.decode()
    # Another school of the district is not throttled by it.
    person(Role.OO_ADMIN, world.other_school)
    assert _nudge(client, world.coordinator, world.other_school).status_code == 302
    assert _nudges(world.other_school).count() == 1
    # A day later the school may be nudged again: a new message with a new key.
    _nudges(world.school).update(created_at=timezone.now() - dt.timedelta(hours=24, minutes=1))
    assert _nudge(client, world.district_lead, world.school).status_code == 302
    assert _nudges(world.school).count() == 4
    assert _nudges(world.school).values("key").distinct().count() == 2
    # The interval is a setting.
    settings.NOTIFY_NUDGE_INTERVAL_HOURS = 48
    _nudges(world.school).update(created_at=timezone.now() - dt.timedelta(hours=30))
    _nudge(client, world.district_lead, world.school)
    assert _nudges(world.school).count() == 4


def test_only_the_district_lead_or_coordinator_may_nudge(world, client, no_readings):
    for user in (world.oo_admin, world.oo_head, world.district_methodologist, world.methodologist):
        assert _nudge(client, user, world.school).status_code == 403, user
    for user in (world.teacher, world.nobody):
        assert _nudge(client, user, world.other_school).status_code == 404, user
    # Another district's lead, and a coordinator of another region: the school does not exist.
    other_lead = person(Role.DISTRICT_LEAD, world.other_municipality)
    assert _nudge(client, other_lead, world.school).status_code == 404
    far_coordinator = person(Role.REGIONAL_COORDINATOR, world.other_region)
    assert _nudge(client, far_coordinator, world.school).status_code == 404
    assert _nudge(client, world.district_lead, world.far_school).status_code == 404
    assert not _nudges().exists()
    # GET does nothing.
    client.force_login(world.district_lead)
    assert client.get(reverse("notify:nudge", args=[world.school.pk])).status_code == 405
    # An outside redirect target is ignored.
    response = _nudge(client, world.district_lead, world.school, next="https://evil.example/")
    assert response["Location"] == reverse(
        "portal:municipality_dashboard", args=[world.municipality.pk]
    )


def test_the_matrix_and_the_overdue_list_show_the_button_then_when(world, client, no_readings):
    client.force_login(world.district_lead)
    matrix_url = reverse("rollout:district_matrix", args=[world.municipality.pk])
    overdue_url = reverse("rollout:district_deadlines", args=[world.municipality.pk, "overdue"])
    action = reverse("notify:nudge", args=[world.school.pk])
    matrix = client.get(matrix_url).content.decode()
    assert f'action="{action}"' in matrix and "Напомнить" in matrix
    overdue = client.get(overdue_url).content.decode()
    assert f'action="{action}"' in overdue and 'name="item"' in overdue
    assert reverse("notify:log", args=[world.municipality.pk]) in matrix  # the «Рассылки» tab
    _nudge(client, world.district_lead, world.school)
    when = timezone.localtime(_nudges().first().created_at)
    matrix = client.get(matrix_url).content.decode()
    assert f'action="{action}"' not in matrix
    assert f"напомнили {when:%d.%m.%Y} в {when:%H:%M}" in matrix
    other = reverse("notify:nudge", args=[world.other_school.pk])
    assert f'action="{other}"' in matrix  # the other school may still be nudged
    # A methodologist sees the matrix, but no button and no «Рассылки».
    client.force_login(world.district_methodologist)
    matrix = client.get(matrix_url).content.decode()
    assert "Напомнить</button>" not in matrix.replace("\n", "").replace(" ", "")
    assert 'action="/organizations/' not in matrix
    assert reverse("notify:log", args=[world.municipality.pk]) not in matrix


def test_the_last_nudges_of_a_page_take_one_query(world, django_assert_num_queries):
    from notify.nudges import last_nudges

    with django_assert_num_queries(1):
        last_nudges([world.school.pk, world.other_school.pk, world.far_school.pk])


def test_the_dashboards_lagging_schools_have_the_button(scenario, client):
    world = scenario["world"]
    client.force_login(world.district_lead)
    url = reverse("portal:municipality_dashboard", args=[world.municipality.pk])
    page = client.get(url).content.decode()
    lagging = page[page.index('id="lagging-title"') :]
    lagging = lagging[: lagging.index("</section>")]
    assert f'action="{reverse("notify:nudge", args=[world.school.pk])}"' in lagging
    assert reverse("notify:log", args=[world.municipality.pk]) in page
    client.post(reverse("notify:nudge", args=[world.school.pk]), {"next": url})
    page = client.get(url).content.decode()
    assert "напомнили " in page
