"""The weekly digests: each role's parts (a district lead's furthest schools with the admin's
phone, schools without data, overdue items and the xlsx; an OO's rates and flags; a class
teacher's unticked steps, and nothing once all are ticked), scope, the week and coverage
sentence, plurals and grouped numbers, ``send_digests`` (dry run and channels), the Monday
signal path queueing each digest once even when beat fires twice, and query counts that do not
grow with the schools."""

import datetime as dt
import io
from io import StringIO

import openpyxl
import pytest
from django.core import mail
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from monitoring import services
from monitoring.models import Target
from monitoring.signals import week_computed
from monitoring.tasks import weekly_monday_task
from notify.digests import build_digests, coverage_sentence, latest_adequate_week
from notify.models import Channel, MaxLink, Message
from notify.outbox import deliver_due, enqueue_many
from organizations.models import Organization, Role
from organizations.selectors import organizations_visible_to
from rollout.models import Status, Task
from sferum_portal.plurals import count_ru
from tests.factories import OrganizationFactory, person
from tests.monitoring.conftest import counts, export_file, export_row

W46, W47, W48 = dt.date(2025, 11, 10), dt.date(2025, 11, 17), dt.date(2025, 11, 24)
PHONE = "+7 (912) 345-67-89"
NO_DATA_SCHOOL = "МБОУ «ООШ» с. Чиньяворык"
UKHTA_SCHOOL = "МОУ «СОШ № 3» г. Ухты"


def _import(world, rows, name):
    upload = services.upload_receive(
        uploaded_file=export_file(rows, name=name), user=world.coordinator
    )
    services.upload_confirm(upload=upload, skip_invalid=False)


def _row(org, monday: dt.date, figures: dict) -> dict:
    return export_row(org, monday + dt.timedelta(days=2), **figures)


@pytest.fixture
def today(monkeypatch):
    """Deadlines are read on 01.12.2025 (items due 30.11.2025 are overdue)."""

    class Today:
        value = dt.date(2025, 12, 1)

    holder = Today()
    monkeypatch.setattr("rollout.deadlines.local_today", lambda tz_name: holder.value)
    return holder


@pytest.fixture
def digest_world(world, today, django_capture_on_commit_callbacks):
    """Three weeks of statistics in Республика Коми: W46 the school alone, W47 three of the four
    ОО (a school of Княжпогостский never has data), W48 two of them (a partial week)."""
    world.oo_admin.phone = PHONE
    world.oo_admin.save()
    OrganizationFactory(municipality=world.municipality, short_name=NO_DATA_SCHOOL)
    ukhta = world.other_municipality.organizations.get()
    for indicator, value in (("staff_activity", 50), ("students_parents_activity", 20)):
        Target.objects.create(
            indicator=indicator, stage=1, region=world.region, value_pct=value,
            due_date=dt.date(2025, 12, 30), effective_from=dt.date(2025, 9, 1),
        )  # fmt: skip
    big = counts(100, 70, 5000, 5000, 300, 200, 90)  # 2 500 more students and parents to 30 %
    ukhta_figures = counts(50, 45, 300, 300, 100, 100, 50)
    weeks = {
        W46: [_row(world.school, W46, counts(100, 50, 500, 500, 100, 50, 90))],
        W47: [
            _row(world.school, W47, big),
            _row(world.other_school, W47, counts(100, 80, 500, 500, 200, 200, 95)),
            _row(ukhta, W47, ukhta_figures),
        ],
        W48: [_row(world.school, W48, big), _row(ukhta, W48, ukhta_figures)],
    }
    for monday, rows in weeks.items():
        with django_capture_on_commit_callbacks(execute=True):
            _import(world, rows, f"{monday}.xlsx")
    return world


def _by_user(digests):
    return {d.draft.user.pk: d for d in digests}


def test_the_default_week_is_the_latest_with_adequate_data(digest_world):
    digests = build_digests()
    assert {d.draft.key for d in digests} == {"2025-W47"}
    assert all("Сводка за неделю 17.11–23.11.2025" in d.draft.text for d in digests)
    assert all(d.draft.subject.endswith("17.11–23.11.2025") for d in digests)


def test_a_district_leads_digest_has_every_part(digest_world):
    w = digest_world
    digest = _by_user(build_digests())[w.district_lead.pk]
    text, html = digest.draft.text, digest.draft.html
    assert "Полнота: данные по 2 из 3 ОО." in text
    assert "Активность сотрудников: 75,0 %" in text
    # The furthest school, its gap in people and its Sferum admin's phone.
    assert "Дальше всех от 75 %" in text
    line = next(
        line for line in text.splitlines() if w.school.short_name in line and "не хватает" in line
    )
    assert "не хватает 5 сотрудников" in line and PHONE in line and w.oo_admin.full_name in line
    assert f'<a href="tel:+79123456789">{PHONE}</a>' in html
    # Schools without data, the most improved, the overdue items, the links.
    assert f"Без данных за неделю: 1 ОО — {NO_DATA_SCHOOL}." in text
    assert "Лучший рост:" in text and "(+20,0 п. п.)" in text
    assert "Просрочено:" in text and "ОО, п. 1.5" in text
    assert f"/municipalities/{w.municipality.pk}/dashboard/?week=2025-W47" in digest.draft.link
    assert digest.draft.link.startswith("http")
    assert digest.draft.municipality_id == w.municipality.pk
    # The district table as xlsx: the district's schools only.
    assert digest.draft.attachment_name == f"district-{w.municipality.pk}-2025-W47.xlsx"
    book = openpyxl.load_workbook(io.BytesIO(digest.draft.attachment))
    names = {row[0] for row in book.active.iter_rows(values_only=True)}
    assert {w.school.short_name, w.other_school.short_name, NO_DATA_SCHOOL} <= names
    assert UKHTA_SCHOOL not in names


