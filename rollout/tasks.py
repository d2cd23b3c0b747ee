"""Celery tasks of the rollout app: keep tasks in step after bulk registry writes."""

from celery import shared_task

from . import services


@shared_task(acks_late=True)
def tasks_sync_registry_task(organization_ids: list[int], municipality_ids: list[int]) -> str:
    """Create the plan tasks of organisations and municipalities an import added (the importer
    writes the registry in bulk, without model signals)."""
    result = services.tasks_sync_for_organizations(organization_ids=organization_ids)
    result += services.tasks_sync_for_municipalities(municipality_ids=municipality_ids)
    return str(result)
