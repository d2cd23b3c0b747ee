"""Accounts: the Russian login page, inviting people, and the one-time set-password link."""

import re

import pytest
from django.core import mail
from django.urls import reverse

from organizations.models import Invitation, Membership, Role, User
from organizations.services import password_link_build


def link_path(text: str) -> str:
    return re.search(r"https?://[^/\s]+(/accounts/set-password/\S+)", text).group(1)


def test_the_login_page_speaks_russian(client, db):
    page = client.get(reverse("login")).content.decode()
    assert "Вход на портал" in page and "Пароль" in page and 'lang="ru"' in page


def test_a_wrong_password_gets_a_russian_message(world, client):
    response = client.post(reverse("login"), {"username": "district", "password": "wrong"})
    assert "Пожалуйста, введите правильные имя пользователя и пароль" in response.content.decode()


def invitation_path(text: str) -> str:
    return re.search(r"https?://[^/\s]+(/invitations/\S+/)", text).group(1)


def test_a_district_lead_invites_a_new_sferum_admin_who_sets_a_password_to_accept(
    world, client, django_capture_on_commit_callbacks
):
    client.force_login(world.district_lead)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("organizations:person_invite", args=[world.other_school.pk]),
            {
                "role": Role.OO_ADMIN,
                "last_name": "Петрова",
                "first_name": "Ольга",
                "email": "petrova@example.ru",
                "phone": "+7 900 000-00-01",
            },
            follow=True,
        )
    assert response.status_code == 200
    assert not User.objects.filter(email="petrova@example.ru").exists()  # not until accepted
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["petrova@example.ru"]
    assert "Вам назначена роль «администратор Сферум в ОО»" in mail.outbox[0].subject
    path = invitation_path(mail.outbox[0].body)
    client.logout()
    page = client.get(path)
    assert "Сохранить пароль и принять" in page.content.decode()
    password = "Сферум-МАХ-2025!"
    accepted = client.post(
        path,
        {"action": "accept", "new_password1": password, "new_password2": password},
        follow=True,
    )
    user = User.objects.get(email="petrova@example.ru")
    assert (user.last_name, user.first_name, user.phone) == ("Петрова", "Ольга", "+7 900 000-00-01")
    assert user.check_password(password)
    assert Membership.objects.filter(user=user, role=Role.OO_ADMIN, organization=world.other_school)
    assert accepted.status_code == 200
    assert int(client.session["_auth_user_id"]) == user.pk  # logged in
    client.logout()
    assert client.get(path).status_code == 404  # once only


def test_the_invite_form_offers_only_the_roles_the_inviter_may_grant(world, client):
    client.force_login(world.oo_admin)
    url = reverse("organizations:person_invite", args=[world.school.pk])
    form = client.get(url).context["form"]
    assert [value for value, _ in form.fields["role"].choices] == [Role.CLASS_TEACHER]
    response = client.post(
        url,
        {"role": Role.OO_HEAD, "last_name": "Х", "first_name": "Y", "email": "x@example.ru"},
    )
    assert response.status_code == 200
    assert not Invitation.objects.filter(email="x@example.ru").exists()


def test_an_oo_admin_invites_a_class_teacher_to_their_classes(world, client):
    client.force_login(world.oo_admin)
    client.post(
        reverse("organizations:person_invite", args=[world.school.pk]),
        {
            "role": Role.CLASS_TEACHER,
            "last_name": "Орлова",
            "first_name": "Анна",
            "email": world.nobody.email,
            "classes": [world.other_class.pk],
            "had_vkm_profile": "on",
        },
    )
    invitation = Invitation.objects.get(email=world.nobody.email)
    assert not Membership.objects.filter(user=world.nobody).exists()
    client.force_login(world.nobody)
    client.post(
        reverse("organizations:invitation_respond", args=[invitation.pk]), {"action": "accept"}
    )
    membership = Membership.objects.get(user=world.nobody)
    assert list(membership.classes.all()) == [world.other_class]
    assert membership.had_vkm_profile


def test_inviting_a_known_person_sends_an_invitation_without_a_new_account(
    world, client, django_capture_on_commit_callbacks
):
    client.force_login(world.district_lead)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("organizations:person_invite", args=[world.other_school.pk]),
            {
                "role": Role.OO_HEAD,
                "last_name": "Иванова",
                "first_name": "Анна",
                "email": world.oo_admin.email,
            },
        )
    assert User.objects.filter(email=world.oo_admin.email).count() == 1
    assert world.oo_admin.memberships.count() == 1  # not until accepted
    assert len(mail.outbox) == 1 and "Принять или отклонить" in mail.outbox[0].body


def test_the_set_password_link_works_once(world, client):
    user = User.objects.create(username="new", email="new@example.ru")
    user.set_unusable_password()
    user.save()
    path = link_path(password_link_build(user=user, base_url="http://testserver"))
    form_page = client.get(path, follow=True)
    assert form_page.context["validlink"]
    response = client.post(
        form_page.redirect_chain[-1][0],
        {"new_password1": "Сферум-МАХ-2025!", "new_password2": "Сферум-МАХ-2025!"},
        follow=True,
    )
    assert "Пароль сохранён" in response.content.decode()
    user.refresh_from_db()
    assert user.check_password("Сферум-МАХ-2025!")
    client.logout()
    again = client.get(path, follow=True)
    assert not again.context["validlink"]
    assert "Ссылка недействительна" in again.content.decode()


def test_the_set_password_link_expires(world, client, settings):
    user = User.objects.create(username="late", email="late@example.ru")
    user.set_unusable_password()
    user.save()
    path = link_path(password_link_build(user=user, base_url="http://testserver"))
    settings.PASSWORD_RESET_TIMEOUT = -1
    response = client.get(path, follow=True)
    assert not response.context["validlink"]


def test_a_new_link_can_be_sent_to_someone_who_has_not_set_a_password(world, client):
    user = User.objects.create(username="slow", email="slow@example.ru")
    user.set_unusable_password()
    user.save()
    membership = Membership.objects.create(user=user, role=Role.OO_HEAD, organization=world.school)
    client.force_login(world.district_lead)
    client.post(reverse("organizations:person_send_link", args=[world.school.pk, membership.pk]))
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["slow@example.ru"]


@pytest.mark.parametrize("persona", ["oo_head", "methodologist"])
def test_a_head_and_a_methodologist_cannot_resend_links(world, client, persona):
    membership = world.oo_admin.memberships.get()
    client.force_login(getattr(world, persona))
    response = client.post(
        reverse("organizations:person_send_link", args=[world.school.pk, membership.pk])
    )
    assert response.status_code == 403


def test_password_change_page_works(world, client):
    from tests.factories import PASSWORD

    client.force_login(world.oo_head)
    response = client.post(
        reverse("password_change"),
        {
            "old_password": PASSWORD,
            "new_password1": "Новый-пароль-2025",
            "new_password2": "Новый-пароль-2025",
        },
    )
    assert response.status_code == 302
    world.oo_head.refresh_from_db()
    assert world.oo_head.check_password("Новый-пароль-2025")
