"""A Celery worker for the fault tests: ``python -m tests.reliability.worker <worker options>``.

It is the portal's worker with one difference: every task it sends (an import's follow-ups, the
weekly recompute and the rollout sync) goes to the tests' own queue, which only these workers
consume, so nothing of a fault test is left for the suite's shared worker to run after the
test's data is gone.
"""

import sys
from pathlib import Path

QUEUE = "reliability"

if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
    from sferum_portal.celery import app

    app.conf.task_routes = {"*": {"queue": QUEUE}}
    app.worker_main(["worker", "-Q", QUEUE, *sys.argv[1:]])
