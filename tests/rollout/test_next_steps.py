"""The next step for each red school (rollout.next_steps): which open steps an organisation below
a target is shown, grouped by whom; the mapping in the fixture; the organisation's pages; scope
and query counts."""

import json
from decimal import Decimal

from django.apps import apps
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from monitoring.dashboards import Kpi
from monitoring.models import Indicator
from organizations.models import Role
from rollout import next_steps
from rollout.models import ChecklistStepTemplate, Status, Task
from rollout.services import task_status_change
from rollout.templates_data import (
    FIXTURE_PATH,
    TemplateModels,
    step_extras_update,
    templates_load,
)
from tests.factories import MembershipFactory, SchoolClassFactory, person
from tests.monitoring.conftest import scenario  # noqa: F401  (the three-week statistics)

STAFF, PARENTS = "staff_activity", "students_parents_activity"
MEETING = "Включить в повестку родительского собрания"


def kpi(code: str, value, target="75") -> Kpi:
    return Kpi(
        code=code,
        label=Indicator(code).label,
        value=None if value is None else Decimal(value),
        num=None if value is None else int(value),
        den=100,
        change=None,
        stage1=None,
        stage2=None if target is None else Decimal(target),
    )


def task(user, code: str) -> Task:
    return Task.objects.get(user=user, step__code=code, archived=False)


def codes(steps) -> set[str]:
    return {s.code for s in steps}


# --- the mapping as data ----------------------------------------------------------------------


def _fixture_steps() -> dict[str, dict]:
    data = json.loads(FIXTURE_PATH.read_text(encoding="utf-8"))
    return {s["code"]: s for c in data["checklists"] for s in c["steps"]}


def test_the_fixtures_mapping_names_real_steps_and_valid_indicators():
    steps = _fixture_steps()
    mapped = {code: s["indicators"] for code, s in steps.items() if s.get("indicators")}
    assert len(mapped) >= 20
    for code, indicators in mapped.items():
        assert indicators and set(indicators) <= set(Indicator.values), code
        assert len(indicators) == len(set(indicators)), code
    # Every step the module names by code is a step of the fixture, and moves something.
    for code in next_steps.PARENTS_MEETING_STEPS:
        assert code in mapped, code
    # Every step has its few words for the one-line summaries, short enough to be few.
    for code, step in steps.items():
        assert 0 < len(step.get("short_title", "")) <= 40, code
    # Both headline indicators are moved by the admin, the head and both class teacher variants.
    for prefix in (
        "oo_admin-",
        "oo_head-",
        "class_teacher-with_vkm-",
        "class_teacher-without_vkm-",
    ):
        moved = {i for c, ind in mapped.items() if c.startswith(prefix) for i in ind}
        assert {STAFF, PARENTS} <= moved, prefix
    assert not any(c.startswith("district_lead-") for c in mapped)


def test_the_database_has_the_fixtures_indicators(db):
    for code, step in _fixture_steps().items():
        row = ChecklistStepTemplate.objects.get(code=code)
        assert row.indicators == step.get("indicators", []), code
        assert row.short_title == step["short_title"], code


def test_the_migration_fills_only_empty_lists_and_a_reload_with_update_rewrites(db):
    edited = ChecklistStepTemplate.objects.get(code="oo_admin-3")
    edited.indicators = ["parents_registered"]
    edited.save()
    edited.short_title = "классы и учителя"
    edited.save()
    emptied = ChecklistStepTemplate.objects.get(code="oo_admin-4")
    emptied.indicators = []
    emptied.short_title = ""
    emptied.save()
    assert step_extras_update(models=TemplateModels.from_apps(apps)) == 1
    edited.refresh_from_db()
    emptied.refresh_from_db()
    assert edited.indicators == ["parents_registered"]  # the administrator's choice stays
    assert edited.short_title == "классы и учителя"
    assert STAFF in emptied.indicators
    assert emptied.short_title == "приглашения по ссылке"
    templates_load(update=True)
    edited.refresh_from_db()
    assert edited.indicators == _fixture_steps()["oo_admin-3"]["indicators"]


# --- which indicators are red -----------------------------------------------------------------


def test_only_a_known_value_under_its_target_is_red():
    kpis = [
        kpi(STAFF, "60"),
        kpi(PARENTS, "35", "30"),
        kpi("teachers_registered", None),
        kpi("students_registered", "10", None),
    ]
    assert [k.code for k in next_steps.below_target(kpis)] == [STAFF]

    class Row:  # a type the staff indicator does not count
        in_staff_indicator = False
        in_students_parents_indicator = True

    assert next_steps.below_target(kpis, Row()) == []


# --- one organisation -------------------------------------------------------------------------


