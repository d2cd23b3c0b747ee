"""Root URL configuration."""

from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from organizations.auth_backends import BACKEND
from organizations.forms import LoginForm
from organizations.views_accounts import PasswordResetView
from portal.views import home

from .error_pages import favicon
from .health import healthz

admin.site.site_header = "Портал перехода Сферум в МАХ — администрирование"
admin.site.site_title = "Сферум → МАХ"
admin.site.index_title = "Реестр и справочники"
admin.site.empty_value_display = "—"  # not «None» or Django's «-» in an empty cell

account_urls = [
    path(
        "login/",
        auth_views.LoginView.as_view(
            redirect_authenticated_user=True, authentication_form=LoginForm
        ),
        name="login",
    ),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("password/change/", auth_views.PasswordChangeView.as_view(), name="password_change"),
    path(
        "password/change/done/",
        auth_views.PasswordChangeDoneView.as_view(),
        name="password_change_done",
    ),
    path("password/reset/", PasswordResetView.as_view(), name="password_reset"),
    path(
        "password/reset/sent/",
        auth_views.PasswordResetDoneView.as_view(),
        name="password_reset_done",
    ),
    path(
        "set-password/<uidb64>/<token>/",
        # Two auth backends (django-axes' lockout check, then ours): say which logs in.
        auth_views.PasswordResetConfirmView.as_view(
            post_reset_login=True,
            post_reset_login_backend=BACKEND,
        ),
        name="set_password",
    ),
    path(
        "set-password/done/",
        auth_views.PasswordResetCompleteView.as_view(),
        name="password_reset_complete",
    ),
]

urlpatterns = [
    path("", home, name="home"),
    path("healthz", healthz, name="healthz"),
    path("favicon.ico", favicon, name="favicon"),
    path("accounts/", include(account_urls)),
    path("admin/", admin.site.urls),
    path("", include("organizations.urls")),
    path("", include("monitoring.urls")),
    path("", include("rollout.urls")),
    path("", include("portal.urls")),
    path("", include("notify.urls")),
    path("help/", include("answers.urls")),
]
# Media (uploaded statistics files, evidence) is never served as such: only through views that
# check the person's scope.
