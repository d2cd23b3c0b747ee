"""/healthz answers 200 when the database (and a configured broker) answer, 503 otherwise."""

from unittest import mock

import pytest
from django.db import OperationalError


@pytest.mark.django_db
def test_healthz_is_ok_when_the_database_answers(client, settings):
    settings.REDIS_URL = ""
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {
        "status": "ok",
        "checks": {"database": "ok", "broker": "not configured"},
    }


@pytest.mark.django_db
def test_healthz_is_503_when_the_database_is_down(client):
    with mock.patch("sferum_portal.health.connection.cursor", side_effect=OperationalError("down")):
        response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["checks"]["database"] == "error: OperationalError"


@pytest.mark.django_db
def test_healthz_is_503_when_the_broker_is_unreachable(client, settings):
    settings.REDIS_URL = "redis://127.0.0.1:1/0"  # nothing listens on port 1
    response = client.get("/healthz")
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "unavailable"
    assert body["checks"]["broker"].startswith("error:")


@pytest.mark.django_db
def test_healthz_checks_a_real_broker_when_one_is_configured(client, settings):
    import os

    url = os.environ.get("REDIS_URL")
    if not url:
        pytest.skip("REDIS_URL is not set (the PostgreSQL pass of .ci/run sets it)")
    settings.REDIS_URL = url
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json()["checks"]["broker"] == "ok"
