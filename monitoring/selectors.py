"""Reads of monitoring data shared by the weekly computation, measures, reports and pages."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Q, QuerySet

from organizations.models import Municipality, Organization, Region
from organizations.selectors import municipalities_visible_to, scope_of
from sferum_portal.weeks import week_end

from .models import Snapshot, Target, Upload, UploadProblem
from .permissions import owns_upload

TargetKey = tuple[str, int, int | None]  # (indicator, stage, region id or None for all)


def targets_in_force(monday: dt.date, targets: list[Target] | None = None) -> dict:
    """The targets effective during the week starting on ``monday`` (from ``targets`` when the
    caller loaded them once for many weeks); where several overlap, the latest start wins."""
    if targets is None:
        targets = list(Target.objects.all())
    sunday = week_end(monday)
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


@dataclass(frozen=True)
class UploadView:
    """What one person may read of an upload: all of it (the uploader, an operator, and whoever
    covers every МО and region of the file), or only the rows of the МО of theirs it concerns."""

    whole: bool
    municipality_ids: frozenset[int] = frozenset()
    municipality_names: frozenset[str] = frozenset()


def upload_views(user, uploads: list[Upload]) -> dict[int, UploadView]:
    """``UploadView`` of each upload (their ``municipalities`` prefetched), in one query."""
    scope = scope_of(user)
    views: dict[int, UploadView] = {}
    concerned: dict[int, set[int]] = {}
    for upload in uploads:
        if owns_upload(user, upload):
            views[upload.pk] = UploadView(True)
            continue
        areas = (upload.summary or {}).get("areas") or {}
        concerned[upload.pk] = {m.pk for m in upload.municipalities.all()} | set(
            areas.get("municipalities", ())
        )
    if not concerned:
        return views
    municipalities = {
        pk: (name, region_id, code)
        for pk, name, region_id, code in Municipality.objects.filter(
            pk__in=set().union(*concerned.values())
        ).values_list("pk", "name", "region_id", "region__code")
    }
    region_codes = set(
        Region.objects.filter(pk__in=scope.region_ids).values_list("code", flat=True)
    )
    for upload in uploads:
        if upload.pk in views:
            continue
        areas = (upload.summary or {}).get("areas") or {}
        known = {pk: municipalities[pk] for pk in concerned[upload.pk] if pk in municipalities}
        covered = {
            pk
            for pk, (_name, region_id, _code) in known.items()
            if pk in scope.municipality_ids or region_id in scope.region_ids
        }
        file_regions = {code for _name, _region, code in known.values()}
        new_regions = set(areas.get("new_in_regions", ()))
        whole = (
            covered == set(known)
            and new_regions <= region_codes
            and (not areas.get("unplaced") or (file_regions | new_regions) <= region_codes)
        )
        views[upload.pk] = UploadView(
            whole,
            frozenset(covered),
            frozenset(known[pk][0] for pk in covered),
        )
    return views


def upload_view(user, upload: Upload) -> UploadView:
    return upload_views(user, [upload])[upload.pk]


def upload_problems_for(view: UploadView, upload: Upload) -> QuerySet[UploadProblem]:
    """An upload's problems that the person may read: all, or those of rows of their МО and
    those about the file as a whole (no row)."""
    problems = upload.problems.all()
    if view.whole:
        return problems
    ids = view.municipality_ids
    return problems.filter(
        Q(row__isnull=True) | Q(municipality_id__in=ids) | Q(municipality_in_file_id__in=ids)
    )


def upload_summary_for(view: UploadView, upload: Upload) -> dict:
    """The preview's summary, reduced to the person's МО when they do not see the whole file."""
    summary = upload.summary or {}
    if view.whole:
        return summary
    names = view.municipality_names
    renamed_ids = {r["sferum_id"] for r in summary.get("renamed", ())}
    theirs = set(
        Organization.objects.filter(
            municipality_id__in=view.municipality_ids, sferum_id__in=renamed_ids
        ).values_list("sferum_id", flat=True)
    ) if renamed_ids else set()  # fmt: skip
    per_municipality = [(n, c) for n, c in summary.get("per_municipality", ()) if n in names]
    new = [o for o in summary.get("new_organizations", ()) if o.get("municipality") in names]
    renamed = [r for r in summary.get("renamed", ()) if r["sferum_id"] in theirs]
    moves = [m for m in summary.get("moves", ()) if m["old"] in names or m["new"] in names]
    return {
        "sheets": summary.get("sheets", []),
        "unknown_columns": summary.get("unknown_columns", []),
        "staff_activity_missing": summary.get("staff_activity_missing", []),
        "per_municipality": per_municipality,
        "organizations_total": sum(c for _n, c in per_municipality),
        "new_organizations": new,
        "new_organizations_total": len(new),
        "renamed": renamed,
        "renamed_total": len(renamed),
        "moves": moves,
        "moves_total": len(moves),
        "moves_confirmed": summary.get("moves_confirmed", False),
    }


def upload_rows_written_for(view: UploadView, upload: Upload) -> int:
    """Snapshots this upload holds for the person's МО (their part of «записано»)."""
    return Snapshot.objects.filter(
        upload=upload, organization__municipality_id__in=view.municipality_ids
    ).count()
