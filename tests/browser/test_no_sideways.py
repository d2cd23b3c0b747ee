"""No page of a role's navigation scrolls sideways on a phone (390 px) or at 200 % zoom
(683 px): each demo person follows the links of their menu and of the pages it opens."""

import pytest

from monitoring.demo import demo_statistics_create
from organizations.demo import DEMO_PASSWORD, demo_registry_create
from rollout.services import tasks_sync_all

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

ROLES = ["coordinator", "district", "methodologist", "oo_admin", "director", "teacher"]
# The portal's own links on a page: not log-out, downloads or exports.
LINKS = """[...new Set([...document.querySelectorAll('nav a[href^="/"], main a[href^="/"]')]
  .map(a => a.getAttribute('href')))]
  .filter(h => !h.includes('logout') && !h.includes('/file/') && !h.includes('format=')
               && !h.startsWith('/admin'))"""


@pytest.fixture
def demo():
    users = demo_registry_create()
    tasks_sync_all()
    demo_statistics_create(uploader=users["coordinator"])


@pytest.mark.parametrize("username", ROLES)
def test_no_page_of_a_role_scrolls_sideways_on_a_phone_or_at_200_percent(
    demo, browser_page, log_in, live_server, username
):
    page = browser_page
    log_in(page, username, DEMO_PASSWORD)
    pages = ["/", *page.evaluate(LINKS)][:30]
    assert len(pages) >= 4
    wide = []
    for width, height in ((390, 844), (683, 450)):
        page.set_viewport_size({"width": width, "height": height})
        for href in pages:
            response = page.goto(live_server.url + href)
            assert response.status < 400, href
            scroll = page.evaluate("document.documentElement.scrollWidth")
            if scroll > width:
                wide.append(f"{href} at {width} px: {scroll} px wide")
    page.set_viewport_size({"width": 1366, "height": 900})
    assert not wide
