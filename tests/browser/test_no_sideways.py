"""No page of a role's navigation scrolls sideways at 1366 px, on a phone (390 px) or at 200 %
zoom (683 px): each demo person follows the links of their menu and of the pages it opens."""

import pytest

from tests.browser.navigation import ROLES, role_pages, walk

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


@pytest.mark.parametrize("username", ROLES)
def test_no_page_of_a_role_scrolls_sideways_on_a_phone_or_at_200_percent(
    demo, browser_page, log_in, live_server, username
):
    page = browser_page
    pages = role_pages(page, log_in, username)
    assert len(pages) >= 4
    wide = []
    for href, width in walk(page, live_server.url, pages, ((1366, 900), (390, 844), (683, 450))):
        scroll = page.evaluate("document.documentElement.scrollWidth")
        if scroll > width:
            wide.append(f"{href} at {width} px: {scroll} px wide")
    assert not wide
