"""«Журнал изменений» of a municipality or a region: who changed what and when in its registry,
roles, checklists, uploads and targets. The municipality and the region come through the
scoping selectors (outside the scope is 404, so organisation roles never see a log); the entries
come from portal.audit.
"""

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import render

from organizations import selectors
from sferum_portal import params

from . import audit

PER_PAGE = 50


class AuditFilterForm(forms.Form):
    kind = forms.ChoiceField(label="Что изменилось", required=False)
    # The range keeps a day's sum and the time zone within what datetime holds.
    date_from = forms.DateField(
        label="С даты",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        validators=[params.validate_date_in_range],
    )
    date_to = forms.DateField(
        label="По дату",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        validators=[params.validate_date_in_range],
    )

    def __init__(self, *args, kinds, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = [("", "всё"), *kinds]

    def values(self) -> dict:
        """The valid filters; an invalid one is ignored rather than refused."""
        if not self.is_bound:
            return {}
        self.is_valid()
        data = getattr(self, "cleaned_data", {})
        return {k: data[k] for k in ("kind", "date_from", "date_to") if data.get(k)}


def _log_page(request, area: audit.Area, context: dict):
    form = AuditFilterForm(request.GET or None, kinds=audit.kinds_for(area))
    filters = form.values()
    rows = audit.log_rows(request.user, area, **filters)
    page = Paginator(rows, PER_PAGE).get_page(params.param_int(request.GET, "page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "organizations/audit.html",
        {
            **context,
            "form": form,
            "filtered": bool(filters),
            "page": page,
            "entries": audit.entries(page.object_list),
            "query": query.urlencode(),
        },
    )


@login_required
def municipality_audit(request, pk: int):
    municipality = selectors.get_visible_or_404(
        selectors.municipalities_visible_to(request.user).select_related("region"), pk=pk
    )
    return _log_page(
        request,
        audit.municipality_area(municipality),
        {"place": municipality, "region": municipality.region, "municipality": municipality},
    )


@login_required
def region_audit(request, pk: int):
    region = selectors.get_visible_or_404(selectors.regions_visible_to(request.user), pk=pk)
    return _log_page(
        request, audit.region_area(request.user, region), {"place": region, "region": region}
    )
