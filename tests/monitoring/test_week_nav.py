"""The week picker's «‹» and «›»: each opens the week before or after, and keeps the page's
other query parameters (the filters of the district page)."""

import re
from html import unescape

import pytest
from django.urls import reverse

from tests.monitoring.conftest import WEEK1, WEEK3

PAGES = {
    "region": ("monitoring:region_dashboard", "coordinator", lambda w, s: w.region),
    "district": ("portal:municipality_dashboard", "district_lead", lambda w, s: w.municipality),
    "school": ("monitoring:organization_dashboard", "coordinator", lambda w, s: s["S"]),
}


def _nav_link(page: str, label: str) -> str:
    match = re.search(rf'<a [^>]*href="([^"]*)"[^>]*aria-label="{label}"', page)
    assert match, f"no link «{label}»"
    return unescape(match.group(1))


def _open(client, url, query):
    response = client.get(url + query)
    assert response.status_code == 200
    return response


@pytest.mark.parametrize("page", list(PAGES))
def test_the_previous_week_button_opens_the_week_before(scenario, client, page):
    name, persona, target = PAGES[page]
    world = scenario["world"]
    client.force_login(getattr(world, persona))
    url = reverse(name, args=[target(world, scenario).pk])

    latest = client.get(url)
    board = latest.context.get("area") or latest.context["board"]
    assert board.week == WEEK3
    previous = _open(client, url, _nav_link(latest.content.decode(), "Предыдущая неделя"))
    board = previous.context.get("area") or previous.context["board"]
    assert board.week == board.weeks[board.weeks.index(WEEK3) - 1]
    assert board.week < WEEK3


def test_the_next_week_button_opens_the_week_after(scenario, client):
    world = scenario["world"]
    client.force_login(world.coordinator)
    url = reverse("monitoring:region_dashboard", args=[world.region.pk])
    first = client.get(url, {"week": "2025-W46"})
    assert first.context["area"].week == WEEK1
    after = _open(client, url, _nav_link(first.content.decode(), "Следующая неделя"))
    assert after.context["area"].week > WEEK1


def test_the_week_links_keep_the_other_parameters_and_send_one_week(scenario, client):
    world = scenario["world"]
    client.force_login(world.district_lead)
    url = reverse("portal:municipality_dashboard", args=[world.municipality.pk])
    page = client.get(url, {"week": "2025-W48", "type": "dou", "q": "д/с", "format": ""})
    link = _nav_link(page.content.decode(), "Предыдущая неделя")
    assert link.count("week=") == 1
    assert "type=dou" in link and "q=" in link and "format" not in link
    response = _open(client, url, link)
    assert response.context["area"].week < WEEK3
    assert response.context["filters"].org_type == "dou"
