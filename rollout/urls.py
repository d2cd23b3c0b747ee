"""URLs of the rollout pages, under /rollout/ (namespace "rollout")."""

from django.urls import path

from . import views

app_name = "rollout"

urlpatterns = [
    path("rollout/my/", views.my_steps, name="my_steps"),
    path("rollout/my/tick/", views.my_steps_tick, name="my_steps_tick"),
    path("rollout/tasks/<int:pk>/", views.task_detail, name="task"),
    path("rollout/tasks/<int:pk>/draft.docx", views.task_draft, name="task_draft"),
    path("rollout/evidence/<int:pk>/", views.evidence_download, name="evidence"),
    path(
        "rollout/organizations/<int:pk>/",
        views.organization_progress,
        name="organization",
    ),
    path("rollout/municipalities/<int:pk>/", views.district, name="district"),
    path(
        "rollout/municipalities/<int:pk>/matrix/",
        views.district_matrix,
        name="district_matrix",
    ),
    path(
        "rollout/municipalities/<int:pk>/matrix.xlsx",
        views.district_matrix_export,
        name="district_matrix_export",
    ),
    path(
        "rollout/municipalities/<int:pk>/deadlines/<slug:kind>/",
        views.district_deadlines,
        name="district_deadlines",
    ),
    path(
        "rollout/municipalities/<int:pk>/contacts/",
        views.district_contacts,
        name="district_contacts",
    ),
    path("rollout/regions/<int:pk>/", views.region, name="region"),
]
