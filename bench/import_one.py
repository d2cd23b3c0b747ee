"""One measured import in its own process (so peak memory is its own); prints a JSON line.

python -m bench.import_one service FILE     # the portal's path: receive, check, write
python -m bench.import_one dashboards FILE  # the same to fresh dashboards: + recompute and sync
python -m bench.import_one sync-noop -      # the task sync of everything, when nothing changed
python -m bench.import_one every-page -     # every organisation's item tasks made, then sync-noop
python -m bench.import_one phases FILE      # the same, timed by phase
python -m bench.import_one floor FILE       # calamine + execute_values into a bare table
python -m bench.import_one read-calamine FILE | read-openpyxl FILE
python -m bench.import_one iexport FILE     # django-import-export's default import_data
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

from .common import peak_mb, setup_django


def _no_recompute() -> None:
    """The import alone is measured: the weekly recompute and the checklist sync that follow
    it (Celery tasks in production) are left out."""
    from monitoring import tasks
    from rollout import tasks as rollout_tasks

    tasks.weekly_recompute_task.delay = lambda *args, **kwargs: None
    rollout_tasks.tasks_sync_registry_task.delay = lambda *args, **kwargs: None


def service(path: Path) -> dict:
    from django.core.files.uploadedfile import SimpleUploadedFile

    from monitoring import services

    _no_recompute()
    content = SimpleUploadedFile(path.name, path.read_bytes())
    start = time.perf_counter()
    upload = services.upload_receive(uploaded_file=content, inline=True)
    checked = time.perf_counter()
    services.upload_confirm(upload=upload, skip_invalid=True, inline=True)
    upload.refresh_from_db()
    end = time.perf_counter()
    return {
        "seconds": end - start,
        "check_seconds": checked - start,
        "write_seconds": end - checked,
        "status": upload.status,
        "rows_written": upload.rows_written,
        "rows_total": upload.rows_total,
    }


def _timed(module, name: str, timers: dict, key: str) -> None:
    """Add the time of every call of ``module.name`` to ``timers[key]``."""
    function = getattr(module, name)

    def run(*args, **kwargs):
        start = time.perf_counter()
        try:
            return function(*args, **kwargs)
        finally:
            timers[key] += time.perf_counter() - start

    setattr(module, name, run)


def dashboards(path: Path) -> dict:
    """The import to fresh dashboards: receive, check and write, then the Celery tasks its
    commit queues (the weekly recompute of its weeks and the sync of the checklist tasks of the
    organisations it added), run inline here as the eager worker runs them."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from monitoring import services, weekly
    from rollout import services as rollout_services
    from rollout.models import Task

    timers = {"recompute": 0.0, "sync": 0.0}
    _timed(weekly, "weekly_values_compute_weeks", timers, "recompute")
    _timed(rollout_services, "tasks_sync_for_organizations", timers, "sync")
    _timed(rollout_services, "tasks_sync_for_municipalities", timers, "sync")
    content = SimpleUploadedFile(path.name, path.read_bytes())
    start = time.perf_counter()
    upload = services.upload_receive(uploaded_file=content, inline=True)
    checked = time.perf_counter()
    services.upload_confirm(upload=upload, skip_invalid=True, inline=True)
    end = time.perf_counter()
    upload.refresh_from_db()
    return {
        "seconds": end - start,
        "check_seconds": checked - start,
        "write_seconds": end - checked - timers["recompute"] - timers["sync"],
        "recompute_seconds": timers["recompute"],
        "sync_seconds": timers["sync"],
        "status": upload.status,
        "rows_written": upload.rows_written,
        "tasks": Task.objects.count(),
    }


def sync_noop(_path: Path) -> dict:
    """``rollout_sync`` over a registry whose tasks are all in place: it must change nothing."""
    from rollout.services import tasks_sync_all

    start = time.perf_counter()
    result = tasks_sync_all()
    return {"seconds": time.perf_counter() - start, "changed": result.changed}


def every_page_opened(_path: Path) -> dict:
    """The worst case the lazy tasks leave: every organisation's page has been opened, so every
    item task exists (created here in one statement, as 70,000 first page views would create
    them, 17 at a time); then the sync of everything, which must change nothing."""
    from django.db import connection

    from organizations.models import Organization
    from rollout.models import Task
    from rollout.services import organization_tasks_ensure, tasks_sync_all

    start = time.perf_counter()
    created = organization_tasks_ensure(organization_ids=Organization.objects.all())
    made = time.perf_counter()
    with connection.cursor() as cursor:
        # What autovacuum does after a million rows arrived over the weeks of page views.
        cursor.execute(f"ANALYZE {Task._meta.db_table}")
    analyzed = time.perf_counter()
    result = tasks_sync_all()
    return {
        "create_seconds": made - start,
        "created": created,
        "analyze_seconds": analyzed - made,
        "seconds": time.perf_counter() - analyzed,
        "changed": result.changed,
    }


