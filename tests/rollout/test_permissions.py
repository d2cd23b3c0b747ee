"""Who sees and who ticks: a person changes only their own steps and the items of their scope;
the head and the district see but cannot tick another person's steps (403); anything outside the
scope does not exist (404); methodologists and coordinators read only."""

import pytest
from django.urls import reverse

from organizations.models import Role
from rollout.models import Status, Task
from tests.factories import person, plan_task

ALL = (
    "coordinator",
    "district_lead",
    "methodologist",
    "district_methodologist",
    "oo_admin",
    "oo_head",
    "teacher",
    "operator",
    "nobody",
    "other_lead",
    "far_admin",
)


@pytest.fixture
def people(world):
    found = {name: getattr(world, name, None) for name in ALL}
    found["other_lead"] = person(Role.DISTRICT_LEAD, world.other_municipality)
    found["far_admin"] = person(Role.OO_ADMIN, world.far_school)
    return found


def _tasks(world):
    return {
        "admin_step": Task.objects.get(user=world.oo_admin, step__code="oo_admin-1"),
        "head_step": Task.objects.get(user=world.oo_head, step__code="oo_head-3"),
        "teacher_step": Task.objects.get(
            user=world.teacher, step__code="class_teacher-without_vkm-1"
        ),
        "lead_step": Task.objects.get(user=world.district_lead, step__code="district_lead-2"),
        "oo_item": plan_task(world.school, "2.1"),
        "uo_item": Task.objects.get(municipality=world.municipality, plan_item__code="1.2"),
        "measured": plan_task(world.school, "4.2"),
    }


# (task, person) → (GET status, POST status). 302 is a saved change.
EXPECTED = {
    "admin_step": {
        "oo_admin": (200, 302),
        "oo_head": (200, 403),
        "district_lead": (200, 403),
        "district_methodologist": (200, 403),
        "coordinator": (200, 403),
        "methodologist": (200, 403),
        "operator": (200, 403),
        "teacher": (404, 404),
        "other_lead": (404, 404),
        "far_admin": (404, 404),
        "nobody": (404, 404),
    },
    "head_step": {
        "oo_head": (200, 302),
        "oo_admin": (200, 403),
        "district_lead": (200, 403),
        "teacher": (404, 404),
        "far_admin": (404, 404),
    },
    "teacher_step": {
        "teacher": (200, 302),
        "oo_head": (200, 403),
        "oo_admin": (200, 403),
        "district_lead": (200, 403),
        "other_lead": (404, 404),
        "nobody": (404, 404),
    },
    "lead_step": {
        "district_lead": (200, 302),
        "coordinator": (200, 403),
        "district_methodologist": (200, 403),
        "oo_admin": (404, 404),
        "oo_head": (404, 404),
        "other_lead": (404, 404),
    },
    "oo_item": {
        "oo_admin": (200, 302),
        "oo_head": (200, 403),
        "district_lead": (200, 403),
        "methodologist": (200, 403),
        "teacher": (404, 404),
        "far_admin": (404, 404),
    },
    "uo_item": {
        "district_lead": (200, 302),
        "coordinator": (200, 403),
        "district_methodologist": (200, 403),
        "oo_admin": (404, 404),
        "other_lead": (404, 404),
        "nobody": (404, 404),
    },
    "measured": {
        "oo_admin": (200, 403),
        "district_lead": (200, 403),
        "operator": (200, 403),
        "far_admin": (404, 404),
    },
}
CASES = [
    (task, who, codes) for task, by_person in EXPECTED.items() for who, codes in by_person.items()
]


@pytest.mark.parametrize(
    ("task_name", "who", "codes"), CASES, ids=[f"{t}-{w}" for t, w, _ in CASES]
)
def test_each_role_sees_and_ticks_exactly_what_it_should(
    world, people, client, task_name, who, codes
):
    task = _tasks(world)[task_name]
    client.force_login(people[who])
    url = reverse("rollout:task", args=[task.pk])
    assert client.get(url).status_code == codes[0]
    response = client.post(url, {"status": Status.IN_PROGRESS, "comment": "проверка"})
    assert response.status_code == codes[1]
    task.refresh_from_db()
    assert (task.status == Status.IN_PROGRESS) == (codes[1] == 302)


