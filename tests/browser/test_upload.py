"""A methodologist uploads exports in the browser: a file with an error is previewed with the
error's row and column; a clean file is confirmed and appears in the history."""

import datetime as dt

import pytest

from monitoring.models import Snapshot
from tests.factories import PASSWORD
from tests.monitoring.conftest import export_file, export_row

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]
D1 = dt.date(2025, 11, 17)


def test_upload_preview_confirm_and_history(
    world, browser_page, log_in, live_server, shot, tmp_path
):
    bad = tmp_path / "с-ошибкой.xlsx"
    bad.write_bytes(
        export_file(
            [export_row(world.school, D1), export_row(world.other_school, D1, teachers_total=-3)]
        ).read()
    )
    good = tmp_path / "ноябрь-17.xlsx"
    good.write_bytes(
        export_file([export_row(world.school, D1), export_row(world.other_school, D1)]).read()
    )
    page = browser_page
    log_in(page, "methodologist", PASSWORD)
    page.get_by_role("link", name="Загрузка статистики").click()
    assert page.locator("h1").inner_text() == "Загрузка статистики"

    page.set_input_files("input[type=file]", str(bad))
    page.get_by_role("button", name="Проверить файлы").click()
    page.wait_for_load_state("networkidle")
    errors = page.locator("table", has_text="Ошибки: строки с ними не загружаются").inner_text()
    assert "Строка" in errors and "\t3\t" in errors and "K «Учителей в школе всего»" in errors
    assert "отрицательным" in errors.lower() or "отрицательн" in errors
    shot(page, "10-upload-preview-with-error")
    page.get_by_role("button", name="Отменить").click()

    page.set_input_files("input[type=file]", str(good))
    page.get_by_role("button", name="Проверить файлы").click()
    page.wait_for_load_state("networkidle")
    assert "Ошибок нет" in page.content()
    page.get_by_role("button", name="Загрузить данные").click()
    page.wait_for_load_state("networkidle")
    assert "Данные загружены" in page.content()
    assert Snapshot.objects.count() == 2

    page.get_by_role("link", name="Загрузка статистики").first.click()
    history = page.locator("table").inner_text()
    assert "ноябрь-17.xlsx" in history and "загружено" in history
    assert "с-ошибкой.xlsx" in history and "отменено" in history
    shot(page, "11-upload-history")


def test_a_zip_bomb_is_refused_on_its_page_and_kept_out_of_the_data(
    world, browser_page, log_in, live_server, shot, tmp_path
):
    from tests.security.hostile_files import CORPUS

    bomb = CORPUS["ratio_bomb"].build(tmp_path)
    page = browser_page
    log_in(page, "methodologist", PASSWORD)
    page.get_by_role("link", name="Загрузка статистики").click()
    page.set_input_files("input[type=file]", str(bomb))
    page.get_by_role("button", name="Проверить файлы").click()
    page.wait_for_load_state("networkidle")
    alert = page.locator(".alert-danger").inner_text()
    assert f"«{bomb.name}»" in alert and "zip-бомб" in alert and "Ничего не записано" in alert
    assert page.get_by_role("button", name="Загрузить данные").count() == 0
    shot(page, "12-upload-zip-bomb-refused")
    page.get_by_role("link", name="Загрузка статистики").first.click()
    history = page.locator("table").inner_text()
    assert bomb.name in history and "не загружено" in history
    assert Snapshot.objects.count() == 0
