"""Celery tasks of the outbox: ``outbox_send_task`` sends what is due (queued after each
enqueue's commit and every minute by beat, which also picks up retries); ``digests_build_task``
builds and queues a week's digests of some regions (after their Monday recompute)."""

import datetime as dt
import time

from celery import shared_task

from . import digests, outbox

# A run stops taking new batches after this long; beat's next minute goes on.
RUN_SECONDS = 50


@shared_task(name="notify.outbox_send", ignore_result=True)
def outbox_send_task() -> dict:
    start, total = time.monotonic(), outbox.Delivery()
    while time.monotonic() - start < RUN_SECONDS:
        result = outbox.deliver_due()
        if not result.handled:
            break
        total.sent += result.sent
        total.retry += result.retry
        total.failed += result.failed
    return {"sent": total.sent, "retry": total.retry, "failed": total.failed}


@shared_task(name="notify.reminders_daily", ignore_result=True)
def reminders_daily_task() -> dict:
    """The day's reminders of overdue plan items (notify.reminders), queued in the outbox."""
    from .reminders import reminders_build

    run = reminders_build()
    return {"people": run.people, "reminders": run.reminders, "queued": run.queued}


@shared_task(name="notify.digests_build", acks_late=True, ignore_result=True)
def digests_build_task(region_ids: list[int], monday: str) -> int:
    """Build and queue the regions' digests for the week of ``monday`` (after the Monday
    recompute). Safe to run twice: the outbox keeps one message per person, week and channel."""
    week = dt.date.fromisoformat(monday)
    drafts = [d.draft for d in digests.build_digests(week=week, region_ids=region_ids)]
    return outbox.enqueue_many(drafts)
