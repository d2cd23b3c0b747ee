"""«5а», «5 А» and «5А» are one class: the form, bulk writes, imports and the database compare
class names with case and spaces ignored, and keep the name as first typed."""

import importlib

import pytest
from django.apps import apps
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from organizations.models import Membership, SchoolClass, class_name_key
from organizations.services_roster import class_add
from rollout.models import Task
from tests.factories import OrganizationFactory, SchoolClassFactory
from tests.organizations.test_admin_import import admin_import, xlsx


def test_the_key_ignores_case_and_spaces():
    assert (
        class_name_key("5 а") == class_name_key("5А") == class_name_key(" 5  a".replace("a", "а"))
    )
    assert class_name_key("10Б") != class_name_key("1 0 В")


@pytest.mark.parametrize("typed", ["5а", "5 А", " 5 а ", "5А"])
def test_the_form_refuses_the_same_class_typed_differently(world, login, typed):
    client = login(world.oo_admin)
    response = client.post(
        reverse("organizations:class_create", args=[world.school.pk]), {"name": typed}
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "Класс «5А» уже есть в этой ОО" in page
    assert world.school.classes.count() == 2


def test_a_new_class_keeps_its_name_as_typed(world, login):
    client = login(world.oo_admin)
    response = client.post(
        reverse("organizations:class_create", args=[world.school.pk]), {"name": "7  в"}
    )
    assert response.status_code == 302
    created = world.school.classes.get(name_key="7в")
    assert created.name == "7 в"
    # The same name in another organisation is another class.
    assert class_add(organization=world.other_school, name="7В")[0].organization == (
        world.other_school
    )


def test_the_database_refuses_a_duplicate_written_past_the_form(world):
    with pytest.raises(IntegrityError), transaction.atomic():
        SchoolClass.objects.create(organization=world.school, name="5 а")
    with pytest.raises(IntegrityError), transaction.atomic():
        SchoolClass.objects.bulk_create([SchoolClass(organization=world.school, name="5а")])


def test_bulk_writes_fill_the_key_and_the_grade(db):
    organization = OrganizationFactory()
    created = SchoolClass.objects.bulk_create(
        [SchoolClass(organization=organization, name=n) for n in ("10 Б", "2а")]
    )
    assert [(c.name_key, c.grade) for c in created] == [("10б", 10), ("2а", 2)]
    assert set(organization.classes.values_list("name_key", flat=True)) == {"10б", "2а"}


def test_an_archived_class_comes_back_when_added_again(world):
    school_class = SchoolClassFactory(organization=world.school, name="8Г")
    school_class.archived_at = timezone.now()
    school_class.save()
    restored, was_archived = class_add(organization=world.school, name="8 г")
    assert was_archived and restored.pk == school_class.pk
    assert restored.name == "8Г" and restored.archived_at is None


def test_the_admin_import_matches_a_class_typed_differently(world, client):
    client.force_login(world.operator)
    sid = str(world.school.sferum_id)
    _response, imported = admin_import(
        client,
        "schoolclass",
        xlsx(["ID организация", "Класс"], [sid, "5 а"], [sid, "9 Д"]),
    )
    assert imported
    assert world.school.classes.filter(name_key="5а").count() == 1
    assert world.school.classes.get(name_key="5а").name == "5А"
    assert world.school.classes.filter(name="9 Д").exists()


def test_the_membership_import_finds_classes_typed_differently(world, client):
    client.force_login(world.operator)
    _response, imported = admin_import(
        client,
        "membership",
        xlsx(
            ["Логин", "Роль", "Код региона", "МО", "ID организация", "Классы", "Был профиль в ВКМ"],
            [
                "nobody",
                "классный руководитель",
                "",
                "",
                str(world.school.sferum_id),
                "5 а, 6б",
                "нет",
            ],
        ),
    )
    assert imported
    membership = Membership.objects.get(user=world.nobody, role="class_teacher")
    assert set(membership.classes.values_list("name", flat=True)) == {"5А", "6Б"}


def test_the_migration_merges_existing_duplicates_into_the_first_class(world):
    """Before the key, «5А» and «5а» could both exist: the data step keeps the first, moves the
    teachers, invitations and tasks of the other to it, and archives the other."""
    migration = importlib.import_module("organizations.migrations.0007_class_name_key_archive")
    keeper = world.school_class  # «5А», taught by world.teacher
    teacher = Membership.objects.get(user=world.teacher)
    other_teacher = Membership.objects.create(
        user=world.oo_head, role="class_teacher", organization=world.school
    )
    # A duplicate written before the key existed: another organisation's class moved in.
    duplicate = SchoolClassFactory(organization=world.other_school, name="5 а")
    SchoolClass.objects.filter(pk=duplicate.pk).update(organization=world.school, name_key="")
    duplicate.refresh_from_db()
    duplicate.teacher_memberships.add(teacher, other_teacher)
    moved = Task.objects.filter(membership=other_teacher, school_class=duplicate)
    clashing = Task.objects.filter(membership=teacher, school_class=duplicate)
    moved_pks, clashing_pks = (
        set(moved.values_list("pk", flat=True)),
        set(clashing.values_list("pk", flat=True)),
    )
    assert moved_pks and clashing_pks

    migration.fill_keys_and_merge(apps, None)

    duplicate.refresh_from_db()
    assert duplicate.archived_at is not None and duplicate.name_key == "5а"
    assert set(keeper.teacher_memberships.all()) == {teacher, other_teacher}
    assert not duplicate.teacher_memberships.exists()
    assert set(Task.objects.filter(pk__in=moved_pks).values_list("school_class", "class_name")) == {
        (keeper.pk, "5А")
    }
    assert all(Task.objects.filter(pk__in=clashing_pks).values_list("archived", flat=True))
    assert Task.objects.filter(membership=teacher, school_class=keeper, archived=False).exists()
    assert list(SchoolClass.objects.active().filter(organization=world.school, name_key="5а")) == [
        keeper
    ]
