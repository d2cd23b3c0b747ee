"""Renaming and removing classes, and removing a person's role, from the organisation's page:
the organisation's Sferum admin and its district may; the class list and the tasks follow; the
history keeps who did it; nothing is deleted that the checklists need."""

import pytest
from django.urls import reverse

from organizations.models import Membership, Role, SchoolClass, User
from rollout.models import Status, Task
from tests.factories import SchoolClassFactory, person


def rename_url(world, school_class=None, organization=None):
    organization = organization or world.school
    school_class = school_class or world.school_class
    return reverse("organizations:class_rename", args=[organization.pk, school_class.pk])


def archive_url(world, school_class=None, organization=None):
    organization = organization or world.school
    school_class = school_class or world.school_class
    return reverse("organizations:class_archive", args=[organization.pk, school_class.pk])


def remove_url(organization, membership):
    return reverse("organizations:person_remove", args=[organization.pk, membership.pk])


def teacher_tasks(world, **filters):
    return Task.objects.filter(user=world.teacher, step__isnull=False, **filters)


# --- renaming a class ---------------------------------------------------------------------


def test_the_oo_admin_renames_a_class_and_the_tasks_follow(world, login):
    assert teacher_tasks(world, class_name="5А").exists()
    client = login(world.oo_admin)
    response = client.post(rename_url(world), {"name": "5 Г"}, follow=True)
    assert "Класс «5А» переименован в «5 Г»." in response.content.decode()
    world.school_class.refresh_from_db()
    assert (world.school_class.name, world.school_class.name_key) == ("5 Г", "5г")
    assert not teacher_tasks(world, class_name="5А").exists()
    assert teacher_tasks(world, class_name="5 Г").count() == teacher_tasks(world).count()
    latest = world.school_class.history.latest()
    assert (latest.name, latest.history_user) == ("5 Г", world.oo_admin)
    page = client.get(reverse("organizations:organization", args=[world.school.pk]))
    assert "5 Г" in page.content.decode()


def test_a_rename_to_a_name_taken_in_another_case_is_refused(world, login):
    client = login(world.district_lead)
    response = client.post(rename_url(world), {"name": "6 б"})
    assert response.status_code == 200
    assert "Класс «6Б» уже есть в этой ОО" in response.content.decode()
    world.school_class.refresh_from_db()
    assert world.school_class.name == "5А"


def test_a_rename_changing_only_the_case_is_allowed(world, login):
    login(world.oo_admin).post(rename_url(world), {"name": "5а"})
    world.school_class.refresh_from_db()
    assert world.school_class.name == "5а"


# --- archiving a class --------------------------------------------------------------------


def test_the_removal_asks_first_and_a_get_changes_nothing(world, login):
    client = login(world.oo_admin)
    response = client.get(archive_url(world))
    page = response.content.decode()
    assert response.status_code == 200
    assert "Удалить класс «5А» из списка ОО?" in page and "csrfmiddlewaretoken" in page
    world.school_class.refresh_from_db()
    assert world.school_class.archived_at is None


def test_an_archived_class_leaves_the_lists_and_its_teachers_tasks_are_archived(world, login):
    active = teacher_tasks(world, archived=False).count()
    assert active
    client = login(world.district_lead)
    response = client.post(archive_url(world), follow=True)
    assert "Класс «5А» удалён из списка ОО и перенесён в архив" in response.content.decode()
    school_class = SchoolClass.objects.get(pk=world.school_class.pk)  # kept, not deleted
    assert school_class.archived_at is not None
    assert school_class.history.latest().history_user == world.district_lead
    assert not teacher_tasks(world, archived=False).exists()
    assert teacher_tasks(world, archived=True, school_class=school_class).count() == active
    page = client.get(reverse("organizations:organization", args=[world.school.pk]))
    assert [c.name for c in page.context["classes"]] == ["6Б"]
    # The teacher loses the class; their account and role stay.
    membership = Membership.objects.get(user=world.teacher)
    assert not membership.classes.exists()
    # The archived class is gone for every URL, and a new «5А» brings it back.
    assert client.get(rename_url(world)).status_code == 404
    client.post(reverse("organizations:class_create", args=[world.school.pk]), {"name": "5а"})
    school_class.refresh_from_db()
    assert school_class.archived_at is None and school_class.name == "5А"
    # Given the teacher again, the archived steps come back with their statuses.
    membership.classes.add(school_class)
    assert teacher_tasks(world, archived=False).count() == active


def test_an_archived_class_is_no_longer_offered_to_a_new_teacher(world, login):
    client = login(world.oo_admin)
    client.post(archive_url(world))
    form = client.get(reverse("organizations:person_invite", args=[world.school.pk])).context[
        "form"
    ]
    assert list(form.fields["classes"].queryset) == [world.other_class]


