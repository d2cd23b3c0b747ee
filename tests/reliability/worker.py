"""A Celery worker for the fault tests: ``python -m tests.reliability.worker <worker options>``.

It is the portal's worker with one difference: every task it sends (an import's follow-ups, the
weekly recompute and the rollout sync) goes to the tests' own queue, which only these workers
consume, so nothing of a fault test is left for the suite's shared worker to run after the
test's data is gone.

With ``PAUSE_BEFORE_SNAPSHOTS`` (seconds) in its environment, an import waits that long with the
registry written and the snapshots not yet, where a test kills the worker.
"""

import os
import sys
import time
from pathlib import Path

QUEUE = "reliability"
PAUSE_BEFORE_SNAPSHOTS = "SFERUM_TEST_PAUSE_BEFORE_SNAPSHOTS"


def pause_before_snapshots(seconds: float) -> None:
    """Wrap the store's upsert so that writing the snapshots waits ``seconds`` first: the
    store's "Записываем" progress note is out and the registry is written by then. Patched
    before the pool forks, so prefork processes inherit it."""
    from monitoring.importers import store
    from monitoring.models import Snapshot

    upsert = store.upsert

    def paused_upsert(model, *args, **kwargs):
        if model is Snapshot:
            time.sleep(seconds)
        return upsert(model, *args, **kwargs)

    store.upsert = paused_upsert


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
    import django

    from sferum_portal.celery import app

    django.setup()
    if os.environ.get(PAUSE_BEFORE_SNAPSHOTS):
        pause_before_snapshots(float(os.environ[PAUSE_BEFORE_SNAPSHOTS]))
    app.conf.task_routes = {"*": {"queue": QUEUE}}
    app.worker_main(["worker", "-Q", QUEUE, *sys.argv[1:]])
