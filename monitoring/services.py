"""The life of a statistics upload: receive a file, check it (the preview), confirm it, write it.

    upload_receive  → DUPLICATE (same sha256 already imported) | CHECKING | PREVIEW | REJECTED
    upload_check    → PREVIEW (may be confirmed) | REJECTED (file-level errors; a hostile file,
                      which the one inspection refuses and which is not kept)
    upload_confirm  → QUEUED, then upload_process → RUNNING → DONE | REJECTED | FAILED

Small files are checked in the request; larger ones, and every write, go through Celery tasks
that take the upload's id, claim it with a conditional UPDATE and are safe to run twice. The
write is one transaction: a file goes in whole (or, when the person chose "загрузить только
корректные строки", every valid row) or not at all.
"""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.core.files.base import File
from django.db import transaction
from django.db.models import Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from organizations.models import Municipality, Organization
from organizations.selectors import Scope, operator_scope, scope_of
from organizations.versions import ALL, data_changed
from sferum_portal.plurals import count_ru

# tasks.py imports this module too: the module, not its names, so either may load first.
from . import tasks
from .importers.parser import ParseResult, parse_workbook
from .importers.problems import ERROR, Problem
from .importers.reader import ReaderError, open_workbook
from .importers.registry import MOVE_LABEL, RegistryPlan, plan_registry
from .importers.safety import UnsafeFile, inspect_workbook_file
from .importers.store import store_plan
from .models import Snapshot, Upload, UploadProblem
from .signals import registry_grown

log = logging.getLogger(__name__)
Status = Upload.Status


