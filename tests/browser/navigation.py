"""The walk of a role's navigation, shared by the browser tests that visit every page a demo
person can reach: the demo world, the portal's own links of the menu and of the start page, and
a loop over those pages at several viewport widths."""

from collections.abc import Iterator

from monitoring.demo import demo_statistics_create
from organizations.demo import DEMO_PASSWORD, demo_registry_create
from rollout.services import tasks_sync_all

ROLES = ["coordinator", "district", "methodologist", "oo_admin", "director", "teacher"]
# The portal's own links on a page: not log-out, downloads or exports.
LINKS = """[...new Set([...document.querySelectorAll('nav a[href^="/"], main a[href^="/"]')]
  .map(a => a.getAttribute('href')))]
  .filter(h => !h.includes('logout') && !h.includes('/file/') && !h.includes('format=')
               && !h.startsWith('/admin'))"""
MAX_PAGES = 30


def demo_world() -> None:
    """The demo registry, its checklists and its statistics (what `make run` loads)."""
    users = demo_registry_create()
    tasks_sync_all()
    demo_statistics_create(uploader=users["coordinator"])


def role_pages(page, log_in, username: str) -> list[str]:
    """Log the demo person in; the start page and the links it offers (menu and content)."""
    log_in(page, username, DEMO_PASSWORD)
    return ["/", *page.evaluate(LINKS)][:MAX_PAGES]


def walk(page, base_url: str, pages: list[str], sizes) -> Iterator[tuple[str, int]]:
    """Open each page at each (width, height); yield (href, width) once the page has loaded.
    The viewport is 1366 × 900 again afterwards."""
    for width, height in sizes:
        page.set_viewport_size({"width": width, "height": height})
        for href in pages:
            response = page.goto(base_url + href)
            assert response.status < 400, href
            yield href, width
    page.set_viewport_size({"width": 1366, "height": 900})
