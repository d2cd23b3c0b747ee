"""The checklist figures other pages show, all taken from the district's matrix (matrix.py): the
district dashboard's and the region's per district (cached), and an organisation's panel."""

from dataclasses import dataclass

from django.db.models import Count, Q, QuerySet

from organizations.models import Municipality, Organization, Region, Role
from organizations.selectors import scope_of
from organizations.versions import ALL, cached, municipality_data

from . import deadlines
from .matrix import DistrictSummary, district_progress
from .models import (
    CLOSED_STATUSES,
    DistrictContacts,
    Task,
)


def district_summary(
    municipality: Municipality, *, org_type: str = "", query: str = ""
) -> DistrictSummary:
    """``district_progress`` reduced to its figures, cached until the district's tasks,
    registry, templates or measured values change (organizations.versions) or the day ends."""
    today = deadlines.local_today(municipality.region.timezone)  # the pages load the region with it

    def compute() -> DistrictSummary:
        progress = district_progress(municipality, today=today, org_type=org_type, query=query)
        return progress.summary()

    return cached(
        # "v4": the figures gained each organisation's overdue items; older entries are not read.
        ("district-summary", "v4", municipality.pk, today, org_type, query),
        (ALL, municipality_data(municipality.pk)),
        compute,
    )


@dataclass(frozen=True)
class MunicipalitySummary:
    municipality: Municipality
    figures: DistrictSummary


def region_summary(
    region: Region, municipalities: QuerySet[Municipality]
) -> list[MunicipalitySummary]:
    """Per district, the figures of its matrix (``DistrictSummary``: cached per district, so
    the page costs a cache read per district once they are computed)."""
    return [
        MunicipalitySummary(m, district_summary(m))
        for m in municipalities.filter(region=region).select_related("region").order_by("name")
    ]


@dataclass
class OrganizationPanel:
    contacts: DistrictContacts | None
    admin: tuple[int, int]
    head: tuple[int, int]
    teachers: tuple[int, int]
    items: tuple[int, int]
    items_overdue: int
    sees_whole: bool
    percent: int | None = None  # the organisation's share done, as in the district's matrix


def organization_panel(user, organization: Organization) -> OrganizationPanel:
    """District contacts and the checklist progress summary: the steps per actor counted from
    the tasks, the plan items, the overdue ones and the share done as the district's matrix
    gives them (``DistrictSummary``), so that every page shows the same figures."""
    contacts = DistrictContacts.objects.filter(municipality_id=organization.municipality_id).first()
    whole = scope_of(user).covers_organization(organization)
    totals = {"admin": [0, 0], "head": [0, 0], "teachers": [0, 0], "items": [0, 0]}
    overdue = 0
    percent = None
    if whole:
        rows = (
            Task.objects.filter(organization=organization, archived=False, step__isnull=False)
            .values("step__checklist__actor", "plan_item_id")
            .annotate(
                total=Count("pk"),
                closed=Count("pk", filter=Q(status__in=list(CLOSED_STATUSES))),
            )
            .order_by()
        )
        for row in rows:
            key = {
                Role.OO_ADMIN: "admin",
                Role.OO_HEAD: "head",
                Role.CLASS_TEACHER: "teachers",
            }.get(row["step__checklist__actor"])
            if key is not None:
                totals[key][0] += row["closed"]
                totals[key][1] += row["total"]
        # The organisation's row of its district's matrix (cached with the district's figures).
        figures = district_summary(organization.municipality).per_organization.get(organization.pk)
        if figures is not None:
            totals["items"] = [figures.items_done, figures.items_total]
            overdue, percent = figures.overdue, figures.percent
    return OrganizationPanel(
        contacts=contacts,
        admin=tuple(totals["admin"]),
        head=tuple(totals["head"]),
        teachers=tuple(totals["teachers"]),
        items=tuple(totals["items"]),
        items_overdue=overdue,
        sees_whole=whole,
        percent=percent,
    )
