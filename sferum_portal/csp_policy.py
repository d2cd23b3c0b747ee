"""The Content-Security-Policy header: django-csp's middleware, with the policy from
settings.CONTENT_SECURITY_POLICY, widened on the admin's pages only by settings.CSP_ADMIN_UPDATE
(hashes of the few inline attributes that third-party admin templates carry)."""

from csp.middleware import CSPMiddleware
from django.conf import settings


class PortalCSPMiddleware(CSPMiddleware):
    def get_policy_parts(self, request, response, report_only=False):
        parts = super().get_policy_parts(request, response, report_only)
        if not report_only and request.path_info.startswith(settings.CSP_ADMIN_PATH_PREFIX):
            parts.update = {**settings.CSP_ADMIN_UPDATE, **(parts.update or {})}
        return parts
