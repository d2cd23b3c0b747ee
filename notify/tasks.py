"""Celery tasks of the outbox: ``outbox_send_task`` sends what is due (queued after each
enqueue's commit and every minute by beat, which also picks up retries)."""

import time

from celery import shared_task

from . import outbox

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
