"""Settings for the Sferum rollout portal.

One file, driven by environment variables. With no variables at all it runs for development:
SQLite in the project folder, Celery tasks run inline, e-mail printed to the console, Russian UI.
Production sets DATABASE_URL, REDIS_URL, SECRET_KEY, DEBUG=False and ALLOWED_HOSTS (see
.env.example).
"""

import base64
import hashlib
import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
from celery.schedules import crontab
from csp.constants import NONCE
from import_export.formats.base_formats import CSV, XLSX

BASE_DIR = Path(__file__).resolve().parent.parent


def env(name: str, default: str = "") -> str:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in env(name, default).split(",") if item.strip()]


DEBUG = env_bool("DEBUG", True)
# With DEBUG the portal still shows its Russian 404 and 500 pages (the demo runs with DEBUG);
# TECHNICAL_ERROR_PAGES=True shows Django's technical pages instead, for debugging.
TECHNICAL_ERROR_PAGES = env_bool("TECHNICAL_ERROR_PAGES", False)
SECRET_KEY = env("SECRET_KEY", "dev-only-insecure-key-set-SECRET_KEY-in-production")
# Loopback is always allowed: container healthchecks call /healthz on 127.0.0.1.
ALLOWED_HOSTS = [
    *env_list("ALLOWED_HOSTS", "testserver"),
    "localhost",
    "127.0.0.1",
    "[::1]",
]
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")
SITE_URL = env("SITE_URL", "http://127.0.0.1:8000")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "crispy_forms",
    "crispy_bootstrap5",
    "import_export",
    "simple_history",
    "sferum_portal.apps.AxesConfig",  # django-axes under a Russian name in the admin
    "csp",
    "answers",
    "organizations",
    "rollout",
    "monitoring",
    "notify",
    "portal",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Content-Security-Policy on every response (django-csp; the policy is below).
    "sferum_portal.csp_policy.PortalCSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Tells django-simple-history who makes a change (the audit log's "кто").
    "simple_history.middleware.HistoryRequestMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # The Russian 404 and 500 pages with DEBUG=True too (sferum_portal/error_pages.py).
    "sferum_portal.error_pages.ErrorPagesMiddleware",
    # A database or Redis that is down gives the 503 page (templates/503.html), not a 500.
    "sferum_portal.middleware.ServiceUnavailableMiddleware",
    # Last, as django-axes asks: it turns a lockout into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "sferum_portal.urls"
WSGI_APPLICATION = "sferum_portal.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "portal.context_processors.navigation",
            ],
            # {% load ru %}: plurals, grouped numbers, time zones, for every app's templates.
            "libraries": {"ru": "sferum_portal.ru_tags"},
        },
    },
]

