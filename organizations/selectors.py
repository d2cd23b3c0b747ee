"""Who sees what: the one module that scopes every query of the portal.

A person's scope is the union of their memberships: a regional role covers the region's
municipalities and organisations, a district role its municipality's organisations, an
organisation role that organisation (a class teacher: their own classes within it). Superusers
are operators and see everything. Every view and export starts from these functions; an object
outside the scope answers 404, never 403.
"""

from dataclasses import dataclass

from django.db.models import Exists, Model, OuterRef, Q, QuerySet
from django.http import Http404

from sferum_portal.params import sferum_id_in

from .models import (
    Invitation,
    Membership,
    Municipality,
    Organization,
    OrganizationAlias,
    Region,
    Role,
    SchoolClass,
)


@dataclass(frozen=True)
class Scope:
    """The ids a person's memberships reach, computed once per request."""

    is_operator: bool
    region_ids: frozenset[int]
    municipality_ids: frozenset[int]
    organization_ids: frozenset[int]
    # Organisations reached only as a class teacher: the teacher sees their classes there.
    teacher_organization_ids: frozenset[int]
    class_ids: frozenset[int]
    memberships: tuple[Membership, ...]

    @property
    def roles(self) -> frozenset[str]:
        return frozenset(m.role for m in self.memberships)

    @property
    def is_empty(self) -> bool:
        return not self.is_operator and not self.memberships

    def holds(self, role: str, **scope_ids: int) -> bool:
        """Holds ``role`` with exactly these scope ids (``organization=…``, ``municipality=…``,
        ``region=…``): the question every write permission asks."""
        return any(
            m.role == role and all(getattr(m, f"{k}_id") == v for k, v in scope_ids.items())
            for m in self.memberships
        )

    def covers_region(self, region_id: int) -> bool:
        """Sees the whole region (a regional role, or an operator)."""
        return self.is_operator or region_id in self.region_ids

    def covers_municipality(self, municipality: Municipality) -> bool:
        """Sees the whole МО: its own district role, a role in its region, or an operator."""
        return (
            self.covers_region(municipality.region_id) or municipality.pk in self.municipality_ids
        )

    def covers_organization(self, organization: Organization) -> bool:
        """Sees the whole organisation: any role above a class teacher's that reaches it."""
        return (
            self.covers_municipality(organization.municipality)
            or organization.pk in self.organization_ids
        )

    def without_class_teaching(self) -> "Scope":
        """The scope without the organisations reached only as a class teacher."""
        return Scope(
            False,
            self.region_ids,
            self.municipality_ids,
            self.organization_ids,
            frozenset(),
            frozenset(),
            (),
        )

    def organizations_q(self, prefix: str = "") -> Q:
        """A filter on organisations (or on a relation to them through ``prefix``)."""
        if self.is_operator:
            return Q()
        p = f"{prefix}__" if prefix else ""
        pk = f"{prefix}_id" if prefix else "pk"
        q = Q(pk__in=[])
        if self.region_ids:
            q |= Q(**{f"{p}municipality__region_id__in": self.region_ids})
        if self.municipality_ids:
            q |= Q(**{f"{p}municipality_id__in": self.municipality_ids})
        org_ids = self.organization_ids | self.teacher_organization_ids
        if org_ids:
            q |= Q(**{f"{pk}__in": org_ids})
        return q


def operator_scope() -> Scope:
    """Full scope, for scripts and management commands run by an operator."""
    empty = frozenset()
    return Scope(True, empty, empty, empty, empty, empty, ())


def scope_of(user) -> Scope:
    """The scope of a user, cached on the user object for the request."""
    cached = getattr(user, "_sferum_scope", None)
    if cached is not None:
        return cached
    if not user.is_authenticated:
        scope = Scope(False, frozenset(), frozenset(), frozenset(), frozenset(), frozenset(), ())
    else:
        memberships = tuple(
            Membership.objects.filter(user=user)
            .select_related("region", "municipality__region", "organization__municipality")
            .prefetch_related("classes")
        )
        regions, municipalities, organizations, teacher_orgs, classes = (
            set(),
            set(),
            set(),
            set(),
            set(),
        )
        for m in memberships:
            if m.region_id:
                regions.add(m.region_id)
            elif m.municipality_id:
                municipalities.add(m.municipality_id)
            elif m.role == Role.CLASS_TEACHER:
                teacher_orgs.add(m.organization_id)
                classes.update(c.pk for c in m.classes.all())
            else:
                organizations.add(m.organization_id)
        scope = Scope(
            is_operator=user.is_superuser,
            region_ids=frozenset(regions),
            municipality_ids=frozenset(municipalities),
            organization_ids=frozenset(organizations),
            teacher_organization_ids=frozenset(teacher_orgs - organizations),
            class_ids=frozenset(classes),
            memberships=memberships,
        )
    user._sferum_scope = scope
    return scope


def regions_visible_to(user) -> QuerySet[Region]:
    scope = scope_of(user)
    if scope.is_operator:
        return Region.objects.all()
    return Region.objects.filter(pk__in=scope.region_ids)


def municipalities_visible_to(user) -> QuerySet[Municipality]:
    scope = scope_of(user)
    if scope.is_operator:
        return Municipality.objects.all()
    return Municipality.objects.filter(
        Q(region_id__in=scope.region_ids) | Q(pk__in=scope.municipality_ids)
    )


def organizations_visible_to(user) -> QuerySet[Organization]:
    return Organization.objects.filter(scope_of(user).organizations_q())


def classes_visible_to(user) -> QuerySet[SchoolClass]:
    """Classes of every organisation in scope, and a class teacher's own classes (archived
    classes left out)."""
    scope = scope_of(user)
    if scope.is_operator:
        return SchoolClass.objects.active()
    return SchoolClass.objects.active().filter(
        scope.without_class_teaching().organizations_q("organization") | Q(pk__in=scope.class_ids)
    )


def organizations_matching(organizations: QuerySet[Organization], query: str) -> QuerySet:
    """The organisations whose short name or a former name contains the text, or whose Sferum
    ID it is: the one organisation search (registry, dashboards, the district matrix)."""
    query = query.strip()
    if not query:
        return organizations
    former = OrganizationAlias.objects.filter(organization=OuterRef("pk"), name__icontains=query)
    match = Q(short_name__icontains=query) | Q(Exists(former))
    if (sferum_id := sferum_id_in(query)) is not None:
        match |= Q(sferum_id=sferum_id)
    return organizations.filter(match)


def get_visible_or_404(queryset: QuerySet, **lookup) -> Model:
    """``get_object_or_404`` on an already scoped queryset: outside the scope means not found."""
    try:
        return queryset.get(**lookup)
    except queryset.model.DoesNotExist as exc:
        raise Http404("Объект не найден") from exc


def sees_whole_organization(user, organization: Organization) -> bool:
    """True unless the person reaches the organisation only as a class teacher."""
    return scope_of(user).covers_organization(organization)


def invitations_waiting_for(user) -> QuerySet[Invitation]:
    """The invitations to a role that wait for this person's answer: sent to their account,
    or to their e-mail before the account existed."""
    match = Q(user=user)
    if user.email:
        match |= Q(user__isnull=True, email__iexact=user.email)
    return Invitation.objects.filter(match, status=Invitation.Status.PENDING)
