"""The places that need an answer link to it: the data flags of an organisation's dashboard,
the how-to of steps and plan items, the upload page's problems; and the links cost one query per
page, however many steps it shows."""

import datetime as dt
from types import SimpleNamespace

import pytest
from django.db import connection
from django.template.loader import render_to_string
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils.html import escape

from answers.models import Answer
from monitoring.flags import FLAGS, flags_for
from monitoring.models import Upload, WeeklyOrganizationValue
from rollout.models import ChecklistStepTemplate, PlanItemTemplate, Task
from tests.answers.conftest import answers_of, topic_keys
from tests.factories import SchoolClassFactory
from tests.monitoring.conftest import WITH_STAFF, export_file, export_row

WEEK_A, WEEK_B = dt.date(2025, 11, 10), dt.date(2025, 11, 17)


def _link(answer: Answer) -> str:
    return f'Ответ в справке: <a href="{answer.get_absolute_url()}">{escape(answer.question)}</a>'


def _value(organization, week, **fields):
    return WeeklyOrganizationValue.objects.create(
        organization=organization,
        week_start=week,
        snapshot_date=week + dt.timedelta(days=2),
        in_staff_indicator=True,
        in_students_parents_indicator=True,
        **fields,
    )


def test_every_flag_with_an_answer_links_to_it_on_the_dashboard(world, client):
    # Week A carries every flag but rate_above_100 (flags_for shows it only without
    # registered_above_total, which says the same); week B carries rate_above_100.
    _value(
        world.school,
        WEEK_A,
        flags=[
            "registered_above_total",
            "active_above_registered",
            "people_total_mismatch",
            "registrations_total_mismatch",
        ],
        staff_activity_num=None,
        staff_stage2_met=False,
        students_parents_stage2_met=False,
    )
    _value(world.school, WEEK_B, rate_above_100=True, staff_activity_num=70)
    client.force_login(world.oo_admin)
    url = reverse("monitoring:organization_dashboard", args=[world.school.pk])
    shown = set()
    for week in ("2025-W46", "2025-W47"):
        response = client.get(url, {"week": week})
        page = response.content.decode()
        for code, _help in response.context["flags"]:
            shown.add(code)
            answers = answers_of(f"flag:{code}")
            assert answers, code
            for answer in answers:
                assert _link(answer) in page, (code, answer.slug)
    assert shown == set(FLAGS)


def test_a_dashboard_without_flags_shows_no_answer_links(world, client):
    _value(world.school, WEEK_A, staff_activity_num=70, staff_stage2_met=True,
           students_parents_stage2_met=True)  # fmt: skip
    assert flags_for(WeeklyOrganizationValue.objects.get()) == []
    client.force_login(world.oo_admin)
    url = reverse("monitoring:organization_dashboard", args=[world.school.pk])
    assert "Ответ в справке" not in client.get(url).content.decode()


@pytest.mark.parametrize("section", [False, True])
def test_every_step_and_item_with_an_answer_shows_it_in_its_how_to(db, section):
    templates = [*ChecklistStepTemplate.objects.all(), *PlanItemTemplate.objects.all()]
    linked = 0
    for template in templates:
        kind = "step" if isinstance(template, ChecklistStepTemplate) else "item"
        html = render_to_string("rollout/_howto.html", {"template": template, "section": section})
        answers = answers_of(f"{kind}:{template.code}")
        for answer in answers:
            assert _link(answer) in html, template.code
        if not answers:
            assert "Ответ в справке" not in html, template.code
        linked += bool(answers)
    assert linked == sum(1 for key in topic_keys() if key.split(":")[0] in ("step", "item"))


def test_a_step_without_a_hint_still_shows_its_answer(db):
    step = ChecklistStepTemplate.objects.get(code="oo_admin-3")
    step.hint = ""
    html = render_to_string("rollout/_howto.html", {"template": step})
    assert "<summary>Как это сделать</summary>" in html and "Ответ в справке" in html
    nothing = ChecklistStepTemplate.objects.get(code="oo_head-1")
    nothing.hint = ""
    assert render_to_string("rollout/_howto.html", {"template": nothing}).strip() == ""


