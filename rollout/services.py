"""Writes of the rollout app: keeping tasks in step with the registry and the templates, changing
a task's status with its history and evidence, publishing a district's contacts.

Sync is one idea applied three ways (memberships → checklist steps, organisations → their plan
items, municipalities → the district's УО items): create the tasks that should exist and are
missing, archive the ones that should no longer be active, bring back archived ones that apply
again (their ticks and history intact). It never deletes and never touches a status, and it is
idempotent: ``rollout_sync`` may run any number of times. Memberships (people: hundreds per
call) are compared in Python in chunks of ``CHUNK``; plan items (a national import brings a
million) are synced in SQL by ``plan_sync``. The queries per call do not depend on the number
of rows. An organisation's item tasks are the exception to "create": they are made when a page
about the organisation is opened (``organization_tasks_ensure``, see plan_sync).
"""

import datetime
import functools
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from organizations.models import Membership, Municipality, Role
from organizations.versions import ALL, data_changed, municipality_data
from sferum_portal.batches import batches

from . import plan_sync
from .evidence import EvidenceFileError, evidence_file_check
from .models import (
    CHECKLIST_ROLES,
    EVIDENCE_REQUIRED_FOR_DONE,
    FILE_EVIDENCE,
    ChecklistStepTemplate,
    DistrictContacts,
    Evidence,
    EvidenceKind,
    PlanItemTemplate,
    Status,
    StatusChange,
    Task,
    Variant,
)

CHUNK = 500


@dataclass
class SyncResult:
    created: int = 0
    archived: int = 0
    restored: int = 0

    def __iadd__(self, other: "SyncResult") -> "SyncResult":
        self.created += other.created
        self.archived += other.archived
        self.restored += other.restored
        return self

    @property
    def changed(self) -> bool:
        return bool(self.created or self.archived or self.restored)

    def __str__(self) -> str:
        return (
            f"создано {self.created}, в архив {self.archived}, возвращено из архива {self.restored}"
        )


def _sync_transaction(sync: Callable[..., SyncResult]) -> Callable[..., SyncResult]:
    """Run a sync in one transaction and, when it changed any task, renew the figures' data
    version at its very end: the version row stays locked only while the sync commits."""

    @functools.wraps(sync)
    def run(*args, **kwargs) -> SyncResult:
        with transaction.atomic():
            result = sync(*args, **kwargs)
            if result.changed:
                data_changed(ALL)
        return result

    return run


def checklist_key(membership: Membership) -> tuple[str, str]:
    """Which checklist a membership follows: (actor, variant)."""
    if membership.role == Role.CLASS_TEACHER:
        variant = Variant.WITH_VKM if membership.had_vkm_profile else Variant.WITHOUT_VKM
        return membership.role, str(variant)
    return membership.role, ""


def _active_steps() -> dict[tuple[str, str], list[ChecklistStepTemplate]]:
    by_key: dict[tuple[str, str], list[ChecklistStepTemplate]] = {}
    steps = ChecklistStepTemplate.objects.filter(
        is_active=True, checklist__is_active=True
    ).select_related("checklist")
    for step in steps:
        by_key.setdefault((step.checklist.actor, step.checklist.variant), []).append(step)
    return by_key


def _active_items() -> list[PlanItemTemplate]:
    return list(PlanItemTemplate.objects.filter(is_active=True, plan__is_active=True))


