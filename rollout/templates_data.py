"""The checklist and plan templates as data: reading ``fixtures/rollout_templates.json`` and
writing it into the template tables.

How templates reach a database: the data migration ``0002_load_templates`` calls
``templates_load`` with the historical models, so every database has them after ``migrate``
(``make run``, production, the test database). ``manage.py load_rollout_templates`` calls it with
the current models after the file changed (``--update`` also rewrites the texts, short titles
and indicators of existing rows), then creates the tasks the new rows imply. Rows are matched by
their ``code``; nothing is ever deleted here (switch a step off with its "действует" flag instead,
so its history stays). Data migrations that add a field fill it where still empty (``hints_update``,
``step_extras_update``).

The loader sets only fields the given models have, and derives ``for_district`` / ``org_types``
itself: historical models have neither the current fields nor the ``save()`` that derives them.
"""

import datetime
import json
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from django.conf import settings

FIXTURE_PATH = Path(settings.BASE_DIR) / "fixtures" / "rollout_templates.json"


@dataclass(frozen=True)
class TemplateModels:
    checklist: type
    step: type
    plan: type
    item: type

    @classmethod
    def from_apps(cls, apps) -> "TemplateModels":
        return cls(
            checklist=apps.get_model("rollout", "ChecklistTemplate"),
            step=apps.get_model("rollout", "ChecklistStepTemplate"),
            plan=apps.get_model("rollout", "PlanTemplate"),
            item=apps.get_model("rollout", "PlanItemTemplate"),
        )


@dataclass
class LoadResult:
    created: dict[str, int] = field(default_factory=dict)
    updated: dict[str, int] = field(default_factory=dict)
    step_ids: list[int] = field(default_factory=list)
    item_ids: list[int] = field(default_factory=list)

    def count(self, kind: str, created: bool) -> None:
        target = self.created if created else self.updated
        target[kind] = target.get(kind, 0) + 1


def templates_read(path: Path | None = None) -> dict:
    with open(path or FIXTURE_PATH, encoding="utf-8") as fh:
        return json.load(fh)


def _only_fields(model, values: dict) -> dict:
    fields = model._meta.concrete_fields
    names = {f.name for f in fields} | {f.attname for f in fields}
    return {k: v for k, v in values.items() if k in names}


def _upsert(model, lookup: dict, values: dict, update: bool, result: LoadResult, kind: str):
    values = _only_fields(model, values)
    obj = model.objects.filter(**lookup).first()
    if obj is None:
        obj = model(**lookup, **values)
        obj.save()
        result.count(kind, created=True)
        return obj, True
    if update:
        changed = [k for k, v in values.items() if getattr(obj, k) != v]
        if changed:
            for k in changed:
                setattr(obj, k, values[k])
            obj.save(update_fields=changed)
            result.count(kind, created=False)
    return obj, False


def _item_values(raw: dict, order: int) -> dict:
    # Imported here, not at the top: the migration imports this module and must not pull in the
    # current models module at import time.
    from rollout.models import parse_responsible

    for_district, org_types = parse_responsible(raw["responsible"])
    deadline = raw.get("deadline_date")
    threshold = raw.get("threshold_pct")
    return {
        "number": raw["number"],
        "section": raw["section"],
        "title": raw["title"],
        "description": raw.get("description", ""),
        "hint": raw.get("hint", ""),
        "deadline_text": raw.get("deadline_text", ""),
        "deadline_date": datetime.date.fromisoformat(deadline) if deadline else None,
        "recurrence": raw.get("recurrence", ""),
        "responsible": raw["responsible"],
        "for_district": for_district,
        "org_types": org_types,
        "expected_result": raw["expected_result"],
        "evidence": raw.get("evidence", "none"),
        "indicator": raw.get("indicator", ""),
        "stage": raw.get("stage"),
        "threshold_pct": Decimal(threshold) if threshold is not None else None,
        "order": order,
    }


def templates_load(
    *, models: TemplateModels | None = None, data: dict | None = None, update: bool = False
) -> LoadResult:
    """Create the checklists, steps, plans and items of ``data`` that are missing (by code)."""
    if models is None:
        from django.apps import apps

        models = TemplateModels.from_apps(apps)
    data = data if data is not None else templates_read()
    result = LoadResult()
    for raw in data.get("checklists", []):
        checklist, _ = _upsert(
            models.checklist,
            {"code": raw["code"]},
            {"actor": raw["actor"], "variant": raw.get("variant", ""), "title": raw["title"]},
            update,
            result,
            "checklists",
        )
        for order, step in enumerate(raw["steps"], start=1):
            obj, _ = _upsert(
                models.step,
                {"code": step["code"]},
                {
                    "checklist_id": checklist.pk,
                    "order": order,
                    "title": step["title"],
                    "short_title": step.get("short_title", ""),
                    "hint": step.get("hint", ""),
                    "evidence": step.get("evidence", "none"),
                    # The monitoring indicators the step moves (rollout.next_steps).
                    "indicators": list(step.get("indicators", [])),
                },
                update,
                result,
                "steps",
            )
            result.step_ids.append(obj.pk)
    for raw in data.get("plans", []):
        plan, _ = _upsert(
            models.plan,
            {"code": raw["code"]},
            {"title": raw["title"], "basis": raw.get("basis", "")},
            update,
            result,
            "plans",
        )
        for order, item in enumerate(raw["items"], start=1):
            obj, _ = _upsert(
                models.item,
                {"plan_id": plan.pk, "code": item["code"]},
                _item_values(item, order),
                update,
                result,
                "items",
            )
            result.item_ids.append(obj.pk)
    return result


def hints_update(*, models: TemplateModels, data: dict | None = None, old: str = "") -> int:
    """Give existing steps and items the fixture's how-to (``hint``) where theirs is still
    ``old`` (the value the fixture had before), so that an administrator's edits are kept.
    Returns how many rows changed."""
    data = data if data is not None else templates_read()
    changed = 0
    for raw in data.get("checklists", []):
        for step in raw["steps"]:
            hint = step.get("hint", "")
            if hint:
                changed += models.step.objects.filter(code=step["code"], hint=old).update(hint=hint)
    for raw in data.get("plans", []):
        for item in raw["items"]:
            hint = item.get("hint", "")
            if hint:
                changed += models.item.objects.filter(
                    plan__code=raw["code"], code=item["code"], hint=old
                ).update(hint=hint)
    return changed


STEP_EXTRAS = ("indicators", "short_title")


def step_extras_update(*, models: TemplateModels, data: dict | None = None) -> int:
    """Give existing steps the fixture's ``indicators`` and ``short_title`` where they are
    still empty, so that an administrator's own choice is kept. Returns how many rows changed."""
    data = data if data is not None else templates_read()
    wanted = {
        step["code"]: step
        for raw in data.get("checklists", [])
        for step in raw["steps"]
        if any(step.get(name) for name in STEP_EXTRAS)
    }
    changed = []
    for obj in models.step.objects.filter(code__in=list(wanted)):
        fills = {n: wanted[obj.code][n] for n in STEP_EXTRAS if wanted[obj.code].get(n)}
        fills = {n: v for n, v in fills.items() if not getattr(obj, n)}
        if fills:
            for name, value in fills.items():
                setattr(obj, name, list(value) if name == "indicators" else value)
            changed.append(obj)
    models.step.objects.bulk_update(changed, list(STEP_EXTRAS))
    return len(changed)
