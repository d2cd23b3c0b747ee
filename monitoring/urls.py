"""URLs of the monitoring pages."""

from django.urls import path

from .views import dashboards, targets, uploads

app_name = "monitoring"

urlpatterns = [
    path("statistics/uploads/", uploads.upload_list, name="upload_list"),
    path("statistics/uploads/<int:pk>/", uploads.upload_detail, name="upload"),
    path("statistics/uploads/<int:pk>/confirm/", uploads.upload_confirm, name="upload_confirm"),
    path("statistics/uploads/<int:pk>/cancel/", uploads.upload_cancel, name="upload_cancel"),
    path("statistics/uploads/<int:pk>/progress/", uploads.upload_progress, name="upload_progress"),
    path(
        "statistics/uploads/<int:pk>/problems.xlsx",
        uploads.upload_problems_xlsx,
        name="upload_problems",
    ),
    path("statistics/uploads/<int:pk>/file/", uploads.upload_file, name="upload_file"),
    path("regions/<int:pk>/targets/", targets.region_targets, name="region_targets"),
    path("regions/<int:pk>/dashboard/", dashboards.region_dashboard, name="region_dashboard"),
    # The district dashboard, municipalities/<pk>/dashboard/, is portal:municipality_dashboard:
    # it shows the checklist progress too (portal.views builds on district_dashboard_page).
    path(
        "organizations/<int:pk>/dashboard/",
        dashboards.organization_dashboard,
        name="organization_dashboard",
    ),
]