def _apply(
    expected: dict[tuple, dict],
    existing: list[tuple],
    orphan_lookup=None,
) -> SyncResult:
    """Create, archive and restore so that the active tasks are exactly ``expected``.

    ``existing`` rows are (pk, key, archived). ``orphan_lookup`` maps a missing key to the pk of
    an archived task left by a removed membership that the new one should take over.
    """
    result = SyncResult()
    seen = set()
    to_archive, to_restore = [], []
    for pk, key, archived in existing:
        seen.add(key)
        if key in expected and archived:
            to_restore.append(pk)
        elif key not in expected and not archived:
            to_archive.append(pk)
    now = timezone.now()
    missing = [key for key in expected if key not in seen]
    adopted = []
    if orphan_lookup is not None and missing:
        adoptions = orphan_lookup(missing)
        for key, pk in adoptions.items():
            adopted.append(Task(pk=pk, archived=False, archived_at=None, **expected[key]))
        missing = [key for key in missing if key not in adoptions]
    if to_archive:
        result.archived = Task.objects.filter(pk__in=to_archive).update(
            archived=True, archived_at=now
        )
    if to_restore:
        result.restored = Task.objects.filter(pk__in=to_restore).update(
            archived=False, archived_at=None
        )
    if adopted:
        Task.objects.bulk_update(
            adopted, ["archived", "archived_at", "membership"], batch_size=CHUNK
        )
        result.restored += len(adopted)
    if missing:
        # A sync running at the same moment (a manual rollout_sync beside an import's) may
        # create some of them first: the unique constraints keep one, this one skips it.
        Task.objects.bulk_create(
            [Task(**expected[key]) for key in missing], batch_size=CHUNK, ignore_conflicts=True
        )
        result.created = len(missing)
    return result


def _sync_memberships(membership_ids: list[int]) -> SyncResult:
    result = SyncResult()
    steps_by_key = _active_steps()
    for ids in batches(membership_ids, CHUNK):
        memberships = (
            Membership.objects.filter(pk__in=ids, role__in=CHECKLIST_ROLES)
            .only(
                "pk",
                "role",
                "user_id",
                "organization_id",
                "municipality_id",
                "region_id",
                "had_vkm_profile",
            )
            .prefetch_related("classes")
        )
        expected: dict[tuple, dict] = {}
        for m in memberships:
            steps = steps_by_key.get(checklist_key(m), [])
            owner = {
                "membership_id": m.pk,
                "user_id": m.user_id,
                "organization_id": m.organization_id,
                "municipality_id": m.municipality_id,
            }
            if m.role == Role.CLASS_TEACHER:
                for school_class in m.classes.all():
                    for step in steps:
                        expected[step.pk, m.pk, school_class.pk] = {
                            **owner,
                            "step_id": step.pk,
                            "school_class_id": school_class.pk,
                            "class_name": school_class.name,
                        }
            else:
                for step in steps:
                    expected[step.pk, m.pk, None] = {**owner, "step_id": step.pk}
        existing = [
            (pk, (step_id, membership_id, class_id), archived)
            for pk, step_id, membership_id, class_id, archived in Task.objects.filter(
                membership_id__in=ids, step__isnull=False
            ).values_list("pk", "step_id", "membership_id", "school_class_id", "archived")
        ]

        def adopt(missing: list[tuple], expected=expected) -> dict[tuple, int]:
            # Archived tasks of a removed membership of the same person, step, place and class:
            # a role given back gets its ticks back.
            wanted = {}
            for key in missing:
                e = expected[key]
                wanted[
                    (
                        e["step_id"],
                        e["user_id"],
                        e["organization_id"],
                        e["municipality_id"],
                        e.get("school_class_id"),
                    )
                ] = key
            rows = Task.objects.filter(
                membership__isnull=True,
                archived=True,
                step__isnull=False,
                user_id__in={e["user_id"] for e in (expected[k] for k in missing)},
            ).values_list(
                "pk", "step_id", "user_id", "organization_id", "municipality_id", "school_class_id"
            )
            found = {}
            for pk, *identity in rows:
                key = wanted.get(tuple(identity))
                if key is not None and key not in found:
                    found[key] = pk
            return found

        result += _apply(expected, existing, adopt)
    return result


def _sync_organizations(organization_ids, items=None, item_ids=None) -> SyncResult:
    """``item_ids``: look only at these items (a template changed), else at every item;
    ``organization_ids`` of None: every organisation."""
    items = _active_items() if items is None else items
    return SyncResult(*plan_sync.sync_organization_items(items, organization_ids, item_ids))


def _sync_municipalities(municipality_ids, items=None, item_ids=None) -> SyncResult:
    items = _active_items() if items is None else items
    return SyncResult(*plan_sync.sync_municipality_items(items, municipality_ids, item_ids))


