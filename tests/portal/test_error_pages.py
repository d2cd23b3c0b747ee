"""The Russian 404 and 500 pages in production and in the demo (DEBUG=True), and a favicon
that every page links and /favicon.ico answers."""

from pathlib import Path
from xml.etree import ElementTree

import pytest
from django.urls import include, path, reverse

ROOT = Path(__file__).resolve().parents[2]
TECHNICAL = ("DEBUG = True", "Page not found", "Traceback", "Using the URLconf")


def boom(request):
    raise RuntimeError("a bug")


# The project's URLs and one view that fails, for @pytest.mark.urls(__name__).
urlpatterns = [path("boom/", boom), path("", include("sferum_portal.urls"))]


@pytest.fixture(params=[True, False], ids=["demo", "production"])
def debug(request, settings):
    settings.DEBUG = request.param
    return request.param


def _is_russian_404(response) -> bool:
    page = response.content.decode()
    return "Страница не найдена" in page and not any(t in page for t in TECHNICAL)


def test_an_unknown_address_shows_the_russian_404(debug, db, client):
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert _is_russian_404(response)


def test_an_object_out_of_scope_shows_the_russian_404(debug, world, client):
    client.force_login(world.oo_admin)
    response = client.get(reverse("monitoring:organization_dashboard", args=[world.far_school.pk]))
    assert response.status_code == 404
    assert _is_russian_404(response)


@pytest.mark.urls(__name__)
def test_a_failing_view_shows_the_russian_500(debug, db, client, caplog):
    client.raise_request_exception = False
    response = client.get("/boom/")
    assert response.status_code == 500
    page = response.content.decode()
    assert "Что-то пошло не так" in page
    assert not any(t in page for t in TECHNICAL) and "a bug" not in page
    # The developer still gets the traceback, in the log.
    assert any(r.exc_info and "a bug" in str(r.exc_info[1]) for r in caplog.records)


def test_technical_pages_come_back_on_request(settings, db, client):
    settings.DEBUG = True
    settings.TECHNICAL_ERROR_PAGES = True
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert "Using the URLconf" in response.content.decode()


def test_a_403_is_still_the_portals(settings, world, client):
    settings.DEBUG = True
    client.force_login(world.teacher)
    response = client.get(reverse("monitoring:organization_dashboard", args=[world.school.pk]))
    assert response.status_code == 403


def test_every_page_links_the_favicon_and_it_is_an_svg(db, client):
    page = client.get(reverse("login")).content.decode()
    assert '<link rel="icon" href="/static/favicon.svg" type="image/svg+xml">' in page
    svg = ElementTree.parse(ROOT / "static/favicon.svg").getroot()
    assert svg.tag == "{http://www.w3.org/2000/svg}svg" and svg.get("viewBox") == "0 0 32 32"
    for name in ("500.html", "503.html"):
        assert "favicon.svg" in (ROOT / "templates" / name).read_text()


def test_favicon_ico_answers_instead_of_a_404(debug, db, client):
    response = client.get("/favicon.ico")
    assert response.status_code == 302
    assert response["Location"].endswith("favicon.svg")
    if debug:  # in production WhiteNoise serves the collected file; tests do not collect
        assert client.get("/favicon.ico", follow=True).status_code == 200
