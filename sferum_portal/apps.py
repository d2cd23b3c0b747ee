"""App configurations the portal adjusts: django-axes under a Russian name in the admin (its
own is «Axes»)."""

from axes.apps import AppConfig as AxesAppConfig


class AxesConfig(AxesAppConfig):
    verbose_name = "Блокировки входа"