def organization_tasks_ensure(*, organization_ids: Iterable[int]) -> int:
    """Create the missing item tasks of these organisations (their page, or their admin's and
    head's «Мои шаги», is being opened, and its rows link to the tasks). Figures do not change:
    the matrix already counts a missing task as «не начато»."""
    ids = _ids(organization_ids)
    if not ids:
        return 0
    with transaction.atomic():
        return plan_sync.create_organization_items(_active_items(), ids)


def _ids(values) -> list[int]:
    if isinstance(values, QuerySet):
        return list(values.values_list("pk", flat=True))
    return sorted({int(v) for v in values})


@_sync_transaction
def tasks_sync_for_memberships(*, membership_ids) -> SyncResult:
    """Steps of the given memberships (per class for class teachers)."""
    return _sync_memberships(_ids(membership_ids))


@_sync_transaction
def tasks_sync_for_organizations(*, organization_ids) -> SyncResult:
    """Plan items of the given organisations (the items of their type)."""
    return _sync_organizations(_ids(organization_ids))


@_sync_transaction
def tasks_sync_for_municipalities(*, municipality_ids) -> SyncResult:
    """District-level (УО) plan items of the given municipalities."""
    return _sync_municipalities(_ids(municipality_ids))


@_sync_transaction
def tasks_sync_for_roles(*, roles: Iterable[str]) -> SyncResult:
    """After a checklist template changed: the steps of everyone holding these roles."""
    return _sync_memberships(_ids(Membership.objects.filter(role__in=list(roles))))


@_sync_transaction
def tasks_sync_for_plans(*, item_ids: Iterable[int] | None = None) -> SyncResult:
    """After a plan template changed: its items (or every item) for every organisation and
    municipality."""
    return _sync_plans(item_ids)


def _sync_plans(item_ids: Iterable[int] | None = None) -> SyncResult:
    items = _active_items()
    only = None if item_ids is None else set(item_ids)
    result = _sync_organizations(None, items, only)
    result += _sync_municipalities(None, items, only)
    return result


@_sync_transaction
def tasks_sync_all() -> SyncResult:
    """Every task the registry and the templates imply; safe to run any number of times."""
    result = _sync_memberships(_ids(Membership.objects.filter(role__in=CHECKLIST_ROLES)))
    result += _sync_plans()
    return result


# --- status changes --------------------------------------------------------------------------


@dataclass(frozen=True)
class EvidenceInput:
    """What the status form collected; empty fields mean "nothing new"."""

    order_number: str = ""
    order_date: datetime.date | None = None
    appointed_responsible: str = ""
    appointed_admin: str = ""
    staff_acquainted: bool = False
    file: object = None

    @property
    def is_empty(self) -> bool:
        return not (
            self.order_number
            or self.order_date
            or self.appointed_responsible
            or self.appointed_admin
            or self.staff_acquainted
            or self.file
        )


def _evidence_errors(kind: str, evidence: EvidenceInput) -> dict[str, str]:
    """Field errors of a new order evidence that is incomplete."""
    errors = {}
    if kind in (EvidenceKind.ORDER, EvidenceKind.ORDER_APPOINTMENT):
        if not evidence.order_number:
            errors["order_number"] = "Укажите номер приказа."
        if not evidence.order_date:
            errors["order_date"] = "Укажите дату приказа."
        if kind == EvidenceKind.ORDER_APPOINTMENT and not evidence.appointed_responsible:
            errors["appointed_responsible"] = "Укажите, кто назначен ответственным."
    return errors


def _with_previous_order(task: Task, kind: str, evidence: EvidenceInput) -> EvidenceInput:
    """The signed scan of an order (1.5) uploaded alone keeps the order's number, date and
    people from the task's newest evidence, so that the newest evidence stays complete."""
    if kind != EvidenceKind.ORDER_APPOINTMENT or not evidence.file:
        return evidence
    if not replace(evidence, file=None).is_empty:
        return evidence
    previous = task.evidence_items.exclude(order_number="").first()
    if previous is None:
        return evidence
    return replace(
        evidence,
        order_number=previous.order_number,
        order_date=previous.order_date,
        appointed_responsible=previous.appointed_responsible,
        appointed_admin=previous.appointed_admin,
        staff_acquainted=previous.staff_acquainted,
    )