def test_below_the_staff_target_the_admins_and_class_teachers_open_steps_show(world):
    admin, teacher = world.oo_admin, world.teacher
    task_status_change(task=task(admin, "oo_admin-3"), user=admin, status=Status.DONE)
    task_status_change(
        task=task(admin, "oo_admin-4"), user=admin, status=Status.NOT_REQUIRED, reason="ЭЖД"
    )
    task_status_change(
        task=task(teacher, "class_teacher-without_vkm-1"), user=teacher, status=Status.IN_PROGRESS
    )
    task_status_change(
        task=task(teacher, "class_teacher-without_vkm-2"), user=teacher, status=Status.DONE
    )
    result = next_steps.organization_next_steps(admin, world.school, [kpi(STAFF, "40")])
    (staff,) = result.indicators
    by_role = {p.role: p for p in staff.people}
    assert codes(by_role[Role.OO_ADMIN].steps) == {"oo_admin-5"}  # done / not required left out
    assert by_role[Role.OO_ADMIN].name == admin.full_name
    assert "oo_head-1" in codes(by_role[Role.OO_HEAD].steps)
    assert "oo_head-5" not in codes(by_role[Role.OO_HEAD].steps)  # moves the parents' figure
    (five_a,) = staff.classes
    assert (five_a.name, five_a.teachers) == ("5А", [teacher.full_name])
    assert codes(five_a.steps) == {"class_teacher-without_vkm-1", "class_teacher-without_vkm-3"}
    assert [s.status for s in five_a.steps] == [Status.IN_PROGRESS, Status.NOT_STARTED]
    assert staff.classes_without_teacher == ["6Б"]
    assert staff.missing_roles == [] and not staff.no_classes
    assert all(s.may_open for s in five_a.steps)  # the admin sees the organisation whole


def test_below_the_parents_target_the_parents_meetings_and_chats_show(world):
    result = next_steps.organization_next_steps(
        world.oo_admin, world.school, [kpi(PARENTS, "10", "30")]
    )
    (parents,) = result.indicators
    (five_a,) = parents.classes
    assert {
        "class_teacher-without_vkm-3",  # chats
        "class_teacher-without_vkm-4",
        "class_teacher-without_vkm-7",  # the parents' meeting
    } <= codes(five_a.steps)
    assert "class_teacher-without_vkm-1" not in codes(five_a.steps)
    admin = next(p for p in parents.people if p.role == Role.OO_ADMIN)
    assert "oo_admin-3" not in codes(admin.steps)


def test_above_both_targets_or_without_data_nothing_is_shown(world):
    kpis = [kpi(STAFF, "80"), kpi(PARENTS, "31", "30"), kpi("teachers_registered", None)]
    assert next_steps.next_steps_for_page(world.oo_admin, world.school, kpis).indicators == []
    kpis = [kpi(STAFF, None), kpi(PARENTS, None, "30")]
    assert next_steps.next_steps_for_page(world.oo_admin, world.school, kpis).indicators == []


def test_roles_nobody_holds_and_missing_classes_are_named(world):
    bare = world.other_school
    result = next_steps.organization_next_steps(world.district_lead, bare, [kpi(STAFF, "10")])
    (staff,) = result.indicators
    assert staff.missing_roles == [Role.OO_ADMIN, Role.OO_HEAD]
    assert staff.no_classes and staff.people == [] and staff.classes == []
    assert Role.OO_ADMIN in result.grantable and result.can_add_class


def test_a_viewer_gets_links_only_to_the_tasks_they_may_open(world):
    """A class teacher sees their own tasks, not the admin's (rollout.selectors)."""
    result = next_steps.organization_next_steps(world.teacher, world.school, [kpi(STAFF, "10")])
    (staff,) = result.indicators
    assert all(s.may_open for s in staff.classes[0].steps)
    assert not any(s.may_open for p in staff.people for s in p.steps)
    assert result.grantable == () and not result.can_add_class


# --- the pages --------------------------------------------------------------------------------


def _dashboard(client, user, organization, week=""):
    client.force_login(user)
    url = reverse("monitoring:organization_dashboard", args=[organization.pk])
    response = client.get(url + (f"?week={week}" if week else ""))
    assert response.status_code == 200
    return response.content.decode()


def test_the_organisation_dashboard_shows_the_next_steps_of_its_red_figures(scenario, client):  # noqa: F811
    world = scenario["world"]
    page = _dashboard(client, world.oo_admin, world.school)  # week 3: staff 60 %, parents 20 %
    assert "Что поднимет показатели ниже цели" in page
    assert "Активность сотрудников: 60,0 % при цели 75 %" in page
    assert "Активность обучающихся и родителей: 20,0 % при цели 30 %" in page
    assert "Без классного руководителя</strong>: 6Б" in page
    link = reverse("rollout:task", args=[task(world.oo_admin, "oo_admin-5").pk])
    assert link in page
    assert "3 шага не выполнены" in page  # the admin's staff steps
    assert MEETING in page


