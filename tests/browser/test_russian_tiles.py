"""On a phone (390 px) and in the narrow columns of wider screens, no tile label is cut inside
a word: each word of a label lies on one line (Bootstrap's .card broke «зарегистрирова|но»)."""

import pytest

from monitoring.demo import demo_statistics_create
from organizations.demo import DEMO_PASSWORD, demo_registry_create
from rollout.services import tasks_sync_all

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

# Words of each .tile-label whose text spans more than one line box.
SPLIT_WORDS = """() => {
  const split = [];
  for (const label of document.querySelectorAll(".tile-label")) {
    const walker = document.createTreeWalker(label, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      for (const match of node.textContent.matchAll(/[^\\s]+/g)) {
        const range = document.createRange();
        range.setStart(node, match.index);
        range.setEnd(node, match.index + match[0].length);
        const lines = new Set([...range.getClientRects()].map((r) => Math.round(r.top)));
        if (lines.size > 1) split.push(match[0]);
      }
    }
  }
  return split;
}"""


@pytest.fixture
def demo():
    users = demo_registry_create()
    tasks_sync_all()
    demo_statistics_create(uploader=users["coordinator"])


@pytest.mark.parametrize("width", [390, 600, 1200])
def test_no_tile_label_is_cut_inside_a_word(demo, browser_page, log_in, width):
    page = browser_page
    log_in(page, "coordinator", DEMO_PASSWORD)  # lands on the region's dashboard
    page.set_viewport_size({"width": width, "height": 900})
    assert page.locator(".tile-label").count() >= 9
    assert page.evaluate(SPLIT_WORDS) == []
