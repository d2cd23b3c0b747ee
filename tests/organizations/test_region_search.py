"""Region-wide search (issue 14, item 9): a school found by name, former name or Sferum ID across
the person's whole scope, with its МО, type and links; an empty query shows nothing; results are
paginated; the scope rules hold (another region's schools are not found, a foreign region is
404, organisation roles have no search)."""

import pytest
from django.urls import reverse

from organizations.models import Membership, OrganizationAlias, Role
from organizations.views_search import PAGE_SIZE
from tests.factories import OrganizationFactory, person

URL = "organizations:organization_search"


def _search(client, user, **params):
    client.force_login(user)
    return client.get(reverse(URL), params)


def _found(response) -> list:
    assert response.status_code == 200
    page = response.context["page"]
    return [] if page is None else list(page)


@pytest.fixture
def renamed(world):
    """A school of the second МО of the region, once called otherwise."""
    school = world.other_municipality.organizations.get()
    OrganizationAlias.objects.create(organization=school, name="МКОУ «ООШ» пст. Старый")
    return school


@pytest.mark.parametrize("query", ["СОШ № 3", "пст. Старый", "{sid}"], ids=["name", "former", "id"])
def test_the_coordinator_finds_a_school_of_any_district(world, renamed, client, query):
    response = _search(client, world.coordinator, q=query.format(sid=renamed.sferum_id))
    assert _found(response) == [renamed]
    page = response.content.decode()
    assert reverse("monitoring:organization_dashboard", args=[renamed.pk]) in page
    assert reverse("portal:municipality_dashboard", args=[renamed.municipality_id]) in page
    assert world.other_municipality.name in page and renamed.get_org_type_display() in page
    assert "МКОУ «ООШ» пст. Старый" in page  # the former name is shown


def test_the_search_spans_the_region_and_stops_at_its_border(world, client):
    found = _found(_search(client, world.coordinator, q="СОШ"))
    assert world.school in found and world.other_school in found
    assert world.far_school not in found
    assert len({o.municipality_id for o in found}) == 2
    far = _found(_search(client, world.coordinator, q=str(world.far_school.sferum_id)))
    assert far == []


def test_an_empty_query_shows_nothing(world, client):
    response = _search(client, world.coordinator, q="   ")
    assert _found(response) == []
    assert 'id="search-results"' not in response.content.decode()
    response = _search(client, world.coordinator)
    assert response.context["page"] is None


def test_nothing_found_says_so(world, client):
    page = _search(client, world.coordinator, q="Несуществующая").content.decode()
    assert "ничего не найдено" in page


def test_the_region_parameter_narrows_the_search_and_a_foreign_region_is_404(world, client):
    found = _found(_search(client, world.operator, q="С", region=world.region.pk))
    assert found and all(o.municipality.region_id == world.region.pk for o in found)
    assert world.far_school in _found(_search(client, world.operator, q="МАОУ СШ"))
    response = _search(client, world.coordinator, q="СОШ", region=world.other_region.pk)
    assert response.status_code == 404


def test_a_district_lead_finds_only_their_districts_schools(world, renamed, client):
    assert _found(_search(client, world.district_lead, q=str(renamed.sferum_id))) == []
    assert _found(_search(client, world.district_lead, q="СОШ № 1")) == [world.school]


@pytest.mark.parametrize("name", ["oo_admin", "oo_head", "teacher", "nobody"])
def test_organisation_roles_have_no_search(world, client, name):
    assert _search(client, getattr(world, name), q="СОШ").status_code == 404


def test_results_are_paginated(world, client):
    for i in range(PAGE_SIZE + 5):
        OrganizationFactory(
            municipality=world.other_municipality, short_name=f"МБОУ «Гимназия № {i}»"
        )
    first = _search(client, world.coordinator, q="Гимназия")
    assert len(_found(first)) == PAGE_SIZE
    assert first.context["page"].paginator.count == PAGE_SIZE + 5
    assert "Дальше" in first.content.decode()
    second = _search(client, world.coordinator, q="Гимназия", page=2)
    assert len(_found(second)) == 5


def test_the_search_costs_the_same_queries_for_few_and_many_results(
    world, client, django_assert_max_num_queries
):
    client.force_login(world.coordinator)
    for i in range(PAGE_SIZE):
        school = OrganizationFactory(municipality=world.municipality, short_name=f"ОШ № {i}")
        OrganizationAlias.objects.create(organization=school, name=f"Бывшая ОШ № {i}")
    with django_assert_max_num_queries(10):
        assert len(_found(client.get(reverse(URL), {"q": "ОШ"}))) == PAGE_SIZE


def test_the_region_page_and_the_menu_offer_the_search(world, client):
    client.force_login(world.coordinator)
    region_page = client.get(reverse("organizations:region", args=[world.region.pk]))
    html = region_page.content.decode()
    assert f'action="{reverse(URL)}"' in html
    assert f'name="region" value="{world.region.pk}"' in html
    assert "Поиск ОО" in html  # the menu
    client.force_login(world.district_lead)
    home = client.get(reverse("organizations:municipality", args=[world.municipality.pk]))
    assert f'href="{reverse(URL)}"' not in home.content.decode()  # one district: its own search
    two_districts = person(Role.DISTRICT_LEAD, world.municipality)
    Membership.objects.create(
        user=two_districts, role=Role.DISTRICT_LEAD, municipality=world.other_municipality
    )
    client.force_login(two_districts)
    page = client.get(reverse("organizations:municipality", args=[world.municipality.pk]))
    assert f'href="{reverse(URL)}"' in page.content.decode()
