"""Accessibility (WCAG 2.1 A and AA, axe-core): no page of a demo role's navigation has a
serious or critical violation, colour contrast included, at 1366 px, on a phone (390 px) and at
200 % zoom (683 px). axe-core is vendored for the tests only (tests/browser/vendor/axe-core)."""

import pytest

from tests.browser.axe import AXE, RUN, SIZES, TAGS
from tests.browser.navigation import ROLES, role_pages, walk

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


@pytest.mark.parametrize("username", ROLES)
def test_no_serious_accessibility_violation_on_a_role_s_pages(
    demo, axe_page, log_in, live_server, username
):
    page = axe_page
    pages = role_pages(page, log_in, username)
    assert len(pages) >= 4
    found = []
    for href, width in walk(page, live_server.url, pages, SIZES):
        page.add_script_tag(path=str(AXE))
        for v in page.evaluate(RUN, TAGS):
            found.append(
                f"{v['id']} ({v['impact']}) on {href} at {width} px: {v['help']}; "
                + ", ".join(v["targets"])
            )
    assert not found, "\n".join(found)
