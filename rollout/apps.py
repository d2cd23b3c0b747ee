"""App config for the rollout checklists and plan: connects the signals that keep tasks in step."""

from django.apps import AppConfig


class RolloutConfig(AppConfig):
    name = "rollout"
    verbose_name = "Чек-листы и план мероприятий"

    def ready(self) -> None:
        from . import signals

        signals.connect()
