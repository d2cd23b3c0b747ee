"""The Russian 404 and 500 pages (templates/404.html, 500.html) also with DEBUG=True, and the
favicon at /favicon.ico.

With DEBUG off Django renders those templates itself. With DEBUG on (the demo, ``make run``) it
shows its English technical pages instead, which a demo's audience should not see; this
middleware renders the same pages through the same views Django uses in production
(``django.views.defaults``), and logs a server error's traceback to the console, where the
developer reads it. TECHNICAL_ERROR_PAGES=True in the environment brings Django's pages back.
"""

import logging

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponseRedirect
from django.templatetags.static import static
from django.views import defaults

log = logging.getLogger("django.request")


def _active() -> bool:
    return settings.DEBUG and not getattr(settings, "TECHNICAL_ERROR_PAGES", False)


class ErrorPagesMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        # No view matched the address: Django answered before any view could raise (so
        # process_exception below never saw it) with its technical 404.
        if (
            response.status_code == 404
            and _active()
            and getattr(request, "resolver_match", None) is None
        ):
            return defaults.page_not_found(request, Http404())
        return response

    def process_exception(self, request, exception):
        if not _active() or isinstance(exception, PermissionDenied):
            return None  # 403 has its page in DEBUG too
        if isinstance(exception, Http404):
            return defaults.page_not_found(request, exception)
        log.error("Internal Server Error: %s", request.path, exc_info=exception)
        return defaults.server_error(request)


def favicon(request):
    """Browsers ask for /favicon.ico whatever the page links: send them to the SVG."""
    return HttpResponseRedirect(static("favicon.svg"))
