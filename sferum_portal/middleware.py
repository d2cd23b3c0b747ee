"""A dependency that is down gives a clear page, not a server error.

When PostgreSQL or Redis (the cache, the Celery broker) does not answer, a view fails with a
connection error. This middleware turns those into «Портал временно недоступен», HTTP 503 with
Retry-After, rendered without touching the database; any other error still goes to the 500
handler. Django reconnects by itself on the next request (CONN_HEALTH_CHECKS), so the portal
recovers when the service returns; /healthz says which dependency failed.
"""

import logging

import kombu.exceptions
import redis.exceptions
from django.db import InterfaceError, OperationalError
from django.http import HttpResponse
from django.template.loader import render_to_string

log = logging.getLogger(__name__)

UNAVAILABLE = (
    OperationalError,  # PostgreSQL refused, dropped the connection or is restarting
    InterfaceError,  # a connection already closed under us
    redis.exceptions.ConnectionError,
    redis.exceptions.TimeoutError,
    kombu.exceptions.OperationalError,  # the broker refused a task
)
RETRY_AFTER_SECONDS = 30


class ServiceUnavailableMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not isinstance(exception, UNAVAILABLE):
            return None
        log.error(
            "%s %s: a service is unavailable: %s: %s",
            request.method,
            request.path,
            exception.__class__.__name__,
            exception,
        )
        # No request context: context processors would query the database that just failed.
        response = HttpResponse(render_to_string("503.html"), status=503)
        response["Retry-After"] = str(RETRY_AFTER_SECONDS)
        return response
