"""URLs of the notify app (namespace "notify")."""

from django.urls import path

from . import views

app_name = "notify"

urlpatterns = [
    path("profile/notifications/", views.settings_page, name="settings"),
    path("notifications/unsubscribe/<str:token>/", views.unsubscribe, name="unsubscribe"),
    path("max/webhook", views.max_webhook, name="max_webhook"),
]
