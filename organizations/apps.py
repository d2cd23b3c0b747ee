"""App config for the registry: connects the signals that renew data versions."""

from django.apps import AppConfig


class OrganizationsConfig(AppConfig):
    name = "organizations"
    verbose_name = "Реестр"

    def ready(self) -> None:
        from . import versions

        versions.connect()
