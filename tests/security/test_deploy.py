"""The production variables give a configuration Django's deploy check accepts, with secure
cookies; a weak secret key fails the same check, so the check is really run."""

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PRODUCTION = {
    "DEBUG": "False",
    "SECRET_KEY": "k3J9-vQ2_pL8zX1mN6bR4tY7wE0aS5dF2gH8jK1lZ3xC6vB9nM4qW7eR0tY2uI5o",
    "ALLOWED_HOSTS": "portal.example.ru",
}


def run(args: list[str], **variables: str) -> subprocess.CompletedProcess:
    """A fresh process that sees the production variables and nothing of the test run's
    environment (DATABASE_URL, REDIS_URL, DJANGO_ALLOW_ASYNC_UNSAFE…)."""
    environment = {name: os.environ[name] for name in ("PATH", "HOME") if name in os.environ}
    environment.update(LANG="C.UTF-8", **PRODUCTION)
    environment.update(variables)
    return subprocess.run(
        [sys.executable, *args], cwd=ROOT, env=environment, capture_output=True, text=True,
        timeout=120,
    )  # fmt: skip


def test_the_deploy_check_passes_with_the_production_variables():
    result = run(["manage.py", "check", "--deploy", "--fail-level", "WARNING"])
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_the_deploy_check_fails_with_a_weak_secret_key():
    result = run(["manage.py", "check", "--deploy", "--fail-level", "WARNING"], SECRET_KEY="x")
    assert result.returncode != 0
    assert "security.W009" in result.stderr


PRINT_SETTINGS = """
import json, django
from django.conf import settings
django.setup()
print(json.dumps({name: getattr(settings, name) for name in [
    "DEBUG", "SESSION_COOKIE_SECURE", "CSRF_COOKIE_SECURE", "SESSION_COOKIE_HTTPONLY",
    "SECURE_SSL_REDIRECT", "SECURE_HSTS_SECONDS", "SECURE_CONTENT_TYPE_NOSNIFF",
]}))
"""


def test_production_sends_the_session_and_csrf_cookies_over_https_only():
    result = run(["-c", PRINT_SETTINGS], DJANGO_SETTINGS_MODULE="sferum_portal.settings")
    assert result.returncode == 0, result.stderr
    values = json.loads(result.stdout.strip().splitlines()[-1])
    assert values == {
        "DEBUG": False,
        "SESSION_COOKIE_SECURE": True,
        "CSRF_COOKIE_SECURE": True,
        "SESSION_COOKIE_HTTPONLY": True,
        "SECURE_SSL_REDIRECT": True,
        "SECURE_HSTS_SECONDS": 31536000,
        "SECURE_CONTENT_TYPE_NOSNIFF": True,
    }
