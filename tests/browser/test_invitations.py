"""Invitations in a browser: a district lead invites, the invitee accepts from the menu or sets
a password through the e-mailed link; at 1366 px, on a phone (390 px) and at 200 % zoom."""

import re

import pytest
from django.core import mail

from organizations.models import Membership, Role
from tests.factories import PASSWORD, person

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def _invite(page, live_server, world, email):
    page.goto(f"{live_server.url}/organizations/{world.other_school.pk}/people/new/")
    page.locator("#id_role").select_option(Role.OO_HEAD)
    page.locator("#id_last_name").fill("Сидорова")
    page.locator("#id_first_name").fill("Елена")
    page.locator("#id_email").fill(email)
    page.get_by_role("button", name="Отправить приглашение").click()
    page.wait_for_load_state("networkidle")


def test_an_existing_account_accepts_a_role_from_its_menu(
    world, live_server, browser_page, log_in, shots
):
    invitee = person(Role.OO_HEAD, world.school, username="head2", last_name="Кузнецова")
    page = browser_page
    log_in(page, "district", PASSWORD)
    _invite(page, live_server, world, invitee.email)
    alert = page.locator(".alert-success").inner_text()
    assert "Приглашение на роль «руководитель ОО» отправлено" in alert
    row = page.locator("li", has_text="ждёт ответа").inner_text()
    assert "Сидорова Елена" in row and "Кузнецова" not in row  # as typed, the account untouched
    shots(page, "inv-01-organisation-pending")

    page.context.clear_cookies()
    log_in(page, "head2", PASSWORD)
    page.get_by_role("link", name="Приглашения (1)").click()
    assert "«руководитель ОО» в МБОУ «СОШ № 2»" in page.locator("main").inner_text()
    shots(page, "inv-02-my-invitations")
    page.get_by_role("button", name="Принять").click()
    page.wait_for_load_state("networkidle")
    assert "Вы приняли роль «руководитель ОО» в МБОУ «СОШ № 2»" in page.content()
    assert Membership.objects.filter(user=invitee, organization=world.other_school).exists()
    invitee.refresh_from_db()
    assert invitee.last_name == "Кузнецова"


def test_a_new_person_sets_a_password_through_the_link(
    world, live_server, browser_page, log_in, shots
):
    page = browser_page
    log_in(page, "district", PASSWORD)
    _invite(page, live_server, world, "sidorova@example.ru")
    link = re.search(r"https?://\S+/invitations/\S+/", mail.outbox[-1].body).group(0)
    page.context.clear_cookies()
    page.goto(link.replace("http://testserver", live_server.url))
    assert page.locator("h1").inner_text() == "Вам назначена роль"
    shots(page, "inv-03-set-password")
    page.locator("#id_new_password1").fill("Сферум-МАХ-2025!")
    page.locator("#id_new_password2").fill("Сферум-МАХ-2025!")
    page.get_by_role("button", name="Сохранить пароль и принять").click()
    page.wait_for_load_state("networkidle")
    assert "Вы приняли роль «руководитель ОО»" in page.content()
    assert Membership.objects.filter(
        user__email="sidorova@example.ru", organization=world.other_school
    ).exists()