def test_a_week_without_the_staff_figure_shows_no_staff_steps(scenario, client):  # noqa: F811
    world = scenario["world"]
    page = _dashboard(client, world.oo_admin, world.school, week="2025-W47")
    assert "Активность сотрудников:" not in page  # no data is not red
    assert "Активность обучающихся и родителей: 24,0 % при цели 30 %" in page


def test_an_organisation_above_its_targets_shows_no_next_steps(scenario, client):  # noqa: F811
    page = _dashboard(client, scenario["world"].district_lead, scenario["P"])  # 80 % and 50 %
    assert "Активность сотрудников" in page
    assert "Что поднимет показатели" not in page


def test_the_progress_page_shows_the_same_next_steps(scenario, client):  # noqa: F811
    world = scenario["world"]
    client.force_login(world.oo_head)
    page = client.get(reverse("rollout:organization", args=[world.school.pk])).content.decode()
    assert "Что поднимет показатели ниже цели" in page
    assert "по данным недели 24.11–30.11.2025" in page
    assert "Без классного руководителя" in page


def test_the_progress_page_without_statistics_has_no_next_steps(world, client):
    client.force_login(world.oo_admin)
    page = client.get(reverse("rollout:organization", args=[world.school.pk])).content.decode()
    assert "Ход внедрения" in page and "Что поднимет показатели" not in page


def test_a_teacher_of_another_organisation_sees_neither_page(scenario, client):  # noqa: F811
    world = scenario["world"]
    stranger = person(
        Role.CLASS_TEACHER,
        world.far_school,
        classes=[SchoolClassFactory(organization=world.far_school, name="7В")],
    )
    client.force_login(stranger)
    for name in ("monitoring:organization_dashboard", "rollout:organization"):
        assert client.get(reverse(name, args=[world.school.pk])).status_code == 404


# --- queries ----------------------------------------------------------------------------------


def _add_classes(school, n: int) -> None:
    for i in range(n):
        cls = SchoolClassFactory(organization=school, name=f"{i % 11 + 1}Я{i}")
        membership = MembershipFactory(
            role=Role.CLASS_TEACHER, organization=school, had_vkm_profile=bool(i % 2)
        )
        membership.classes.set([cls])


def test_queries_do_not_grow_with_classes_and_teachers(world):
    red = [kpi(STAFF, "10"), kpi(PARENTS, "10", "30")]

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            result = next_steps.organization_next_steps(world.oo_admin, world.school, red)
        return len(queries), sum(len(i.classes) for i in result.indicators)

    count()  # the viewer's scope is read once per request (cached on the user)
    small, shown_small = count()  # two classes
    _add_classes(world.school, 10)  # twelve
    large, shown_large = count()
    assert shown_large > shown_small
    assert large == small <= 5
    with CaptureQueriesContext(connection) as queries:
        result = next_steps.not_done_by_organization(
            {world.school.pk: {STAFF}, world.other_school.pk: {PARENTS}}
        )
    assert len(queries) <= 4 and result[world.school.pk].teacher_classes == 11


def test_the_dashboards_queries_do_not_grow_with_classes(scenario, client):  # noqa: F811
    world = scenario["world"]
    client.force_login(world.district_lead)
    urls = [
        reverse("monitoring:organization_dashboard", args=[world.school.pk]),
        reverse("portal:municipality_dashboard", args=[world.municipality.pk]),
        reverse("rollout:organization", args=[world.school.pk]),
    ]

    def counts() -> list[int]:
        result = []
        for url in urls:
            with CaptureQueriesContext(connection) as queries:
                assert client.get(url).status_code == 200
            result.append(len(queries))
        return result

    client.get(urls[2])  # the first visit creates the plan's tasks
    before = counts()
    _add_classes(world.school, 10)
    assert counts() == before


def test_the_lagging_summary_is_short_ordered_and_agrees_with_its_numbers():
    summary = next_steps.NotDone(
        admin_steps=["список классов", "приглашения по ссылке", "заявки", "ещё один"],
        teacher_steps=21,
        teacher_classes=21,
        meeting_classes=1,
        head_steps=["приказ", "мониторинг"],
        classes_without_teacher=2,
    )
    assert summary.phrases == [
        "администратор: 4 шага (список классов, приглашения по ссылке, заявки и др.)",
        "классные руководители: 21 шаг в 21 классе",
        "родительское собрание не проведено в 1 классе",
        "руководитель: 2 шага",
        "без классного руководителя: 2 класса",
    ]
    assert next_steps.NotDone(meeting_classes=3, teacher_steps=5, teacher_classes=3).phrases == [
        "классные руководители: 5 шагов в 3 классах",
        "родительские собрания не проведены в 3 классах",
    ]
    assert next_steps.NotDone().nothing
