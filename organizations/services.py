"""Writes to the registry that views and commands share: inviting people and sending them the
one-time link that sets their password.
"""

from django.conf import settings
from django.contrib.auth.tokens import default_token_generator
from django.core.mail import send_mail
from django.db import transaction
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from .models import Membership, Organization, Role, SchoolClass, User


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
    base_url: str | None = None,
) -> tuple[Membership, bool]:
    """Give a person a role in an organisation and send them a set-password link.

    A person already known by e-mail keeps their account and gains the membership; a new one is
    created without a usable password. Returns the membership and whether the link was sent.
    """
    user = User.objects.filter(email__iexact=email.strip()).order_by("pk").first()
    new_user = user is None
    if new_user:
        user = User(username=_username_for(email), email=email.strip())
        user.set_unusable_password()
    user.last_name, user.first_name = last_name.strip(), first_name.strip()
    user.patronymic, user.phone = patronymic.strip(), phone.strip() or user.phone
    user.save()
    membership, _ = Membership.objects.get_or_create(
        user=user,
        role=role,
        organization=organization,
        defaults={"had_vkm_profile": had_vkm_profile},
    )
    if role == Role.CLASS_TEACHER:
        membership.had_vkm_profile = had_vkm_profile
        membership.save(update_fields=["had_vkm_profile"])
        membership.classes.add(*classes)
    send_link = new_user or not user.has_usable_password()
    if send_link:
        transaction.on_commit(lambda: password_link_send(user=user, base_url=base_url))
    return membership, send_link