def district_contacts_published(municipality_id: int, kind: str) -> bool:
    contacts = DistrictContacts.objects.filter(municipality_id=municipality_id).first()
    if contacts is None:
        return False
    if kind == EvidenceKind.DISTRICT_CONTACTS:
        return bool(contacts.contacts.strip())
    return bool(contacts.consultation_hours.strip())


def _has_evidence(task: Task, kind: str) -> bool:
    if kind in (EvidenceKind.DISTRICT_CONTACTS, EvidenceKind.CONSULTATION_HOURS):
        return task.municipality_id is not None and district_contacts_published(
            task.municipality_id, kind
        )
    return task.evidence_items.exists()


_MISSING_EVIDENCE = {
    EvidenceKind.ORDER: "Чтобы отметить выполнение, укажите номер и дату приказа.",
    EvidenceKind.ORDER_APPOINTMENT: (
        "Чтобы отметить выполнение, укажите номер и дату приказа и назначенных."
    ),
    EvidenceKind.LOCAL_ACT: "Чтобы отметить выполнение, приложите файл локального акта.",
    EvidenceKind.DISTRICT_CONTACTS: (
        "Сначала опубликуйте контакты районных администраторов на странице «Контакты района»."
    ),
    EvidenceKind.CONSULTATION_HOURS: (
        "Сначала опубликуйте часы консультаций на странице «Контакты района»."
    ),
}


@transaction.atomic
def task_status_change(
    *,
    task: Task,
    user,
    status: str,
    comment: str = "",
    reason: str = "",
    evidence: EvidenceInput | None = None,
) -> StatusChange:
    """Change a task's status (or only its comment / evidence) and record the change.

    Permission is the caller's business (rollout.permissions); the rules of the data are checked
    here and raise ValidationError with Russian messages, keyed by form field where there is one.
    """
    task = (
        Task.objects.select_for_update(of=("self",))
        .select_related("step", "plan_item")
        .get(pk=task.pk)
    )
    evidence = evidence or EvidenceInput()
    comment, reason = comment.strip(), reason.strip()
    if task.is_measured:
        raise ValidationError("Пункт отмечается автоматически по данным мониторинга.")
    if task.archived:
        raise ValidationError("Задача в архиве и не меняется.")
    if status not in Status.values:
        raise ValidationError({"status": "Неизвестный статус."})
    if status == Status.NOT_REQUIRED and not reason:
        raise ValidationError({"reason": "Укажите, почему шаг не требуется."})
    kind = task.evidence_kind
    evidence = _with_previous_order(task, kind, evidence)
    errors = {} if evidence.is_empty else _evidence_errors(kind, evidence)
    if errors:
        raise ValidationError(errors)
    checked = None
    if evidence.file:
        if kind not in FILE_EVIDENCE:
            raise ValidationError({"file": "К этому шагу файл не прикладывается."})
        try:
            checked = evidence_file_check(evidence.file)
        except EvidenceFileError as exc:
            raise ValidationError({"file": str(exc)}) from exc
    if (
        status == Status.DONE
        and kind in EVIDENCE_REQUIRED_FOR_DONE
        and evidence.is_empty
        and not _has_evidence(task, kind)
    ):
        field = {
            EvidenceKind.ORDER: "order_number",
            EvidenceKind.ORDER_APPOINTMENT: "order_number",
            EvidenceKind.LOCAL_ACT: "file",
        }.get(kind)
        message = _MISSING_EVIDENCE[kind]
        raise ValidationError({field: message} if field else message)
    if (
        status == task.status
        and comment == task.comment
        and evidence.is_empty
        and (reason == task.reason or status != Status.NOT_REQUIRED)
    ):
        raise ValidationError("Ничего не изменилось.")

    saved_evidence = None
    if not evidence.is_empty:
        saved_evidence = Evidence(
            task=task,
            kind=kind,
            order_number=evidence.order_number.strip(),
            order_date=evidence.order_date,
            appointed_responsible=evidence.appointed_responsible.strip(),
            appointed_admin=evidence.appointed_admin.strip(),
            staff_acquainted=evidence.staff_acquainted,
            created_by=user,
        )
        if checked is not None:
            saved_evidence.original_name = checked.name
            saved_evidence.size = checked.size
            saved_evidence.content_kind = checked.kind
            saved_evidence.sha256 = checked.sha256
            saved_evidence.file.save(checked.name, evidence.file, save=False)
    try:
        if saved_evidence is not None:
            saved_evidence.save()
        now = timezone.now()
        change = StatusChange.objects.create(
            task=task,
            changed_by=user,
            changed_at=now,
            old_status=task.status,
            new_status=status,
            comment=comment,
            reason=reason if status == Status.NOT_REQUIRED else "",
            evidence=saved_evidence,
        )
        task.status = status
        task.comment = comment
        task.reason = reason if status == Status.NOT_REQUIRED else ""
        task.changed_by = user
        task.changed_at = now
        task.save(update_fields=["status", "comment", "reason", "changed_by", "changed_at"])
        data_changed(municipality_data(task.municipality_id or task.organization.municipality_id))
    except Exception:
        # The row that would point at the stored file is not written: do not leave the file.
        if saved_evidence is not None and saved_evidence.file:
            saved_evidence.file.storage.delete(saved_evidence.file.name)
        raise
    return change


