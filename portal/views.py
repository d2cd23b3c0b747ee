"""Pages that combine the apps: a person's landing page and the district dashboard with its
checklist progress. The audit pages are in views_audit.py."""

from functools import partial

from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render

from monitoring.dashboards import HEADLINE, furthest_from_target
from monitoring.views.dashboards import district_dashboard_page
from organizations import selectors
from organizations.contacts import organization_contacts
from organizations.models import Role
from rollout.next_steps import below_target, not_done_by_organization
from rollout.summaries import district_summary


@login_required
def home(request):
    """Send each person to the dashboard that fits their widest role (a class teacher, who
    has no organisation-wide figures, to their organisation's page)."""
    scope = selectors.scope_of(request.user)
    for m in scope.memberships:
        if m.region_id:
            return redirect("monitoring:region_dashboard", m.region_id)
    for m in scope.memberships:
        if m.municipality_id:
            return redirect("portal:municipality_dashboard", m.municipality_id)
    for m in scope.memberships:
        if m.role != Role.CLASS_TEACHER:
            return redirect("monitoring:organization_dashboard", m.organization_id)
    for m in scope.memberships:
        return redirect("organizations:organization", m.organization_id)
    if scope.is_operator:
        return redirect("organizations:region_list")
    return render(request, "organizations/no_roles.html")


def _checklist_progress(municipality, filters, league) -> dict:
    """The district's checklist and plan figures (rollout), filtered as the league is, and each
    organisation's percent as the league's extra column."""
    progress = district_summary(municipality, org_type=filters.org_type, query=filters.query)
    for row in league:
        row.extra["progress_pct"] = progress.percents.get(row.pk)
    return {"progress": progress, "progress_column": "Чек-листы и план"}


LAGGING_LIMIT = 20


def _lagging(league, progress) -> list:
    """«Отстающие ОО» of the meeting pack: the organisations with plan items overdue and those
    furthest from the 75 % staff target, the most overdue first; each row gets its overdue
    items (``extra["overdue_items"]``)."""
    furthest = {row.pk for row in furthest_from_target(league, "staff_activity")}
    rows = []
    for row in league:
        figures = progress.per_organization.get(row.pk)
        overdue = figures.overdue_items if figures is not None else ()
        if overdue or row.pk in furthest:
            row.extra["overdue_items"] = overdue
            rows.append(row)
    return sorted(
        rows,
        key=lambda r: (
            -len(r.extra["overdue_items"]),
            -(r.kpis["staff_activity"].gap_people or 0),
            r.name,
        ),
    )


def _not_done(rows) -> None:
    """«Что не сделано» of each lagging row (``extra["not_done"]``, None when neither headline
    figure is below target): the open steps that move the figures below target, counted
    (rollout.next_steps, one read for every row)."""
    red = {
        row.pk: {k.code for k in below_target(row.kpis.values(), row.value_row, HEADLINE)}
        for row in rows
    }
    not_done = not_done_by_organization(red)
    for row in rows:
        row.extra["not_done"] = not_done.get(row.pk)


def _district_extras(user, municipality, filters, league) -> dict:
    """The checklist progress, the lagging organisations and who to call at each organisation
    of the league (its Sferum admins and heads, in one query)."""
    extra = _checklist_progress(municipality, filters, league)
    lagging = _lagging(league, extra["progress"])
    shown = lagging[:LAGGING_LIMIT]
    _not_done(shown)
    # Each overdue item once, under the table: the rows give only the items' numbers.
    items = {item.label: item for row in shown for item in row.extra["overdue_items"]}
    return {
        **extra,
        "lagging": shown,
        "lagging_items": list(items.values()),
        "lagging_more": max(0, len(lagging) - LAGGING_LIMIT),
        "who_to_call": organization_contacts(user, [row.pk for row in league]),
    }


@login_required
def municipality_dashboard(request, pk: int):
    """The district dashboard (monitoring) with the district's checklist progress (rollout)
    and who to call at the lagging organisations and those without data."""
    return district_dashboard_page(request, pk, extend=partial(_district_extras, request.user))
