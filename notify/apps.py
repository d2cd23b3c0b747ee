"""The notify app: the weekly digests and reminders that take the Monday loop to people, by
e-mail and in MAX, through an outbox of messages."""

from django.apps import AppConfig


class NotifyConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "notify"
    verbose_name = "Рассылки"

    def ready(self) -> None:
        from . import signals

        signals.connect()
