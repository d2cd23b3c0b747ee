"""Signing in with the e-mail address the invitation named, as well as with the login name."""

from django.urls import reverse

from tests.factories import PASSWORD, UserFactory


def _log_in(client, username, password=PASSWORD):
    return client.post(reverse("login"), {"username": username, "password": password})


def test_the_login_page_says_either_works_and_whom_to_ask(client, db):
    page = client.get(reverse("login")).content.decode()
    assert "Имя пользователя или электронная почта" in page
    assert "районному ответственному" in page and "администратору Сферум в ОО" in page


def test_the_address_signs_in_whatever_its_case(client, db):
    user = UserFactory(username="ivanova", email="Anna.Ivanova@school.ru")
    response = _log_in(client, "  anna.ivanova@SCHOOL.ru ".strip())
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(user.pk)
    assert client.get("/").status_code == 200  # the session's backend is a configured one


def test_the_login_name_still_signs_in(client, db):
    UserFactory(username="ivanova", email="a@school.ru")
    assert _log_in(client, "ivanova").status_code == 302


def test_a_wrong_password_with_the_address_is_refused(client, db):
    UserFactory(username="ivanova", email="a@school.ru")
    response = _log_in(client, "a@school.ru", "wrong-password")
    assert response.status_code == 200 and "_auth_user_id" not in client.session


def test_an_address_of_two_accounts_signs_in_neither(client, db):
    UserFactory(username="one", email="shared@school.ru")
    UserFactory(username="two", email="shared@school.ru")
    assert _log_in(client, "shared@school.ru").status_code == 200
    assert "_auth_user_id" not in client.session


def test_a_login_that_looks_like_an_address_is_only_its_own(client, db):
    owner = UserFactory(username="x@school.ru", email="owner@school.ru")
    UserFactory(username="other", email="x@school.ru")
    assert _log_in(client, "x@school.ru").status_code == 302
    assert client.session["_auth_user_id"] == str(owner.pk)


def test_an_inactive_account_does_not_sign_in_by_address(client, db):
    UserFactory(username="gone", email="gone@school.ru", is_active=False)
    assert _log_in(client, "gone@school.ru").status_code == 200
