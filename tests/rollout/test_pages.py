"""What each person finds on their pages: "Мои шаги" with their own checklist (per class for a
class teacher) and their organisation's plan with deadlines, the head's view of the whole
organisation, the block on the organisation's page, and the menu."""

import datetime

from django.urls import reverse

from organizations.models import Membership, OrgType
from rollout.models import Status, Task
from rollout.services import task_status_change
from tests.factories import OrganizationFactory


def _page(client, user, name="rollout:my_steps", args=()):
    client.force_login(user)
    response = client.get(reverse(name, args=args))
    assert response.status_code == 200
    return response.content.decode()


def test_the_oo_admin_sees_five_steps_and_the_plan_items_of_their_type(world, client):
    page = _page(client, world.oo_admin)
    assert "Действия администратора Сферум в ОО" in page
    assert page.count('data-step="oo_admin-') == 5
    assert "План мероприятий: пункты ОО" in page
    assert 'data-item="2.8"' in page  # ОУ
    assert 'data-item="2.4"' not in page  # ДОУ only
    assert 'data-item="1.1"' not in page  # УО
    assert "До 30.11.2025" in page


def test_overdue_plan_items_are_red(world, client, today):
    today.set(datetime.date(2025, 12, 1))
    page = _page(client, world.oo_admin)
    assert 'class="is-overdue" data-item="1.5"' in page
    assert '<div class="overdue-text">просрочено</div>' in page
    assert 'class="is-overdue" data-item="2.1"' not in page  # due 30.12.2025


def test_the_head_sees_six_steps_and_the_plan_read_only(world, client):
    page = _page(client, world.oo_head)
    assert "Алгоритм действий при переходе в МАХ для руководителей ОО" in page
    assert page.count('data-step="oo_head-') == 6
    assert 'data-item="1.5"' in page
    assert ">Изменить<" in page  # their own steps
    plan = page[page.index("План мероприятий: пункты ОО") :]
    assert ">Изменить<" not in plan


def test_a_class_teacher_sees_their_variant_for_each_class(world, client):
    membership = Membership.objects.get(user=world.teacher)
    membership.classes.add(world.other_class)
    page = _page(client, world.teacher)
    assert page.count("Действия классного руководителя (у которого НЕТ профиля Сферум в ВКМ)") == 2
    assert "5А · " in page and "6Б · " in page
    assert page.count('data-step="class_teacher-without_vkm-') == 18
    assert "План мероприятий" not in page


def test_a_teacher_without_classes_is_told_why_there_are_no_steps(world, client):
    Membership.objects.get(user=world.teacher).classes.clear()
    page = _page(client, world.teacher)
    assert "классы ещё не назначены" in page


def test_the_district_lead_sees_four_steps_and_the_district_items(world, client):
    page = _page(client, world.district_lead)
    assert page.count('data-step="district_lead-') == 4
    assert "План мероприятий: пункты УО" in page and 'data-item="3.3"' in page
    assert "ежемесячно" in page


def test_people_without_a_checklist_are_told_so(world, client):
    page = _page(client, world.methodologist)
    assert "У ваших ролей нет своих шагов" in page


def test_the_head_sees_the_whole_organisation_by_class(world, client):
    task = Task.objects.get(user=world.teacher, step__code="class_teacher-without_vkm-1")
    task_status_change(task=task, user=world.teacher, status=Status.DONE)
    page = _page(client, world.oo_head, "rollout:organization", [world.school.pk])
    assert "Действия администратора Сферум в ОО" in page
    assert "Алгоритм действий при переходе в МАХ для руководителей ОО" in page
    assert "Классные руководители по классам" in page
    assert "1 из 9" in page and world.teacher.full_name in page
    assert "6Б" in page and "не назначен" in page


def test_an_organisation_without_an_admin_says_so(world, client):
    page = _page(client, world.district_lead, "rollout:organization", [world.other_school.pk])
    assert "Администратор Сферум в ОО не назначен." in page
    college = OrganizationFactory(municipality=world.municipality, org_type=OrgType.SPO)
    page = _page(client, world.district_lead, "rollout:organization", [college.pk])
    assert "у этой организации их нет" in page


def test_the_organisation_page_shows_progress_and_links_to_it(world, client):
    task = Task.objects.get(user=world.oo_admin, step__code="oo_admin-1")
    task_status_change(task=task, user=world.oo_admin, status=Status.DONE)
    page = _page(client, world.oo_head, "organizations:organization", [world.school.pk])
    assert "Ход внедрения МАХ" in page
    assert "Администратор Сферум в ОО: <strong>1</strong> из 5 шагов" in page
    assert reverse("rollout:organization", args=[world.school.pk]) in page
    assert "Районный ответственный ещё не опубликовал контакты" in page
    teacher_page = _page(client, world.teacher, "organizations:organization", [world.school.pk])
    assert reverse("rollout:organization", args=[world.school.pk]) not in teacher_page


def test_the_menu_offers_my_steps_and_the_plans(world, client):
    assert "Мои шаги" in _page(
        client, world.oo_admin, "organizations:organization", [world.school.pk]
    )
    page = _page(client, world.district_lead, "rollout:my_steps")
    assert reverse("rollout:district", args=[world.municipality.pk]) in page
    assert ">План района<" in page
    page = _page(client, world.coordinator, "rollout:region", [world.region.pk])
    assert ">План по районам<" in page and ">Мои шаги<" not in page


def _queries(client, url) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def test_my_steps_and_the_organisation_page_do_not_query_per_class(world, client):
    from tests.factories import SchoolClassFactory

    membership = Membership.objects.get(user=world.teacher)
    my_url = reverse("rollout:my_steps")
    org_url = reverse("rollout:organization", args=[world.school.pk])
    client.force_login(world.teacher)
    few_mine = _queries(client, my_url)
    client.force_login(world.oo_head)
    few_org = _queries(client, org_url)
    membership.classes.add(*[SchoolClassFactory(organization=world.school) for _ in range(5)])
    client.force_login(world.teacher)
    assert _queries(client, my_url) == few_mine
    client.force_login(world.oo_head)
    assert _queries(client, org_url) == few_org