def test_a_district_leads_digest_names_no_school_of_another_district(digest_world):
    w = digest_world
    digest = _by_user(build_digests())[w.district_lead.pk]
    visible = set(organizations_visible_to(w.district_lead))
    outside = Organization.objects.exclude(pk__in=[o.pk for o in visible])
    assert outside.exists()
    for name in [o.short_name for o in outside] + [w.other_municipality.name]:
        assert name not in digest.draft.text and name not in digest.draft.html
    for org in visible:
        assert org.municipality_id == w.municipality.pk


def test_a_coordinators_digest_has_the_region_league_and_overdue_district_items(
    digest_world, django_capture_on_commit_callbacks
):
    w = digest_world
    from rollout.services import tasks_sync_for_municipalities

    tasks_sync_for_municipalities(municipality_ids=[w.municipality.pk, w.other_municipality.pk])
    text = _by_user(build_digests())[w.coordinator.pk].draft.text
    assert "■ Республика Коми" in text
    assert "Полнота: данные по 3 из 4 ОО." in text
    assert "этап 1 — 50,0 %, этап 2 — 75 %" in text
    assert "Лучшие МО (активность сотрудников):" in text
    assert f"1. {w.other_municipality.name} — 90,0 %" in text
    assert "Просрочены пункты плана УО" in text and w.municipality.name + ": 1.1" in text
    assert f"/regions/{w.region.pk}/dashboard/?week=2025-W47" in text
    assert w.far_municipality.name not in text


def test_the_oo_admin_and_head_get_the_school_with_gap_flags_and_steps(digest_world):
    w = digest_world
    digests = _by_user(build_digests())
    for user in (w.oo_admin, w.oo_head):
        text = digests[user.pk].draft.text
        assert f"■ {w.school.short_name}" in text
        assert "данные ОО есть (срез 19.11.2025)" in text
        assert "по району — данные по 2 из 3 ОО" in text
        assert "ещё 5 сотрудников до 75 %" in text
        assert "ещё 2\u00a0500 человек до 30 %" in text  # grouped thousands
        assert "Замечания к данным:" in text and "Что делать:" in text
        assert "Просрочено:" in text
        assert "■ Мои шаги:" in text
        assert digests[user.pk].draft.organization_id == w.school.pk
        assert w.other_school.short_name not in text
    assert "Не отмечено: 5 шагов." in digests[w.oo_admin.pk].draft.text
    assert "Не отмечено: 6 шагов." in digests[w.oo_head.pk].draft.text


def test_a_class_teacher_gets_their_unticked_steps_and_none_when_all_are_ticked(digest_world):
    w = digest_world
    text = _by_user(build_digests())[w.teacher.pk].draft.text
    assert "■ Мои шаги: классный руководитель" in text and "5А: " in text
    tasks = Task.objects.filter(user=w.teacher, step__isnull=False)
    assert f"Не отмечено: {count_ru(tasks.count(), 'шаг', 'шага', 'шагов')}." in text
    tasks.update(status=Status.DONE)
    assert w.teacher.pk not in _by_user(build_digests())


def test_a_person_with_several_roles_gets_one_digest(digest_world):
    w = digest_world
    from organizations.models import Membership

    Membership.objects.create(user=w.district_lead, role=Role.OO_ADMIN, organization=w.other_school)
    digests = [d for d in build_digests() if d.draft.user.pk == w.district_lead.pk]
    assert len(digests) == 1
    text = digests[0].draft.text
    assert "районный ответственный, администратор Сферум в ОО" in text
    assert text.index(f"■ {w.municipality.name}") < text.index(f"■ {w.other_school.short_name}")


def test_a_partial_week_says_so(digest_world):
    digests = build_digests(week=W48)
    assert {d.draft.key for d in digests} == {"2025-W48"}
    text = _by_user(digests)[digest_world.district_lead.pk].draft.text
    assert "данные по 1 из 3 ОО — неполные данные" in text
    assert "неполные данные" in text.split("Активность сотрудников")[1].splitlines()[0]
    assert "цель этапа 2 достигнута" not in text