class UploadRefused(Exception):
    """A request the upload's state does not allow; ``message`` is for the person."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


@dataclass
class CheckedFile:
    result: ParseResult
    plan: RegistryPlan
    recorded: bool = True  # its problems are the upload's recorded ones (when it has any)

    @property
    def problems(self) -> list[Problem]:
        return [*self.result.problems, *self.plan.problems]

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == ERROR]

    @property
    def file_error(self) -> bool:
        return self.result.file_error


def _progress(upload: Upload, pct: int, note: str) -> None:
    """Progress goes to the cache (readable while the write transaction is open) and, outside
    a transaction, to the row."""
    try:
        cache.set(progress_key(upload.pk), {"progress": pct, "note": note}, timeout=3600)
    except Exception:  # Redis down: the notes are a nicety, the check or write goes on
        log.warning("Progress of upload %s not cached", upload.pk, exc_info=True)
    if not transaction.get_connection().in_atomic_block:
        Upload.objects.filter(pk=upload.pk).update(progress=pct, progress_note=note)


def progress_key(upload_id: int) -> str:
    return f"upload-progress:{upload_id}"


def _scope_for(upload: Upload) -> Scope:
    return scope_of(upload.uploaded_by) if upload.uploaded_by_id else operator_scope()


def _plan(result: ParseResult, scope: Scope, *, move_organizations: bool = False) -> CheckedFile:
    plan = plan_registry(
        result.rows,
        scope=scope,
        file_name=result.file_name,
        columns=result.columns,
        move_organizations=move_organizations,
    )
    return CheckedFile(result, plan)


def _check_file(
    stream, file_name: str, scope: Scope, *, inspect: bool = True, move_organizations=False
) -> CheckedFile:
    """Read, parse and plan a file; ``inspect`` it for hostile content first. Raises
    ReaderError (UnsafeFile included) for a file that cannot be read."""
    if inspect:
        inspect_workbook_file(stream, file_name=file_name)
    with open_workbook(stream, file_name=file_name) as book:
        result = parse_workbook(book.sheets, file_name=file_name)
    return _plan(result, scope, move_organizations=move_organizations)


def _read(upload: Upload, scope: Scope, *, inspect: bool) -> CheckedFile:
    """The upload's stored file checked (the check inspects it; the write after it reads the
    same stored bytes and need not), with the moves its uploader confirmed."""
    with upload.file.open("rb") as handle:
        return _check_file(
            handle,
            upload.file_name,
            scope,
            inspect=inspect,
            move_organizations=upload.move_organizations,
        )


def _record_check(upload: Upload, checked: CheckedFile) -> None:
    """Store the preview: counts, dates, the summary and every located problem."""
    _record_problems(upload, checked)
    apply_check(upload, checked)


def _registry_names(checked: CheckedFile) -> dict[str, str]:
    """Sferum ID (as the problems give it) -> the registry's short name, for the organisations
    the problems name: the plan's known ones, and one query for the IDs of rows the parser
    refused (which the plan never saw)."""
    names = {str(sid): known.short_name for sid, known in checked.plan.known.items()}
    missing = {
        int(p.sferum_id)
        for p in checked.problems
        if p.sferum_id
        and p.sferum_id.isascii()
        and p.sferum_id.isdigit()
        and len(p.sferum_id) < 19  # within a bigint: raw text of any length is no ID to query
        and p.sferum_id not in names
    }
    if missing:
        found = Organization.objects.filter(sferum_id__in=missing).values_list(
            "sferum_id", "short_name"
        )
        names.update((str(sid), name) for sid, name in found)
    return names


def _record_problems(upload: Upload, checked: CheckedFile) -> None:
    upload.problems.all().delete()
    areas = checked.plan.row_areas
    registry = _registry_names(checked)
    problems = []
    for p in checked.problems:
        mo_ids = areas.get((p.sheet, p.row), ()) if p.row is not None else ()
        problems.append(
            UploadProblem(
                upload=upload,
                severity=p.severity,
                code=p.code,
                sheet=p.sheet or "",
                row=p.row,
                column=p.column or "",
                header=(p.header or "")[:300],
                message=p.message,
                sferum_id=p.sferum_id or "",
                organization_name=p.organization or "",
                registry_name=registry.get(p.sferum_id, "") if p.sferum_id else "",
                municipality_id=mo_ids[0] if mo_ids else None,
                municipality_in_file_id=mo_ids[1] if len(mo_ids) > 1 else None,
            )
        )
    UploadProblem.objects.bulk_create(problems, batch_size=2000)


def _dates_without_staff_activity(result: ParseResult) -> list[str]:
    """Dates of the file's rows that no sheet with an active-staff column covers: their staff
    activity will be "no data", which the preview says before the person confirms."""
    lacking = {sheet for sheet in result.sheets if (sheet, "staff_active") not in result.columns}
    if not lacking or not result.rows:
        return []
    if len(lacking) == len(result.sheets):
        dates = result.dates
    else:
        covered = {row.date for row in result.rows if row.sheet not in lacking}
        dates = sorted({row.date for row in result.rows if row.sheet in lacking} - covered)
    return [f"{day:%d.%m.%Y}" for day in dates]


def apply_check(upload: Upload, checked: CheckedFile) -> None:
    """Copy a check's figures onto the upload (not saved)."""
    problems = checked.problems
    result, plan = checked.result, checked.plan
    upload.dates = [d.isoformat() for d in result.dates]
    upload.rows_total = len(result.rows) + len(result.rejected_rows)
    upload.errors_count = sum(1 for p in problems if p.severity == ERROR)
    upload.warnings_count = len(problems) - upload.errors_count
    upload.rows_out_of_scope = len(plan.out_of_scope)
    summary = plan.summary()
    # Rows the parser refused are placed in no МО: only who sees every region of the file
    # sees them (monitoring.selectors.upload_view).
    summary["areas"]["unplaced"] = len(result.rejected_rows)
    upload.summary = {
        **summary,
        "sheets": result.sheets,
        "unknown_columns": result.unknown_columns,
        "rows_rejected": len(result.rejected_rows),
        "rows_valid": len(plan.rows),
        "staff_activity_missing": _dates_without_staff_activity(result),
    }


