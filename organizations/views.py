"""Registry pages: region, municipality and organisation pages, and the forms that add people
and classes. Every object is fetched through selectors.py.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Prefetch, Q
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from sferum_portal import params

from . import permissions, selectors, throttle
from .forms import PersonInviteForm, RequisitesForm, SchoolClassForm
from .models import Invitation, Membership, OrgType, Role
from .services import password_link_send, person_invite
from .services_roster import class_add


def _type_counts(prefix: str = "") -> dict:
    p = f"{prefix}__" if prefix else ""
    counts = {"org_total": Count(f"{prefix}" or "pk")}
    for code, _ in OrgType.choices:
        counts[f"org_{code}"] = Count(f"{prefix}" or "pk", filter=Q(**{f"{p}org_type": code}))
    return counts


@login_required
def region_list(request):
    regions = selectors.regions_visible_to(request.user).annotate(
        municipality_total=Count("municipalities", distinct=True),
        org_total=Count("municipalities__organizations"),
    )
    return render(request, "organizations/region_list.html", {"regions": regions})


@login_required
def region_detail(request, pk: int):
    region = selectors.get_visible_or_404(selectors.regions_visible_to(request.user), pk=pk)
    municipalities = (
        selectors.municipalities_visible_to(request.user)
        .filter(region=region)
        .annotate(**_type_counts("organizations"))
        .order_by("name")
    )
    totals = (
        selectors.organizations_visible_to(request.user)
        .filter(municipality__region=region)
        .aggregate(**_type_counts())
    )
    return render(
        request,
        "organizations/region_detail.html",
        {
            "region": region,
            "municipalities": municipalities,
            "totals": totals,
            "org_types": OrgType.choices,
        },
    )


@login_required
def municipality_detail(request, pk: int):
    municipality = selectors.get_visible_or_404(
        selectors.municipalities_visible_to(request.user).select_related("region"), pk=pk
    )
    organizations = selectors.organizations_visible_to(request.user).filter(
        municipality=municipality
    )
    totals = organizations.aggregate(**_type_counts())
    org_type = params.param_choice(request.GET, "type", OrgType.values)
    query = params.param_text(request.GET, "q")
    if org_type:
        organizations = organizations.filter(org_type=org_type)
    organizations = selectors.organizations_matching(organizations, query)
    organizations = organizations.annotate(
        class_total=Count("classes", filter=Q(classes__archived_at__isnull=True), distinct=True),
        admin_total=Count("memberships", filter=Q(memberships__role=Role.OO_ADMIN), distinct=True),
        head_total=Count("memberships", filter=Q(memberships__role=Role.OO_HEAD), distinct=True),
    ).order_by("short_name")
    page = Paginator(organizations, 50).get_page(params.param_int(request.GET, "page"))
    district_people = (
        Membership.objects.filter(Q(municipality=municipality) | Q(region=municipality.region_id))
        .filter(role__in=[Role.DISTRICT_LEAD, Role.METHODOLOGIST, Role.REGIONAL_COORDINATOR])
        .select_related("user")
        .order_by("role", "user__last_name")
    )
    return render(
        request,
        "organizations/municipality_detail.html",
        {
            "municipality": municipality,
            "page": page,
            "totals": totals,
            "org_types": OrgType.choices,
            "org_type": org_type,
            "query": query,
            "district_people": district_people,
            "can_manage": permissions.leads_municipality(request.user, municipality),
        },
    )


def visible_organization(request, pk: int):
    """The organisation of the URL if the person sees it (else 404), with its МО and region."""
    return selectors.get_visible_or_404(
        selectors.organizations_visible_to(request.user).select_related("municipality__region"),
        pk=pk,
    )


@login_required
def organization_detail(request, pk: int):
    organization = visible_organization(request, pk)
    whole = selectors.sees_whole_organization(request.user, organization)
    teachers = Prefetch(
        "teacher_memberships",
        queryset=Membership.objects.select_related("user").order_by("user__last_name"),
    )
    classes = selectors.classes_visible_to(request.user).filter(organization=organization)
    people = (
        organization.memberships.select_related("user").order_by("role", "user__last_name")
        if whole
        else Membership.objects.none()
    )
    invitations = (
        organization.invitations.filter(
            status__in=[Invitation.Status.PENDING, Invitation.Status.DECLINED]
        ).order_by("status", "-created_at")
        if whole
        else Invitation.objects.none()
    )
    return render(
        request,
        "organizations/organization_detail.html",
        {
            "organization": organization,
            "classes": classes.prefetch_related(teachers),
            "people": people,
            "invitations": invitations,
            "aliases": organization.aliases.all() if whole else [],
            "sees_whole": whole,
            "can_invite": bool(permissions.roles_grantable(request.user, organization)),
            # Who may add a role may take it away (views_roster.person_remove_view).
            "removable_roles": permissions.roles_grantable(request.user, organization),
            "can_manage_classes": permissions.administers_organization(request.user, organization),
            "can_edit_requisites": permissions.edits_requisites(request.user, organization),
            "leads_municipality": selectors.scope_of(request.user).covers_municipality(
                organization.municipality
            ),
        },
    )


@login_required
def person_invite_view(request, pk: int):
    organization = visible_organization(request, pk)
    roles = permissions.roles_grantable(request.user, organization)
    permissions.require(bool(roles))
    form = PersonInviteForm(request.POST or None, organization=organization, roles=roles)
    refusal = None
    if request.method == "POST" and form.is_valid():
        refusal = throttle.link_request_check(
            request=request, email=form.cleaned_data["email"], flow="invite"
        )
        if refusal:
            form.add_error(None, refusal.message)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        result = person_invite(
            organization=organization,
            role=data["role"],
            email=data["email"],
            last_name=data["last_name"],
            first_name=data["first_name"],
            patronymic=data["patronymic"],
            phone=data["phone"],
            classes=list(data["classes"]),
            had_vkm_profile=data["had_vkm_profile"],
            invited_by=request.user,
            base_url=request.build_absolute_uri("/"),
        )
        role = Role(data["role"]).label
        if isinstance(result, Membership):
            # Already on this page with this role: nothing new is learnt about the account.
            messages.info(
                request,
                f"{result.user.full_name}: роль «{role}» в этой ОО уже есть; классы обновлены.",
            )
        else:
            # The same answer whether or not the e-mail has an account.
            messages.success(
                request,
                f"Приглашение на роль «{role}» отправлено на {result.email}. Роль начнёт "
                "действовать, когда человек примет приглашение.",
            )
        return redirect("organizations:organization", organization.pk)
    return render(
        request,
        "organizations/person_form.html",
        {"organization": organization, "form": form},
        status=429 if refusal else 200,
    )


@login_required
@require_POST
def person_send_link(request, pk: int, membership_pk: int):
    organization = visible_organization(request, pk)
    people = organization.memberships.select_related("user")
    if not selectors.sees_whole_organization(request.user, organization):
        # A class teacher sees the organisation through their classes, not its people.
        people = people.filter(user=request.user)
    membership = selectors.get_visible_or_404(people, pk=membership_pk)
    permissions.require(membership.role in permissions.roles_grantable(request.user, organization))
    user = membership.user
    if user.has_usable_password():
        messages.info(request, f"Пароль для {user.full_name} уже задан; ссылка не нужна.")
    elif refusal := throttle.link_request_check(request=request, email=user.email, flow="resend"):
        messages.error(request, refusal.message)
    else:
        password_link_send(user=user, base_url=request.build_absolute_uri("/"))
        messages.success(request, f"Новая ссылка отправлена на {user.email}.")
    return redirect("organizations:organization", organization.pk)


@login_required
def requisites_edit(request, pk: int):
    """The organisation's full name and locality, which its document drafts carry (404 outside
    scope; 403 for roles other than its admin, head and district)."""
    organization = visible_organization(request, pk)
    permissions.require(permissions.edits_requisites(request.user, organization))
    back = params.safe_next(request, reverse("organizations:organization", args=[pk]))
    form = RequisitesForm(request.POST or None, instance=organization)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(
            request, "Реквизиты ОО сохранены: они войдут в следующие проекты документов."
        )
        return redirect(back)
    return render(
        request,
        "organizations/requisites_form.html",
        {"organization": organization, "form": form, "back": back},
    )


@login_required
def class_create(request, pk: int):
    organization = visible_organization(request, pk)
    permissions.require(permissions.administers_organization(request.user, organization))
    form = SchoolClassForm(request.POST or None, organization=organization)
    if request.method == "POST" and form.is_valid():
        try:
            school_class, restored = class_add(
                organization=organization, name=form.cleaned_data["name"], by=request.user
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            if restored:
                messages.success(
                    request,
                    f"Класс «{school_class.name}» возвращён из архива. Назначьте ему классного "
                    "руководителя.",
                )
            else:
                messages.success(request, f"Класс «{school_class.name}» добавлен.")
            return redirect("organizations:organization", organization.pk)
    return render(
        request, "organizations/class_form.html", {"organization": organization, "form": form}
    )
