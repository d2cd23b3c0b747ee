"""Region-wide search for an organisation by its name, a former name or its Sferum ID, for
people whose scope spans districts (a region, several МО, an operator); a district lead finds
the organisations of their МО. The search is organizations.selectors.organizations_matching."""

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Prefetch
from django.http import Http404
from django.shortcuts import render

from sferum_portal import params

from . import selectors
from .models import Organization, OrganizationAlias

PAGE_SIZE = 20


def can_search(user) -> bool:
    """A region or district role, or an operator: the people who look for schools of others."""
    scope = selectors.scope_of(user)
    return scope.is_operator or bool(scope.region_ids or scope.municipality_ids)


def searchable_organizations(user):
    """The organisations the person sees as a whole (not those reached only as a class
    teacher: their dashboards are not theirs to open)."""
    scope = selectors.scope_of(user)
    if scope.is_operator:
        return Organization.objects.all()
    return Organization.objects.filter(scope.without_class_teaching().organizations_q())


@login_required
def organization_search(request):
    if not can_search(request.user):
        raise Http404("Страница не найдена")
    query = params.param_text(request.GET, "q", max_length=200)
    region = None
    region_id = params.param_int(request.GET, "region")
    if region_id is not None:
        region = selectors.get_visible_or_404(
            selectors.regions_visible_to(request.user), pk=region_id
        )
    page = None
    if query:
        organizations = searchable_organizations(request.user)
        if region is not None:
            organizations = organizations.filter(municipality__region=region)
        found = (
            selectors.organizations_matching(organizations, query)
            .select_related("municipality__region")
            .prefetch_related(
                Prefetch("aliases", queryset=OrganizationAlias.objects.order_by("-created_at"))
            )
            .order_by("short_name", "pk")
        )
        page = Paginator(found, PAGE_SIZE).get_page(params.param_int(request.GET, "page"))
    return render(
        request,
        "organizations/search.html",
        {
            "query": query,
            "region": region,
            "page": page,
            # The region column only when the results come from more than one region.
            "several_regions": page is not None
            and len({o.municipality.region_id for o in page}) > 1,
        },
    )
