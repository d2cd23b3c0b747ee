"""Changing a status: every change is recorded with who, when, old and new status and comment;
"не требуется" needs a reason; evidence where the plan asks for it; files only through a scoped
download."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from organizations.models import Role
from rollout.models import DistrictContacts, Evidence, Status, StatusChange, Task
from rollout.services import EvidenceInput, district_contacts_publish, task_status_change
from tests.factories import MunicipalityFactory, OrganizationFactory, person, plan_task
from tests.rollout.files import EXE, PDF, docx, upload


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def _step(user, code) -> Task:
    return Task.objects.get(user=user, step__code=code, archived=False)


def _item(org, code) -> Task:
    return plan_task(org, code)


def _post(client, task, **data):
    return client.post(reverse("rollout:task", args=[task.pk]), data)


def test_every_status_change_is_recorded_with_who_when_old_new_and_comment(world, client):
    client.force_login(world.oo_admin)
    task = _step(world.oo_admin, "oo_admin-1")
    steps = [
        (Status.IN_PROGRESS, "Скачиваю", ""),
        (Status.DONE, "Установлено на телефон и ПК", ""),
        (Status.NOT_REQUIRED, "", "Приложение уже стояло"),
        (Status.NOT_STARTED, "Переустанавливаю", ""),
    ]
    for status, comment, reason in steps:
        response = _post(client, task, status=status, comment=comment, reason=reason)
        assert response.status_code == 302, response.content.decode()[:2000]
    history = list(task.changes.order_by("changed_at", "pk"))
    assert [(h.old_status, h.new_status) for h in history] == [
        (Status.NOT_STARTED, Status.IN_PROGRESS),
        (Status.IN_PROGRESS, Status.DONE),
        (Status.DONE, Status.NOT_REQUIRED),
        (Status.NOT_REQUIRED, Status.NOT_STARTED),
    ]
    assert [h.comment for h in history] == [
        "Скачиваю",
        "Установлено на телефон и ПК",
        "",
        "Переустанавливаю",
    ]
    assert history[2].reason == "Приложение уже стояло"
    assert all(h.changed_by == world.oo_admin and h.changed_at for h in history)
    task.refresh_from_db()
    assert task.status == Status.NOT_STARTED and task.changed_by == world.oo_admin
    assert task.reason == ""

    page = client.get(reverse("rollout:task", args=[task.pk])).content.decode()
    assert "История изменений" in page
    assert "в работе → <strong>выполнено</strong>" in page
    assert "«Установлено на телефон и ПК»" in page
    assert "Приложение уже стояло" in page


def test_not_required_without_a_reason_is_refused(world, client):
    client.force_login(world.oo_admin)
    task = _step(world.oo_admin, "oo_admin-2")
    response = _post(client, task, status=Status.NOT_REQUIRED, comment="", reason=" ")
    assert response.status_code == 200
    assert "Укажите, почему шаг не требуется." in response.content.decode()
    assert not task.changes.exists()
    with pytest.raises(ValidationError):
        task_status_change(task=task, user=world.oo_admin, status=Status.NOT_REQUIRED)


def test_saving_nothing_new_is_refused_not_recorded(world):
    task = _step(world.oo_admin, "oo_admin-2")
    with pytest.raises(ValidationError, match="Ничего не изменилось"):
        task_status_change(task=task, user=world.oo_admin, status=Status.NOT_STARTED)


def test_a_comment_alone_is_a_recorded_change(world):
    task = _step(world.oo_admin, "oo_admin-2")
    change = task_status_change(
        task=task, user=world.oo_admin, status=Status.NOT_STARTED, comment="Жду СМС"
    )
    assert change.old_status == change.new_status == Status.NOT_STARTED
    assert change.comment == "Жду СМС"


def test_item_1_5_takes_the_orders_number_date_and_the_people_appointed(world, client):
    client.force_login(world.oo_admin)
    task = _item(world.school, "1.5")
    response = _post(client, task, status=Status.DONE, comment="")
    assert "укажите номер и дату приказа и назначенных" in response.content.decode()
    response = _post(
        client,
        task,
        status=Status.DONE,
        order_number="41-ОД",
        order_date="2025-11-14",
    )
    assert "Укажите, кто назначен ответственным." in response.content.decode()
    response = _post(
        client,
        task,
        status=Status.DONE,
        order_number="41-ОД",
        order_date="2025-11-14",
        appointed_responsible="Туркина Г. И., заместитель директора",
        appointed_admin="Игнатова М. С., учитель информатики",
        staff_acquainted="on",
        comment="Приказ подписан",
    )
    assert response.status_code == 302
    evidence = Evidence.objects.get(task=task)
    assert (evidence.order_number, evidence.order_date) == ("41-ОД", datetime.date(2025, 11, 14))
    assert evidence.staff_acquainted and evidence.created_by == world.oo_admin
    assert task.changes.get().evidence == evidence
    page = client.get(reverse("rollout:task", args=[task.pk])).content.decode()
    assert "Приказ № 41-ОД от 14.11.2025" in page
    assert "ответственный: Туркина Г. И., заместитель директора" in page


def test_the_local_act_is_uploaded_and_downloaded_only_through_the_scoped_view(
    world, client, settings
):
    client.force_login(world.oo_head)
    task = _step(world.oo_head, "oo_head-2")
    response = client.post(
        reverse("rollout:task", args=[task.pk]),
        {
            "status": Status.DONE,
            "comment": "Утверждено педсоветом",
            "file": upload("Положение.docx", docx()),
        },
    )
    assert response.status_code == 302
    evidence = Evidence.objects.get(task=task)
    assert evidence.content_kind == "docx" and evidence.original_name == "Положение.docx"
    stored = settings.MEDIA_ROOT / evidence.file.name
    assert stored.exists() and "Положение" not in evidence.file.name
    assert evidence.file.name.startswith("rollout/evidence/")

    page = client.get(reverse("rollout:task", args=[task.pk])).content.decode()
    download = reverse("rollout:evidence", args=[evidence.pk])
    assert download in page and "/media/" not in page

    for user in (world.oo_head, world.oo_admin, world.district_lead, world.coordinator):
        client.force_login(user)
        response = client.get(download)
        assert response.status_code == 200
        assert "attachment" in response["Content-Disposition"]
        assert b"".join(response.streaming_content) == docx()
    for user in (world.teacher, world.nobody, person(Role.DISTRICT_LEAD, world.other_municipality)):
        client.force_login(user)
        assert client.get(download).status_code == 404


def test_a_renamed_program_is_refused_as_a_local_act(world, client):
    client.force_login(world.oo_head)
    task = _step(world.oo_head, "oo_head-2")
    response = client.post(
        reverse("rollout:task", args=[task.pk]),
        {"status": Status.DONE, "file": upload("Положение.pdf", EXE)},
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "Файл «Положение.pdf» не принят: это программа (исполняемый файл)" in page
    assert not Evidence.objects.exists()
    task.refresh_from_db()
    assert task.status == Status.NOT_STARTED


def test_the_service_refuses_a_renamed_program_too(world):
    task = _item(world.school, "1.6")
    with pytest.raises(ValidationError) as exc:
        task_status_change(
            task=task,
            user=world.oo_admin,
            status=Status.DONE,
            evidence=EvidenceInput(file=upload("акт.pdf", EXE)),
        )
    assert "программа" in str(exc.value)


def test_a_local_act_cannot_be_done_without_a_file_but_a_later_status_keeps_it(world):
    task = _item(world.school, "1.6")
    with pytest.raises(ValidationError, match="приложите файл"):
        task_status_change(task=task, user=world.oo_admin, status=Status.DONE)
    task_status_change(
        task=task,
        user=world.oo_admin,
        status=Status.IN_PROGRESS,
        evidence=EvidenceInput(file=upload("акт.pdf", PDF)),
    )
    task_status_change(task=task, user=world.oo_admin, status=Status.DONE)
    assert Task.objects.get(pk=task.pk).status == Status.DONE


def test_publishing_the_contacts_closes_the_leads_steps_and_every_school_sees_them(world, client):
    client.force_login(world.district_lead)
    step_1 = _step(world.district_lead, "district_lead-1")
    with pytest.raises(ValidationError, match="опубликуйте контакты"):
        task_status_change(task=step_1, user=world.district_lead, status=Status.DONE)
    response = client.post(
        reverse("rollout:district_contacts", args=[world.municipality.pk]),
        {
            "contacts": "Ульянова Светлана Геннадьевна, +7 (82139) 2-11-11, uo@example.ru",
            "consultation_hours": "Вторник и четверг, 14:00–16:00",
        },
    )
    assert response.status_code == 302
    step_1.refresh_from_db()
    step_4 = _step(world.district_lead, "district_lead-4")
    assert step_1.status == step_4.status == Status.DONE
    assert "опубликованы" in step_4.changes.get().comment

    for user in (world.oo_admin, world.oo_head, world.teacher):
        client.force_login(user)
        page = client.get(reverse("organizations:organization", args=[world.school.pk])).content
        assert "Вторник и четверг, 14:00–16:00" in page.decode()
        assert "+7 (82139) 2-11-11" in client.get(reverse("rollout:my_steps")).content.decode()
    far_lead = person(Role.DISTRICT_LEAD, world.far_municipality)
    client.force_login(far_lead)
    assert (
        client.get(reverse("rollout:district_contacts", args=[world.municipality.pk])).status_code
        == 404
    )


def test_contacts_publish_only_the_half_that_is_filled(world):
    district_contacts_publish(
        municipality=world.municipality,
        user=world.district_lead,
        contacts="uo@example.ru",
        consultation_hours="",
    )
    assert _step(world.district_lead, "district_lead-1").status == Status.DONE
    assert _step(world.district_lead, "district_lead-4").status == Status.NOT_STARTED
    assert DistrictContacts.objects.get().updated_by == world.district_lead


def test_another_municipality_keeps_its_own_contacts(world):
    municipality = MunicipalityFactory(region=world.region)
    school = OrganizationFactory(municipality=municipality)
    district_contacts_publish(
        municipality=world.municipality,
        user=world.district_lead,
        contacts="uo@example.ru",
        consultation_hours="",
    )
    from rollout.summaries import organization_panel

    assert organization_panel(world.operator, school).contacts is None
    assert StatusChange.objects.count() == 1
