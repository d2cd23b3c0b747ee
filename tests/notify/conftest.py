"""Fixtures of the notify tests: the SMTP server and the MAX Bot API on 127.0.0.1, with the
settings that point the portal at them."""

import pytest

from tests.notify.servers import FakeMaxApi, SmtpServer

TOKEN = "test-bot-token"


@pytest.fixture
def smtp(settings):
    with SmtpServer() as server:
        settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
        settings.EMAIL_HOST = "127.0.0.1"
        settings.EMAIL_PORT = server.port
        settings.EMAIL_USE_TLS = False
        settings.EMAIL_HOST_USER = ""
        settings.EMAIL_HOST_PASSWORD = ""
        yield server


@pytest.fixture
def max_api(settings):
    with FakeMaxApi(TOKEN) as api:
        settings.MAX_BOT_TOKEN = TOKEN
        settings.MAX_BOT_NAME = "sferum_portal_bot"
        settings.MAX_API_URL = api.url
        settings.MAX_WEBHOOK_SECRET = "webhook-secret"
        yield api
