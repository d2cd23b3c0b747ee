"""Login throttling (django-axes): five wrong passwords lock one username from one address out
for 15 minutes with a Russian page; everyone else logs in as usual."""

import datetime as dt

import pytest
from axes.models import AccessAttempt
from django.core.management import call_command
from django.urls import reverse

from tests.factories import PASSWORD

LIMIT = 5


@pytest.fixture
def attempt(client):
    def post(username: str, password: str, *, address: str = "127.0.0.1", url=None):
        return client.post(
            url or reverse("login"),
            {"username": username, "password": password},
            REMOTE_ADDR=address,
        )

    return post


def lock_out(attempt, username: str = "district"):
    responses = [attempt(username, f"wrong-{n}") for n in range(LIMIT)]
    assert all(r.status_code == 200 for r in responses[:-1])
    return responses[-1]


def logged_in(client) -> bool:
    return "_auth_user_id" in client.session


def test_five_wrong_passwords_lock_the_account_with_a_russian_page(world, attempt):
    responses = [attempt("district", f"wrong-{n}") for n in range(LIMIT)]
    wrong = "Пожалуйста, введите правильные имя пользователя и пароль"
    assert all(wrong in r.content.decode() for r in responses[:-1])
    response = responses[-1]
    page = response.content.decode()
    assert response.status_code == 429
    assert "Вход временно заблокирован" in page
    assert "под именем «district»" in page and "на 15 мин." in page


def test_four_wrong_passwords_do_not_lock_the_account(world, client, attempt):
    for n in range(LIMIT - 1):
        attempt("district", f"wrong-{n}")
    assert attempt("district", PASSWORD).status_code == 302
    assert logged_in(client)


def test_the_right_password_is_refused_while_the_account_is_locked(world, client, attempt):
    lock_out(attempt)
    response = attempt("district", PASSWORD)
    assert response.status_code == 429
    assert "Вход временно заблокирован" in response.content.decode()
    assert not logged_in(client)


def test_other_people_log_in_while_one_account_is_locked(world, client, attempt):
    lock_out(attempt)
    assert attempt("coordinator", PASSWORD).status_code == 302
    assert logged_in(client)


def test_the_same_person_from_another_address_is_not_locked(world, client, attempt):
    lock_out(attempt)
    assert attempt("district", PASSWORD, address="10.0.0.7").status_code == 302


def test_axes_reset_lifts_the_lockout(world, client, attempt):
    lock_out(attempt)
    call_command("axes_reset")
    assert attempt("district", PASSWORD).status_code == 302
    assert logged_in(client)


def test_the_lockout_ends_by_itself_after_the_cool_off(world, client, attempt):
    lock_out(attempt)
    AccessAttempt.objects.update(attempt_time=dt.datetime.now(dt.UTC) - dt.timedelta(minutes=16))
    assert attempt("district", PASSWORD).status_code == 302


def test_a_correct_login_starts_the_count_again(world, client, attempt):
    for n in range(LIMIT - 1):
        attempt("district", f"wrong-{n}")
    assert attempt("district", PASSWORD).status_code == 302
    client.logout()
    for n in range(LIMIT - 1):
        assert attempt("district", f"again-{n}").status_code == 200
    assert attempt("district", PASSWORD).status_code == 302


def test_the_admin_login_is_throttled_too(world, attempt):
    admin_login = reverse("admin:login")
    responses = [attempt("operator", f"wrong-{n}", url=admin_login) for n in range(LIMIT)]
    assert responses[-1].status_code == 429
    assert attempt("operator", PASSWORD, url=admin_login).status_code == 429
