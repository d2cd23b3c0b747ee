"""URLs of «Справка», under /help/."""

from django.urls import path

from . import views

app_name = "answers"

urlpatterns = [
    path("", views.answer_list, name="list"),
    path("<slug:slug>/", views.answer_detail, name="detail"),
]
