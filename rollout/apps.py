"""App config for the rollout checklists and plan."""

from django.apps import AppConfig


class RolloutConfig(AppConfig):
    name = "rollout"
    verbose_name = "Чек-листы и план мероприятий"
