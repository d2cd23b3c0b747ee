"""«Журнал изменений»: each audited change (an organisation renamed in the admin, a role added and
removed, a target changed, a checklist status changed, an upload confirmed) reaches the district
lead's log with who and when; nothing of another district does; organisation roles get 404; a
page costs the same number of queries however many entries there are."""

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from monitoring import services as upload_services
from monitoring.models import Target, Upload
from organizations.models import Invitation, Membership, Organization, Role, SchoolClass
from organizations.services import invitation_token
from rollout.models import ChecklistTemplate, Status
from rollout.services import task_status_change
from rollout.templates_data import templates_load
from tests.factories import OrganizationFactory, person, plan_task
from tests.monitoring.conftest import export_file, export_row

D1 = dt.date(2025, 11, 17)


@pytest.fixture(autouse=True)
def rollout_templates(db):
    # The data migration loads them, but a transactional test may have flushed the table.
    if not ChecklistTemplate.objects.exists():
        templates_load()


def _log(client, user, municipality, **params):
    client.force_login(user)
    response = client.get(reverse("portal:municipality_audit", args=[municipality.pk]), params)
    assert response.status_code == 200
    return response


def _entries(response):
    return response.context["entries"]


def _find(entries, kind, label_part):
    return [e for e in entries if e.kind == kind and label_part in e.object_label]


def _admin_rename(client, operator, organization, new_name):
    client.force_login(operator)
    url = reverse("admin:organizations_organization_change", args=[organization.pk])
    data = {
        "municipality": organization.municipality_id,
        "sferum_id": organization.sferum_id,
        "short_name": new_name,
        "org_type": organization.org_type,
        "link": "",
        "is_active": "on",
        "inn": "",
        "kpp": "",
        "aliases-TOTAL_FORMS": "0",
        "aliases-INITIAL_FORMS": "0",
        "aliases-MIN_NUM_FORMS": "0",
        "aliases-MAX_NUM_FORMS": "1000",
    }
    response = client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:3000]


