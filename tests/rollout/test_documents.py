"""The ready-to-sign drafts of plan items 1.5 (the order) and 1.6 (the Положение): filled from
the registry for each type of organisation, with the order's number and date once typed; an
administrator's template replaces the shipped one and a broken one is refused at upload; the
download follows the task's scope and costs the same number of queries however large the staff."""

import datetime
import io

import docx
import pytest
from django.core.files.base import ContentFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from organizations.models import OrgType, Role
from rollout import documents
from rollout.admin import DocumentTemplateForm
from rollout.models import DocumentKind, DocumentTemplate, Evidence, Status
from rollout.services import EvidenceInput, task_status_change
from tests.factories import OrganizationFactory, SchoolClassFactory, person, plan_task
from tests.rollout.files import PDF, upload

NBSP = "\u00a0"


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def text_of(content: bytes) -> str:
    """Every paragraph and table cell of a .docx, read back with python-docx."""
    document = docx.Document(io.BytesIO(content))
    parts = [p.text for p in document.paragraphs]
    for table in document.tables:
        for row in table.rows:
            parts.extend(cell.text for cell in row.cells)
    return "\n".join(parts)


def _staffed(world, org_type=OrgType.OU):
    names = {OrgType.OU: "МБОУ «СОШ № 7» г. Емвы", OrgType.DOU: "МБДОУ «Детский сад № 3»"}
    organization = OrganizationFactory(
        municipality=world.municipality,
        short_name=names.get(org_type, f"Организация типа {org_type}"),
        org_type=org_type,
    )
    head = person(
        Role.OO_HEAD, organization, last_name="Волошук", first_name="Лидия", patronymic="Викторовна"
    )
    admin = person(
        Role.OO_ADMIN,
        organization,
        last_name="Игнатова",
        first_name="Мария",
        patronymic="Сергеевна",
    )
    return organization, head, admin


def _draft(kind, organization) -> str:
    return text_of(documents.render_draft(kind, organization).content)


@pytest.mark.parametrize("org_type", [OrgType.OU, OrgType.DOU, OrgType.SPO, OrgType.UDO])
def test_both_drafts_carry_the_registrys_organisation_people_and_town(world, org_type):
    organization, _head, _admin = _staffed(world, org_type)
    order = _draft(DocumentKind.ORDER, organization)
    act = _draft(DocumentKind.LOCAL_ACT, organization)
    for text in (order, act):
        assert organization.short_name in text
        assert "Волошук Лидия Викторовна" in text  # the acquaintance sheet
        assert "Игнатова Мария Сергеевна" in text
        assert "Княжпогостский" in text  # the place of compilation: the municipality
        assert "{{" not in text and "{%" not in text
        assert "ЛИСТ ОЗНАКОМЛЕНИЯ" in text
    assert "ПРИКАЗ" in order and "ПРИКАЗЫВАЮ:" in order
    assert f"Л.{NBSP}В.{NBSP}Волошук" in order  # the signature, «И. О. Фамилия»
    position = "Заведующий" if org_type == OrgType.DOU else "Директор"
    assert f"{position}\tЛ.{NBSP}В.{NBSP}Волошук" in order
    assert "ПОЛОЖЕНИЕ" in act and "УТВЕРЖДЕНО" in act
    assert "Федеральный закон от 29.12.2012 № 273-ФЗ" in act and "№ 156-ФЗ" in act
    assert "8. Заключительные положения" in act
    if org_type == OrgType.DOU:
        assert "воспитанник" in act and "воспитател" in act.lower()
        assert "классн" not in act
        assert "собственных учётных записей в ИКОП «Сферум» не имеют" in act
    elif org_type == OrgType.OU:
        assert "классных руководителей" in act and "Классный руководитель" in act
        assert "ЭЖД" in act
    elif org_type == OrgType.SPO:
        assert "студент" in act and "куратор" in act.lower() and "Преподаватель" in act
    else:
        assert "объединени" in act and "педагогов дополнительного образования" in act


