"""Pages that combine the apps: a person's landing page and the district dashboard with its
checklist progress. The audit pages are in views_audit.py."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render

from monitoring.views.dashboards import district_dashboard_page
from organizations import selectors
from organizations.models import Role
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


@login_required
def municipality_dashboard(request, pk: int):
    """The district dashboard (monitoring) with the district's checklist progress (rollout)."""
    return district_dashboard_page(request, pk, extend=_checklist_progress)
