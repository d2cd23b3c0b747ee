"""Template tags of the rollout app: the block on an organisation's page (district contacts and
the checklist progress); its data comes from ``selectors.organization_panel``."""

from django import template

from ..selectors import organization_panel

register = template.Library()


@register.inclusion_tag("rollout/_organization_panel.html", takes_context=True)
def rollout_organization_panel(context, organization):
    request = context["request"]
    return {
        "organization": organization,
        "panel": organization_panel(request.user, organization),
    }


@register.filter
def percent_of(done, total) -> int:
    """{{ done|percent_of:total }} → a whole percent, 0 when there is nothing to do."""
    try:
        return round(100 * int(done) / int(total)) if int(total) else 0
    except (TypeError, ValueError):
        return 0