# Database: SQLite in the project folder unless DATABASE_URL says otherwise.
DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=int(env("DB_CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    )
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "organizations.User"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# Login throttling (django-axes): AXES_FAILURE_LIMIT wrong passwords for one username from one
# address lock that pair out for the cool-off; other people, and the same person from elsewhere,
# can still log in. A correct login resets the count; `manage.py axes_reset` lifts all lockouts.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "organizations.auth_backends.LoginOrEmailBackend",  # the login name or the e-mail address
]
AXES_FAILURE_LIMIT = int(env("AXES_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = timedelta(minutes=int(env("AXES_COOLOFF_MINUTES", "15")))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_COOLOFF_MESSAGE = (
    "Вход временно заблокирован: слишком много неудачных попыток. Попробуйте позже."
)
# Set-password links by e-mail («выслать ссылку», the reset form; organizations/throttle.py): at
# most PER_MAILBOX to one address and PER_ADDRESS requests from one client IP per period.
LINK_THROTTLE_PER_MAILBOX = int(env("LINK_THROTTLE_PER_MAILBOX", "3"))
LINK_THROTTLE_PER_ADDRESS = int(env("LINK_THROTTLE_PER_ADDRESS", "20"))
# Invitations come from logged-in staff who may add a whole school at once: more per client IP.
INVITE_THROTTLE_PER_ADDRESS = int(env("INVITE_THROTTLE_PER_ADDRESS", "300"))
LINK_THROTTLE_PERIOD = timedelta(minutes=int(env("LINK_THROTTLE_PERIOD_MINUTES", "60")))
LINK_THROTTLE_KEY_PREFIX = "link-throttle"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"
# A set-password link is valid for three days and only once (Django's token changes with the
# password hash).
PASSWORD_RESET_TIMEOUT = int(env("PASSWORD_LINK_TIMEOUT", str(3 * 24 * 3600)))
# An invitation to a role can be answered for a week, once (organizations/services.py).
INVITATION_TIMEOUT = int(env("INVITATION_TIMEOUT", str(7 * 24 * 3600)))

LANGUAGE_CODE = "ru"
LANGUAGES = [("ru", "Русский")]
TIME_ZONE = "Europe/Moscow"
USE_I18N = True
# The portal's own Russian for Django's admin and django-import-export (locale/ru/…/django.po).
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = Path(env("STATIC_ROOT", str(BASE_DIR / "staticfiles")))
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "media/"
MEDIA_ROOT = Path(env("MEDIA_ROOT", str(BASE_DIR / "media")))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}

# Redis is both the Celery broker and the cache when configured.
REDIS_URL = env("REDIS_URL")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

CELERY_BROKER_URL = REDIS_URL or "memory://localhost/"
CELERY_RESULT_BACKEND = REDIS_URL or None
CELERY_TASK_ALWAYS_EAGER = env_bool("CELERY_TASK_ALWAYS_EAGER", not REDIS_URL)
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TIMEZONE = TIME_ZONE
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_TIME_LIMIT = int(env("CELERY_TASK_TIME_LIMIT", "1800"))
# Redis hands a task whose worker died before acknowledging it (acks_late) to another worker
# after this many seconds: longer than any task may run, or a slow task would run twice at once.
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": int(env("CELERY_VISIBILITY_TIMEOUT", str(CELERY_TASK_TIME_LIMIT + 600))),
}
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# Beat entries expire: a run missed while beat or the workers were down is dropped, not piled up.
CELERY_BEAT_SCHEDULE = {
    "weekly-values-monday-0600-local": {
        # Hourly on Sundays and Mondays of the beat's (Moscow) clock; the task picks the regions
        # where it is Monday 06:00 local time (sferum_portal.weeks.is_weekly_run_hour). Sunday
        # too: Monday 06:00 in Vladivostok, Magadan or Kamchatka is still Sunday in Moscow.
        "task": "monitoring.tasks.weekly_monday_task",
        "schedule": crontab(minute=0, day_of_week="sun,mon"),
        "options": {"expires": 50 * 60},
    },
    "uploads-reap-stale": {
        "task": "monitoring.tasks.uploads_reap_stale_task",
        "schedule": crontab(minute="*/10"),
        "options": {"expires": 9 * 60},
    },
    # The outbox: what is due, retries included (notify.outbox).
    "notify-outbox-send": {
        "task": "notify.outbox_send",
        "schedule": crontab(minute="*"),
        "options": {"expires": 55},
    },
    # Reminders of overdue plan items, once a day (notify.reminders; one message per person).
    "notify-reminders-daily": {
        "task": "notify.reminders_daily",
        "schedule": crontab(minute=0, hour=8),
        "options": {"expires": 6 * 3600},
    },
}

# E-mail: SMTP once EMAIL_HOST is set, else the console (development and the demo).
EMAIL_HOST = env("EMAIL_HOST", "")
EMAIL_BACKEND = env(
    "EMAIL_BACKEND",
    "django.core.mail.backends.smtp.EmailBackend"
    if EMAIL_HOST
    else "django.core.mail.backends.console.EmailBackend",
)
EMAIL_HOST = EMAIL_HOST or "localhost"
EMAIL_PORT = int(env("EMAIL_PORT", "25"))
EMAIL_HOST_USER = env("EMAIL_HOST_USER")
EMAIL_HOST_PASSWORD = env("EMAIL_HOST_PASSWORD")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", "Сферум-портал <noreply@localhost>")
EMAIL_TIMEOUT = int(env("EMAIL_TIMEOUT", "30"))

