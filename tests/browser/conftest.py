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
