"""Who to call (issue 14, items 7 and 9): the district dashboard, its meeting pack and the matrix
show each school's Sferum admin and head with tel: and mailto: links, within the viewer's scope,
in a number of queries that does not grow with the schools; the meeting pack lists the lagging
schools with their overdue plan items."""

import datetime
from io import BytesIO
from pathlib import Path

import pytest
from django.contrib.staticfiles import finders
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from organizations.contacts import organization_contacts, tel_href
from organizations.models import Role, User
from organizations.selectors import scope_of
from rollout.models import ChecklistTemplate
from rollout.templates_data import templates_load
from sferum_portal.plurals import plural_ru
from tests.factories import person
from tests.rollout.test_matrix import _populate

# After «До 30.11.2025»: the plan's first items are overdue for every school.
AFTER_DEADLINE = datetime.date(2025, 12, 2)


@pytest.fixture(autouse=True)
def plan_templates(db, monkeypatch):
    if not ChecklistTemplate.objects.exists():
        templates_load()
    monkeypatch.setattr("rollout.deadlines.local_today", lambda tz_name: AFTER_DEADLINE)


@pytest.fixture
def phones(world):
    User.objects.filter(pk=world.oo_admin.pk).update(
        phone="8 (912) 345-67-89", email="admin@school1.ru"
    )
    User.objects.filter(pk=world.oo_head.pk).update(phone="+7 912 000-11-22", email="")
    return world


@pytest.mark.parametrize(
    ("typed", "href"),
    [
        ("8 (912) 345-67-89", "tel:+79123456789"),
        ("+7 912 345 67 89", "tel:+79123456789"),
        ("9123456789", "tel:+79123456789"),
        ("7-912-345-67-89", "tel:+79123456789"),
        ("+375 29 123 45 67", "tel:+375291234567"),
        ("22-33-44", "tel:223344"),
        ("", ""),
        ("нет", ""),
    ],
)
def test_phones_become_tel_addresses(typed, href):
    assert tel_href(typed) == href


def test_the_selector_answers_in_one_query_within_the_scope(phones, django_assert_num_queries):
    world = phones
    ids = [world.school.pk, world.other_school.pk, world.far_school.pk]
    scope_of(world.district_lead)  # the scope is computed once per request, outside the count
    with django_assert_num_queries(1):
        contacts = organization_contacts(world.district_lead, ids)
    assert set(contacts) == {world.school.pk}  # no one at the second school; the far one is out
    school = contacts[world.school.pk]
    assert [(c.name, c.tel, c.email) for c in school.admins] == [
        (world.oo_admin.full_name, "tel:+79123456789", "admin@school1.ru")
    ]
    assert [(c.tel, c.email) for c in school.heads] == [("tel:+79120001122", "")]
    assert school.as_text == (
        f"{world.oo_admin.full_name}, 8 (912) 345-67-89, admin@school1.ru",
        f"{world.oo_head.full_name}, +7 912 000-11-22",
    )


def test_no_one_outside_the_scope_gets_contacts(phones):
    world = phones
    ids = [world.school.pk]
    other_lead = person(Role.DISTRICT_LEAD, world.other_municipality)
    assert organization_contacts(other_lead, ids) == {}
    assert organization_contacts(world.teacher, ids) == {}  # a class teacher sees no one's
    assert organization_contacts(world.nobody, ids) == {}
    assert set(organization_contacts(world.coordinator, ids)) == {world.school.pk}
    assert set(organization_contacts(world.operator, ids)) == {world.school.pk}


def test_an_inactive_account_is_not_a_contact(phones):
    world = phones
    User.objects.filter(pk=world.oo_admin.pk).update(is_active=False)
    contacts = organization_contacts(world.district_lead, [world.school.pk])
    assert contacts[world.school.pk].admins == []
    assert contacts[world.school.pk].as_text[0] == "администратор не назначен"


def _dashboard(client, user, municipality):
    client.force_login(user)
    return client.get(reverse("portal:municipality_dashboard", args=[municipality.pk]))


def test_the_district_dashboard_shows_who_to_call_with_links(scenario, client):
    world = scenario["world"]
    User.objects.filter(pk=world.oo_admin.pk).update(phone="8 912 345-67-89")
    response = _dashboard(client, world.district_lead, world.municipality)
    assert response.status_code == 200
    page = response.content.decode()
    assert 'href="tel:+79123456789"' in page
    assert f'href="mailto:{world.oo_admin.email}"' in page
    assert f'href="mailto:{world.oo_head.email}"' in page
    # The second school has no data and no admin: the list of schools without data says so.
    assert world.other_school.pk in {row.pk for row in response.context["no_data"]}
    no_data = page[page.index('id="nodata-title"') :]
    no_data = no_data[: no_data.index("</section>")]
    assert world.other_school.short_name in no_data
    assert "администратор не назначен" in no_data


