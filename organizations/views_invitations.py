"""Invitations to a role: the invitee answers (through the e-mailed link, or from the list of
what waits for them), the inviter sends one again or revokes it. A role counts only once
accepted; an existing account is never changed by someone else's invitation."""

from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import SetPasswordForm
from django.contrib.auth.views import redirect_to_login
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from . import permissions, selectors, services, throttle
from .auth_backends import BACKEND
from .models import Invitation, User
from .views import visible_organization


def _accepted(request, invitation: Invitation) -> None:
    messages.success(
        request,
        f"Вы приняли роль «{invitation.get_role_display()}» в {invitation.organization}.",
    )


def _declined(request, invitation: Invitation) -> None:
    messages.info(
        request,
        f"Вы отклонили роль «{invitation.get_role_display()}» в {invitation.organization}.",
    )


def invitation_answer(request, token: str):
    """The page behind the e-mailed link: accept or decline; a person without an account sets
    a password to accept."""
    invitation = services.invitation_from_token(token)
    if invitation is None:
        return render(request, "organizations/invitation_invalid.html", status=404)
    account = invitation.user or services.account_for_email(invitation.email)
    if account is not None and not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    if request.user.is_authenticated and request.user.pk != getattr(account, "pk", None):
        return render(
            request,
            "organizations/invitation_other_account.html",
            {"invitation": invitation},
            status=403,
        )
    form = None
    if account is None:
        person = User(
            username=invitation.email,
            email=invitation.email,
            last_name=invitation.last_name,
            first_name=invitation.first_name,
        )
        accepting = request.method == "POST" and request.POST.get("action") == "accept"
        form = SetPasswordForm(person, request.POST if accepting else None)
    if request.method == "POST":
        action = request.POST.get("action")
        if action == "decline":
            services.invitation_decline(invitation=invitation)
            _declined(request, invitation)
            return redirect("home")
        if action == "accept" and account is not None:
            if services.invitation_accept(invitation=invitation, user=request.user):
                _accepted(request, invitation)
            return redirect("home")
        if action == "accept" and form.is_valid():
            user = services.invitation_accept_with_new_account(
                invitation=invitation, password=form.cleaned_data["new_password1"]
            )
            if user is not None:
                login(request, user, backend=BACKEND)
                _accepted(request, invitation)
            return redirect("home")
    return render(
        request,
        "organizations/invitation.html",
        {"invitation": invitation, "form": form, "login": getattr(account, "username", "")},
    )


@login_required
def invitation_list(request):
    """What waits for this person's answer."""
    invitations = selectors.invitations_waiting_for(request.user).select_related(
        "organization__municipality", "invited_by"
    )
    return render(request, "organizations/invitation_list.html", {"invitations": invitations})


@login_required
@require_POST
def invitation_respond(request, pk: int):
    invitation = selectors.get_visible_or_404(
        selectors.invitations_waiting_for(request.user).select_related("organization"), pk=pk
    )
    if request.POST.get("action") == "accept":
        if services.invitation_accept(invitation=invitation, user=request.user):
            _accepted(request, invitation)
    elif services.invitation_decline(invitation=invitation):
        _declined(request, invitation)
    return redirect("organizations:invitation_list")


def _inviters_invitation(request, pk: int, invitation_pk: int):
    organization = visible_organization(request, pk)
    permissions.require(selectors.sees_whole_organization(request.user, organization))
    invitation = selectors.get_visible_or_404(
        organization.invitations.filter(status=Invitation.Status.PENDING), pk=invitation_pk
    )
    permissions.require(invitation.role in permissions.roles_grantable(request.user, organization))
    return organization, invitation


@login_required
@require_POST
def invitation_resend(request, pk: int, invitation_pk: int):
    organization, invitation = _inviters_invitation(request, pk, invitation_pk)
    if refusal := throttle.link_request_check(
        request=request, email=invitation.email, flow="invite"
    ):
        messages.error(request, refusal.message)
    else:
        services.invitation_send(invitation=invitation, base_url=request.build_absolute_uri("/"))
        messages.success(request, f"Приглашение отправлено ещё раз на {invitation.email}.")
    return redirect("organizations:organization", organization.pk)


@login_required
@require_POST
def invitation_revoke(request, pk: int, invitation_pk: int):
    organization, invitation = _inviters_invitation(request, pk, invitation_pk)
    services.invitation_revoke(invitation=invitation)
    messages.info(request, f"Приглашение для {invitation.email} отозвано.")
    return redirect("organizations:organization", organization.pk)
