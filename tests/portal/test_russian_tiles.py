"""Tile labels wrap whole Russian words: the page says it is Russian (the browser's hyphenation
needs it) and the portal's CSS undoes Bootstrap's break-word on tiles."""

import re
from pathlib import Path

from django.urls import reverse

ROOT = Path(__file__).resolve().parents[2]


def _rule(css: str, selector: str) -> str:
    css = re.sub(r"/\*.*?\*/", "", css, flags=re.S)
    for selectors, body in re.findall(r"([^{}]+)\{([^}]*)\}", css):
        if selector in [s.strip() for s in selectors.split(",")]:
            return body
    return ""


def test_every_page_declares_russian(client):
    page = client.get(reverse("login")).content.decode()
    assert '<html lang="ru">' in page


def test_tiles_wrap_whole_words_and_hyphenate():
    css = (ROOT / "static/css/portal.css").read_text()
    for selector in (".kpi", ".stat-tile", ".tile-label"):
        body = _rule(css, selector)
        assert "overflow-wrap: normal" in body, selector
        assert "word-break: normal" in body, selector
        assert "hyphens: auto" in body, selector


def test_the_dashboard_tiles_carry_the_class(scenario, client):
    world = scenario["world"]
    client.force_login(world.coordinator)
    page = client.get(reverse("monitoring:region_dashboard", args=[world.region.pk]))
    html = page.content.decode()
    assert 'class="card h-100 kpi' in html
    assert html.count("tile-label") >= 5 + 4  # five indicator tiles, four count tiles
