"""Who may change what. Visibility is selectors.py's job; these rules apply to objects already
in a person's scope, and a refusal here is a 403 (the object exists for them, they just may not
write it).
"""

from django.core.exceptions import PermissionDenied

from . import selectors
from .models import Municipality, Organization, Role
from .selectors import scope_of

# Roles a district lead or coordinator may give to people of an organisation, and the ones an
# organisation's Sferum admin may give.
ROLES_GRANTED_BY_DISTRICT = (Role.OO_ADMIN, Role.OO_HEAD, Role.CLASS_TEACHER)
ROLES_GRANTED_BY_OO_ADMIN = (Role.CLASS_TEACHER,)


def leads_municipality(user, municipality: Municipality) -> bool:
    """District lead of the municipality, or coordinator of its region, or operator."""
    return (
        scope_of(user).is_operator
        or scope_of(user).holds(Role.DISTRICT_LEAD, municipality=municipality.pk)
        or scope_of(user).holds(Role.REGIONAL_COORDINATOR, region=municipality.region_id)
    )


def administers_organization(user, organization: Organization) -> bool:
    """The organisation's Sferum admin, or anyone who leads its municipality."""
    return scope_of(user).holds(Role.OO_ADMIN, organization=organization.pk) or leads_municipality(
        user, organization.municipality
    )


def edits_requisites(user, organization: Organization) -> bool:
    """Who may type the organisation's full name and locality (its documents' requisites): its
    Sferum admin and head, who sign the documents, and anyone who leads its municipality."""
    return scope_of(user).holds(Role.OO_HEAD, organization=organization.pk) or (
        administers_organization(user, organization)
    )


def roles_grantable(user, organization: Organization) -> tuple[str, ...]:
    """The roles this person may give to people of the organisation (empty: none)."""
    if leads_municipality(user, organization.municipality):
        return ROLES_GRANTED_BY_DISTRICT
    if scope_of(user).holds(Role.OO_ADMIN, organization=organization.pk):
        return ROLES_GRANTED_BY_OO_ADMIN
    return ()


def require_whole_organization(user, organization: Organization) -> None:
    """Organisation-wide pages are for its admin, head and those above; a class teacher, who
    sees the organisation only through their classes, gets 403."""
    require(
        selectors.sees_whole_organization(user, organization),
        "Сводку по ОО видят её администратор Сферум, руководитель и район.",
    )


def require(allowed: bool, message: str = "Ваша роль не позволяет это изменить.") -> None:
    """Raise 403 when a person in scope tries a write their roles do not allow."""
    if not allowed:
        raise PermissionDenied(message)
