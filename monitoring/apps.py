"""App config for statistics monitoring: connects the signal that renews data versions when a
target changes."""

from django.apps import AppConfig


def _target_changed(sender, instance, raw=False, **kwargs):
    from organizations.versions import ALL, data_changed

    if not raw:
        data_changed(ALL)


class MonitoringConfig(AppConfig):
    name = "monitoring"
    verbose_name = "Мониторинг"

    def ready(self) -> None:
        from django.db.models.signals import post_delete, post_save

        from .models import Target

        for signal in (post_save, post_delete):
            signal.connect(_target_changed, sender=Target, dispatch_uid="versions_target")
