"""Counted nouns agree with their numbers: the one rule (``plural_ru``), its template filter in
the shared ``{% load ru %}`` library, and the pages and messages that count things."""

import re
from types import SimpleNamespace

import pytest
from django.core.management import call_command
from django.template import Context, Template
from django.template.loader import render_to_string

from sferum_portal.plurals import count_ru, plural_ru

FORMS = ("сотрудник", "сотрудника", "сотрудников")
EXPECTED = {
    1: "сотрудник",
    2: "сотрудника",
    5: "сотрудников",
    11: "сотрудников",
    12: "сотрудников",
    21: "сотрудник",
    22: "сотрудника",
    25: "сотрудников",
    111: "сотрудников",
    684: "сотрудника",
}


@pytest.mark.parametrize(("number", "form"), EXPECTED.items())
def test_plural_ru_agrees_with_the_number(number, form):
    assert plural_ru(number, *FORMS) == form


@pytest.mark.parametrize(("number", "form"), EXPECTED.items())
def test_the_template_filter_agrees_with_the_number(number, form):
    template = Template(
        '{% load ru %}{{ n|num }} {{ n|plural_ru:"сотрудник,сотрудника,сотрудников" }}'
    )
    assert template.render(Context({"n": number})) == f"{number} {form}"


def test_count_ru_groups_the_number_and_agrees():
    assert count_ru(684, "ошибка", "ошибки", "ошибок") == "684 ошибки"
    assert count_ru(1, "ошибка", "ошибки", "ошибок") == "1 ошибка"
    assert count_ru(12716, "строка", "строки", "строк") == "12\u00a0716 строк"


def _text(html: str) -> str:
    """The page's text as read: tags dropped, spaces collapsed."""
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


def _tile(**kpi):
    defaults = {
        "code": "staff_activity",
        "label": "Активность сотрудников",
        "value": 10,
        "partial": False,
        "change": None,
        "num": None,
        "den": None,
        "of": None,
        "stage1": None,
        "stage2": 75,
        "gap_people": 0,
        "stage1_gap_people": 0,
        "whom": FORMS,
    }
    defaults.update(kpi)
    return render_to_string(
        "monitoring/dashboard/_kpi_tiles.html", {"kpis": [SimpleNamespace(**defaults)]}
    )


@pytest.mark.parametrize(
    ("gap", "shown"),
    [(1, "ещё 1 сотрудник"), (3, "ещё 3 сотрудника"), (684, "ещё 684 сотрудника")],
)
def test_a_tile_counts_the_people_missing_in_agreement(gap, shown):
    assert shown in _text(_tile(gap_people=gap))


def test_a_teachers_tile_says_one_teacher():
    page = _tile(code="teachers_registered", whom=("учитель", "учителя", "учителей"), gap_people=1)
    assert "ещё 1 учитель" in _text(page)
    assert "1 учителей" not in page


def test_the_organisation_panel_counts_steps_and_items_in_agreement():
    panel = SimpleNamespace(
        sees_whole=True,
        admin=(0, 1),
        head=(2, 21),
        teachers=(3, 684),
        items=(1, 1),
        items_overdue=0,
        percent=None,
    )
    page = _text(
        render_to_string(
            "rollout/_organization_panel.html",
            {"panel": panel, "organization": SimpleNamespace(pk=1)},
        )
    )
    assert "0 из 1 шага" in page
    assert "2 из 21 шага" in page
    assert "3 из 684 шагов" in page
    assert "1 из 1 пункта" in page


def test_the_district_page_counts_the_people_missing(scenario, client):
    from django.urls import reverse

    world = scenario["world"]
    client.force_login(world.district_lead)
    page = client.get(reverse("portal:municipality_dashboard", args=[world.municipality.pk]))
    assert "Ещё 14 сотрудников" in page.content.decode()


@pytest.mark.django_db
def test_the_demo_command_counts_its_weeks_in_agreement(capsys, monkeypatch, settings):
    from portal.management.commands import seed_demo

    settings.DEBUG = True
    monkeypatch.setattr(seed_demo, "demo_registry_create", lambda: {"coordinator": None})
    monkeypatch.setattr(seed_demo, "tasks_sync_all", lambda: None)
    monkeypatch.setattr(seed_demo, "demo_statistics_create", lambda uploader: 1)
    monkeypatch.setattr(seed_demo.Command, "print_logins", lambda self: None)
    call_command("seed_demo")
    assert "статистика за 1 неделю" in capsys.readouterr().out
