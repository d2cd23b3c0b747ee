"""Every role against objects inside and outside its scope: 200 inside, 404 outside, 403 for a
write a read-only role attempts."""

import pytest
from django.urls import reverse

from organizations import selectors

# (persona, url name, target attribute of the world, expected status)
CASES = [
    # regional coordinator: the region and everything in it
    ("coordinator", "organizations:region", "region", 200),
    ("coordinator", "organizations:region", "other_region", 404),
    ("coordinator", "organizations:municipality", "other_municipality", 200),
    ("coordinator", "organizations:municipality", "far_municipality", 404),
    ("coordinator", "organizations:organization", "school", 200),
    ("coordinator", "organizations:organization", "far_school", 404),
    ("coordinator", "organizations:person_invite", "school", 200),
    ("coordinator", "organizations:person_invite", "far_school", 404),
    ("coordinator", "organizations:class_create", "school", 200),
    # district lead: their municipality only
    ("district_lead", "organizations:region", "region", 404),
    ("district_lead", "organizations:municipality", "municipality", 200),
    ("district_lead", "organizations:municipality", "other_municipality", 404),
    ("district_lead", "organizations:organization", "other_school", 200),
    ("district_lead", "organizations:organization", "far_school", 404),
    ("district_lead", "organizations:person_invite", "school", 200),
    ("district_lead", "organizations:person_invite", "far_school", 404),
    ("district_lead", "organizations:class_create", "school", 200),
    # regional methodologist: reads the region, writes nothing
    ("methodologist", "organizations:region", "region", 200),
    ("methodologist", "organizations:region", "other_region", 404),
    ("methodologist", "organizations:organization", "school", 200),
    ("methodologist", "organizations:person_invite", "school", 403),
    ("methodologist", "organizations:class_create", "school", 403),
    ("methodologist", "organizations:person_invite", "far_school", 404),
    # municipal methodologist
    ("district_methodologist", "organizations:region", "region", 404),
    ("district_methodologist", "organizations:municipality", "municipality", 200),
    ("district_methodologist", "organizations:municipality", "other_municipality", 404),
    ("district_methodologist", "organizations:class_create", "school", 403),
    # OO Sferum admin: their organisation; adds class teachers and classes
    ("oo_admin", "organizations:region", "region", 404),
    ("oo_admin", "organizations:municipality", "municipality", 404),
    ("oo_admin", "organizations:organization", "school", 200),
    ("oo_admin", "organizations:organization", "other_school", 404),
    ("oo_admin", "organizations:person_invite", "school", 200),
    ("oo_admin", "organizations:class_create", "school", 200),
    ("oo_admin", "organizations:class_create", "other_school", 404),
    # head of the organisation: reads it
    ("oo_head", "organizations:organization", "school", 200),
    ("oo_head", "organizations:organization", "other_school", 404),
    ("oo_head", "organizations:person_invite", "school", 403),
    ("oo_head", "organizations:class_create", "school", 403),
    # class teacher: their organisation's page, showing their classes
    ("teacher", "organizations:organization", "school", 200),
    ("teacher", "organizations:organization", "other_school", 404),
    ("teacher", "organizations:person_invite", "school", 403),
    ("teacher", "organizations:municipality", "municipality", 404),
    # a person with no role sees nothing
    ("nobody", "organizations:organization", "school", 404),
    ("nobody", "organizations:municipality", "municipality", 404),
    ("nobody", "organizations:region", "region", 404),
    # an operator (superuser) sees everything
    ("operator", "organizations:organization", "far_school", 200),
    ("operator", "organizations:region", "other_region", 200),
]


@pytest.mark.parametrize(("persona", "url_name", "target", "expected"), CASES)
def test_each_role_sees_its_scope_and_nothing_else(
    world, client, persona, url_name, target, expected
):
    client.force_login(getattr(world, persona))
    response = client.get(reverse(url_name, args=[getattr(world, target).pk]))
    assert response.status_code == expected


def test_a_read_only_role_posting_a_write_gets_403_and_writes_nothing(world, client):
    client.force_login(world.oo_head)
    response = client.post(
        reverse("organizations:class_create", args=[world.school.pk]), {"name": "7В"}
    )
    assert response.status_code == 403
    assert not world.school.classes.filter(name="7В").exists()


def test_anonymous_visitors_are_sent_to_the_login_page(world, client):
    response = client.get(reverse("organizations:organization", args=[world.school.pk]))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_the_district_list_shows_only_the_district_organisations(world, client):
    client.force_login(world.district_lead)
    response = client.get(reverse("organizations:municipality", args=[world.municipality.pk]))
    names = {org.short_name for org in response.context["page"]}
    assert names == {world.school.short_name, world.other_school.short_name}


def test_a_class_teacher_sees_only_their_own_classes(world, client):
    client.force_login(world.teacher)
    response = client.get(reverse("organizations:organization", args=[world.school.pk]))
    assert [c.name for c in response.context["classes"]] == ["5А"]
    assert not response.context["sees_whole"]
    assert list(response.context["people"]) == []


def test_selectors_count_every_membership_of_a_person(world):
    from organizations.models import Membership, Role

    Membership.objects.create(user=world.oo_admin, role="oo_head", organization=world.other_school)
    Membership.objects.create(
        user=world.oo_admin, role=Role.METHODOLOGIST, municipality=world.other_municipality
    )
    world.oo_admin.refresh_from_db()
    visible = set(selectors.organizations_visible_to(world.oo_admin))
    assert world.school in visible and world.other_school in visible
    assert world.far_school not in visible
    assert set(selectors.municipalities_visible_to(world.oo_admin)) == {world.other_municipality}


def test_scoped_pages_use_a_constant_number_of_queries(
    world, client, django_assert_max_num_queries
):
    from tests.factories import OrganizationFactory

    OrganizationFactory.create_batch(30, municipality=world.municipality)
    client.force_login(world.district_lead)
    with django_assert_max_num_queries(12):
        response = client.get(reverse("organizations:municipality", args=[world.municipality.pk]))
    assert response.status_code == 200
