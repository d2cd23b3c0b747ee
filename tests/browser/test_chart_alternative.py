"""The trend chart: its legend draws the dashed target lines dashed, a data table under it says
the same in text (screen readers, keyboard), and printed it fits the A4 page."""

import json

import pytest

from organizations.demo import DEMO_PASSWORD

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

LEGEND = """() => window.Chart.getChart('trend-chart').legend.legendItems
  .map((item) => ({text: item.text, style: item.pointStyle, dash: item.lineDash || []}))"""


def test_the_legend_draws_target_lines_dashed(demo, browser_page, log_in):
    page = browser_page
    log_in(page, "district", DEMO_PASSWORD)
    items = page.evaluate(LEGEND)
    assert items and all(item["style"] == "line" for item in items)
    targets = [item for item in items if item["text"].startswith(("Цель", "Этап 1"))]
    measured = [item for item in items if item not in targets]
    assert targets and all(item["dash"] for item in targets)
    assert measured and not any(item["dash"] for item in measured)


def test_the_chart_has_a_text_alternative(demo, browser_page, log_in):
    page = browser_page
    log_in(page, "district", DEMO_PASSWORD)
    points = json.loads(page.locator("#trend-data").text_content())
    canvas = page.locator("#trend-chart")
    assert canvas.get_attribute("role") == "img"
    label = " ".join(canvas.get_attribute("aria-label").split())
    assert f"На неделе с {points[-1]['label']}: сотрудники — " in label
    assert page.get_by_role("img", name=label).count() == 1  # the name, whitespace collapsed
    summary = page.locator("summary", has_text="Данные графика таблицей")
    summary.focus()
    page.keyboard.press("Enter")  # a keyboard opens it
    table = page.get_by_role("table", name="Активность и цели по неделям")
    assert table.is_visible()
    rows = table.locator("tbody tr")
    assert rows.count() == len(points)
    assert rows.last.locator("th").inner_text() == points[-1]["label"]


def test_the_printed_chart_fits_the_a4_page(demo, browser_page, log_in):
    page = browser_page
    log_in(page, "district", DEMO_PASSWORD)
    # Printing from a wide window: the chart is redrawn to the printed width before the print
    # layout, and whatever its size the canvas is held inside its card.
    redrawn = """() => { window.dispatchEvent(new Event('beforeprint'));
                         return window.Chart.getChart('trend-chart').width; }"""
    assert page.evaluate(redrawn) <= 660
    page.emulate_media(media="print")
    assert page.locator("#trend-chart").evaluate("(c) => getComputedStyle(c).maxWidth") == "100%"
    # A4 portrait between 12 mm margins: 186 mm, 703 CSS px.
    page.set_viewport_size({"width": 703, "height": 1000})
    card = page.locator("section[aria-labelledby='trend-title']").bounding_box()
    chart = page.locator("#trend-chart").bounding_box()
    assert card["x"] + card["width"] <= 703
    assert chart["x"] >= card["x"] and chart["x"] + chart["width"] <= card["x"] + card["width"]
    page.evaluate("window.dispatchEvent(new Event('afterprint'))")
    page.emulate_media(media="screen")