def test_other_types_get_the_generic_act(world):
    organization, _head, _admin = _staffed(world, OrgType.OUO)
    act = _draft(DocumentKind.LOCAL_ACT, organization)
    assert "классных руководителей (воспитателей, кураторов)" in act


def test_an_organisation_without_people_gets_blank_lines(world):
    act = _draft(DocumentKind.ORDER, world.other_school)
    assert "Директор\t____________" in act
    assert "________________________________ (ФИО, должность)" in act


def _order_typed(world, task, **fields):
    values = {
        "order_number": "41-ОД",
        "order_date": datetime.date(2025, 11, 14),
        "appointed_responsible": "Туркина Г. И., заместитель директора",
        "appointed_admin": "Игнатова М. С., учитель информатики",
        **fields,
    }
    task_status_change(
        task=task, user=world.oo_admin, status=Status.DONE, evidence=EvidenceInput(**values)
    )


def test_the_typed_order_number_and_date_fill_the_next_drafts(world):
    organization, _head, _admin = _staffed(world)
    order = _draft(DocumentKind.ORDER, organization)
    act = _draft(DocumentKind.LOCAL_ACT, organization)
    assert f"{documents.BLANK_DATE}\t№ ____" in order
    assert f"от {documents.BLANK_DATE} № ____" in act
    assert "41-ОД" not in order + act

    _order_typed(world, plan_task(organization, "1.5"))
    order = _draft(DocumentKind.ORDER, organization)
    act = _draft(DocumentKind.LOCAL_ACT, organization)
    assert "14.11.2025\t№ 41-ОД" in order
    assert "от 14.11.2025 № 41-ОД" in order  # the acquaintance sheet's heading
    assert "МАХ: Туркина Г. И., заместитель директора." in order
    assert "МАХ: Игнатова М. С., учитель информатики." in order
    assert documents.BLANK_DATE not in order
    assert "УТВЕРЖДЕНО\nприказом МБОУ «СОШ № 7» г. Емвы\nот 14.11.2025 № 41-ОД" in act


def test_the_newest_typed_order_wins(world):
    organization, _head, _admin = _staffed(world)
    task = plan_task(organization, "1.5")
    _order_typed(world, task)
    task_status_change(
        task=task,
        user=world.oo_admin,
        status=Status.DONE,
        evidence=EvidenceInput(
            order_number="45-ОД",
            order_date=datetime.date(2025, 11, 20),
            appointed_responsible="Туркина Г. И.",
        ),
    )
    assert "20.11.2025\t№ 45-ОД" in _draft(DocumentKind.ORDER, organization)


# --- the administrator's templates ---------------------------------------------------------------


def _template_bytes(*lines: str) -> bytes:
    document = docx.Document()
    for line in lines:
        document.add_paragraph(line)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def test_an_uploaded_template_for_the_type_replaces_the_shipped_one(world):
    organization, _head, _admin = _staffed(world)
    DocumentTemplate.objects.create(
        kind=DocumentKind.ORDER,
        org_type="",
        file=ContentFile(_template_bytes("ДЛЯ ВСЕХ ТИПОВ {{ organization.short_name }}"), "a.docx"),
    )
    assert "ДЛЯ ВСЕХ ТИПОВ МБОУ «СОШ № 7» г. Емвы" in _draft(DocumentKind.ORDER, organization)
    row = DocumentTemplate.objects.create(
        kind=DocumentKind.ORDER,
        org_type=OrgType.OU,
        file=ContentFile(_template_bytes("ШКОЛЬНЫЙ ШАБЛОН {{ head.initials }}"), "b.docx"),
    )
    text = _draft(DocumentKind.ORDER, organization)
    assert f"ШКОЛЬНЫЙ ШАБЛОН Л.{NBSP}В.{NBSP}Волошук" in text
    assert "ПРИКАЗЫВАЮ" not in text
    # A preschool has no template of its own: the one for every type.
    preschool, _h, _a = _staffed(world, OrgType.DOU)
    assert "ДЛЯ ВСЕХ ТИПОВ" in _draft(DocumentKind.ORDER, preschool)
    # The Положение was not replaced; an inactive row is not used.
    assert "ПОЛОЖЕНИЕ" in _draft(DocumentKind.LOCAL_ACT, organization)
    row.is_active = False
    row.save()
    assert "ДЛЯ ВСЕХ ТИПОВ" in _draft(DocumentKind.ORDER, organization)


