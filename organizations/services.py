"""Writes to the registry that views and commands share: inviting people to a role, their answer
to the invitation, and the one-time link that sets a password.

An invitation never changes an existing account: a role reaches a person only when they accept
it, and the inviter gets the same answer whether or not the e-mail already has an account.
"""

from django.conf import settings
from django.contrib.auth.tokens import default_token_generator
from django.core import signing
from django.core.mail import send_mail
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from .models import Invitation, Membership, Organization, Role, SchoolClass, User

INVITATION_SALT = "organizations.invitation"


def password_link_build(*, user: User, base_url: str | None = None) -> str:
    """An absolute one-time link: valid until the password is set or PASSWORD_RESET_TIMEOUT."""
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    token = default_token_generator.make_token(user)
    path = reverse("set_password", kwargs={"uidb64": uid, "token": token})
    return f"{(base_url or settings.SITE_URL).rstrip('/')}{path}"


def password_link_send(*, user: User, base_url: str | None = None) -> str:
    """E-mail the person their set-password link; returns the link (for the console log)."""
    link = password_link_build(user=user, base_url=base_url)
    days = settings.PASSWORD_RESET_TIMEOUT // 86400
    roles = ", ".join(f"{m.get_role_display()} — {m.scope_object}" for m in user.memberships.all())
    send_mail(
        subject="Доступ к порталу перехода Сферум в МАХ",
        message=(
            f"Здравствуйте, {user.first_name or user.username}!\n\n"
            f"Для вас создана учётная запись на портале перехода Сферум в МАХ.\n"
            f"Роли: {roles or 'не назначены'}.\n"
            f"Логин: {user.username}\n\n"
            f"Задайте пароль по ссылке (она действует {days} дн. и только один раз):\n{link}\n"
        ),
        from_email=None,
        recipient_list=[user.email],
    )
    return link


def _username_for(email: str) -> str:
    base = email.strip().lower()
    candidate, n = base, 1
    while User.objects.filter(username=candidate).exists():
        n += 1
        candidate = f"{base}.{n}"
    return candidate


def account_for_email(email: str) -> User | None:
    """The account that holds an e-mail (the oldest, should two share it)."""
    return User.objects.filter(email__iexact=email.strip()).order_by("pk").first()


def invitation_token(invitation: Invitation) -> str:
    return signing.dumps(invitation.pk, salt=INVITATION_SALT)


def invitation_from_token(token: str) -> Invitation | None:
    """The pending invitation a link names; None once answered, revoked or expired."""
    try:
        pk = signing.loads(token, salt=INVITATION_SALT, max_age=settings.INVITATION_TIMEOUT)
    except signing.BadSignature:  # SignatureExpired is one too
        return None
    return (
        Invitation.objects.select_related("organization__municipality", "invited_by")
        .filter(pk=pk, status=Invitation.Status.PENDING)
        .first()
    )


def invitation_send(*, invitation: Invitation, base_url: str | None = None) -> str:
    """E-mail the invitation with its accept / decline link; returns the link."""
    path = reverse("organizations:invitation", kwargs={"token": invitation_token(invitation)})
    link = f"{(base_url or settings.SITE_URL).rstrip('/')}{path}"
    organization = invitation.organization
    inviter = invitation.invited_by.full_name if invitation.invited_by else "Администратор портала"
    days = settings.INVITATION_TIMEOUT // 86400
    send_mail(
        subject=f"Вам назначена роль «{invitation.get_role_display()}» в {organization}",
        message=(
            "Здравствуйте!\n\n"
            f"{inviter} назначает вам роль «{invitation.get_role_display()}» в "
            f"{organization} ({organization.municipality.name}) на портале перехода Сферум в МАХ."
            "\nРоль начнёт действовать, только когда вы её примете.\n\n"
            f"Принять или отклонить (ссылка действует {days} дн.):\n{link}\n\n"
            "Если у вас ещё нет учётной записи, по этой же ссылке вы зададите пароль.\n"
            "Если вы не ждали этого письма, отклоните приглашение или не отвечайте на него.\n"
        ),
        from_email=None,
        recipient_list=[invitation.email],
    )
    return link


