"""Daily reminders of overdue plan items: the owner once when an item becomes overdue, then the
ladder (data, editable in the admin) to the head and the district lead; one combined message per
person per day, holding only what is new to them; set-based (queries independent of people)."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from monitoring import measures as monitoring_measures
from notify.models import Kind, Message, Reminded, ReminderRung, Whom
from notify.reminders import reminders_build
from notify.tasks import reminders_daily_task
from organizations.models import Role
from rollout.models import ChecklistTemplate, PlanItemTemplate, Status
from rollout.templates_data import templates_load
from tests.factories import OrganizationFactory, person, plan_task

DEADLINE = dt.date(2025, 11, 30)  # the plan's "До 30.11.2025"
FIRST_OVERDUE = DEADLINE + dt.timedelta(days=1)
# The items the tests keep active: two of the ОО, one of the УО.
ITEMS = ("1.1", "1.5", "1.6")


@pytest.fixture(autouse=True)
def plan(db, monkeypatch):
    if not ChecklistTemplate.objects.exists():
        templates_load()
    if not ReminderRung.objects.exists():  # a transactional test may have flushed the defaults
        for days, whom in ((0, Whom.OWNER), (3, Whom.HEAD), (7, Whom.DISTRICT_LEAD)):
            ReminderRung.objects.create(days=days, whom=whom)
    PlanItemTemplate.objects.exclude(code__in=ITEMS).update(is_active=False)
    monkeypatch.setattr(monitoring_measures, "latest_readings", lambda ids: {})


@pytest.fixture
def today(monkeypatch):
    class Today:
        value = FIRST_OVERDUE

        def set(self, value):
            self.value = value

    holder = Today()
    monkeypatch.setattr("rollout.deadlines.local_today", lambda tz_name: holder.value)
    return holder


def _reminders(user):
    return list(Message.objects.filter(user=user, kind=Kind.REMINDER).order_by("key"))


def test_nothing_before_the_deadline(world, today):
    today.set(DEADLINE)
    assert reminders_build().people == 0
    assert not Message.objects.exists()


def test_an_item_becoming_overdue_reminds_its_owner_once_then_climbs_the_ladder(world, today):
    run = reminders_build()
    # The school's Sferum admin gets its two ОО items; the district lead the district's item.
    [admin_message] = _reminders(world.oo_admin)
    assert admin_message.key == "2025-12-01" and admin_message.channel == "email"
    assert "1.5" in admin_message.text and "1.6" in admin_message.text
    assert "МБОУ «СОШ № 1» г. Емвы" in admin_message.text
    assert "срок 30.11.2025, просрочено на 1 день" in admin_message.text
    assert admin_message.subject.startswith("Напоминание о сроках: 2 просроченных пункта")
    assert admin_message.organization_id == world.school.pk
    assert admin_message.municipality_id == world.municipality.pk
    assert "<strong>1.5</strong>" in admin_message.html
    [lead_message] = _reminders(world.district_lead)
    assert "1.1" in lead_message.text and "МБОУ" not in lead_message.text
    assert not _reminders(world.oo_head)
    assert not _reminders(world.teacher)
    assert run.people == 2

    # The next day: nothing new, no message.
    today.set(FIRST_OVERDUE + dt.timedelta(days=1))
    assert reminders_build().people == 0
    assert Message.objects.count() == 2

    # Three days on: the head gets the school's items, the admin nothing more.
    today.set(FIRST_OVERDUE + dt.timedelta(days=3))
    reminders_build()
    [head_message] = _reminders(world.oo_head)
    assert head_message.key == "2025-12-04"
    assert "как руководитель ОО" in head_message.text
    assert "просрочено на 4 дня" in head_message.text
    assert len(_reminders(world.oo_admin)) == 1

    # A week on: the district lead gets the overdue items of both schools, in one message.
    today.set(FIRST_OVERDUE + dt.timedelta(days=7))
    reminders_build()
    lead_messages = _reminders(world.district_lead)
    assert [m.key for m in lead_messages] == ["2025-12-01", "2025-12-08"]
    combined = lead_messages[1].text
    assert "МБОУ «СОШ № 1» г. Емвы" in combined and "МБОУ «СОШ № 2»" in combined
    assert "как районный ответственный" in combined
    # Several schools: each on one line.
    assert "  • 2 пункта: 1.5, 1.6 — срок 30.11.2025" in combined
    assert lead_messages[1].subject.startswith("Напоминание о сроках: 4 просроченных пункта")
    # Nothing of the other district or region.
    assert not Message.objects.exclude(
        user__in=[world.oo_admin, world.oo_head, world.district_lead]
    ).exists()


def test_a_closed_item_is_not_reminded_even_without_tasks_for_the_others(world, today):
    task = plan_task(world.school, "1.5")
    task.status = Status.DONE
    task.save()
    reminders_build()
    [message] = _reminders(world.oo_admin)
    assert "1.6" in message.text and "1.5 " not in message.text


def test_one_message_per_person_per_day_even_if_the_task_runs_twice(world, today):
    reminders_daily_task.run()
    reminders_daily_task.run()
    assert len(_reminders(world.oo_admin)) == 1
    assert Reminded.objects.filter(user=world.oo_admin).count() == 2


def test_a_person_with_two_schools_gets_one_combined_message(world, today):
    Membership = world.oo_admin.memberships.model
    Membership.objects.create(
        user=world.oo_admin, role=Role.OO_ADMIN, organization=world.other_school
    )
    reminders_build()
    [message] = _reminders(world.oo_admin)
    assert "МБОУ «СОШ № 1» г. Емвы" in message.text and "МБОУ «СОШ № 2»" in message.text
    assert message.organization_id is None and message.municipality_id == world.municipality.pk


def test_the_ladder_edited_in_the_admin_changes_who_gets_it(world, today, admin_client):
    head_rung = ReminderRung.objects.get(whom=Whom.HEAD)
    owner_rung = ReminderRung.objects.get(whom=Whom.OWNER)
    # Through the admin: the owner rung is switched off, the head is reminded at once.
    response = admin_client.post(
        f"/admin/notify/reminderrung/{owner_rung.pk}/change/",
        {"days": 0, "whom": Whom.OWNER},  # is_active unticked
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    response = admin_client.post(
        f"/admin/notify/reminderrung/{head_rung.pk}/change/",
        {"days": 0, "whom": Whom.HEAD, "is_active": "on"},
    )
    assert response.status_code == 302
    reminders_build()
    assert not _reminders(world.oo_admin)
    [message] = _reminders(world.oo_head)
    assert message.key == "2025-12-01"
    assert not _reminders(world.district_lead)  # the owner of the УО item: its rung is off
    # A district lead rung added in the admin at 0 days: the lead gets the schools now.
    response = admin_client.post(
        "/admin/notify/reminderrung/add/",
        {"days": 0, "whom": Whom.DISTRICT_LEAD, "is_active": "on"},
    )
    assert response.status_code == 302
    ReminderRung.objects.filter(whom=Whom.DISTRICT_LEAD, days=7).delete()
    today.set(FIRST_OVERDUE + dt.timedelta(days=1))
    reminders_build()
    [lead] = _reminders(world.district_lead)
    assert lead.key == "2025-12-02"
    assert "МБОУ «СОШ № 2»" in lead.text and "пункты УО" in lead.text


def test_the_daily_run_is_set_based(world, today):
    """The number of queries does not grow with the number of schools and people."""

    def queries_for(extra_schools: int) -> int:
        for _ in range(extra_schools):
            school = OrganizationFactory(municipality=world.municipality)
            person(Role.OO_ADMIN, school)
            person(Role.OO_HEAD, school)
        Message.objects.all().delete()
        Reminded.objects.all().delete()
        with CaptureQueriesContext(connection) as queries:
            reminders_build(send=False)
        return len(queries)

    today.set(FIRST_OVERDUE + dt.timedelta(days=7))
    few = queries_for(1)
    many = queries_for(15)
    assert many == few
    assert Message.objects.filter(kind=Kind.REMINDER).count() > 30
