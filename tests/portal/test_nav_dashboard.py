"""The main menu holds the monitoring dashboard of each of a person's scopes, and it opens."""

import pytest
from django.urls import reverse


@pytest.mark.parametrize(
    ("persona", "scope", "url_name"),
    [
        ("coordinator", "region", "monitoring:region_dashboard"),
        ("methodologist", "region", "monitoring:region_dashboard"),
        ("district_lead", "municipality", "portal:municipality_dashboard"),
        ("oo_admin", "school", "monitoring:organization_dashboard"),
        ("oo_head", "school", "monitoring:organization_dashboard"),
    ],
)
def test_the_menu_links_the_dashboard_of_the_persons_scope(world, client, persona, scope, url_name):
    client.force_login(getattr(world, persona))
    page = client.get(reverse("organizations:region_list"), follow=True)
    url = reverse(url_name, args=[getattr(world, scope).pk])
    labels = {item.url: item.label for item in page.context["nav_items"]}
    assert labels[url].startswith("Мониторинг: ")
    assert client.get(url).status_code == 200


def test_a_class_teacher_has_no_dashboard_in_the_menu(world, client):
    client.force_login(world.teacher)
    page = client.get(reverse("home"), follow=True)
    assert not [i for i in page.context["nav_items"] if i.label.startswith("Мониторинг")]
