"""Keeping tasks in step with the registry and the templates as they change.

Connected in ``RolloutConfig.ready()``. Each handler calls one sync service for the object that
changed; the services are bulk and idempotent, so a handler firing twice costs a few queries and
changes nothing. An import writes the registry in bulk, without model signals: monitoring sends
``registry_grown`` once it commits, and the sync of the rows it added is queued as a Celery task.
Fixture loading (``raw``) is skipped: run ``manage.py rollout_sync`` after it, as after any other
bulk write that bypasses signals (demo data).
"""

import threading
from contextlib import contextmanager

from django.db.models.signals import m2m_changed, post_save

from monitoring.signals import registry_grown
from organizations.models import Membership, Municipality, Organization, Role, SchoolClass
from organizations.versions import ALL, data_changed

from . import services, tasks
from .models import (
    ChecklistStepTemplate,
    ChecklistTemplate,
    PlanItemTemplate,
    PlanTemplate,
    Task,
)

_state = threading.local()


@contextmanager
def sync_muted():
    """Skip the per-row sync inside the block (a caller that syncs everything afterwards)."""
    previous = getattr(_state, "muted", False)
    _state.muted = True
    try:
        yield
    finally:
        _state.muted = previous


def _muted(kwargs) -> bool:
    return kwargs.get("raw", False) or getattr(_state, "muted", False)


def organization_saved(sender, instance, **kwargs):
    if not _muted(kwargs):
        services.tasks_sync_for_organizations(organization_ids=[instance.pk])


def municipality_saved(sender, instance, created, **kwargs):
    if created and not _muted(kwargs):
        services.tasks_sync_for_municipalities(municipality_ids=[instance.pk])


def membership_saved(sender, instance, **kwargs):
    if not _muted(kwargs):
        services.tasks_sync_for_memberships(membership_ids=[instance.pk])


def membership_classes_changed(sender, instance, action, reverse, pk_set, **kwargs):
    if action not in ("post_add", "post_remove", "post_clear") or _muted(kwargs):
        return
    if not reverse:
        membership_ids = [instance.pk]
    elif pk_set is not None:
        membership_ids = list(pk_set)
    else:
        # A class's teachers cleared: the class's organisation's teachers are the candidates.
        membership_ids = Membership.objects.filter(
            role=Role.CLASS_TEACHER, organization_id=instance.organization_id
        )
    services.tasks_sync_for_memberships(membership_ids=membership_ids)


def class_saved(sender, instance, created, **kwargs):
    """A renamed class (on its page or in the admin): the tasks' copy of the name follows."""
    if not created and not kwargs.get("raw", False):
        Task.objects.filter(school_class=instance).exclude(class_name=instance.name).update(
            class_name=instance.name
        )


def checklist_changed(sender, instance, **kwargs):
    if _muted(kwargs):
        return
    checklist = instance if isinstance(instance, ChecklistTemplate) else instance.checklist
    services.tasks_sync_for_roles(roles=[checklist.actor])


def plan_changed(sender, instance, **kwargs):
    if _muted(kwargs):
        return
    if isinstance(instance, PlanItemTemplate):
        item_ids = [instance.pk]
    else:
        item_ids = list(instance.items.values_list("pk", flat=True))
    services.tasks_sync_for_plans(item_ids=item_ids)


def templates_changed(sender, instance, **kwargs):
    """A deadline or an applicable type may change with no task written: renew the figures."""
    if not kwargs.get("raw", False):
        data_changed(ALL)


def registry_imported(sender, organization_ids, municipality_ids, **kwargs):
    """Sent once an import's write has committed: queue the sync of the rows it added."""
    tasks.tasks_sync_registry_task.delay(organization_ids, municipality_ids)


def connect() -> None:
    registry_grown.connect(registry_imported, dispatch_uid="rollout_registry_grown")
    post_save.connect(organization_saved, sender=Organization, dispatch_uid="rollout_org")
    post_save.connect(municipality_saved, sender=Municipality, dispatch_uid="rollout_mo")
    post_save.connect(membership_saved, sender=Membership, dispatch_uid="rollout_membership")
    post_save.connect(class_saved, sender=SchoolClass, dispatch_uid="rollout_class")
    m2m_changed.connect(
        membership_classes_changed,
        sender=Membership.classes.through,
        dispatch_uid="rollout_membership_classes",
    )
    for model in (ChecklistTemplate, ChecklistStepTemplate):
        post_save.connect(checklist_changed, sender=model, dispatch_uid=f"rollout_{model.__name__}")
    for model in (PlanTemplate, PlanItemTemplate):
        post_save.connect(plan_changed, sender=model, dispatch_uid=f"rollout_{model.__name__}")
    for model in (ChecklistTemplate, ChecklistStepTemplate, PlanTemplate, PlanItemTemplate):
        post_save.connect(
            templates_changed, sender=model, dispatch_uid=f"versions_{model.__name__}"
        )
