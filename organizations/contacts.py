"""Who to call: each organisation's Sferum admins and heads with their phone and e-mail.

``organization_contacts(user, ids)`` answers, in one query, for the organisations of ``ids`` the
person sees as a whole (organizations.selectors: a class teacher reaches only their classes and
sees no one's contacts; an organisation outside the scope has none). District pages show them
through ``templates/organizations/_contacts_cell.html`` (``{% load contacts %}``).
"""

import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db.models import Q

from .models import Membership, Role
from .selectors import scope_of

CONTACT_ROLES = (Role.OO_ADMIN, Role.OO_HEAD)


def tel_href(phone: str) -> str:
    """A ``tel:`` address of a typed phone number: Russian numbers as +7 and ten digits
    («8 (912) 345-67-89» → «tel:+79123456789»), others as their digits; "" without digits."""
    digits = re.sub(r"\D", "", phone or "")
    if not digits:
        return ""
    if len(digits) == 11 and digits[0] in "78":
        digits = "7" + digits[1:]
    elif len(digits) == 10 and digits[0] == "9":
        digits = "7" + digits
    elif not phone.strip().startswith("+"):
        return f"tel:{digits}"
    return f"tel:+{digits}"


@dataclass(frozen=True)
class Contact:
    name: str
    phone: str
    tel: str  # the phone as a tel: address, "" without a number
    email: str


@dataclass
class OrganizationContacts:
    admins: list[Contact] = field(default_factory=list)
    heads: list[Contact] = field(default_factory=list)

    @property
    def as_text(self) -> tuple[str, str]:
        """(admins, heads) as one line each, for xlsx exports."""
        return _line(self.admins, "администратор не назначен"), _line(
            self.heads, "руководитель не назначен"
        )


def _line(people: list[Contact], missing: str) -> str:
    if not people:
        return missing
    return "; ".join(", ".join(p for p in (c.name, c.phone, c.email) if p) for c in people)


NO_CONTACTS = OrganizationContacts()


def organization_contacts(user, organization_ids: Iterable[int]) -> dict[int, OrganizationContacts]:
    """Organisation id -> its active Sferum admins and heads, for the organisations of
    ``organization_ids`` within the person's whole-organisation scope; one query."""
    ids = set(organization_ids)
    if not ids:
        return {}
    scope = scope_of(user)
    if scope.is_operator:
        visible = Q()
    elif scope.is_empty:
        return {}
    else:
        visible = scope.without_class_teaching().organizations_q("organization")
    memberships = (
        Membership.objects.filter(
            visible,
            organization_id__in=ids,
            role__in=CONTACT_ROLES,
            user__is_active=True,
        )
        .select_related("user")
        .order_by("organization_id", "role", "user__last_name", "user__first_name", "pk")
    )
    result: dict[int, OrganizationContacts] = {}
    for m in memberships:
        contact = Contact(
            name=m.user.full_name,
            phone=m.user.phone.strip(),
            tel=tel_href(m.user.phone),
            email=m.user.email.strip(),
        )
        entry = result.setdefault(m.organization_id, OrganizationContacts())
        (entry.admins if m.role == Role.OO_ADMIN else entry.heads).append(contact)
    return result
