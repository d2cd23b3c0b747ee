"""Template tags of the notify app, for pages of lower apps that cannot import it (the rollout
matrix and deadline lists, the monitoring dashboard's lagging schools):

- ``{% last_nudges rows municipality as nudged %}``: the last «Напомнить» of every organisation
  on the page, in one query, and whether the person may nudge there;
- ``{% nudge_button nudged organization_id %}`` (``item=`` a plan item id): the button, or when
  the last nudge went («напомнили 02.12.2026 в 10:15»).
"""

from dataclasses import dataclass, field

from django import template

from organizations.permissions import leads_municipality

from ..nudges import last_nudges as last_nudges_of
from ..nudges import local_zone, when_text

register = template.Library()


@dataclass
class PageNudges:
    allowed: bool = False
    times: dict[int, str] = field(default_factory=dict)


def _organization_ids(rows) -> list[int]:
    """Ids from matrix rows (``.organization``), deadline groups (``.organizations``), league
    rows or organisations (``.pk``)."""
    ids = []
    for row in rows or ():
        if hasattr(row, "organizations"):
            ids += [o.pk for o in row.organizations]
        elif hasattr(row, "organization"):
            ids.append(row.organization.pk)
        else:
            ids.append(row.pk)
    return ids


@register.simple_tag(takes_context=True)
def last_nudges(context, rows, municipality) -> PageNudges:
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or not leads_municipality(user, municipality):
        return PageNudges()
    zone = local_zone(municipality.region)
    times = last_nudges_of(_organization_ids(rows))
    return PageNudges(True, {pk: when_text(moment, zone) for pk, moment in times.items()})


@register.inclusion_tag("notify/_nudge_button.html", takes_context=True)
def nudge_button(context, nudged, organization_id, item=None) -> dict:
    request = context.get("request")
    return {
        "allowed": bool(nudged and nudged.allowed),
        "last": nudged.times.get(organization_id) if nudged else None,
        "organization_id": organization_id,
        "item": item,
        "next": request.get_full_path() if request else "",
        "csrf_token": context.get("csrf_token"),
    }


@register.simple_tag(takes_context=True)
def may_see_messages(context, municipality) -> bool:
    """Whether the person may open the district's «Рассылки» (its lead, the coordinator)."""
    request = context.get("request")
    user = getattr(request, "user", None)
    return bool(
        municipality is not None
        and user is not None
        and user.is_authenticated
        and leads_municipality(user, municipality)
    )
