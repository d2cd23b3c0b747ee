"""Receivers of the signals the lower apps send, connected in ``NotifyConfig.ready()``: after the
Monday recompute of some regions (``monitoring.signals.week_computed``), their weekly digests
are built and queued by a Celery task once the computation has committed."""

from functools import partial

from django.db import transaction

from monitoring.signals import week_computed


def week_computed_received(sender, *, region_ids, monday, **kwargs) -> None:
    from .tasks import digests_build_task

    transaction.on_commit(
        partial(digests_build_task.delay, list(region_ids), monday.isoformat()), robust=True
    )


def connect() -> None:
    week_computed.connect(week_computed_received, dispatch_uid="notify_week_computed")
