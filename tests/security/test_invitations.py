"""An invitation never rewrites an account: the role counts only once its holder accepts, the
inviter gets the same answer for known and unknown e-mails, and contacts stay in scope."""

import re

import pytest
from django.core import mail
from django.urls import reverse

from organizations.models import Invitation, Membership, Role, User
from organizations.selectors import scope_of
from tests.factories import person

PHONE = "+7 912 555-12-34"


@pytest.fixture
def victims(world):
    world.operator.phone, world.operator.last_name = PHONE, "Главнова"
    world.operator.save()
    far_coordinator = person(
        Role.REGIONAL_COORDINATOR,
        world.other_region,
        username="far_coordinator",
        last_name="Дальнева",
        phone=PHONE,
    )
    return {"superuser": world.operator, "far_coordinator": far_coordinator}


def _invite(client, inviter, organization, email, **extra):
    client.force_login(inviter)
    data = {
        "role": Role.CLASS_TEACHER,
        "last_name": "Взломщиков",
        "first_name": "Пётр",
        "patronymic": "Иванович",
        "email": email,
        "phone": "",
        "classes": [organization.classes.first().pk],
        **extra,
    }
    return client.post(
        reverse("organizations:person_invite", args=[organization.pk]), data, follow=True
    )


def _profile(user):
    user.refresh_from_db()
    return (user.last_name, user.first_name, user.patronymic, user.phone, user.email)


@pytest.mark.parametrize("victim", ["superuser", "far_coordinator"])
def test_an_invite_never_changes_an_existing_account(
    world, client, victims, victim, django_capture_on_commit_callbacks
):
    target = victims[victim]
    before = _profile(target)
    with django_capture_on_commit_callbacks(execute=True):
        _invite(client, world.oo_admin, world.school, target.email.upper())
    assert _profile(target) == before
    assert not Membership.objects.filter(user=target, organization=world.school).exists()
    assert world.school.pk not in scope_of(User.objects.get(pk=target.pk)).teacher_organization_ids
    # They are asked, at their own address.
    assert len(mail.outbox) == 1 and mail.outbox[0].to == [target.email.upper()]
    assert "Вам назначена роль «классный руководитель»" in mail.outbox[0].subject
    assert "Принять или отклонить" in mail.outbox[0].body


@pytest.mark.parametrize("victim", ["superuser", "far_coordinator"])
def test_an_unaccepted_invitee_s_contacts_stay_off_the_inviters_pages(
    world, client, victims, victim
):
    target = victims[victim]
    _invite(client, world.oo_admin, world.school, target.email)
    page = client.get(reverse("organizations:organization", args=[world.school.pk]))
    text = page.content.decode()
    assert PHONE not in text and target.last_name not in text
    assert "Взломщиков Пётр Иванович" in text and "ждёт ответа" in text  # as typed
    # Nor does their contact history reach the district's «Журнал изменений».
    client.force_login(world.district_lead)
    audit = client.get(reverse("portal:municipality_audit", args=[world.municipality.pk]))
    assert audit.status_code == 200
    assert PHONE not in audit.content.decode() and target.last_name not in audit.content.decode()


def _answer_for(client, inviter, organization, email):
    response = _invite(client, inviter, organization, email)
    text = response.content.decode()
    messages = [str(m) for m in response.context["messages"]]
    return [m.replace(email, "EMAIL") for m in messages], re.sub(
        r"<input[^>]*csrfmiddlewaretoken[^>]*>", "", text
    ).replace(email, "EMAIL")


def test_the_inviter_gets_the_same_answer_for_known_and_unknown_emails(world, client, victims):
    known_messages, _ = _answer_for(
        client, world.oo_admin, world.school, victims["far_coordinator"].email
    )
    unknown_messages, unknown_page = _answer_for(
        client, world.oo_admin, world.school, "nobody-here@example.ru"
    )
    assert known_messages == unknown_messages
    assert "Приглашение на роль «классный руководитель» отправлено" in known_messages[0]
    # The organisation page lists both invitations the same way, as the inviter typed them.
    row = r"<strong>Взломщиков Пётр Иванович</strong>, <span class=\"text-break\">([^<]+)</span>"
    assert sorted(re.findall(row, unknown_page)) == sorted(
        [victims["far_coordinator"].email, "EMAIL"]
    )


def test_the_role_counts_only_once_accepted(world, client, victims):
    target = victims["far_coordinator"]
    _invite(client, world.oo_admin, world.school, target.email)
    invitation = Invitation.objects.get(email=target.email)
    assert invitation.user == target
    client.force_login(target)
    waiting = client.get(reverse("organizations:invitation_list"))
    assert "«классный руководитель» в МБОУ «СОШ № 1» г. Емвы" in waiting.content.decode()
    assert "Приглашения (1)" in waiting.content.decode()
    client.post(
        reverse("organizations:invitation_respond", args=[invitation.pk]), {"action": "accept"}
    )
    membership = Membership.objects.get(user=target, organization=world.school)
    assert membership.role == Role.CLASS_TEACHER
    assert _profile(target)[:4] == (target.last_name, target.first_name, "", PHONE)
    # Accepted: now the school sees them as they are.
    client.force_login(world.oo_admin)
    text = client.get(reverse("organizations:organization", args=[world.school.pk])).content
    assert target.full_name in text.decode() and PHONE in text.decode()