def upload_receive(
    *, uploaded_file, user=None, skip_invalid: bool = False, inline: bool = False
) -> Upload:
    """Save an uploaded file and check it now (small files, or ``inline``) or in a task."""
    digest = hashlib.sha256()
    for chunk in uploaded_file.chunks():
        digest.update(chunk)
    uploaded_file.seek(0)
    upload = Upload(
        uploaded_by=user,
        file_name=uploaded_file.name[:255],
        file_size=uploaded_file.size,
        sha256=digest.hexdigest(),
        skip_invalid=skip_invalid,
        created_at=timezone.now(),
    )
    upload.file.save(upload.file_name, File(uploaded_file), save=False)
    earlier = Upload.objects.filter(sha256=upload.sha256, status=Status.DONE).first()
    if earlier:
        upload.status = Status.DUPLICATE
        upload.duplicate_of = earlier
        upload.finished_at = timezone.now()
        upload.dates = earlier.dates
        upload.save()
        return upload
    upload.status = Status.CHECKING
    upload.save()
    if inline or upload.file_size <= settings.STATS_UPLOAD_INLINE_MAX_BYTES:
        checked = upload_check(upload_id=upload.pk)
        upload.refresh_from_db()
        # Kept on the instance so that an inline confirm in this process need not re-read.
        upload.checked = checked
    else:
        transaction.on_commit(lambda: tasks.upload_check_task.delay(upload.pk))
    return upload


def upload_check(*, upload_id: int) -> CheckedFile | None:
    """Build the preview of an upload in CHECKING state (safe to run twice)."""
    upload = Upload.objects.filter(pk=upload_id, status=Status.CHECKING).first()
    if upload is None:
        return None
    _progress(upload, 10, "Читаем файл")
    try:
        checked = _read(upload, _scope_for(upload), inspect=True)
    except UnsafeFile as exc:
        upload.file.delete(save=False)  # a hostile file is not kept
        _finish(upload, Status.REJECTED, error_message=exc.message, file="")
        return None
    except ReaderError as exc:
        _finish(upload, Status.REJECTED, error_message=exc.message)
        return None
    except Exception as exc:
        log.exception("Checking upload %s failed", upload_id)
        _finish(upload, Status.FAILED, error_message=f"Сбой при проверке файла: {exc}")
        return None
    _record_check(upload, checked)
    upload.status = Status.REJECTED if checked.file_error else Status.PREVIEW
    upload.progress, upload.progress_note = 100, "Проверка завершена"
    if checked.file_error:
        upload.finished_at = timezone.now()
    upload.save()
    return checked


def upload_check_dry(
    *, uploaded_file, file_name: str, user=None, move_organizations: bool = False
) -> tuple[Upload, CheckedFile]:
    """Check a file without keeping anything: an unsaved Upload with the preview's figures."""
    upload = Upload(uploaded_by=user, file_name=file_name, status=Status.PREVIEW)
    scope = scope_of(user) if user else operator_scope()
    try:
        checked = _check_file(
            uploaded_file, file_name, scope, move_organizations=move_organizations
        )
    except ReaderError as exc:  # UnsafeFile included
        upload.status, upload.error_message = Status.REJECTED, exc.message
        return upload, CheckedFile(ParseResult(file_name), RegistryPlan())
    apply_check(upload, checked)
    if checked.file_error:
        upload.status = Status.REJECTED
    return upload, checked


def confirm_blocked(upload: Upload, *, skip_invalid: bool, move_organizations: bool) -> str:
    """Why the preview may not be confirmed so ("" when it may). A row that moves an
    organisation to another МО is an error unless the move is confirmed: without the move and
    without "skip invalid" the file is refused, so that no row is left out unasked."""
    move_rows = (upload.summary or {}).get("move_rows", 0)
    errors = upload.errors_count - (move_rows if move_organizations else 0)
    if not errors or skip_invalid:
        return ""
    if move_rows and not move_organizations:
        return (
            f"В файле {count_ru(move_rows, 'строка', 'строки', 'строк')}, где ОО указана "
            "в другом МО, чем в реестре: отметьте "
            f"«{MOVE_LABEL}», чтобы перенести эти ОО, или «загрузить только корректные строки», "
            "чтобы пропустить эти строки."
        )
    return (
        f"В файле {count_ru(errors, 'ошибка', 'ошибки', 'ошибок')}: исправьте файл или отметьте "
        "«загрузить только корректные строки»."
    )