def _invite(client, lead, organization, email):
    client.force_login(lead)
    response = client.post(
        reverse("organizations:person_invite", args=[organization.pk]),
        {
            "role": Role.OO_HEAD,
            "last_name": "Петрова",
            "first_name": "Мария",
            "email": email,
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    # The role counts once the invitee accepts it (a new account: sets a password to accept).
    invitation = Invitation.objects.get(email=email, organization=organization)
    client.logout()
    password = "Сферум-МАХ-2025!"
    client.post(
        reverse("organizations:invitation", args=[invitation_token(invitation)]),
        {"action": "accept", "new_password1": password, "new_password2": password},
    )
    return Membership.objects.get(user__email=email, organization=organization)


def _admin_delete(client, operator, membership):
    client.force_login(operator)
    url = reverse("admin:organizations_membership_delete", args=[membership.pk])
    assert client.post(url, {"post": "yes"}).status_code == 302
    assert not Membership.objects.filter(pk=membership.pk).exists()


def _set_baseline(client, coordinator, region, value):
    client.force_login(coordinator)
    response = client.post(
        reverse("monitoring:region_targets", args=[region.pk]),
        {
            "effective_from": "2025-09-01",
            "staff_activity": str(value),
            "students_parents_activity": "20",
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]


def _upload(user, organizations, date=D1):
    file = export_file([export_row(o, date) for o in organizations])
    upload = upload_services.upload_receive(uploaded_file=file, user=user, inline=True)
    upload_services.upload_confirm(upload=upload, skip_invalid=False, inline=True)
    upload.refresh_from_db()
    assert upload.status == Upload.Status.DONE
    return upload


def _school_item(organization, code="2.1"):
    return plan_task(organization, code)


def test_each_audited_change_reaches_the_district_leads_log_with_who_and_when(world, client):
    started = timezone.now()
    _admin_rename(client, world.operator, world.school, "МБОУ «СОШ № 1 им. Пушкина» г. Емвы")
    membership = _invite(client, world.district_lead, world.other_school, "petrova@example.ru")
    _admin_delete(client, world.operator, membership)
    _set_baseline(client, world.coordinator, world.region, 40)
    _set_baseline(client, world.coordinator, world.region, 45)
    task = _school_item(world.school)
    task_status_change(task=task, user=world.oo_admin, status=Status.IN_PROGRESS, comment="Начали")
    upload = _upload(world.district_lead, [world.school, world.other_school])

    entries = _entries(_log(client, world.district_lead, world.municipality))
    fresh = [e for e in entries if e.when >= started]

    (renamed,) = _find(fresh, "organization", "им. Пушкина")
    assert renamed.who == world.operator.full_name and renamed.action == "изменено"
    assert [(c.field, c.old, c.new) for c in renamed.changes] == [
        ("краткое название", "МБОУ «СОШ № 1» г. Емвы", "МБОУ «СОШ № 1 им. Пушкина» г. Емвы")
    ]

    roles = _find(fresh, "membership", "Петрова Мария")
    assert [(e.action, e.who) for e in roles] == [
        ("удалено", world.operator.full_name),
        ("создано", "Петрова Мария"),  # she accepted the district lead's invitation
    ]
    assert "руководитель ОО" in roles[0].object_label
    assert "МБОУ «СОШ № 2»" in roles[0].object_label

    (target_change,) = [e for e in _find(fresh, "target", "Активность сотрудников") if e.changes]
    assert target_change.who == world.coordinator.full_name
    assert [(c.field, c.old, c.new) for c in target_change.changes] == [
        ("целевое значение, %", "40", "45")
    ]

    (ticked,) = _find(fresh, "task", "2.1")
    assert ticked.who == world.oo_admin.full_name
    assert ticked.url == reverse("rollout:task", args=[task.pk])
    assert ("статус", "не начато", "в работе") in [(c.field, c.old, c.new) for c in ticked.changes]
    assert ("комментарий", "—", "Начали") in [(c.field, c.old, c.new) for c in ticked.changes]

    upload_entries = _find(fresh, "upload", "export.xlsx")
    assert upload_entries and {e.who for e in upload_entries} == {world.district_lead.full_name}
    done = [e for e in upload_entries if ("статус", "ожидает подтверждения", "загружено") in
            [(c.field, c.old, c.new) for c in e.changes]]  # fmt: skip
    assert len(done) == 1
    assert [(c.field, c.old, c.new) for c in done[0].changes][:2] == [
        ("статус", "ожидает подтверждения", "загружено"),
        ("записано", "0", "2"),
    ]
    assert done[0].url == reverse("monitoring:upload", args=[upload.pk])

    # Newest first, and the page says it in Russian with the person's name.
    assert [e.when for e in entries] == sorted((e.when for e in entries), reverse=True)
    page = _log(client, world.district_lead, world.municipality).content.decode()
    assert "Журнал изменений" in page and "<caption>" in page and 'scope="col"' in page
    assert f"{world.operator.full_name}</td>" in page
    assert (
        "краткое название:</span> МБОУ «СОШ № 1» г. Емвы → МБОУ «СОШ № 1 им. Пушкина» г. Емвы"
        in page
    )


def test_nothing_of_another_district_or_region_appears(world, client):
    ukhta_school = Organization.objects.get(municipality=world.other_municipality)
    _admin_rename(client, world.operator, ukhta_school, "Переименованная школа Ухты")
    _admin_rename(client, world.operator, world.far_school, "Переименованная школа Липецка")
    ukhta_head = person(Role.OO_HEAD, ukhta_school, last_name="Ухтинская")
    SchoolClass.objects.create(organization=ukhta_school, name="9Ухта")
    task_status_change(
        task=_school_item(ukhta_school), user=world.operator, status=Status.IN_PROGRESS
    )
    coordinator_upload = _upload(world.coordinator, [ukhta_school])
    Target.objects.create(
        indicator="staff_activity", stage=1, region=world.other_region, value_pct=Decimal(33),
        due_date=dt.date(2025, 12, 30), effective_from=dt.date(2025, 9, 1),
    )  # fmt: skip
    ukhta_head.phone = "+7 900 000-00-00"
    ukhta_head.save()

    entries = _entries(_log(client, world.district_lead, world.municipality))
    labels = " | ".join(e.object_label for e in entries)
    assert "Переименованная" not in labels
    assert "Ухтинская" not in labels and "9Ухта" not in labels
    assert not [e for e in entries if e.kind == "task"]
    assert not [e for e in entries if e.kind == "upload"]
    assert not [e for e in entries if e.kind == "target"]

    # The coordinator's log of that other district has them; the region's log has both.
    ukhta = _entries(_log(client, world.coordinator, world.other_municipality))
    assert _find(ukhta, "organization", "Переименованная школа Ухты")
    assert _find(ukhta, "membership", "Ухтинская")
    assert _find(ukhta, "person", "Ухтинская")
    assert _find(ukhta, "class", "9Ухта")
    assert _find(ukhta, "task", "2.1")
    assert _find(ukhta, "upload", coordinator_upload.file_name)
    client.force_login(world.coordinator)
    region_page = client.get(reverse("portal:region_audit", args=[world.region.pk]))
    region_labels = " | ".join(e.object_label for e in region_page.context["entries"])
    assert "Переименованная школа Ухты" in region_labels
    assert "Переименованная школа Липецка" not in region_labels


@pytest.mark.parametrize(
    ("persona", "municipality_code", "region_code"),
    [
        ("district_lead", 200, 404),
        ("district_methodologist", 200, 404),
        ("coordinator", 200, 200),
        ("methodologist", 200, 200),
        ("operator", 200, 200),
        ("oo_admin", 404, 404),
        ("oo_head", 404, 404),
        ("teacher", 404, 404),
        ("nobody", 404, 404),
    ],
)
def test_the_log_is_for_district_and_region_roles_and_404_for_organisation_roles(
    world, client, persona, municipality_code, region_code
):
    client.force_login(getattr(world, persona))
    municipality_url = reverse("portal:municipality_audit", args=[world.municipality.pk])
    region_url = reverse("portal:region_audit", args=[world.region.pk])
    assert client.get(municipality_url).status_code == municipality_code
    assert client.get(region_url).status_code == region_code


def test_the_dashboards_link_to_the_log(world, client):
    client.force_login(world.coordinator)
    district = client.get(reverse("portal:municipality_dashboard", args=[world.municipality.pk]))
    assert reverse("portal:municipality_audit", args=[world.municipality.pk]) in (
        district.content.decode()
    )
    region = client.get(reverse("monitoring:region_dashboard", args=[world.region.pk]))
    assert reverse("portal:region_audit", args=[world.region.pk]) in region.content.decode()


def test_filters_by_kind_and_date_and_pages_of_fifty(world, client):
    for n in range(55):
        SchoolClass.objects.create(organization=world.school, name=f"{n % 11 + 1}Ж{n}")
    _admin_rename(client, world.operator, world.school, "Школа после переименования")

    classes = _entries(_log(client, world.district_lead, world.municipality, kind="class"))
    assert len(classes) == 50 and {e.kind for e in classes} == {"class"}
    second = _log(client, world.district_lead, world.municipality, kind="class", page=2)
    assert len(_entries(second)) == 55 + 2 - 50  # the world's school has two classes
    assert "kind=class&amp;page=1" in second.content.decode()

    today = timezone.localdate()
    assert len(_entries(_log(client, world.district_lead, world.municipality, date_from=today)))
    tomorrow = today + dt.timedelta(days=1)
    empty = _log(client, world.district_lead, world.municipality, date_from=tomorrow)
    assert _entries(empty) == [] and "Нет изменений, подходящих под фильтры." in (
        empty.content.decode()
    )
    yesterday = today - dt.timedelta(days=1)
    assert _entries(_log(client, world.district_lead, world.municipality, date_to=yesterday)) == []
    # A filter that makes no sense is ignored, not an error.
    assert _entries(_log(client, world.district_lead, world.municipality, kind="passwords"))


def test_a_login_or_a_password_change_writes_no_history(world, client):
    before = world.oo_admin.history.count()
    client.post(reverse("login"), {"username": "oo_admin", "password": "pass-word-123"})
    world.oo_admin.refresh_from_db()
    world.oo_admin.set_password("another-pass-word-456")
    world.oo_admin.save(update_fields=["password"])
    assert world.oo_admin.history.count() == before
    assert "password" not in {f.name for f in world.oo_admin.history.model._meta.fields}
    assert "last_login" not in {f.name for f in world.oo_admin.history.model._meta.fields}


def _changes_of_every_kind(world, client, n):
    for i in range(n):
        organization = OrganizationFactory(municipality=world.municipality)
        organization.short_name = f"{organization.short_name} (новое имя {i})"
        organization.save()
        SchoolClass.objects.create(organization=organization, name=f"{i % 11 + 1}К")
        person(Role.OO_ADMIN, organization)
        task_status_change(
            task=_school_item(organization), user=world.operator, status=Status.IN_PROGRESS
        )
    _upload(world.district_lead, Organization.objects.filter(municipality=world.municipality))
    _set_baseline(client, world.coordinator, world.region, 40 + n)


def test_a_page_costs_the_same_queries_however_many_entries(world, client):
    _changes_of_every_kind(world, client, 2)
    client.force_login(world.district_lead)
    url = reverse("portal:municipality_audit", args=[world.municipality.pk])
    with CaptureQueriesContext(connection) as few:
        assert len(client.get(url).context["entries"]) < 50
    _changes_of_every_kind(world, client, 12)
    with CaptureQueriesContext(connection) as many:
        response = client.get(url)
    assert len(response.context["entries"]) == 50
    assert response.context["page"].paginator.count > 100
    assert len(many) == len(few), "\n".join(q["sql"][:200] for q in many.captured_queries)
    # Session, user, scope, the menu's waiting invitations, the area, the count and the page,
    # then a few per kind of entry.
    assert len(many) <= 21, len(many)


def test_the_admin_shows_each_audited_models_history(world, client):
    _set_baseline(client, world.coordinator, world.region, 40)
    task = _school_item(world.school)
    task_status_change(task=task, user=world.oo_admin, status=Status.IN_PROGRESS)
    upload = _upload(world.district_lead, [world.school])
    objects = {
        "organizations_region": world.region,
        "organizations_municipality": world.municipality,
        "organizations_organization": world.school,
        "organizations_schoolclass": world.school_class,
        "organizations_membership": Membership.objects.get(user=world.oo_admin),
        "organizations_user": world.oo_admin,
        "monitoring_target": Target.objects.filter(region=world.region).first(),
        "monitoring_upload": upload,
        "rollout_task": task,
    }
    client.force_login(world.operator)
    for name, obj in objects.items():
        response = client.get(reverse(f"admin:{name}_history", args=[obj.pk]))
        assert response.status_code == 200, name
        assert len(response.context["page_obj"].object_list) >= 1, name
