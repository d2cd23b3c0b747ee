"""Who to call, on district pages: an organisation's Sferum admins and heads.

    {% load contacts %}
    {% contacts_cell contacts organization.pk %}

``contacts`` is the dict of ``organizations.contacts.organization_contacts``; an organisation
missing from it is shown as having no admin and no head.
"""

from django import template

from organizations.contacts import NO_CONTACTS

register = template.Library()


@register.inclusion_tag("organizations/_contacts_cell.html")
def contacts_cell(contacts, organization_id, compact=False) -> dict:
    entry = (contacts or {}).get(organization_id, NO_CONTACTS)
    return {"entry": entry, "compact": compact}
