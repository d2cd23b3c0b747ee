"""Keeping an organisation's class list and people from its page: rename or remove a class,
remove a person's role. Each removal asks for confirmation on its own page (GET) and is made
by a POST from there.

The organisation and the class or role come through the person's scope (404 outside it); the
write needs the organisation's Sferum admin or its district (403 otherwise). Who may remove
whom follows who may add them (``permissions.roles_grantable``).
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from . import permissions, selectors
from .forms import SchoolClassForm
from .models import Role
from .services_roster import class_archive, class_rename, membership_remove
from .views import visible_organization


def _class_of(request, organization):
    """The organisation's active class of the URL, as the person sees it (else 404), once
    they are allowed to keep the class list (else 403)."""
    school_class = selectors.get_visible_or_404(
        selectors.classes_visible_to(request.user).filter(organization=organization),
        pk=request.resolver_match.kwargs["class_pk"],
    )
    permissions.require(
        permissions.administers_organization(request.user, organization),
        "Список классов ведут администратор Сферум в ОО и район.",
    )
    return school_class


@login_required
@require_http_methods(["GET", "POST"])
def class_rename_view(request, pk: int, class_pk: int):
    organization = visible_organization(request, pk)
    school_class = _class_of(request, organization)
    old_name = school_class.name
    form = SchoolClassForm(request.POST or None, instance=school_class, organization=organization)
    if request.method == "POST" and form.is_valid():
        try:
            class_rename(school_class=school_class, name=form.cleaned_data["name"], by=request.user)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            if school_class.name == old_name:
                messages.info(request, f"Название класса «{old_name}» не изменилось.")
            else:
                messages.success(
                    request, f"Класс «{old_name}» переименован в «{school_class.name}»."
                )
            return redirect("organizations:organization", organization.pk)
    return render(
        request,
        "organizations/class_rename.html",
        {
            "organization": organization,
            "school_class": school_class,
            "old_name": old_name,
            "form": form,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def class_archive_view(request, pk: int, class_pk: int):
    organization = visible_organization(request, pk)
    school_class = _class_of(request, organization)
    if request.method == "POST":
        class_archive(school_class=school_class, by=request.user)
        messages.success(
            request,
            f"Класс «{school_class.name}» удалён из списка ОО и перенесён в архив. Отметки "
            "классного руководителя по нему сохранены в архиве.",
        )
        return redirect("organizations:organization", organization.pk)
    teachers = school_class.teacher_memberships.select_related("user").order_by("user__last_name")
    return render(
        request,
        "organizations/class_archive_confirm.html",
        {"organization": organization, "school_class": school_class, "teachers": teachers},
    )


@login_required
@require_http_methods(["GET", "POST"])
def person_remove_view(request, pk: int, membership_pk: int):
    organization = visible_organization(request, pk)
    people = organization.memberships.select_related("user").prefetch_related("classes")
    if not selectors.sees_whole_organization(request.user, organization):
        # A class teacher sees the organisation through their classes, not its people.
        people = people.filter(user=request.user)
    membership = selectors.get_visible_or_404(people, pk=membership_pk)
    permissions.require(
        membership.role in permissions.roles_grantable(request.user, organization),
        "Ваша роль не позволяет снять этого человека с роли.",
    )
    if request.method == "POST":
        name, role = membership.user.full_name, membership.get_role_display()
        membership_remove(membership=membership, by=request.user)
        messages.success(
            request,
            f"Роль «{role}» снята: {name}. Учётная запись человека не изменена; его отметки "
            "сохранены в архиве и вернутся, если роль назначат снова.",
        )
        return redirect("organizations:organization", organization.pk)
    return render(
        request,
        "organizations/person_remove_confirm.html",
        {
            "organization": organization,
            "membership": membership,
            "is_teacher": membership.role == Role.CLASS_TEACHER,
        },
    )