# --- who may ------------------------------------------------------------------------------


@pytest.mark.parametrize("persona", ["oo_head", "teacher", "methodologist"])
def test_roles_that_do_not_keep_the_class_list_get_403(world, login, persona):
    client = login(getattr(world, persona))
    for url in (rename_url(world), archive_url(world)):
        assert client.post(url, {"name": "5Ж"}).status_code == 403
    world.school_class.refresh_from_db()
    assert (world.school_class.name, world.school_class.archived_at) == ("5А", None)


def test_a_class_outside_the_scope_is_404(world, login):
    far_class = SchoolClassFactory(organization=world.far_school, name="1А")
    other_class = SchoolClassFactory(organization=world.other_school, name="2А")
    client = login(world.oo_admin)
    assert client.post(archive_url(world, far_class, world.far_school)).status_code == 404
    assert client.post(archive_url(world, other_class, world.other_school)).status_code == 404
    # A class of another organisation under this organisation's URL.
    assert client.post(archive_url(world, other_class)).status_code == 404
    far_lead = person(Role.DISTRICT_LEAD, world.far_municipality)
    assert login(far_lead).post(rename_url(world), {"name": "5Ж"}).status_code == 404


def test_the_page_shows_the_buttons_only_to_those_who_may(world, login):
    url = reverse("organizations:organization", args=[world.school.pk])
    admin_page = login(world.oo_admin).get(url).content.decode()
    assert rename_url(world) in admin_page and archive_url(world) in admin_page
    head_page = login(world.oo_head).get(url).content.decode()
    assert rename_url(world) not in head_page and "снять с роли" not in head_page


# --- removing a person's role -------------------------------------------------------------


def test_the_district_lead_removes_the_head_with_history_and_the_account_untouched(world, login):
    membership = Membership.objects.get(user=world.oo_head)
    tasks = Task.objects.filter(membership=membership)
    task_pks = set(tasks.values_list("pk", flat=True))
    assert task_pks
    ticked = tasks.first()
    ticked.status = Status.DONE
    ticked.save()
    profile = User.objects.filter(pk=world.oo_head.pk).values().get()
    client = login(world.district_lead)
    page = client.get(reverse("organizations:organization", args=[world.school.pk]))
    assert remove_url(world.school, membership) in page.content.decode()
    confirm = client.get(remove_url(world.school, membership))
    assert "Снять с роли «руководитель ОО»?" in confirm.content.decode()
    assert Membership.objects.filter(pk=membership.pk).exists()

    response = client.post(remove_url(world.school, membership), follow=True)
    assert "Роль «руководитель ОО» снята" in response.content.decode()
    assert not Membership.objects.filter(pk=membership.pk).exists()
    removal = Membership.history.filter(id=membership.pk).latest()
    assert (removal.history_type, removal.history_user) == ("-", world.district_lead)
    assert User.objects.filter(pk=world.oo_head.pk).values().get() == profile
    assert all(Task.objects.filter(pk__in=task_pks).values_list("archived", flat=True))
    # Given the role again, the person gets their ticks back.
    Membership.objects.create(user=world.oo_head, role=Role.OO_HEAD, organization=world.school)
    ticked.refresh_from_db()
    assert (ticked.archived, ticked.status) == (False, Status.DONE)


def test_the_oo_admin_removes_a_class_teacher_but_not_the_head(world, login):
    client = login(world.oo_admin)
    head = Membership.objects.get(user=world.oo_head)
    teacher = Membership.objects.get(user=world.teacher)
    assert client.post(remove_url(world.school, head)).status_code == 403
    assert Membership.objects.filter(pk=head.pk).exists()
    assert client.post(remove_url(world.school, teacher)).status_code == 302
    assert not Membership.objects.filter(pk=teacher.pk).exists()
    assert not teacher_tasks(world, archived=False).exists()


@pytest.mark.parametrize("persona", ["oo_head", "teacher", "methodologist"])
def test_roles_that_add_no_people_remove_none(world, login, persona):
    teacher = Membership.objects.get(user=world.teacher)
    assert login(getattr(world, persona)).post(remove_url(world.school, teacher)).status_code in (
        403,
        404,
    )
    assert Membership.objects.filter(pk=teacher.pk).exists()


def test_a_role_outside_the_scope_is_404(world, login):
    far_head = person(Role.OO_HEAD, world.far_school)
    far_membership = Membership.objects.get(user=far_head)
    client = login(world.district_lead)
    assert client.post(remove_url(world.far_school, far_membership)).status_code == 404
    # Someone else's role under this organisation's URL.
    assert client.post(remove_url(world.school, far_membership)).status_code == 404
    district = Membership.objects.get(user=world.district_lead)
    assert client.post(remove_url(world.school, district)).status_code == 404
    assert Membership.objects.filter(pk=far_membership.pk).exists()
