"""«Отметить выбранные выполненными» on «Мои шаги»: several steps at once through
task_status_change (a history row each), steps that need evidence left for their page and named,
another person's task refused (404 outside the scope, 403 inside), and who ticks the ОО's plan
items (the Sferum admin; the head's page says so)."""

from django.urls import reverse

from rollout.models import Status, StatusChange, Task
from tests.factories import plan_task

URL = reverse("rollout:my_steps_tick")


def _step(user, code):
    return Task.objects.get(user=user, step__code=code)


def _messages(response):
    return [str(m) for m in response.context["messages"]]


def test_three_steps_at_once_write_three_history_rows(world, client):
    client.force_login(world.oo_admin)
    page = client.get(reverse("rollout:my_steps")).content.decode()
    assert "Отметить выбранные выполненными" in page
    tasks = [_step(world.oo_admin, f"oo_admin-{n}") for n in (1, 2, 3)]
    for task in tasks:  # each checkbox is labelled with its step
        assert f'id="tick-{task.pk}"' in page and f'for="tick-{task.pk}"' in page
    response = client.post(
        URL, {"task": [t.pk for t in tasks], "next": reverse("rollout:my_steps")}, follow=True
    )
    assert response.redirect_chain[-1][0] == reverse("rollout:my_steps")
    assert _messages(response) == ["Отмечено 3 шага."]
    for task in tasks:
        task.refresh_from_db()
        assert task.status == Status.DONE and task.changed_by == world.oo_admin
    changes = StatusChange.objects.filter(task__in=tasks)
    assert changes.count() == 3
    assert {c.new_status for c in changes} == {Status.DONE}


def test_a_step_that_needs_evidence_is_not_ticked_and_is_named(world, client):
    client.force_login(world.oo_head)
    page = client.get(reverse("rollout:my_steps")).content.decode()
    order = _step(world.oo_head, "oo_head-1")  # the order: number, date, appointed
    plain = _step(world.oo_head, "oo_head-3")
    assert f'id="tick-{order.pk}"' not in page  # no checkbox: the row links to its page
    assert "Нужно подтверждение (приказ: номер, дата и назначенные)" in page
    response = client.post(URL, {"task": [order.pk, plain.pk]}, follow=True)
    (message,) = _messages(response)
    assert message.startswith("Отмечен 1 шаг; 1 шаг требует подтверждения — откройте его: «1. ")
    assert "Создать приказ о назначении ответственного" in message
    order.refresh_from_db()
    plain.refresh_from_db()
    assert order.status == Status.NOT_STARTED and not order.changes.exists()
    assert plain.status == Status.DONE


def test_plurals_of_the_summary(world, client):
    client.force_login(world.oo_head)
    ids = [_step(world.oo_head, c).pk for c in ("oo_head-1", "oo_head-2")]
    (message,) = _messages(client.post(URL, {"task": ids}, follow=True))
    assert message.startswith("2 шага требуют подтверждения — откройте их: «1. ")


def test_another_persons_task_is_404_outside_the_scope_and_403_inside(world, client):
    client.force_login(world.oo_admin)
    own = _step(world.oo_admin, "oo_admin-1")
    far = plan_task(world.far_school, "2.1")
    response = client.post(URL, {"task": [own.pk, far.pk]})
    assert response.status_code == 404
    teacher_step = _step(world.teacher, "class_teacher-without_vkm-1")  # seen, not theirs
    response = client.post(URL, {"task": [own.pk, teacher_step.pk]})
    assert response.status_code == 403
    own.refresh_from_db()
    teacher_step.refresh_from_db()
    assert own.status == teacher_step.status == Status.NOT_STARTED
    assert not StatusChange.objects.exists()


def test_the_admin_ticks_the_organisations_plan_items_in_bulk(world, client):
    client.force_login(world.oo_admin)
    client.get(reverse("rollout:my_steps"))  # creates the organisation's item tasks
    items = [plan_task(world.school, code) for code in ("2.1", "2.2")]
    (message,) = _messages(client.post(URL, {"task": [t.pk for t in items]}, follow=True))
    assert message == "Отмечено 2 пункта плана."
    assert StatusChange.objects.filter(task__in=items).count() == 2


def test_the_head_sees_who_ticks_the_organisations_items(world, client):
    """The plan's ОО items are the Sferum admin's (DOMAIN.md); the head's own order is step 1
    of the head's checklist. The head's page says who ticks each item, and a POST is 403."""
    client.force_login(world.oo_head)
    page = client.get(reverse("rollout:my_steps")).content.decode()
    plan = page[page.index("План мероприятий: пункты ОО") :]
    assert "Отмечает администратор Сферум в ОО" in plan
    assert 'name="task"' not in plan
    item = plan_task(world.school, "1.5")
    assert client.post(URL, {"task": [item.pk]}).status_code == 403
    assert not item.changes.exists()


def test_nothing_selected_and_a_get_are_answered(world, client):
    client.force_login(world.teacher)
    (message,) = _messages(client.post(URL, {}, follow=True))
    assert message.startswith("Не выбрано ни одного шага")
    assert client.get(URL).status_code == 405