@transaction.atomic
def person_invite(
    *,
    organization: Organization,
    role: str,
    email: str,
    last_name: str,
    first_name: str,
    patronymic: str = "",
    phone: str = "",
    classes: list[SchoolClass] | tuple = (),
    had_vkm_profile: bool = False,
    invited_by: User | None = None,
    base_url: str | None = None,
) -> Invitation | Membership:
    """Offer a person a role in an organisation.

    Returns the invitation sent (a pending one for the same e-mail, role and organisation is
    brought up to date and sent again), or, when the person already holds the role here and is
    thus on the inviter's page, their membership with the classes added. No account is changed.
    """
    email = email.strip()
    member = (
        Membership.objects.select_related("user")
        .filter(user__email__iexact=email, role=role, organization=organization)
        .first()
    )
    if member is not None:
        if role == Role.CLASS_TEACHER:
            member.classes.add(*classes)
        return member
    invitation = (
        Invitation.objects.select_for_update()
        .filter(
            email__iexact=email,
            role=role,
            organization=organization,
            status=Invitation.Status.PENDING,
        )
        .first()
    ) or Invitation(
        email=email, role=role, organization=organization, user=account_for_email(email)
    )
    invitation.last_name, invitation.first_name = last_name.strip(), first_name.strip()
    invitation.patronymic, invitation.phone = patronymic.strip(), phone.strip()
    invitation.had_vkm_profile = had_vkm_profile and role == Role.CLASS_TEACHER
    invitation.invited_by = invited_by
    invitation.save()
    if role == Role.CLASS_TEACHER:
        invitation.classes.add(*classes)
    transaction.on_commit(lambda: invitation_send(invitation=invitation, base_url=base_url))
    return invitation


def _answer(invitation: Invitation, status: str) -> Invitation | None:
    """Lock a still pending invitation and stamp the answer; None if it was answered already."""
    locked = (
        Invitation.objects.select_for_update()
        .filter(pk=invitation.pk, status=Invitation.Status.PENDING)
        .first()
    )
    if locked is None:
        return None
    locked.status, locked.answered_at = status, timezone.now()
    return locked


@transaction.atomic
def invitation_accept(*, invitation: Invitation, user: User) -> Membership | None:
    """The person takes the role: the membership is created now. None if no longer pending."""
    locked = _answer(invitation, Invitation.Status.ACCEPTED)
    if locked is None:
        return None
    membership = Membership.objects.filter(
        user=user, role=locked.role, organization_id=locked.organization_id
    ).first()
    if membership is None:
        membership = Membership(user=user, role=locked.role, organization_id=locked.organization_id)
        membership._history_user = user  # the audit log: they took the role themselves
        membership.save()
    if locked.role == Role.CLASS_TEACHER:
        if locked.had_vkm_profile and not membership.had_vkm_profile:
            membership.had_vkm_profile = True
            membership.save(update_fields=["had_vkm_profile"])
        membership.classes.add(*locked.classes.all())
    locked.user, locked.membership = user, membership
    locked.save()
    return membership


@transaction.atomic
def invitation_accept_with_new_account(*, invitation: Invitation, password: str) -> User | None:
    """Accepting an invitation to an e-mail that has no account: the account is created from
    what the inviter typed, with the password the person chose."""
    user = User(
        username=_username_for(invitation.email),
        email=invitation.email,
        last_name=invitation.last_name,
        first_name=invitation.first_name,
        patronymic=invitation.patronymic,
        phone=invitation.phone,
    )
    user.set_password(password)
    user.save()
    if invitation_accept(invitation=invitation, user=user) is None:
        transaction.set_rollback(True)
        return None
    return user


@transaction.atomic
def _close(invitation: Invitation, status: str) -> bool:
    """Stamp a pending invitation declined or revoked; False if it was answered already."""
    locked = _answer(invitation, status)
    if locked is not None:
        locked.save()
    return locked is not None


def invitation_decline(*, invitation: Invitation) -> bool:
    """The invitee refuses the role: no membership."""
    return _close(invitation, Invitation.Status.DECLINED)


def invitation_revoke(*, invitation: Invitation) -> bool:
    """The inviter (or anyone who may grant the role) withdraws it before an answer."""
    return _close(invitation, Invitation.Status.REVOKED)