def test_another_districts_lead_sees_nothing(scenario, client):
    world = scenario["world"]
    other_lead = person(Role.DISTRICT_LEAD, world.other_municipality)
    assert _dashboard(client, other_lead, world.municipality).status_code == 404
    matrix = client.get(reverse("rollout:district_matrix", args=[world.municipality.pk]))
    assert matrix.status_code == 404
    export = client.get(reverse("rollout:district_matrix_export", args=[world.municipality.pk]))
    assert export.status_code == 404
    own = _dashboard(client, other_lead, world.other_municipality).content.decode()
    assert f"mailto:{world.oo_admin.email}" not in own


def test_the_meeting_pack_lists_lagging_schools_with_overdue_items_and_contacts(scenario, client):
    world = scenario["world"]
    response = _dashboard(client, world.district_lead, world.municipality)
    page = response.content.decode()
    lagging = response.context["lagging"]
    school = next(row for row in lagging if row.pk == world.school.pk)
    assert school.extra["overdue_items"], "items due 30.11.2025 are overdue on 02.12.2025"
    item = school.extra["overdue_items"][0]
    assert item.deadline == datetime.date(2025, 11, 30)
    assert "Отстающие ОО" in page
    table = page[page.index('id="lagging-table"') :]
    table = table[: table.index("</table>")]
    assert world.school.short_name in table
    # A row names its overdue items by number; each item is written out once under the table.
    overdue = school.extra["overdue_items"]
    count = f"{len(overdue)} {plural_ru(len(overdue), 'пункт', 'пункта', 'пунктов')}:"
    assert count in table and f'<span class="text-nowrap">{item.label}</span>' in table
    key = page[page.index("lagging-items") :]
    key = key[: key.index("</ul>")]
    assert f"<strong>{item.label}</strong> {item.title}" in key
    assert key.count(f"<strong>{item.label}</strong>") == 1
    assert "срок 30.11.2025" in key
    assert f'href="mailto:{world.oo_admin.email}"' in table
    # The most overdue first.
    counts = [len(row.extra["overdue_items"]) for row in lagging]
    assert counts == sorted(counts, reverse=True)
    # On paper «(матрица)» is not printed; links print as plain text.
    matrix = reverse("rollout:district_matrix", args=[world.municipality.pk])
    assert f'<span class="d-print-none">(<a href="{matrix}">матрица</a>)</span>' in page


def test_the_print_css_prints_links_as_text():
    css = Path(finders.find("css/dashboards.css")).read_text(encoding="utf-8")
    print_rules = css[css.index("@media print") :]
    assert "text-decoration: none !important" in print_rules


def test_the_matrix_shows_contacts_in_an_expandable_detail_and_in_the_xlsx(phones, client):
    world = phones
    client.force_login(world.district_lead)
    page = client.get(reverse("rollout:district_matrix", args=[world.municipality.pk]))
    html = page.content.decode()
    assert "<details" in html and 'href="tel:+79123456789"' in html
    assert 'href="mailto:admin@school1.ru"' in html
    assert "администратор не назначен" in html  # the second school
    export = client.get(reverse("rollout:district_matrix_export", args=[world.municipality.pk]))
    sheet = load_workbook(BytesIO(export.content))["Матрица"]
    headers = [c.value for c in sheet[1]]
    assert headers[-2:] == [
        "Администратор Сферум в ОО: ФИО, телефон, e-mail",
        "Руководитель ОО: ФИО, телефон, e-mail",
    ]
    rows = {r[0].value: [c.value for c in r] for r in sheet.iter_rows(min_row=2)}
    assert rows[world.school.short_name][-2] == (
        f"{world.oo_admin.full_name}, 8 (912) 345-67-89, admin@school1.ru"
    )
    assert rows[world.other_school.short_name][-2:] == [
        "администратор не назначен",
        "руководитель не назначен",
    ]


def _count(client, url) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.parametrize(
    "name",
    ["portal:municipality_dashboard", "rollout:district_matrix", "rollout:district_matrix_export"],
    ids=["dashboard", "matrix", "export"],
)
def test_contacts_cost_the_same_queries_for_3_and_12_schools(scenario, client, name):
    world = scenario["world"]
    client.force_login(world.district_lead)
    url = reverse(name, args=[world.municipality.pk])
    _populate(world, 3)
    few = _count(client, url)
    _populate(world, 9)
    many = _count(client, url)
    assert few == many, f"{few} queries with 3 more schools, {many} with 12"
    if name != "rollout:district_matrix_export":
        assert client.get(url).content.decode().count("mailto:") >= 2 * 12
