"""«Как это сделать»: every active step and plan item has a how-to from the source documents,
its addresses are links (escaped first), and «Замечания и что делать» says each advice once."""

import pytest
from django.template import Context, Template
from django.urls import reverse

from monitoring.flags import FLAGS, flags_grouped
from rollout.models import ChecklistStepTemplate, PlanItemTemplate, Task
from rollout.templates_data import TemplateModels, hints_update
from rollout.templatetags.rollout import linkify


def test_every_active_step_and_item_has_a_how_to():
    steps = ChecklistStepTemplate.objects.filter(is_active=True, checklist__is_active=True)
    assert steps.count() >= 32
    assert [s.code for s in steps if not s.hint.strip()] == []
    items = PlanItemTemplate.objects.filter(is_active=True, plan__is_active=True)
    assert [i.code for i in items if not i.hint.strip()] == []


def test_the_migration_keeps_an_administrators_hint():
    from django.apps import apps

    edited = ChecklistStepTemplate.objects.get(code="oo_admin-1")
    edited.hint = "Свой текст администратора"
    edited.save()
    cleared = ChecklistStepTemplate.objects.get(code="oo_admin-2")
    cleared.hint = ""
    cleared.save()
    assert hints_update(models=TemplateModels.from_apps(apps)) == 1
    edited.refresh_from_db()
    cleared.refresh_from_db()
    assert edited.hint == "Свой текст администратора"
    assert "max.ru/sferum_help" in cleared.hint


@pytest.mark.parametrize(
    ("text", "link"),
    [
        ("Чат max.ru/sferum_help.", '<a href="https://max.ru/sferum_help" rel="noopener">'),
        ("web.max.ru", '<a href="https://web.max.ru" rel="noopener">web.max.ru</a>'),
        ("см. sferum.ru/spravka,", '<a href="https://sferum.ru/spravka" rel="noopener">'),
        ("https://prof.sferum.ru/start_docs", 'href="https://prof.sferum.ru/start_docs"'),
    ],
)
def test_linkify_links_addresses(text, link):
    assert link in linkify(text)


def test_linkify_escapes_everything_else():
    html = linkify('<script>alert(1)</script> max.ru/x"onmouseover="alert(1) javascript:alert(1)')
    assert "<script>" not in html and "&lt;script&gt;" in html
    assert 'href="https://max.ru/x"' in html
    assert '"onmouseover' not in html and "&quot;onmouseover" in html
    assert 'href="javascript' not in html
    assert linkify("info@obr.gov.spb.ru") == "info@obr.gov.spb.ru"
    rendered = Template("{% load rollout %}{{ t|linkify }}").render(Context({"t": "<b>x</b>"}))
    assert rendered == "&lt;b&gt;x&lt;/b&gt;"


def test_my_steps_and_the_task_page_show_the_how_to(world, client):
    client.force_login(world.oo_admin)
    page = client.get(reverse("rollout:my_steps")).content.decode()
    assert "<summary>Как это сделать</summary>" in page
    assert '<a href="https://max.ru/sferum_help" rel="noopener">max.ru/sferum_help</a>' in page
    task = Task.objects.get(user=world.oo_admin, step__code="oo_admin-2")
    page = client.get(reverse("rollout:task", args=[task.pk])).content.decode()
    assert "Как это сделать" in page and 'href="https://max.ru/sferum_help"' in page


def test_remarks_say_each_advice_once():
    flags = [(c, FLAGS[c]) for c in ("low_staff_activity", "low_students_parents_activity")]
    groups = flags_grouped(flags)
    assert len(groups) == 1 and len(groups[0].flags) == 2
    html = Template(
        "{% load rollout %}{% for g in groups %}{% for h in g.flags %}{{ h.title }}. "
        "{% endfor %}{{ g.advice|linkify }}{% endfor %}"
    ).render(Context({"groups": groups}))
    advice_start = FLAGS["low_staff_activity"].advice[:40]
    assert html.count(advice_start) == 1
    assert "Активность сотрудников ниже 75 %" in html
    assert "Активность обучающихся и родителей ниже 30 %" in html
