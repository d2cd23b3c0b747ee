"""The landing page: each person goes to the dashboard of their widest role."""

import pytest
from django.urls import reverse


@pytest.mark.parametrize(
    ("persona", "landing"),
    [
        ("coordinator", "region"),
        ("methodologist", "region"),
        ("district_lead", "municipality"),
        ("district_methodologist", "municipality"),
        ("oo_admin", "school"),
        ("oo_head", "school"),
        ("teacher", "school"),
    ],
)
def test_each_person_lands_on_the_page_of_their_widest_role(world, client, persona, landing):
    client.force_login(getattr(world, persona))
    response = client.get(reverse("home"))
    name = {
        "region": "monitoring:region_dashboard",
        "municipality": "portal:municipality_dashboard",
        "school": "organizations:organization"
        if persona == "teacher"
        else "monitoring:organization_dashboard",
    }[landing]
    assert response["Location"] == reverse(name, args=[getattr(world, landing).pk])


def test_a_person_without_roles_is_told_whom_to_ask(world, client):
    client.force_login(world.nobody)
    response = client.get(reverse("home"))
    assert "Вам пока не назначена роль" in response.content.decode()
