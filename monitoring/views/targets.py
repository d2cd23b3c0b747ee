"""«Целевые показатели» of a region: Stage 1 baselines the coordinator enters, Stage 2 targets,
and which organisation types count in each indicator."""

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render

from monitoring import permissions as monitoring_permissions
from monitoring.forms import Stage1BaselinesForm
from monitoring.models import IndicatorRule, Target, WeeklyRegionValue
from monitoring.targets import STAGE1_START, stage1_baselines, stage1_baselines_set
from organizations import permissions, selectors
from organizations.models import OrgType
from sferum_portal.plurals import count_ru
from sferum_portal.weeks import week_label, week_start


def _default_start(region, current: dict) -> dt.date:
    """Where a change most likely belongs: from the start of the value in force (a correction
    reaches every week it covers), else from the region's first week with data, else from the
    stage's first day. Never "today", which no computed week has reached yet."""
    starts = [t.effective_from for t in current.values() if t]
    if starts:
        return min(starts)
    first = (
        WeeklyRegionValue.objects.filter(region=region)
        .order_by("week_start")
        .values_list("week_start", flat=True)
        .first()
    )
    return max(first, STAGE1_START) if first else STAGE1_START


def _saved_message(region, start: dt.date) -> str:
    """Which weeks the change recomputes, by their dates and number."""
    weeks = WeeklyRegionValue.objects.filter(region=region, week_start__gte=week_start(start))
    count = weeks.count()
    if not count:
        return (
            f"Базовые значения сохранены с {start:%d.%m.%Y}; недель с данными с этой даты пока "
            "нет — значения войдут в расчёт, когда данные появятся."
        )
    return (
        f"Базовые значения сохранены с {start:%d.%m.%Y}; пересчитываются "
        f"{count_ru(count, 'неделя', 'недели', 'недель')} с данными, начиная с недели "
        f"{week_label(weeks.order_by('week_start').first().week_start)}."
    )


@login_required
def region_targets(request, pk: int):
    region = selectors.get_visible_or_404(selectors.regions_visible_to(request.user), pk=pk)
    can_edit = monitoring_permissions.coordinates_region(request.user, region)
    current = stage1_baselines(region)
    initial = {
        "effective_from": _default_start(region, current),
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
                messages.success(request, _saved_message(region, data["effective_from"]))
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
