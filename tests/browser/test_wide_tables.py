"""Wide tables at 1366 px: «Мои шаги» shows each «Изменить» button whole and the upload history
its «Пропущено» column without scrolling; where a table does scroll (a phone), its first
column stays in view."""

import pytest

from organizations.demo import DEMO_PASSWORD

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

# Elements (by selector and text) whose box runs past the right edge of their scrolling table
# box, or out of the window: what the reader would not see without scrolling the table.
CLIPPED = """([selector, text]) => [...document.querySelectorAll(selector)]
  .filter((el) => el.textContent.trim() === text)
  .filter((el) => {
    const box = el.closest('.table-responsive').getBoundingClientRect();
    const r = el.getBoundingClientRect();
    return r.right > Math.min(box.right, window.innerWidth) + 0.5 || r.left < box.left - 0.5;
  })
  .map((el) => el.outerHTML.slice(0, 120))"""
COUNT = """([selector, text]) => [...document.querySelectorAll(selector)]
  .filter((el) => el.textContent.trim() === text).length"""


@pytest.mark.parametrize(
    ("username", "path", "selector", "text"),
    [
        ("district", "/rollout/my/", ".table-responsive a.btn", "Изменить"),
        ("oo_admin", "/rollout/my/", ".table-responsive a.btn", "Изменить"),
        ("coordinator", "/statistics/uploads/", ".table-responsive th", "Пропущено"),
    ],
)
def test_nothing_is_cut_off_at_1366_px(
    demo, browser_page, log_in, live_server, username, path, selector, text
):
    page = browser_page
    log_in(page, username, DEMO_PASSWORD)
    page.goto(live_server.url + path)
    assert page.evaluate(COUNT, [selector, text]) > 0
    assert page.evaluate(CLIPPED, [selector, text]) == []


def test_the_first_column_of_a_scrolling_table_stays_in_view(
    demo, browser_page, log_in, live_server
):
    page = browser_page
    log_in(page, "coordinator", DEMO_PASSWORD)
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(live_server.url + "/statistics/uploads/")
    box = page.locator(".table-responsive").first
    first = box.locator("tbody tr:first-child > :first-child")
    before = first.bounding_box()
    box.evaluate("(el) => { el.scrollLeft = el.scrollWidth; }")
    assert box.evaluate("(el) => el.scrollLeft") > 0
    assert first.bounding_box()["x"] == pytest.approx(before["x"], abs=1)
