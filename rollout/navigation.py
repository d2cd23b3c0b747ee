"""The rollout app's entries in the main menu (portal.navigation adds them)."""

from django.urls import reverse

from organizations.selectors import scope_of

from .models import CHECKLIST_ROLES


def rollout_nav_items(user) -> list[tuple[str, str]]:
    """(label, url): "Мои шаги" for anyone with a checklist, the plan of each district and
    region in scope."""
    memberships = scope_of(user).memberships
    items = []
    if any(m.role in CHECKLIST_ROLES for m in memberships):
        items.append(("Мои шаги", reverse("rollout:my_steps")))
    districts = [m for m in memberships if m.municipality_id]
    for m in districts:
        label = "План района" if len(districts) == 1 else f"План района: {m.municipality.name}"
        items.append((label, reverse("rollout:district", args=[m.municipality_id])))
    for m in memberships:
        if m.region_id:
            items.append(("План по районам", reverse("rollout:region", args=[m.region_id])))
    return items
