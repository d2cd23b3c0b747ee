"""Dashboards: region, district and organisation for the chosen week, with xlsx exports.

Every object comes through the scoping selectors; the numbers come from the stored weekly
values (monitoring/dashboards.py builds them in a fixed number of queries). The district page
people see also shows the checklist progress: it is the composition layer's view
(portal.views.municipality_dashboard), which builds on ``district_dashboard_page`` here.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import render

from monitoring import comparison, dashboards
from monitoring.exports import league_workbook, organization_history_workbook
from monitoring.flags import flags_for, flags_grouped
from organizations import permissions, selectors
from organizations.models import Municipality, OrgType
from sferum_portal import params
from sferum_portal.weeks import iso_week_label
from sferum_portal.xlsx import XLSX_CONTENT_TYPE, workbook_bytes


def _requested_week(request) -> dt.date | None:
    return params.param_week(request.GET, "week")


def _wants_xlsx(request) -> bool:
    return params.param_choice(request.GET, "format", ("xlsx",)) == "xlsx"


def _xlsx(book, name: str) -> HttpResponse:
    response = HttpResponse(workbook_bytes(book), content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{name}.xlsx"'
    return response


def _chart(trend) -> list[dict]:
    return [
        {
            "week": iso_week_label(point.week),
            "label": f"{point.week:%d.%m}",
            **{k: float(v) if v is not None else None for k, v in point.values.items()},
            **{k: float(v) if v is not None else None for k, v in point.targets.items()},
        }
        for point in trend
    ]


@login_required
def region_dashboard(request, pk: int):
    region = selectors.get_visible_or_404(selectors.regions_visible_to(request.user), pk=pk)
    municipalities = selectors.municipalities_visible_to(request.user).filter(region=region)
    area, league = dashboards.region_dashboard(region, _requested_week(request), municipalities)
    if _wants_xlsx(request) and area.week:
        book = league_workbook(f"МО {region.name}", "МО", league, area.week, with_counts=True)
        return _xlsx(book, f"region-{region.code}-{iso_week_label(area.week)}")
    return render(
        request,
        "monitoring/dashboard_region.html",
        {
            "region": region,
            "area": area,
            "league": league,
            "improved": dashboards.improved_most(league, "staff_activity", 5, weeks=4),
            "chart": _chart(area.trend),
        },
    )


def district_dashboard_page(
    request,
    pk: int,
    *,
    extend: Callable[[Municipality, dashboards.OrganizationFilters, list], dict] | None = None,
) -> HttpResponse:
    """The district dashboard of municipality ``pk`` (404 outside the person's scope), or its
    league as xlsx. ``extend(municipality, filters, league)`` lets a higher layer add to the
    page: it may fill ``row.extra`` of the league's rows and returns extra context (the
    composition layer adds the checklist progress as ``progress`` and ``progress_column``)."""
    municipality = selectors.get_visible_or_404(
        selectors.municipalities_visible_to(request.user).select_related("region"), pk=pk
    )
    filters = dashboards.OrganizationFilters(
        org_type=params.param_choice(request.GET, "type", OrgType.values),
        query=params.param_text(request.GET, "q"),
        size_by=params.param_choice(request.GET, "cmp", comparison.BASES),
        band=params.param_choice(request.GET, "band", comparison.band_keys()),
    )
    chosen = filters.comparison
    area, league = dashboards.district_dashboard(
        municipality,
        _requested_week(request),
        selectors.organizations_visible_to(request.user),
        filters,
    )
    if _wants_xlsx(request) and area.week:
        note = (
            chosen.describe(OrgType(filters.org_type).label if filters.org_type else "")
            if chosen.basis
            else ""
        )
        book = league_workbook(f"ОО {municipality.name}", "ОО", league, area.week, note=note)
        return _xlsx(book, f"district-{municipality.pk}-{iso_week_label(area.week)}")
    extra = extend(municipality, filters, league) if extend else {}
    no_data = [row for row in league if row.value_row is None]
    return render(
        request,
        "monitoring/dashboard_district.html",
        {
            "municipality": municipality,
            "area": area,
            "league": league,
            "sections": comparison.sections(league),
            "filters": filters,
            "chosen": chosen,
            "org_types": OrgType.choices,
            "size_bases": [(basis, label) for basis, (_f, label, *_) in comparison.BASES.items()],
            "band_choices": comparison.band_choices(),
            "furthest": dashboards.furthest_from_target(league, "staff_activity"),
            "furthest_sp": dashboards.furthest_from_target(league, "students_parents_activity"),
            "improved": dashboards.improved_most(league, "staff_activity", weeks=4),
            # whether "all have reached the target" may be said: someone has the figure
            "staff_known": dashboards.with_data_for(league, "staff_activity"),
            "no_data": no_data,
            "chart": _chart(area.trend),
            "is_region_viewer": selectors.scope_of(request.user).covers_region(
                municipality.region_id
            ),
            **extra,
        },
    )


@login_required
def organization_dashboard(request, pk: int):
    organization = selectors.get_visible_or_404(
        selectors.organizations_visible_to(request.user).select_related("municipality__region"),
        pk=pk,
    )
    permissions.require_whole_organization(request.user, organization)
    board = dashboards.organization_dashboard(organization, _requested_week(request))
    if _wants_xlsx(request) and board.history:
        return _xlsx(
            organization_history_workbook(organization, board), f"oo-{organization.sferum_id}"
        )
    flags = flags_for(board.current)
    return render(
        request,
        "monitoring/dashboard_organization.html",
        {
            "organization": organization,
            "board": board,
            "flags": flags,
            "flag_groups": flags_grouped(flags),
            "chart": _chart(board.trend),
            "sees_district": selectors.scope_of(request.user).covers_municipality(
                organization.municipality
            ),
        },
    )