def test_coverage_sentence_and_week_choice_use_plurals_and_grouping():
    from monitoring.dashboards import Coverage

    assert (
        coverage_sentence(Coverage(12716, 12800, None)) == "данные по 12\u00a0716 из 12\u00a0800 ОО"
    )
    assert coverage_sentence(Coverage(6, 37, 30)).endswith(
        "неполные данные, неделя загружена не полностью"
    )
    assert coverage_sentence(None) == "данных за эту неделю нет"

    class Row:
        def __init__(self, week, n):
            self.week_start, self.organizations_with_data = week, n

    assert latest_adequate_week([Row(W46, 10), Row(W47, 10), Row(W48, 3)]) == W47


def test_the_digest_email_reaches_the_smtp_server_with_the_xlsx(digest_world, smtp):
    w = digest_world
    drafts = [d.draft for d in build_digests() if d.draft.user.pk == w.district_lead.pk]
    assert enqueue_many(drafts, send=False) == 1
    assert deliver_due().sent == 1
    [(recipients, message)] = smtp.received.messages
    assert recipients == [w.district_lead.email]
    assert "Дальше всех от 75 %" in message.get_body(("plain",)).get_content()
    assert "Дальше всех от 75 %" in message.get_body(("html",)).get_content()
    [attachment] = list(message.iter_attachments())
    assert attachment.get_filename().endswith(".xlsx")


def test_send_digests_dry_run_prints_every_recipient_and_queues_nothing(digest_world):
    out = StringIO()
    call_command("send_digests", "--dry-run", stdout=out)
    output = out.getvalue()
    w = digest_world
    for user in (w.coordinator, w.district_lead, w.oo_admin, w.oo_head, w.teacher):
        assert f"Кому: {user.full_name} <{user.email}>" in output
    assert "Роль: районный ответственный" in output and "Каналы: электронная почта" in output
    assert "Дальше всех от 75 %" in output
    assert "Пробный запуск: ничего не поставлено в очередь и не отправлено." in output
    assert Message.objects.count() == 0 and not mail.outbox


def test_send_digests_queues_once_and_only_limits_channels(digest_world, settings):
    settings.MAX_BOT_TOKEN = "token"
    w = digest_world
    MaxLink.objects.create(user=w.district_lead, max_user_id=1001, linked_at=timezone.now())
    out = StringIO()
    call_command("send_digests", "--week", "2025-W47", "--only", "max", stdout=out)
    assert list(Message.objects.values_list("user_id", "channel")) == [
        (w.district_lead.pk, Channel.MAX)
    ]
    assert "Поставлено в очередь: 1 сообщение" in out.getvalue()
    call_command("send_digests", "--week", "2025-W47", stdout=out)
    people = {w.coordinator, w.district_lead, w.oo_admin, w.oo_head, w.teacher}
    assert Message.objects.filter(channel=Channel.EMAIL).count() == len(people)
    call_command("send_digests", "--week", "2025-W47", stdout=(again := StringIO()))
    assert "Поставлено в очередь: 0 сообщений" in again.getvalue()
    assert Message.objects.count() == len(people) + 1


def test_the_monday_signal_queues_each_digest_once_even_if_fired_twice(
    digest_world, django_capture_on_commit_callbacks
):
    w = digest_world
    for _ in range(2):
        with django_capture_on_commit_callbacks(execute=True):
            week_computed.send(sender=None, region_ids=[w.region.pk], monday=W47)
    rows = list(Message.objects.values_list("user_id", "kind", "key"))
    people = {w.coordinator.pk, w.district_lead.pk, w.oo_admin.pk, w.oo_head.pk, w.teacher.pk}
    assert sorted(rows) == sorted((pk, "digest", "2025-W47") for pk in people)


def test_the_weekly_monday_task_builds_the_digests_of_the_regions_it_computed(
    digest_world, monkeypatch, django_capture_on_commit_callbacks
):
    # Monday 01.12.2025 06:30 in Komi (UTC+3): the week just ended is W48.
    monday_morning = dt.datetime(2025, 12, 1, 3, 30, tzinfo=dt.UTC)
    monkeypatch.setattr("monitoring.tasks.timezone.now", lambda: monday_morning)
    for _ in range(2):  # beat firing twice
        with django_capture_on_commit_callbacks(execute=True):
            weekly_monday_task()
    keys = set(Message.objects.values_list("key", flat=True))
    assert keys == {"2025-W48"}
    assert Message.objects.count() == len(set(Message.objects.values_list("user_id", flat=True)))
    assert Message.objects.filter(user=digest_world.district_lead).count() == 1


def _add_schools(world, first: int, n: int) -> None:
    for i in range(first, first + n):
        school = OrganizationFactory(
            municipality=world.municipality, short_name=f"МБОУ «СОШ № {100 + i}»"
        )
        person(Role.OO_ADMIN, school, phone=f"+7 900 000-00-{i:02d}")
        person(Role.OO_HEAD, school)


def _queries() -> tuple[int, int]:
    with CaptureQueriesContext(connection) as captured:
        digests = build_digests(week=W47)
    return len(captured), len(digests)


def test_query_counts_do_not_grow_with_schools_and_people(digest_world):
    _add_schools(digest_world, 0, 3)
    few, few_digests = _queries()
    _add_schools(digest_world, 3, 9)  # 12 schools with an admin and a head each
    many, many_digests = _queries()
    assert many_digests == few_digests + 18
    assert many == few, (few, many)
