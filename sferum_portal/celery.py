"""Celery application, in the layout of Celery's Django guide.

The worker and beat read their settings from Django's settings (the CELERY_ namespace) and find
tasks in each app's tasks.py.
"""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sferum_portal.settings")

app = Celery("sferum_portal")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