def upload_confirm(
    *, upload: Upload, skip_invalid: bool, move_organizations: bool = False, inline: bool = False
) -> Upload:
    """The person confirmed the preview: queue the write (or run it now, ``inline``).
    ``move_organizations``: move the organisations the preview proposes to move."""
    if upload.status != Status.PREVIEW:
        raise UploadRefused(f"Загрузка в состоянии «{upload.get_status_display()}».")
    refused = confirm_blocked(
        upload, skip_invalid=skip_invalid, move_organizations=move_organizations
    )
    if refused:
        raise UploadRefused(refused)
    move_organizations = move_organizations and bool((upload.summary or {}).get("move_rows"))
    claimed = Upload.objects.filter(pk=upload.pk, status=Status.PREVIEW).update(
        status=Status.QUEUED,
        queued_at=timezone.now(),
        skip_invalid=skip_invalid,
        move_organizations=move_organizations,
        progress=0,
        progress_note="В очереди",
    )
    if not claimed:
        raise UploadRefused("Загрузка уже подтверждена.")
    if inline:
        checked = getattr(upload, "checked", None)
        if checked is not None and move_organizations:
            checked = _plan(checked.result, _scope_for(upload), move_organizations=True)
            # A new plan: its problems (moves done, not proposed) are recorded by the write.
            checked.recorded = False
        upload_process(upload_id=upload.pk, checked=checked)
    else:
        transaction.on_commit(lambda: _queue_process(upload.pk))
    upload.refresh_from_db()
    return upload


def _queue_process(upload_id: int) -> None:
    try:
        tasks.upload_process_task.delay(upload_id)
    except Exception:
        # The broker is down: give the preview back rather than leave it "queued" with no task
        # behind it; the person sees the 503 page and confirms again later.
        Upload.objects.filter(pk=upload_id, status=Status.QUEUED).update(
            status=Status.PREVIEW, progress_note=""
        )
        raise


def upload_cancel(*, upload: Upload) -> None:
    Upload.objects.filter(pk=upload.pk, status__in=[Status.PREVIEW, Status.CHECKING]).update(
        status=Status.CANCELLED, finished_at=timezone.now()
    )


def _finish(upload: Upload, status: str, **fields) -> None:
    Upload.objects.filter(pk=upload.pk).update(
        status=status, finished_at=timezone.now(), progress=100, **fields
    )


def upload_process(*, upload_id: int, checked: CheckedFile | None = None) -> None:
    """Write a confirmed upload. Claims QUEUED (or a RUNNING one whose worker died: the write
    is one transaction, so nothing of it was kept) and finishes DONE, REJECTED or FAILED.
    ``checked`` is the check this process just made of the same upload, if any."""
    claimed = Upload.objects.filter(
        pk=upload_id,
        status__in=[Status.QUEUED, Status.RUNNING],
        # A redelivered task keeps the first start, so the reaper still bounds a file that kills
        # its worker every time.
    ).update(status=Status.RUNNING, started_at=Coalesce("started_at", Value(timezone.now())))
    if not claimed:
        return
    upload = Upload.objects.get(pk=upload_id)
    # The check this process just made recorded its problems already; a fresh read records
    # them anew (the registry may have changed since the preview).
    problems_recorded = checked is not None and checked.recorded
    try:
        if checked is None:
            _progress(upload, 10, "Читаем файл")
            # Inspected by the check: an upload is confirmed only from its preview.
            checked = _read(upload, _scope_for(upload), inspect=False)
        if checked.file_error or (checked.errors and not upload.skip_invalid):
            _record_check(upload, checked)
            upload.save()
            _finish(upload, Status.REJECTED, error_message="Файл содержит ошибки.")
            return
        _write(upload, checked, problems_recorded=problems_recorded)
    except ReaderError as exc:
        _finish(upload, Status.REJECTED, error_message=exc.message)
    except Exception as exc:
        log.exception("Writing upload %s failed", upload_id)
        _finish(upload, Status.FAILED, error_message=f"Сбой при записи: {exc}")
        raise


