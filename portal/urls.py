"""URLs of the pages that combine the apps (the landing page is the root URLconf's "home")."""

from django.urls import path

from . import views, views_audit

app_name = "portal"

urlpatterns = [
    path(
        "municipalities/<int:pk>/dashboard/",
        views.municipality_dashboard,
        name="municipality_dashboard",
    ),
    path("regions/<int:pk>/audit/", views_audit.region_audit, name="region_audit"),
    path(
        "municipalities/<int:pk>/audit/",
        views_audit.municipality_audit,
        name="municipality_audit",
    ),
]
