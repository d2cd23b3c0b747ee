"""The district dashboard: monitoring's page with the district's checklist progress (rollout)
added by the composition layer; monitoring's page alone knows nothing of checklists."""

from django.test import RequestFactory
from django.urls import reverse

from monitoring.views.dashboards import district_dashboard_page
from rollout.models import Status, Task
from rollout.services import task_status_change


def test_the_district_page_shows_a_ticked_step_at_once(scenario, client):
    """Its checklist figures are cached (rollout.summaries.district_summary): a tick renews
    them for the next page load."""
    world = scenario["world"]
    client.force_login(world.district_lead)
    url = reverse("portal:municipality_dashboard", args=[world.municipality.pk])

    def shown() -> tuple[int | None, int | None]:
        response = client.get(url)
        league = {row.pk: row.extra["progress_pct"] for row in response.context["league"]}
        return response.context["progress"].percent, league[world.school.pk]

    district_before, school_before = shown()
    assert shown() == (district_before, school_before)
    for task in Task.objects.filter(user=world.oo_admin):
        task_status_change(task=task, user=world.oo_admin, status=Status.DONE)
    district_after, school_after = shown()
    assert district_after > district_before and school_after > school_before


def test_the_path_of_the_district_page_is_unchanged():
    assert reverse("portal:municipality_dashboard", args=[7]) == "/municipalities/7/dashboard/"


def test_monitorings_district_page_alone_has_no_checklist_column(scenario, client):
    world = scenario["world"]
    request = RequestFactory().get("/")
    request.user = world.district_lead
    response = district_dashboard_page(request, world.municipality.pk)
    assert response.status_code == 200
    page = response.content.decode()
    assert "Статистики пока нет" not in page and world.school.short_name in page
    assert "Чек-листы и план" not in page
    client.force_login(world.district_lead)
    url = reverse("portal:municipality_dashboard", args=[world.municipality.pk])
    assert "Чек-листы и план" in client.get(url).content.decode()
