"""Data versions: tokens that change whenever the data behind a cached figure changes.

    tokens = data_tokens(ALL, municipality_data(municipality.pk))   # part of a cache key
    data_changed(municipality_data(organization.municipality_id))  # in the writer's transaction

Two kinds of names: ``ALL`` for what touches every district (the weekly values, targets,
checklist templates, imports, bulk syncs) and ``municipality_data(pk)`` for one district's
registry and checklist ticks. A token is a random string kept in the database and replaced by
each writer inside its own transaction, so:
- a figure cached under the old tokens is never served once the change has committed, on any
  process or server, whatever cache backend holds the figures;
- a write that rolls back leaves the tokens, and the cached figures, valid;
- tokens are random rather than counted: a test database rolled back to empty starts from new
  tokens, never from a previous test's.
The writers call ``data_changed`` last, just before they commit, so the rows stay locked only
for a moment; every writer locks the ``ALL`` row first, so writers never deadlock on them.

Why keep it (measured for issue 12 with ``python -m bench load``: 50 people, 60 s, national
dataset): its one consumer, the district's checklist figures (rollout.summaries), is read by
the district dashboard, the region's plan page and every organisation's panel. Cached this
way: 45.9 req/s, p95 166 ms. Computed on each page: 23.4 req/s, p95 1,668 ms (the goal is
p95 < 500 ms). A plain 60-second cache: 43.7 req/s, p95 317 ms, p99 529 ms, and a tick would
show up to a minute late. So the tokens stay.
"""

from __future__ import annotations

import hashlib
import logging
import uuid
from collections.abc import Callable
from typing import TypeVar

from django.core.cache import cache
from django.db import connection

from .models import DataVersion

log = logging.getLogger(__name__)
T = TypeVar("T")
ALL = "all"
# Cached figures are dropped by their tokens, not by time; this only bounds the cache's size.
CACHE_SECONDS = 24 * 3600


def municipality_data(municipality_id: int) -> str:
    return f"mo:{municipality_id}"


def data_tokens(*names: str) -> str:
    """The current tokens of ``names``, joined for a cache key (one query; creates the missing
    ones)."""
    found = dict(DataVersion.objects.filter(name__in=names).values_list("name", "token"))
    missing = [name for name in names if name not in found]
    if missing:
        DataVersion.objects.bulk_create(
            [DataVersion(name=name, token=uuid.uuid4().hex) for name in missing],
            ignore_conflicts=True,  # another request created it meanwhile: read theirs
        )
        found |= dict(DataVersion.objects.filter(name__in=missing).values_list("name", "token"))
    return ":".join(found[name] for name in names)


def cached(parts: tuple, names: tuple[str, ...], compute: Callable[[], T]) -> T:
    """``compute()``, cached under ``parts`` and the current tokens of ``names``. A cache that
    is down is skipped (the figures are computed), never an error."""
    raw = ":".join(str(part) for part in parts) + "|" + data_tokens(*names)
    key = "v:" + hashlib.sha256(raw.encode()).hexdigest()
    try:
        value = cache.get(key)
    except Exception:
        log.warning("Cache unavailable: computing %s", parts[0], exc_info=True)
        return compute()
    if value is None:
        value = compute()
        try:
            cache.set(key, value, CACHE_SECONDS)
        except Exception:
            log.warning("Cache unavailable: %s not kept", parts[0], exc_info=True)
    return value


def data_changed(*names: str) -> None:
    """Give ``names`` new tokens, in the caller's transaction.

    The rows stay locked until the caller commits. So that two writers renewing the same
    tokens in opposite orders (a class, then an organisation; an organisation, then a class)
    wait for each other instead of deadlocking, every writer takes the ``ALL`` row first: a
    district's token is renewed only under it."""
    names = sorted(set(names), key=lambda name: (name != ALL, name))
    if names[0] != ALL:
        _lock_all()
    DataVersion.objects.bulk_create(
        [DataVersion(name=name, token=uuid.uuid4().hex) for name in names],
        update_conflicts=True,
        unique_fields=["name"],
        update_fields=["token"],
    )


def _lock_all() -> None:
    """Lock the ``ALL`` row without renewing it (creating it first if it is missing)."""
    table = connection.ops.quote_name(DataVersion._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (name, token) VALUES (%s, %s) "
            f"ON CONFLICT (name) DO UPDATE SET token = {table}.token",
            [ALL, uuid.uuid4().hex],
        )


def _organization_changed(sender, instance, raw=False, **kwargs):
    # An organisation may have moved between districts: every district's figures may change.
    if not raw:
        data_changed(ALL)


def _class_changed(sender, instance, raw=False, **kwargs):
    if not raw:
        data_changed(municipality_data(instance.organization.municipality_id))


def connect() -> None:
    """The registry's single-row writes; bulk writers call ``data_changed`` themselves."""
    from django.db.models.signals import post_delete, post_save

    from .models import Organization, SchoolClass

    for signal in (post_save, post_delete):
        signal.connect(_organization_changed, sender=Organization, dispatch_uid="versions_org")
        signal.connect(_class_changed, sender=SchoolClass, dispatch_uid="versions_class")
