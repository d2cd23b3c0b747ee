"""A second (third…) real process for the reliability tests: ``python -m tests.reliability.driver
'<json>'`` sets Django up on the DATABASE_URL it is given, waits for a start flag, does one
thing the way the portal does it, and prints a JSON line with the outcome.

Actions:
  {"action": "import", "file": path}             upload_receive + upload_confirm, inline (as
                                                  ``manage.py import_sferum_stats`` does)
  {"action": "recompute", "mondays": [iso, ...]}  weekly_values_compute_weeks
  {"action": "sync"}                              rollout's tasks_sync_all (``rollout_sync``)
  {"action": "renew", "names": [a, b], "dir": path, "name": str}
                                                  in one transaction: renew data version a,
                                                  touch ``<name>.first``, wait for
                                                  ``<name>.go``, renew b (a writer that saves a
                                                  class, then an organisation)

Options:
  "start_flag": path   connect first, then wait until this file exists (processes that share a
                       flag start within a few milliseconds of each other)
  "hold": {"dir": path, "name": str}
                       do the work inside an outer transaction, touch ``<name>.written`` when
                       it is done, and commit only once ``<name>.commit`` exists: "this write is
                       slow to commit", so another process can be made to run into it.
"""

from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path

WAIT_LIMIT = 120


def wait_for(path: Path, limit: float = WAIT_LIMIT) -> None:
    deadline = time.monotonic() + limit
    while not path.exists():
        if time.monotonic() > deadline:
            raise TimeoutError(f"{path} did not appear within {limit} s")
        time.sleep(0.005)


def do_import(spec: dict) -> dict:
    from django.core.files.uploadedfile import SimpleUploadedFile

    from monitoring import services
    from monitoring.models import Upload

    path = Path(spec["file"])
    upload = services.upload_receive(
        uploaded_file=SimpleUploadedFile(path.name, path.read_bytes()), inline=True
    )
    try:
        if upload.status == Upload.Status.PREVIEW:
            services.upload_confirm(upload=upload, skip_invalid=False, inline=True)
        error = ""
    except Exception as exc:  # upload_process marked it FAILED; report, do not crash
        error = f"{exc.__class__.__name__}: {exc}"
    upload.refresh_from_db()
    return {
        "upload": upload.pk,
        "status": upload.status,
        "error": error or upload.error_message,
        "organizations_created": upload.organizations_created,
        "municipalities_created": upload.municipalities_created,
        "rows_written": upload.rows_written,
    }


def do_recompute(spec: dict) -> dict:
    import datetime as dt

    from monitoring import weekly

    mondays = [dt.date.fromisoformat(m) for m in spec["mondays"]]
    weekly.weekly_values_compute_weeks(mondays=mondays, region_ids=spec.get("region_ids"))
    return {"mondays": spec["mondays"]}


def do_sync(spec: dict) -> dict:
    from rollout.services import tasks_sync_all

    result = tasks_sync_all()
    return {"created": result.created, "archived": result.archived}


def do_renew(spec: dict) -> dict:
    from django.db import transaction

    from organizations.versions import data_changed

    folder, name = Path(spec["dir"]), spec["name"]
    first, then = spec["names"]
    with transaction.atomic():
        data_changed(first)
        (folder / f"{name}.first").touch()
        wait_for(folder / f"{name}.go")
        data_changed(then)
    return {"renewed": spec["names"]}


def main(spec: dict) -> dict:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sferum_portal.settings")
    import django

    django.setup()
    from django.db import connection, transaction

    connection.ensure_connection()
    if spec.get("start_flag"):
        wait_for(Path(spec["start_flag"]))
    actions = {"import": do_import, "recompute": do_recompute, "sync": do_sync, "renew": do_renew}
    act = actions[spec["action"]]
    hold = spec.get("hold")
    if not hold:
        return act(spec)
    folder = Path(hold["dir"])
    with transaction.atomic():
        result = act(spec)
        (folder / f"{hold['name']}.written").touch()
        wait_for(folder / f"{hold['name']}.commit")
    return result


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
    outcome = main(json.loads(sys.argv[1]))
    print(json.dumps(outcome, ensure_ascii=False), flush=True)