def _write(upload: Upload, checked: CheckedFile, *, problems_recorded: bool) -> None:
    with transaction.atomic():
        # Two workers on the same upload: the second waits here, then finds it finished.
        locked = Upload.objects.select_for_update().get(pk=upload.pk)
        if locked.status != Status.RUNNING:
            return
        _progress(upload, 30, "Обновляем реестр")
        outcome = store_plan(
            checked.plan, upload=upload, progress=lambda pct, note: _progress(upload, pct, note)
        )
        if problems_recorded:
            apply_check(locked, checked)
        else:
            _record_check(locked, checked)
        locked.status = Status.DONE
        locked.finished_at = timezone.now()
        locked.progress, locked.progress_note = 100, "Готово"
        locked.rows_written = outcome.written
        locked.rows_unchanged = outcome.unchanged
        locked.rows_skipped = len(checked.result.rejected_rows) + len(
            [p for p in checked.plan.problems if p.severity == ERROR]
        )
        locked.organizations_created = outcome.organizations_created
        locked.organizations_renamed = outcome.organizations_renamed
        locked.municipalities_created = outcome.municipalities_created
        locked.save()
        locked.municipalities.set(outcome.municipality_ids)
        # Last before the commit: writers of the figures wait for this lock only meanwhile.
        data_changed(ALL)
        if outcome.created_organization_ids or outcome.created_municipality_ids:
            created = {
                "organization_ids": outcome.created_organization_ids,
                "municipality_ids": outcome.created_municipality_ids,
            }
            # robust: once the write commits, a receiver whose follow-up cannot be queued (the
            # broker is down) is logged, and the upload stays DONE: its data is in.
            transaction.on_commit(
                lambda: registry_grown.send(sender=Upload, **created), robust=True
            )
        changed_dates = set(outcome.dates)
        if outcome.moved_organization_ids:
            # A moved organisation leaves its old МО's figures of every week it had data.
            changed_dates |= set(
                Snapshot.objects.filter(organization_id__in=outcome.moved_organization_ids)
                .values_list("date", flat=True)
                .distinct()
            )
        if changed_dates:
            dates = sorted(d.isoformat() for d in changed_dates)
            regions = sorted(
                set(
                    Municipality.objects.filter(
                        pk__in=outcome.municipality_ids | outcome.moved_from_municipality_ids
                    ).values_list("region_id", flat=True)
                )
            )
            transaction.on_commit(
                lambda: tasks.weekly_recompute_task.delay(dates=dates, region_ids=regions),
                robust=True,
            )


def uploads_reap_stale(*, now=None) -> int:
    """Mark uploads whose worker vanished as failed, so none stays "running" forever (a write
    is one transaction, so a vanished worker left nothing half-written), and queue again the
    confirmed uploads whose task the broker lost (it would have handed it out by now). Returns
    how many uploads were failed or queued again."""
    now = now or timezone.now()
    limit = timezone.timedelta(seconds=settings.CELERY_TASK_TIME_LIMIT + 300)
    stale = Upload.objects.filter(
        status__in=[Status.RUNNING, Status.CHECKING],
        created_at__lt=now - limit,
    ).exclude(started_at__gte=now - limit)
    failed = stale.update(
        status=Status.FAILED,
        finished_at=now,
        error_message="Обработка прервалась (сбой обработчика). Загрузите файл ещё раз.",
    )
    lost_before = now - timezone.timedelta(
        seconds=settings.CELERY_BROKER_TRANSPORT_OPTIONS["visibility_timeout"] + 300
    )
    lost = Upload.objects.filter(status=Status.QUEUED, queued_at__lt=lost_before)
    requeued = 0
    for upload_id in lost.values_list("pk", flat=True):
        # Claimed by moving queued_at on, under the same condition: two reapers queue it once;
        # a task that was only late finds the upload claimed by itself and does nothing.
        if lost.filter(pk=upload_id).update(queued_at=now):
            transaction.on_commit(lambda pk=upload_id: _queue_process(pk), robust=True)
            requeued += 1
    return failed + requeued
