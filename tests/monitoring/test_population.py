"""Counts say what they count (issue 14, item 5): the coverage line names the organisations the
indicators count and those of the registry they leave out (education authorities, «другое»),
the district's table marks the rows outside the indicators, and the region and the district
give the same population the same number."""

import datetime as dt

from django.urls import reverse

from monitoring import services
from monitoring.dashboards import Population, population_of
from organizations.models import Organization
from tests.factories import OrganizationFactory
from tests.monitoring.conftest import counts, export_file, export_row


def _authority_with_data(world, django_capture_on_commit_callbacks):
    authority = OrganizationFactory(
        municipality=world.municipality, org_type="ouo", short_name="Управление образования"
    )
    OrganizationFactory(municipality=world.municipality, org_type="other", short_name="Центр")
    closed = OrganizationFactory(municipality=world.municipality, org_type="ouo")
    Organization.objects.filter(pk=closed.pk).update(is_active=False)
    rows = [
        export_row(world.school, dt.date(2025, 11, 27), **counts(100, 60, 500, 500, 100, 100, 97)),
        export_row(
            authority, dt.date(2025, 11, 27), org_type="ОУО", **counts(20, 10, 0, 0, 0, 0, 18)
        ),
    ]
    with django_capture_on_commit_callbacks(execute=True):
        upload = services.upload_receive(uploaded_file=export_file(rows), user=world.coordinator)
        services.upload_confirm(upload=upload, skip_invalid=False)
    return authority


def test_the_population_counts_the_registry_by_the_indicator_rules(world):
    OrganizationFactory(municipality=world.municipality, org_type="ouo")
    OrganizationFactory(municipality=world.municipality, org_type="other")
    OrganizationFactory(municipality=world.municipality, org_type="ouo")
    population = population_of(Organization.objects.filter(municipality=world.municipality))
    assert population == Population(registry=5, counted=2, excluded=(("ОУО", 2), ("другое", 1)))


def test_the_district_page_says_whom_its_counts_count(
    world, client, django_capture_on_commit_callbacks
):
    authority = _authority_with_data(world, django_capture_on_commit_callbacks)
    client.force_login(world.district_lead)
    response = client.get(reverse("portal:municipality_dashboard", args=[world.municipality.pk]))
    page = response.content.decode()
    coverage = response.context["area"].coverage
    # Two schools are counted; the authority has data but is not in the indicators.
    assert (coverage.with_data, coverage.organizations) == (1, 2)
    assert "Данные по 1 из 2 ОО, входящих в показатели" in page
    assert "В реестре 4 действующие ОО;" in page
    assert "по правилам показателей не учитываются: ОУО — 1, другое — 1." in page
    league = {row.pk: row for row in response.context["league"]}
    assert league[authority.pk].extra["counted"] is False
    assert league[world.school.pk].extra["counted"] is True
    assert page.count("не в показателях</span>") == 2  # the authority and «Центр»


def test_the_region_gives_the_same_population_as_the_sum_of_its_districts(
    world, client, django_capture_on_commit_callbacks
):
    _authority_with_data(world, django_capture_on_commit_callbacks)
    client.force_login(world.coordinator)
    region = client.get(reverse("monitoring:region_dashboard", args=[world.region.pk]))
    page = region.content.decode()
    area = region.context["area"]
    districts = sum(
        row.value_row.organizations for row in region.context["league"] if row.value_row
    )
    assert area.coverage.organizations == area.current.organizations == districts
    assert area.coverage.population.counted == area.coverage.organizations
    assert f"из {area.current.organizations} в показателях" in page


def test_the_students_and_parents_gap_agrees_with_its_number(
    world, client, django_capture_on_commit_callbacks
):
    _authority_with_data(world, django_capture_on_commit_callbacks)
    client.force_login(world.district_lead)
    response = client.get(reverse("portal:municipality_dashboard", args=[world.municipality.pk]))
    tile = next(k for k in response.context["area"].kpis if k.code == "students_parents_activity")
    assert tile.gap_people == 100  # 30 % of 1 000 is 300, 200 are active
    assert "ещё 100 человек" in response.content.decode()