def phases(path: Path) -> dict:
    from django.db import transaction

    from monitoring.importers.parser import parse_workbook
    from monitoring.importers.reader import open_workbook
    from monitoring.importers.registry import plan_registry
    from monitoring.importers.store import store_plan
    from monitoring.models import Upload
    from organizations.selectors import operator_scope

    upload = Upload.objects.create(file_name=path.name, sha256="bench")
    t0 = time.perf_counter()
    with open_workbook(path, file_name=path.name) as book:
        result = parse_workbook(book.sheets, file_name=path.name)
    t1 = time.perf_counter()
    plan = plan_registry(result.rows, scope=operator_scope(), file_name=path.name)
    t2 = time.perf_counter()
    with transaction.atomic():
        outcome = store_plan(plan, upload=upload)
    t3 = time.perf_counter()
    return {
        "read_parse": t1 - t0,
        "plan": t2 - t1,
        "write": t3 - t2,
        "seconds": t3 - t0,
        "rows_written": outcome.written,
    }


def floor(path: Path) -> dict:
    """The fastest reader plus one bulk INSERT: the lower bound of any import."""
    import python_calamine
    from django.db import connection
    from psycopg2.extras import execute_values

    start = time.perf_counter()
    book = python_calamine.CalamineWorkbook.from_path(str(path))
    rows = book.get_sheet_by_name(book.sheet_names[0]).to_python()
    header_index = next(i for i, row in enumerate(rows[:30]) if "ID организация" in row)
    header = rows[header_index]
    id_col, date_col = header.index("ID организация"), header.index("Дата")
    count_cols = list(range(9, len(header)))
    values = [
        (
            int(row[id_col]),
            row[date_col],
            *[int(row[i]) if row[i] != "" else None for i in count_cols],
        )
        for row in rows[header_index + 1 :]
    ]
    columns = ", ".join(f"c{i} integer" for i in count_cols)
    with connection.cursor() as cursor:
        cursor.execute(f"CREATE TEMP TABLE floor_rows (id bigint, d date, {columns})")
        execute_values(cursor.cursor, "INSERT INTO floor_rows VALUES %s", values, page_size=5000)
    return {"seconds": time.perf_counter() - start, "rows": len(values)}


def read(path: Path, engine: str) -> dict:
    from monitoring.importers.reader import open_workbook

    start = time.perf_counter()
    count = 0
    with open_workbook(path, file_name=path.name, engine=engine) as book:
        for sheet in book.sheets:
            for _ in sheet.rows:
                count += 1
    return {"seconds": time.perf_counter() - start, "rows": count}


def iexport(path: Path) -> dict:
    """What a Django developer would reach for: a ModelResource and import_data."""
    from import_export import fields, resources, widgets
    from import_export.formats.base_formats import XLSX

    from monitoring.models import COUNT_FIELDS, Snapshot, Upload
    from monitoring.models.snapshots import COUNT_LABELS
    from organizations.models import Organization

    upload = Upload.objects.create(file_name=path.name, sha256="bench-iexport")

    class SnapshotResource(resources.ModelResource):
        organization = fields.Field(
            "organization", "ID организация", widgets.ForeignKeyWidget(Organization, "sferum_id")
        )
        date = fields.Field("date", "Дата", widgets.DateWidget())

        class Meta:
            model = Snapshot
            import_id_fields = ("organization", "date")
            fields = ("organization", "date", *COUNT_FIELDS)

        def before_save_instance(self, instance, row, **kwargs):
            instance.upload = upload

    resource = SnapshotResource()
    for name in COUNT_FIELDS:
        resource.fields[name].column_name = COUNT_LABELS[name]
    resource.fields["staff_active"].column_name = "Активные учителя"
    start = time.perf_counter()
    dataset = XLSX().create_dataset(path.read_bytes())
    loaded = time.perf_counter()
    result = resource.import_data(dataset, dry_run=False, raise_errors=False)
    end = time.perf_counter()
    return {
        "seconds": end - start,
        "load_seconds": loaded - start,
        "rows": len(dataset),
        "errors": result.has_errors() or result.has_validation_errors(),
    }


def main() -> None:
    mode, file_name = sys.argv[1], Path(sys.argv[2])
    setup_django()
    runners = {
        "service": service,
        "dashboards": dashboards,
        "sync-noop": sync_noop,
        "every-page": every_page_opened,
        "phases": phases,
        "floor": floor,
        "read-calamine": lambda p: read(p, "calamine"),
        "read-openpyxl": lambda p: read(p, "openpyxl"),
        "iexport": iexport,
    }
    result = runners[mode](file_name)
    result["peak_mb"] = round(peak_mb(), 1)
    print(json.dumps(result, default=str))


if __name__ == "__main__":
    main()
