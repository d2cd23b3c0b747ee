"""The main menu: one place that turns a person's scope into the links they may follow (the
registry's pages, the monitoring dashboard of each scope, the statistics uploads, and the
checklists' and plan's entries of rollout.navigation, and «Справка»)."""

from dataclasses import dataclass

from django.urls import reverse

from monitoring.permissions import can_upload_statistics
from organizations.models import Role
from organizations.selectors import invitations_waiting_for, scope_of
from rollout.navigation import rollout_nav_items


@dataclass(frozen=True)
class NavItem:
    label: str
    url: str


def _dashboard(m) -> NavItem | None:
    """The monitoring dashboard of a membership's scope; class teachers have none (they see
    their classes' steps, not the organisation's figures)."""
    if m.region_id:
        return NavItem(
            f"Мониторинг: {m.region.name}",
            reverse("monitoring:region_dashboard", args=[m.region_id]),
        )
    if m.municipality_id:
        return NavItem(
            f"Мониторинг: {m.municipality.name}",
            reverse("portal:municipality_dashboard", args=[m.municipality_id]),
        )
    if m.role == Role.CLASS_TEACHER:
        return None
    return NavItem(
        f"Мониторинг: {m.organization.short_name}",
        reverse("monitoring:organization_dashboard", args=[m.organization_id]),
    )


def nav_items(user) -> list[NavItem]:
    scope = scope_of(user)
    items: list[NavItem] = []
    if scope.is_operator:
        items.append(NavItem("Все регионы", reverse("organizations:region_list")))
    seen: set[str] = set()
    for m in scope.memberships:
        if m.region_id:
            item = NavItem(
                f"Регион: {m.region.name}", reverse("organizations:region", args=[m.region_id])
            )
        elif m.municipality_id:
            item = NavItem(
                f"МО: {m.municipality.name}",
                reverse("organizations:municipality", args=[m.municipality_id]),
            )
        else:
            label = "Мои классы" if m.role == Role.CLASS_TEACHER else "Моя ОО"
            item = NavItem(
                f"{label}: {m.organization.short_name}",
                reverse("organizations:organization", args=[m.organization_id]),
            )
        for entry in (item, _dashboard(m)):
            if entry is not None and entry.url not in seen:
                seen.add(entry.url)
                items.append(entry)
    if scope.is_operator or scope.region_ids or len(scope.municipality_ids) > 1:
        items.append(NavItem("Поиск ОО", reverse("organizations:organization_search")))
    waiting = invitations_waiting_for(user).count()
    if waiting:
        items.append(NavItem(f"Приглашения ({waiting})", reverse("organizations:invitation_list")))
    if can_upload_statistics(user):
        items.append(NavItem("Загрузка статистики", reverse("monitoring:upload_list")))
    for label, url in rollout_nav_items(user):
        if url not in seen:
            seen.add(url)
            items.append(NavItem(label, url))
    items.append(NavItem("Справка", reverse("answers:list")))  # every logged-in person
    return items