def test_my_steps_and_the_task_page_link_the_answers(world, client):
    client.force_login(world.oo_admin)
    page = client.get(reverse("rollout:my_steps")).content.decode()
    for answer in answers_of("step:oo_admin-2"):
        assert _link(answer) in page
    task = Task.objects.get(user=world.oo_admin, step__code="oo_admin-3")
    page = client.get(reverse("rollout:task", args=[task.pk])).content.decode()
    for answer in answers_of("step:oo_admin-3"):
        assert _link(answer) in page


def test_every_problem_code_with_an_answer_links_to_it(db):
    codes = sorted(k.split(":", 1)[1] for k in topic_keys() if k.startswith("problem:"))
    problems = [
        SimpleNamespace(code=code, message=f"Замечание {code}", sheet="", row=None, column="")
        for code in codes
    ]
    html = render_to_string("monitoring/_problems.html", {"problems": problems, "caption": "x"})
    for code in codes:
        for answer in answers_of(f"problem:{code}"):
            assert _link(answer) in html, code
    plain = render_to_string(
        "monitoring/_problems.html",
        {"problems": [SimpleNamespace(code="bad_date", message="Дата", row=2)], "caption": "x"},
    )
    assert "Ответ в справке" not in plain


NEW_SCHOOL = {"sferum_id": 990001, "short_name": "МБОУ «Новая школа»", "municipality": "Новое"}


def test_the_upload_page_links_its_problems_to_answers(world, client):
    rows = [
        export_row(world.school, WEEK_B, teachers_registered=150),  # more than the 100 in ОО-1
        export_row(NEW_SCHOOL, WEEK_B, region_code=None),  # not in the registry, no region
    ]
    client.force_login(world.coordinator)
    client.post(reverse("monitoring:upload_list"), {"files": export_file(rows)})
    upload = Upload.objects.get()
    assert set(upload.problems.values_list("code", flat=True)) >= {
        "registered_above_total",
        "region_unknown",
    }
    page = client.get(reverse("monitoring:upload", args=[upload.pk])).content.decode()
    for code in ("registered_above_total", "region_unknown"):
        for answer in answers_of(f"problem:{code}"):
            assert _link(answer) in page, code
    question_9 = Answer.objects.get(slug="organizacii-net-v-spiske")
    assert _link(question_9) in page


def test_the_upload_page_links_the_missing_staff_column_to_an_answer(world, client):
    without_staff = [c for c in WITH_STAFF if c != "staff_active"]
    client.force_login(world.coordinator)
    file = export_file([export_row(world.school, WEEK_B)], columns=without_staff)
    client.post(reverse("monitoring:upload_list"), {"files": file})
    page = client.get(reverse("monitoring:upload", args=[Upload.objects.get().pk]))
    html = page.content.decode()
    assert "В файле нет столбца активных сотрудников" in html
    for answer in answers_of("problem:staff_activity_missing"):
        assert _link(answer) in html


def _answer_queries(client, url) -> tuple[int, int]:
    """(all queries, queries of the answers table) of one page."""
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    assert "Ответ в справке" in response.content.decode()
    mine = [q for q in ctx.captured_queries if "answers_answer" in q["sql"]]
    return len(ctx.captured_queries), len(mine)


def test_the_links_cost_one_query_however_many_steps_are_shown(world, client):
    client.force_login(world.teacher)
    url = reverse("rollout:my_steps")
    few, few_answers = _answer_queries(client, url)
    steps_before = client.get(url).content.decode().count("<summary>Как это сделать</summary>")
    membership = world.teacher.memberships.get()
    membership.classes.add(*[SchoolClassFactory(organization=world.school) for _ in range(5)])
    many, many_answers = _answer_queries(client, url)
    steps_after = client.get(url).content.decode().count("<summary>Как это сделать</summary>")
    assert steps_after > 2 * steps_before
    assert few_answers == many_answers == 1
    assert many == few


def test_the_organisation_progress_page_reads_the_answers_once(world, client):
    client.force_login(world.oo_head)
    _total, answers = _answer_queries(
        client, reverse("rollout:organization", args=[world.school.pk])
    )
    assert answers <= 1
