"""URLs of the registry pages."""

from django.urls import path

from . import views, views_invitations, views_roster, views_search

app_name = "organizations"

urlpatterns = [
    path("regions/", views.region_list, name="region_list"),
    path("regions/<int:pk>/", views.region_detail, name="region"),
    path("municipalities/<int:pk>/", views.municipality_detail, name="municipality"),
    path("organizations/<int:pk>/", views.organization_detail, name="organization"),
    path("organizations/search/", views_search.organization_search, name="organization_search"),
    path("organizations/<int:pk>/people/new/", views.person_invite_view, name="person_invite"),
    path(
        "organizations/<int:pk>/people/<int:membership_pk>/send-link/",
        views.person_send_link,
        name="person_send_link",
    ),
    path(
        "organizations/<int:pk>/invitations/<int:invitation_pk>/resend/",
        views_invitations.invitation_resend,
        name="invitation_resend",
    ),
    path(
        "organizations/<int:pk>/invitations/<int:invitation_pk>/revoke/",
        views_invitations.invitation_revoke,
        name="invitation_revoke",
    ),
    path("invitations/", views_invitations.invitation_list, name="invitation_list"),
    path(
        "invitations/<int:pk>/answer/",
        views_invitations.invitation_respond,
        name="invitation_respond",
    ),
    path("invitations/<str:token>/", views_invitations.invitation_answer, name="invitation"),
    path("organizations/<int:pk>/classes/new/", views.class_create, name="class_create"),
    path("organizations/<int:pk>/requisites/", views.requisites_edit, name="requisites"),
    path(
        "organizations/<int:pk>/classes/<int:class_pk>/rename/",
        views_roster.class_rename_view,
        name="class_rename",
    ),
    path(
        "organizations/<int:pk>/classes/<int:class_pk>/remove/",
        views_roster.class_archive_view,
        name="class_archive",
    ),
    path(
        "organizations/<int:pk>/people/<int:membership_pk>/remove/",
        views_roster.person_remove_view,
        name="person_remove",
    ),
]
