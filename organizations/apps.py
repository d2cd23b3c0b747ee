"""App config for the registry: connects the signals that renew data versions, and gives the
built-in permissions Russian names after each migrate (permission_names.py)."""

from django.apps import AppConfig
from django.db.models.signals import post_migrate


class OrganizationsConfig(AppConfig):
    name = "organizations"
    verbose_name = "Реестр"

    def ready(self) -> None:
        from . import versions
        from .permission_names import rename_builtin_permissions

        versions.connect()
        # Connected after django.contrib.auth's own receiver (auth is installed first), so it
        # runs once that one has created an app's permissions.
        post_migrate.connect(rename_builtin_permissions, dispatch_uid="permission_names_ru")