def test_a_declined_invitation_gives_no_role_and_its_link_dies(
    world, client, victims, django_capture_on_commit_callbacks
):
    target = victims["far_coordinator"]
    with django_capture_on_commit_callbacks(execute=True):
        _invite(client, world.oo_admin, world.school, target.email)
    path = re.search(r"https?://[^/\s]+(/invitations/\S+/)", mail.outbox[0].body).group(1)
    client.force_login(target)
    assert "Отклонить" in client.get(path).content.decode()
    client.post(path, {"action": "decline"})
    assert not Membership.objects.filter(user=target, organization=world.school).exists()
    assert Invitation.objects.get(email=target.email).status == Invitation.Status.DECLINED
    assert client.post(path, {"action": "accept"}).status_code == 404
    assert not Membership.objects.filter(user=target, organization=world.school).exists()


def test_someone_else_cannot_answer_an_invitation(
    world, client, victims, django_capture_on_commit_callbacks
):
    target = victims["far_coordinator"]
    with django_capture_on_commit_callbacks(execute=True):
        _invite(client, world.oo_admin, world.school, target.email)
    invitation = Invitation.objects.get(email=target.email)
    path = re.search(r"https?://[^/\s]+(/invitations/\S+/)", mail.outbox[0].body).group(1)
    client.force_login(world.teacher)
    assert client.post(path, {"action": "accept"}).status_code == 403
    respond = reverse("organizations:invitation_respond", args=[invitation.pk])
    assert client.post(respond, {"action": "accept"}).status_code == 404
    client.logout()
    # Anonymous: an existing account must log in; no account can be made for its e-mail.
    response = client.post(
        path,
        {"action": "accept", "new_password1": "x-Пароль-2025", "new_password2": "x-Пароль-2025"},
    )
    assert response.status_code == 302 and reverse("login") in response["Location"]
    assert not Membership.objects.filter(organization=world.school, user=target).exists()
    assert User.objects.filter(email__iexact=target.email).count() == 1
    assert Invitation.objects.get(pk=invitation.pk).status == Invitation.Status.PENDING


def test_a_forged_or_expired_link_answers_nothing(world, client, settings, victims):
    _invite(client, world.oo_admin, world.school, "new@example.ru")
    invitation = Invitation.objects.get(email="new@example.ru")
    from organizations.services import invitation_token

    token = invitation_token(invitation)
    client.logout()
    assert client.get(reverse("organizations:invitation", args=[token + "x"])).status_code == 404
    settings.INVITATION_TIMEOUT = -1
    assert client.get(reverse("organizations:invitation", args=[token])).status_code == 404


@pytest.mark.parametrize(
    "persona,status", [("oo_head", 403), ("teacher", 403), ("methodologist", 403)]
)
def test_only_who_may_grant_the_role_resends_or_revokes(world, client, persona, status):
    _invite(client, world.oo_admin, world.school, "new@example.ru")
    invitation = Invitation.objects.get(email="new@example.ru")
    client.force_login(getattr(world, persona))
    for name in ("invitation_resend", "invitation_revoke"):
        url = reverse(f"organizations:{name}", args=[world.school.pk, invitation.pk])
        assert client.post(url).status_code == status
    client.force_login(world.coordinator)
    wrong_school = reverse(
        "organizations:invitation_revoke", args=[world.other_school.pk, invitation.pk]
    )
    assert client.post(wrong_school).status_code == 404
    client.force_login(world.oo_admin)
    client.post(reverse("organizations:invitation_revoke", args=[world.school.pk, invitation.pk]))
    assert Invitation.objects.get(pk=invitation.pk).status == Invitation.Status.REVOKED


def test_invitations_to_one_address_are_throttled(
    world, client, settings, django_capture_on_commit_callbacks
):
    settings.LINK_THROTTLE_PER_MAILBOX = 3
    for _ in range(3):
        with django_capture_on_commit_callbacks(execute=True):
            assert _invite(client, world.oo_admin, world.school, "flood@example.ru").status_code
    assert len(mail.outbox) == 3
    with django_capture_on_commit_callbacks(execute=True):
        refused = _invite(client, world.district_lead, world.school, "FLOOD@example.ru")
    assert refused.status_code == 429
    assert "Слишком много запросов приглашений на этот адрес" in refused.content.decode()
    invitation = Invitation.objects.get(email="flood@example.ru")
    resend = reverse("organizations:invitation_resend", args=[world.school.pk, invitation.pk])
    with django_capture_on_commit_callbacks(execute=True):
        client.post(resend)
    assert len(mail.outbox) == 3  # nothing more sent
    with django_capture_on_commit_callbacks(execute=True):
        _invite(client, world.oo_admin, world.school, "someone-else@example.ru")
    assert len(mail.outbox) == 4
