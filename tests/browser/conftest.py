"""Browser tests: a live server, the demo personas, and screenshots saved under screenshots/."""

from pathlib import Path

import pytest

SCREENSHOTS = Path(__file__).resolve().parents[2] / "screenshots"


@pytest.fixture
def shot():
    SCREENSHOTS.mkdir(exist_ok=True)

    def _shot(page, name: str) -> Path:
        path = SCREENSHOTS / f"{name}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return _shot


@pytest.fixture
def log_in(live_server):
    def _log_in(page, username: str, password: str):
        page.goto(f"{live_server.url}/accounts/login/")
        page.get_by_label("Имя пользователя").fill(username)
        page.get_by_label("Пароль").fill(password)
        page.get_by_role("button", name="Войти").click()
        page.wait_for_load_state("networkidle")

    return _log_in


@pytest.fixture
def csp_violations(browser_page):
    """What the Content-Security-Policy blocked on the page: the browser's console reports and
    the securitypolicyviolation events, recorded from before any page script runs."""
    found: list[str] = []
    browser_page.on(
        "console",
        lambda msg: found.append(msg.text) if "Content Security Policy" in msg.text else None,
    )
    browser_page.add_init_script(
        """document.addEventListener("securitypolicyviolation", (e) => {
             console.error("Content Security Policy event: " + e.violatedDirective
               + " " + e.blockedURI + " " + (e.sample || "") + " at " + e.sourceFile
               + ":" + e.lineNumber);
           });"""
    )
    return found


SIZES = {"1366": (1366, 900), "390": (390, 844), "zoom200": (683, 450)}  # 683 px: 1366 at 200 %


@pytest.fixture
def shots(shot):
    """Screenshots at 1366 px, on a phone (390 px) and at 200 % zoom, each asserting that the
    page does not scroll sideways; the viewport is 1366 px again afterwards."""

    def _shots(page, name: str) -> None:
        for size, (width, height) in SIZES.items():
            page.set_viewport_size({"width": width, "height": height})
            fits = page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
            assert fits, f"{name} scrolls sideways at {size}"
            shot(page, f"{name}-{size}")
        page.set_viewport_size({"width": 1366, "height": 900})

    return _shots


@pytest.fixture
def demo():
    """The demo world of `make run` (registry, checklists, statistics)."""
    from tests.browser.navigation import demo_world

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
