"""URLs of the notify app (namespace "notify")."""

from django.urls import path

from . import nudges, views, views_log

app_name = "notify"

urlpatterns = [
    path("profile/notifications/", views.settings_page, name="settings"),
    path("notifications/unsubscribe/<str:token>/", views.unsubscribe, name="unsubscribe"),
    path("max/webhook", views.max_webhook, name="max_webhook"),
    path("organizations/<int:pk>/nudge/", nudges.nudge, name="nudge"),
    path("municipalities/<int:pk>/messages/", views_log.municipality_log, name="log"),
    path("regions/<int:pk>/messages/", views_log.region_log, name="region_log"),
]
