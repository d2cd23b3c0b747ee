"""«Что не сделано» in the district's list of lagging schools: each row counts the open steps that
move the school's figures below target (rollout.next_steps), the most useful first."""

import re

from django.urls import reverse

from organizations.models import Role
from rollout.models import Status, Task
from rollout.services import task_status_change
from tests.factories import person


def _page(client, world):
    client.force_login(world.district_lead)
    response = client.get(reverse("portal:municipality_dashboard", args=[world.municipality.pk]))
    assert response.status_code == 200
    table = re.search(r'id="lagging-table">.*?</table>', response.content.decode(), re.S)
    text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", table.group(0)))
    return {row.pk: row for row in response.context["lagging"]}, text


def test_each_lagging_row_says_what_the_school_has_not_done(scenario, client):
    world = scenario["world"]
    rows, text = _page(client, world)
    school = rows[world.school.pk].extra["not_done"]  # week 3: staff 60 %, parents 20 %
    assert school.admin_steps == [
        "список классов",
        "приглашения по ссылке",
        "заявки новых пользователей",
    ]
    assert (school.teacher_classes, school.meeting_classes, school.classes_without_teacher) == (
        1,
        1,
        1,
    )
    assert "Что не сделано" in text
    assert (
        "Администратор: 3 шага (список классов, приглашения по ссылке, заявки новых пользователей)"
        in text
    )
    assert f"классные руководители: {school.teacher_steps} шагов в 1 классе" in text
    assert "; родительское собрание не проведено в 1 классе" in text
    assert "без классного руководителя: 1 класс" in text
    # The preschool meets both targets: a row for its overdue plan items, with nothing red.
    assert rows[scenario["P"].pk].extra["not_done"] is None
    assert "—" in text


def test_the_counts_follow_the_ticks_and_agree_with_their_numbers(scenario, client):
    world = scenario["world"]
    second = person(Role.CLASS_TEACHER, world.school, classes=[world.other_class])
    _rows, text = _page(client, world)
    assert "родительские собрания не проведены в 2 классах" in text
    assert "без классного руководителя" not in text
    meeting = Task.objects.get(user=second, step__code="class_teacher-without_vkm-7")
    task_status_change(task=meeting, user=second, status=Status.DONE)
    for t in Task.objects.filter(user=world.oo_admin, step__indicators__isnull=False):
        task_status_change(task=t, user=world.oo_admin, status=Status.DONE)
    rows, text = _page(client, world)
    assert "Классные руководители: " in text  # the first phrase of the row, capitalised
    assert "родительское собрание не проведено в 1 классе" in text
    assert "Администратор:" not in text
    assert rows[world.school.pk].extra["not_done"].teacher_classes == 2
