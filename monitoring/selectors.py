"""Reads of monitoring data shared by the weekly computation, measures, reports and pages."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db.models import Q, QuerySet

from organizations.selectors import municipalities_visible_to, scope_of

from .models import Target, Upload

TargetKey = tuple[str, int, int | None]  # (indicator, stage, region id or None for all)


def targets_in_force(monday: dt.date, targets: list[Target] | None = None) -> dict:
    """The targets effective during the week starting on ``monday`` (from ``targets`` when the
    caller loaded them once for many weeks); where several overlap, the latest start wins."""
    if targets is None:
        targets = list(Target.objects.all())
    sunday = monday + dt.timedelta(days=6)
    in_force: dict[TargetKey, Decimal] = {}
    for t in sorted(targets, key=lambda t: t.effective_from):
        if t.effective_from <= sunday and (t.effective_to is None or t.effective_to >= monday):
            in_force[(t.indicator, t.stage, t.region_id)] = t.value_pct
    return in_force


def target_value(
    in_force: dict[TargetKey, Decimal], indicator: str, stage: int, region_id: int | None
) -> Decimal | None:
    """A region's own target where it has one, else the target for all regions."""
    return in_force.get((indicator, stage, region_id), in_force.get((indicator, stage, None)))


def uploads_visible_to(user) -> QuerySet[Upload]:
    """A person's own uploads, and the uploads that wrote data of municipalities they see."""
    uploads = Upload.objects.select_related("uploaded_by")
    if scope_of(user).is_operator:
        return uploads
    touched = Upload.municipalities.through.objects.filter(
        municipality__in=municipalities_visible_to(user)
    ).values("upload_id")
    return uploads.filter(Q(uploaded_by=user) | Q(pk__in=touched))