def _form(content: bytes, name="шаблон.docx"):
    return DocumentTemplateForm(
        data={"kind": DocumentKind.ORDER, "org_type": OrgType.OU, "is_active": "on"},
        files={"file": upload(name, content)},
    )


@pytest.mark.parametrize(
    ("content", "name", "message"),
    [
        (_template_bytes("{{ organization.fullname }}"), "шаблон.docx", "нет поля «fullname»"),
        (_template_bytes("{{ director }}"), "шаблон.docx", "неизвестная переменная «director»"),
        (_template_bytes("{% if order.number %}без конца"), "шаблон.docx", "ошибка синтаксиса"),
        (PDF, "шаблон.pdf", "должен быть документом Word (.docx)"),
        (PDF, "шаблон.docx", "по содержимому это PDF"),
    ],
)
def test_a_broken_template_is_refused_at_upload_in_russian(db, content, name, message):
    form = _form(content, name)
    assert not form.is_valid()
    assert message in form.errors["file"][0]
    assert not DocumentTemplate.objects.exists()


def test_a_good_template_is_accepted_and_the_admin_lists_the_placeholders(world, client):
    assert _form(_template_bytes("{{ organization.full_name }} {{ order.date_line }}")).is_valid()
    for shipped in documents.SHIPPED.glob("*.docx"):
        assert _form(shipped.read_bytes()).is_valid(), shipped.name
    client.force_login(world.operator)
    page = client.get(reverse("admin:rollout_documenttemplate_add")).content.decode()
    assert "organization.full_name" in page and "order.date_line" in page
    response = client.post(
        reverse("admin:rollout_documenttemplate_add"),
        {
            "kind": DocumentKind.LOCAL_ACT,
            "org_type": "",
            "is_active": "on",
            "file": upload("т.docx", _template_bytes("{{ nope }}")),
        },
    )
    assert response.status_code == 200
    assert "неизвестная переменная «nope»" in response.content.decode()


# --- the download --------------------------------------------------------------------------------


def test_the_draft_is_downloaded_by_whoever_sees_the_task(world, client):
    task = plan_task(world.school, "1.5")
    url = reverse("rollout:task_draft", args=[task.pk])
    for user in (world.oo_admin, world.oo_head, world.district_lead, world.coordinator):
        client.force_login(user)
        response = client.get(url)
        assert response.status_code == 200, user
        assert response["Content-Type"] == documents.DOCX_TYPE
        disposition = response["Content-Disposition"]
        assert f'attachment; filename="prikaz-1.5-{world.school.sferum_id}.docx"' in disposition
        assert "filename*=UTF-8''" in disposition
        assert "ПРИКАЗ" in text_of(response.content)
    act = plan_task(world.school, "1.6")
    response = client.get(reverse("rollout:task_draft", args=[act.pk]))
    assert f"polozhenie-1.6-{world.school.sferum_id}.docx" in response["Content-Disposition"]
    assert "ПОЛОЖЕНИЕ" in text_of(response.content)