# MAX (the messenger's Bot API): off until a bot token is set. Only a verified organisation can
# register a bot, so each ministry registers its own and sets its token and name here.
MAX_BOT_TOKEN = env("MAX_BOT_TOKEN", "")
MAX_BOT_NAME = env("MAX_BOT_NAME", "")
MAX_API_URL = env("MAX_API_URL", "https://platform-api.max.ru")
MAX_WEBHOOK_SECRET = env("MAX_WEBHOOK_SECRET", "")
# A PEM file with the Russian Trusted Root CA (Минцифры России), trusted beside certifi's roots.
MAX_CA_BUNDLE = env("MAX_CA_BUNDLE", "")
# How long a profile page's MAX deep link may be used, seconds.
MAX_LINK_TIMEOUT = int(env("MAX_LINK_TIMEOUT", str(24 * 3600)))
# «Напомнить»: at most one nudge per organisation in this many hours (notify.nudges).
NOTIFY_NUDGE_INTERVAL_HOURS = int(env("NOTIFY_NUDGE_INTERVAL_HOURS", "24"))
# How long a worker holds the messages it claimed before another may send them, seconds.
NOTIFY_LEASE_SECONDS = int(env("NOTIFY_LEASE_SECONDS", "300"))

# Statistics uploads: files above the inline limit are checked in a Celery task.
STATS_UPLOAD_MAX_BYTES = int(env("STATS_UPLOAD_MAX_BYTES", str(50 * 1024 * 1024)))
STATS_UPLOAD_INLINE_MAX_BYTES = int(env("STATS_UPLOAD_INLINE_MAX_BYTES", str(1024 * 1024)))
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024

# Rollout evidence files (local acts, orders): the largest upload accepted.
ROLLOUT_EVIDENCE_MAX_BYTES = int(env("ROLLOUT_EVIDENCE_MAX_BYTES", str(10 * 1024 * 1024)))

# Dashboards: a value at or above its target is "good", within WARN points below it "warn",
# further below "bad"; a week-on-week change is drawn as an arrow only beyond the threshold.
DASHBOARD_BANDS = {"warn_below_target_pp": 10}
DASHBOARD_ARROW_THRESHOLD_PP = 1.0
DASHBOARD_BAND_COLOURS = {"good": "D1E7DD", "warn": "FFF3CD", "bad": "F8D7DA", "none": "E9ECEF"}
# A week's coverage is adequate when at least this share of the organisations that had data the
# week before have data this week. Pages open on the latest adequate week, and a rate from a
# week below it is marked «неполные данные» and never shown as a target reached.
DASHBOARD_MIN_COVERAGE_PCT = int(env("DASHBOARD_MIN_COVERAGE_PCT", "80"))
# «Сравнивать с похожими»: the size bands of the district league, by staff and by students (the
# ОО-1 totals of the week's data). Each number starts a band: (20, 50, 100) gives «до 20», «20–49»,
# «50–99» and «100 и больше» (monitoring.comparison).
COMPARISON_SIZE_BANDS = {"staff": (20, 50, 100), "students": (100, 300, 700, 1500)}

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

IMPORT_EXPORT_USE_TRANSACTIONS = True
IMPORT_EXPORT_SKIP_ADMIN_LOG = False
IMPORT_EXPORT_FORMATS = [XLSX, CSV]

# Production hardening: on whenever DEBUG is off.
if not DEBUG:
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = int(env("SECURE_HSTS_SECONDS", "31536000"))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
# Content-Security-Policy: scripts, styles, fonts and images come from our own static files only;
# no inline <script>, no on…= handlers, no style="" attributes (tests/security/test_csp.py scans
# the templates). Dynamic widths are CSS classes (pct-0 … pct-100 in static/css/portal.css);
# JSON for charts is json_script, which the browser does not run.
# Bootstrap's icons are data: SVGs in its CSS, hence img-src data:.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        # NONCE: the dashboards' one style element, band colours from settings (band_styles).
        "style-src": ["'self'", NONCE],
        "img-src": ["'self'", "data:"],
        "connect-src": ["'self'"],
        "font-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    },
}


def csp_hash(source: str) -> str:
    return f"'sha256-{base64.b64encode(hashlib.sha256(source.encode()).digest()).decode()}'"


# The one exception, on the admin's pages only: django-import-export's export form has an
# onchange handler and two style attributes, django-simple-history's history list one style
# attribute. 'unsafe-hashes' lets exactly these strings run, nothing else inline.
CSP_ADMIN_PATH_PREFIX = "/admin/"
CSP_ADMIN_UPDATE = {
    "script-src": ["'unsafe-hashes'", csp_hash("onSelectToggleChange(event)")],
    "style-src": [
        "'unsafe-hashes'",
        csp_hash("padding: 0;"),
        csp_hash("font-weight: bold;"),
        csp_hash("border-top: 0"),
    ],
}
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_AGE = 12 * 3600
X_FRAME_OPTIONS = "DENY"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}