def test_a_refused_tick_says_why_on_the_page(world, client):
    client.force_login(world.oo_head)
    task = _tasks(world)["admin_step"]
    page = client.get(reverse("rollout:task", args=[task.pk])).content.decode()
    assert "Отметить шаг может только тот, чей это шаг." in page
    assert 'name="status"' not in page


def test_a_measured_item_shows_no_form_and_says_it_is_measured(world, client):
    client.force_login(world.oo_admin)
    task = _tasks(world)["measured"]
    page = client.get(reverse("rollout:task", args=[task.pk])).content.decode()
    assert 'name="status"' not in page
    assert "вручную его отметить нельзя" in page


PAGES = {
    "my_steps": ({}, {w: 200 for w in ALL}),
    "district": (
        {"pk": "municipality"},
        {
            "district_lead": 200,
            "coordinator": 200,
            "methodologist": 200,
            "district_methodologist": 200,
            "operator": 200,
            "oo_admin": 404,
            "oo_head": 404,
            "teacher": 404,
            "other_lead": 404,
            "far_admin": 404,
            "nobody": 404,
        },
    ),
    "organization": (
        {"pk": "school"},
        {
            "oo_head": 200,
            "oo_admin": 200,
            "district_lead": 200,
            "coordinator": 200,
            "methodologist": 200,
            "teacher": 403,
            "other_lead": 404,
            "far_admin": 404,
            "nobody": 404,
        },
    ),
    "region": (
        {"pk": "region"},
        {
            "coordinator": 200,
            "methodologist": 200,
            "operator": 200,
            "district_lead": 404,
            "oo_admin": 404,
            "nobody": 404,
        },
    ),
}
PAGE_CASES = [(p, w, c) for p, (_, codes) in PAGES.items() for w, c in codes.items()]


@pytest.mark.parametrize(
    ("page", "who", "code"), PAGE_CASES, ids=[f"{p}-{w}" for p, w, _ in PAGE_CASES]
)
def test_pages_answer_each_role_as_its_scope_says(world, people, client, page, who, code):
    kwargs, _ = PAGES[page]
    args = [getattr(world, value).pk for value in kwargs.values()]
    name = "my_steps" if page == "my_steps" else page
    client.force_login(people[who])
    assert client.get(reverse(f"rollout:{name}", args=args)).status_code == code


@pytest.mark.parametrize("name", ["district_matrix", "district_matrix_export", "district_contacts"])
def test_district_pages_are_not_found_outside_the_district(world, people, client, name):
    url = reverse(f"rollout:{name}", args=[world.municipality.pk])
    client.force_login(people["other_lead"])
    assert client.get(url).status_code == 404
    client.force_login(people["district_methodologist"])
    assert client.get(url).status_code == 200


def test_overdue_and_week_lists_are_the_districts_own(world, people, client):
    for kind in ("overdue", "week"):
        url = reverse("rollout:district_deadlines", args=[world.municipality.pk, kind])
        client.force_login(world.district_lead)
        assert client.get(url).status_code == 200
        client.force_login(people["other_lead"])
        assert client.get(url).status_code == 404
    client.force_login(world.district_lead)
    bad = reverse("rollout:district_deadlines", args=[world.municipality.pk, "later"])
    assert client.get(bad).status_code == 404


def test_only_the_district_lead_publishes_contacts(world, people, client):
    url = reverse("rollout:district_contacts", args=[world.municipality.pk])
    data = {"contacts": "uo@example.ru", "consultation_hours": ""}
    client.force_login(world.district_methodologist)
    assert client.post(url, data).status_code == 403
    client.force_login(world.district_lead)
    assert client.post(url, data).status_code == 302


def test_anonymous_visitors_are_sent_to_log_in(world, client):
    task = _tasks(world)["admin_step"]
    response = client.get(reverse("rollout:task", args=[task.pk]))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
