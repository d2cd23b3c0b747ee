"""One organisation search (organizations.selectors.organizations_matching): by name, by a
former name and by Sferum ID, the same on the registry, the district dashboard and the matrix."""

import pytest
from django.urls import reverse

from organizations.models import Organization, OrganizationAlias
from organizations.selectors import organizations_matching
from rollout.matrix import district_progress


@pytest.fixture
def renamed(world):
    OrganizationAlias.objects.create(organization=world.other_school, name="МОУ «ООШ» с. Старое")
    return world.other_school


@pytest.mark.parametrize(
    "query", ["СОШ № 2", "ООШ» с. Старое", "{sid}", " {sid} "], ids=["name", "former", "id", "pad"]
)
def test_the_search_finds_by_name_former_name_and_sferum_id(world, renamed, query):
    query = query.format(sid=renamed.sferum_id)
    found = organizations_matching(
        Organization.objects.filter(municipality=world.municipality), query
    )
    assert list(found) == [renamed]


def test_the_matrix_finds_an_organisation_by_its_former_name(world, renamed):
    progress = district_progress(world.municipality, query="с. Старое")
    assert [row.organization for row in progress.rows] == [renamed]


def test_the_registry_page_finds_by_former_name_once(world, renamed, client):
    OrganizationAlias.objects.create(organization=renamed, name="МОУ «ООШ» с. Старое-2")
    client.force_login(world.district_lead)
    page = client.get(
        reverse("organizations:municipality", args=[world.municipality.pk]), {"q": "Старое"}
    )
    assert [o for o in page.context["page"]] == [renamed]  # not once per matching alias
