"""«Целевые показатели» of a region: Stage 1 baselines the coordinator enters, Stage 2 targets,
and which organisation types count in each indicator."""

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render

from monitoring import permissions as monitoring_permissions
from monitoring.forms import Stage1BaselinesForm
from monitoring.models import IndicatorRule, Target
from monitoring.targets import stage1_baselines, stage1_baselines_set
from organizations import permissions, selectors
from organizations.models import OrgType


@login_required
def region_targets(request, pk: int):
    region = selectors.get_visible_or_404(selectors.regions_visible_to(request.user), pk=pk)
    can_edit = monitoring_permissions.coordinates_region(request.user, region)
    current = stage1_baselines(region)
    initial = {
        "effective_from": dt.date(2025, 9, 1) if not any(current.values()) else dt.date.today(),
        **{k: t.value_pct for k, t in current.items() if t},
    }
    form = Stage1BaselinesForm(request.POST or None, initial=initial)
    if request.method == "POST":
        permissions.require(can_edit, "Базовые значения этапа 1 вводит региональный координатор.")
        if form.is_valid():
            data = form.cleaned_data
            changed = stage1_baselines_set(
                region=region,
                values={k: data[k] for k in ("staff_activity", "students_parents_activity")},
                effective_from=data["effective_from"],
            )
            if changed:
                messages.success(
                    request, "Базовые значения сохранены; показатели региона пересчитываются."
                )
            else:
                messages.info(request, "Значения не изменились.")
            return redirect("monitoring:region_targets", region.pk)
    targets = Target.objects.filter(region__isnull=True) | Target.objects.filter(region=region)
    type_names = dict(OrgType.choices)
    rules = [
        (rule, [type_names.get(t, t) for t in rule.org_types],
         [type_names.get(t, t) for t in rule.parents_only_types])
        for rule in IndicatorRule.objects.all()
    ]  # fmt: skip
    return render(
        request,
        "monitoring/region_targets.html",
        {
            "region": region,
            "form": form,
            "can_edit": can_edit,
            "targets": targets.select_related("region").order_by(
                "stage", "indicator", "-effective_from"
            ),
            "rules": rules,
        },
    )