@dataclass
class BulkDone:
    """What ``tasks_mark_done`` did with each task it was given."""

    done: list[Task]
    needs_evidence: list[Task]
    already_closed: list[Task]
    failed: list[tuple[Task, str]]


def tasks_mark_done(*, tasks: Iterable[Task], user) -> BulkDone:
    """Mark several tasks done at once («Мои шаги»), each on its own (``task_status_change``
    runs in its own transaction), keeping each task's comment. A task whose evidence is required
    for done is left for its own page; a closed one is left as it is.

    Permission is the caller's business (rollout.permissions), as for ``task_status_change``.
    """
    result = BulkDone([], [], [], [])
    for task in tasks:
        if task.evidence_kind in EVIDENCE_REQUIRED_FOR_DONE:
            result.needs_evidence.append(task)
        elif task.is_closed:
            result.already_closed.append(task)
        else:
            try:
                task_status_change(task=task, user=user, status=Status.DONE, comment=task.comment)
            except ValidationError as exc:
                result.failed.append((task, " ".join(exc.messages)))
            else:
                result.done.append(task)
    return result


# --- district contacts -----------------------------------------------------------------------

CONTACT_STEP_COMMENTS = {
    EvidenceKind.DISTRICT_CONTACTS: "Контакты районных администраторов опубликованы на портале.",
    EvidenceKind.CONSULTATION_HOURS: "Часы консультаций опубликованы на портале.",
}


@transaction.atomic
def district_contacts_publish(
    *, municipality: Municipality, user, contacts: str, consultation_hours: str
) -> DistrictContacts:
    """Publish what every organisation of the district sees, and close the publishing person's
    own steps that ask for it (steps 1 and 4 of the district lead)."""
    record, _ = DistrictContacts.objects.update_or_create(
        municipality=municipality,
        defaults={
            "contacts": contacts.strip(),
            "consultation_hours": consultation_hours.strip(),
            "updated_by": user,
        },
    )
    published = {
        EvidenceKind.DISTRICT_CONTACTS: bool(record.contacts),
        EvidenceKind.CONSULTATION_HOURS: bool(record.consultation_hours),
    }
    own_steps = (
        Task.objects.filter(
            user=user,
            municipality=municipality,
            membership__isnull=False,
            archived=False,
            step__evidence__in=list(CONTACT_STEP_COMMENTS),
        )
        .exclude(status=Status.DONE)
        .select_related("step")
    )
    for task in own_steps:
        if published[task.step.evidence]:
            task_status_change(
                task=task,
                user=user,
                status=Status.DONE,
                comment=CONTACT_STEP_COMMENTS[task.step.evidence],
            )
    return record
