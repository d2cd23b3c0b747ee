"""Accessibility (WCAG 2.1 A and AA, axe-core): no page of a demo role's navigation has a
serious or critical violation, colour contrast included, at 1366 px, on a phone (390 px) and at
200 % zoom (683 px). axe-core is vendored for the tests only (tests/browser/vendor/axe-core)."""

from pathlib import Path

import pytest

from tests.browser.navigation import ROLES, demo_world, role_pages, walk

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

AXE = Path(__file__).resolve().parent / "vendor" / "axe-core" / "axe.min.js"
SIZES = ((1366, 900), (390, 844), (683, 450))
TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
RUN = """async (tags) => {
  const result = await axe.run(document, {runOnly: {type: "tag", values: tags},
                                          resultTypes: ["violations"]});
  return result.violations
    .filter((v) => v.impact === "serious" || v.impact === "critical")
    .map((v) => ({id: v.id, impact: v.impact, help: v.help,
                  targets: v.nodes.slice(0, 8).map((n) => {
                    const data = n.any.length && n.any[0].data;
                    const colours = v.id === "color-contrast" && data && data.fgColor
                      ? ` (${data.fgColor} on ${data.bgColor}, ${data.contrastRatio}:1)` : "";
                    return n.target.join(" ") + colours;
                  })}));
}"""


@pytest.fixture
def demo():
    demo_world()


@pytest.fixture
def axe_page(browser_page):
    """A page like browser_page's whose context lets the injected axe script run: the portal's
    Content-Security-Policy allows no inline script, which is what add_script_tag adds."""
    context = browser_page.context.browser.new_context(
        viewport={"width": 1366, "height": 900}, locale="ru-RU", bypass_csp=True
    )
    yield context.new_page()
    context.close()


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