def test_the_draft_is_not_found_outside_the_scope_or_for_other_items(world, client):
    task = plan_task(world.school, "1.5")
    url = reverse("rollout:task_draft", args=[task.pk])
    response = client.get(url)  # anonymous: to the login page
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))
    for user in (world.teacher, world.nobody, person(Role.DISTRICT_LEAD, world.other_municipality)):
        client.force_login(user)
        assert client.get(url).status_code == 404
    client.force_login(world.oo_admin)
    for code in ("1.9", "1.7"):  # an order without appointments; a measured item
        other = plan_task(world.school, code)
        assert client.get(reverse("rollout:task_draft", args=[other.pk])).status_code == 404
    step = world.oo_admin.rollout_tasks.filter(step__isnull=False).first()
    assert client.get(reverse("rollout:task_draft", args=[step.pk])).status_code == 404


def test_the_task_page_offers_the_draft_of_its_item_only(world, client):
    client.force_login(world.oo_admin)
    pages = {
        code: client.get(reverse("rollout:task", args=[plan_task(world.school, code).pk]))
        for code in ("1.5", "1.6", "1.9")
    }
    assert "Скачать проект приказа (.docx)" in pages["1.5"].content.decode()
    assert "Скачать проект положения (.docx)" in pages["1.6"].content.decode()
    assert "Скачать проект" not in pages["1.9"].content.decode()
    assert 'name="file"' in pages["1.5"].content.decode()  # the signed scan's field
    assert "Скан подписанного приказа" in pages["1.5"].content.decode()


def test_the_signed_scan_of_the_order_is_uploaded_and_shown(world, client):
    client.force_login(world.oo_admin)
    task = plan_task(world.school, "1.5")
    url = reverse("rollout:task", args=[task.pk])
    response = client.post(
        url,
        {
            "status": Status.IN_PROGRESS,
            "order_number": "41-ОД",
            "order_date": "2025-11-14",
            "appointed_responsible": "Туркина Г. И., заместитель директора",
        },
    )
    assert response.status_code == 302
    # Later, the scan alone: the order's details are carried over.
    response = client.post(url, {"status": Status.DONE, "file": upload("Приказ 41-ОД.pdf", PDF)})
    assert response.status_code == 302
    evidence = Evidence.objects.filter(task=task).first()
    assert evidence.content_kind == "pdf" and evidence.original_name == "Приказ 41-ОД.pdf"
    assert (evidence.order_number, evidence.order_date) == ("41-ОД", datetime.date(2025, 11, 14))
    assert evidence.appointed_responsible == "Туркина Г. И., заместитель директора"
    page = client.get(url).content.decode()
    assert "Файл «Приказ 41-ОД.pdf»" in page and "Приказ № 41-ОД от 14.11.2025" in page
    download = reverse("rollout:evidence", args=[evidence.pk])
    assert download in page
    assert b"".join(client.get(download).streaming_content) == PDF
    # The next draft still carries the order's number.
    assert "14.11.2025\t№ 41-ОД" in text_of(
        client.get(reverse("rollout:task_draft", args=[task.pk])).content
    )


def test_a_scan_without_any_order_details_is_refused(world):
    task = plan_task(world.school, "1.5")
    with pytest.raises(Exception, match="Укажите номер приказа"):
        task_status_change(
            task=task,
            user=world.oo_admin,
            status=Status.DONE,
            evidence=EvidenceInput(file=upload("скан.pdf", PDF)),
        )


def test_the_draft_costs_the_same_queries_however_large_the_staff(world, client):
    organization, _head, _admin = _staffed(world)
    task = plan_task(organization, "1.6")
    _order_typed(world, plan_task(organization, "1.5"))
    client.force_login(world.district_lead)
    url = reverse("rollout:task_draft", args=[task.pk])

    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url).status_code == 200
        return len(ctx)

    small = count()
    for n in range(12):
        school_class = SchoolClassFactory(organization=organization, name=f"{n + 1}В")
        person(Role.CLASS_TEACHER, organization, classes=[school_class], last_name=f"Учитель{n}")
    response_text = text_of(client.get(url).content)
    assert "Учитель11" in response_text
    assert count() == small
